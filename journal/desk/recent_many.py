"""The recent stretch (recent.py) of every client on the clients list at once, at a cost that does not grow with them.

`recent.stretch` reads one client in a handful of bounded queries; the clients list would pay that for each
client. Here the same rows are read for all of them together, in four queries whatever their number:

- each client's shared check-ins and questionnaires from `since` on (READ_CAP + 1 of each kind at most, to
  know when a stretch is cut short);
- the lead before `since` the flag rules look back on: as many check-ins and questionnaires as
  `recent.mood_lead` and `recent.measure_lead` would read at most (so what is read is never less than theirs),
  opened newest first only until the rules have what they look back on, as those do (opening is what costs);
- the questionnaires shared since `since` that happened before it (LATE_CAP of them at most);
- for each of those, the MEASURE_LEAD questionnaires before it (as many as `recent.flags_of` reads at most).

The flag rules are local (recent.py), so reading at least the lead they look back on finds the flags a
client's own reading finds. The rows are verified and opened through each client's own Reader, against the
signing key pinned for that client (signers.signer_of, from the link already read: no query once pinned).
A client whose stretch is cut short by READ_CAP (more than READ_CAP shared check-ins in FLAG_DAYS: rare) is
read the per-client way, at that client's own cost.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .. import vault
from ..checkins.service import KIND as CHECKIN
from ..flags import marks as flag_marks
from ..flags.rules import with_marks
from ..measures.service import KIND as MEASURE
from ..models import Link, Record, Share
from ..records.cursors import older_than
from ..records.service import RecordView
from ..records.shares import shared_now
from ..sharing.reads import Reader
from . import recent
from .recent import LATE_CAP, LEAD_ROUNDS, MEASURE_BATCH, MOOD_LEAD, READ_CAP, Stretch

CHECKIN_LEAD = MOOD_LEAD * LEAD_ROUNDS  # never fewer than recent.mood_lead reads
MEASURE_LEAD = MEASURE_BATCH * LEAD_ROUNDS  # as many as recent.measure_lead reads at most


@dataclass
class _Rows:
    """One client's rows, as read for everyone: (Record, Share) pairs, newest first in each list."""

    checkins: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    lead_checkins: list = field(default_factory=list)
    lead_measures: list = field(default_factory=list)
    late: list = field(default_factory=list)
    late_leads: dict = field(default_factory=lambda: defaultdict(list))  # late record id -> its lead


def stretches(
    db: Session,
    keyring: vault.Keyring,
    readers: dict[uuid.UUID, tuple[Reader, Link]],
    zone: str,
    since: datetime,
) -> dict[uuid.UUID, Stretch]:
    """For each client (id -> their Reader and link), what `recent.stretch(reader, keyring, link, zone, since)` gives."""
    rows = _read(db, keyring.user_id, list(readers), since)
    result = {}
    for client_id, (reader, link) in readers.items():
        found = rows.get(client_id, _Rows())
        result[client_id] = _stretch(reader, keyring, link, zone, since, found)
    return result


def _stretch(reader: Reader, keyring: vault.Keyring, link: Link, zone: str, since: datetime, rows: _Rows) -> Stretch:
    if len(rows.checkins) > READ_CAP or len(rows.measures) > READ_CAP:
        return recent.stretch(reader, keyring, link, zone, since)
    checkins, measures = reader.open(rows.checkins), reader.open(rows.measures)
    lead_checkins = _mood_lead(reader, rows.lead_checkins) if checkins else []
    lead_measures = _measure_lead(reader, rows.lead_measures, {recent.instrument_of(view) for view in measures})
    inside = {view.id for view in checkins + measures}
    found = [
        flag
        for flag in recent.flags_among(measures + lead_measures, checkins + lead_checkins, zone)
        if flag.record_id in inside
    ]
    for view in reader.open(rows.late):
        if view.id not in inside:
            lead = _measure_lead(reader, rows.late_leads.get(view.id, []), {recent.instrument_of(view)})
            found += [flag for flag in recent.flags_among([view, *lead], [], zone) if flag.record_id == view.id]
    marks = flag_marks.seen(keyring, link)
    return Stretch(since, checkins, measures, None, recent.ordered(with_marks(found, marks)))


def _mood_lead(reader: Reader, rows: list) -> list[RecordView]:
    """The lead check-ins opened newest first, only until MOOD_LEAD of them have a mood (as recent.mood_lead):
    more rows are read than opened, and opening is what costs."""
    lead: list[RecordView] = []
    with_mood = 0
    for row in rows:
        if with_mood >= MOOD_LEAD:
            break
        opened = reader.open([row])
        lead += opened
        with_mood += sum(1 for view in opened if recent.mood_of(view) is not None)
    return lead


def _measure_lead(reader: Reader, rows: list, instruments: set[str | None]) -> list[RecordView]:
    """The lead questionnaires opened newest first, only until one of each of `instruments` is among them."""
    lead: list[RecordView] = []
    missing = instruments - {None}
    for row in rows:
        if not missing:
            break
        opened = reader.open([row])
        lead += opened
        missing -= {recent.instrument_of(view) for view in opened}
    return lead


def _read(db: Session, therapist_id: uuid.UUID, client_ids: list[uuid.UUID], since: datetime) -> dict[uuid.UUID, _Rows]:
    """The four reads, for every client at once; each client's rows sorted into their lists."""
    result: dict[uuid.UUID, _Rows] = defaultdict(_Rows)
    if not client_ids:
        return result
    newest = (Record.occurred_at.desc(), Record.id.desc())
    by_kind = func.row_number().over(partition_by=(Share.owner_id, Record.kind), order_by=newest)
    for record, share in _ranked(db, therapist_id, client_ids, by_kind, Record.occurred_at >= since, READ_CAP + 1):
        found = result[share.owner_id]
        (found.checkins if record.kind == CHECKIN else found.measures).append((record, share))
    lead_cap = {CHECKIN: CHECKIN_LEAD, MEASURE: MEASURE_LEAD}
    for record, share in _ranked(db, therapist_id, client_ids, by_kind, Record.occurred_at < since, lead_cap):
        found = result[share.owner_id]
        (found.lead_checkins if record.kind == CHECKIN else found.lead_measures).append((record, share))
    late = _late(therapist_id, client_ids, since)
    late_rows = db.execute(
        select(Record, Share).join(Share, shared_now()).join(late, late.c.share_id == Share.id).order_by(late.c.rank)
    ).all()
    for record, share in late_rows:
        result[share.owner_id].late.append((record, share))
    if late_rows:
        for record, share, late_id in _late_leads(db, therapist_id, late):
            result[share.owner_id].late_leads[late_id].append((record, share))
    return result


def _current(therapist_id: uuid.UUID, client_ids: list[uuid.UUID]):
    """What the clients share now with the therapist: their check-ins and questionnaires."""
    return (
        Share.recipient_id == therapist_id,
        Share.owner_id.in_(client_ids),
        Record.kind.in_([CHECKIN, MEASURE]),
    )


def _ranked(db: Session, therapist_id, client_ids, rank, condition, cap: int | dict[str, int]):
    """(Record, Share) of check-ins and questionnaires meeting `condition` whose `rank` is within `cap` (a number,
    or one per kind); per client, newest first."""
    ranked = (
        select(Share.id.label("share_id"), Record.kind.label("kind"), rank.label("rank"))
        .select_from(Record)
        .join(Share, shared_now())
        .where(*_current(therapist_id, client_ids), condition)
        .subquery()
    )
    if isinstance(cap, dict):
        within = or_(*(and_(ranked.c.kind == kind, ranked.c.rank <= most) for kind, most in cap.items()))
    else:
        within = ranked.c.rank <= cap
    query = select(Record, Share).join(Share, shared_now()).join(ranked, ranked.c.share_id == Share.id).where(within)
    return db.execute(query.order_by(Share.owner_id, Record.occurred_at.desc(), Record.id.desc())).all()


def _late(therapist_id: uuid.UUID, client_ids: list[uuid.UUID], since: datetime):
    """The questionnaires each client shared since `since` that happened before it, the latest shared first
    (LATE_CAP each): a subquery of their share ids, owners and record cursors."""
    latest_shared = (Share.created_at.desc(), Share.id.desc())
    ranked = (
        select(
            Share.id.label("share_id"),
            Share.owner_id.label("owner_id"),
            Record.id.label("record_id"),
            Record.occurred_at.label("occurred_at"),
            func.row_number().over(partition_by=Share.owner_id, order_by=latest_shared).label("rank"),
        )
        .select_from(Record)
        .join(Share, shared_now())
        .where(
            *_current(therapist_id, client_ids),
            Record.kind == MEASURE,
            Share.created_at >= since,
            Record.occurred_at < since,
        )
        .subquery()
    )
    return select(ranked).where(ranked.c.rank <= LATE_CAP).subquery()


def _late_leads(db: Session, therapist_id: uuid.UUID, late):
    """For each late questionnaire, the MEASURE_LEAD shared before it (as recent.flags_of would read at most):
    (Record, Share, the late record's id), in one query."""
    before = func.row_number().over(
        partition_by=late.c.record_id, order_by=(Record.occurred_at.desc(), Record.id.desc())
    )
    ranked = (
        select(Share.id.label("share_id"), late.c.record_id.label("late_id"), before.label("rank"))
        .select_from(Record)
        .join(Share, shared_now())
        .join(late, late.c.owner_id == Share.owner_id)
        .where(
            Share.recipient_id == therapist_id,
            Record.kind == MEASURE,
            older_than((late.c.occurred_at, late.c.record_id)),
        )
        .subquery()
    )
    query = (
        select(Record, Share, ranked.c.late_id)
        .join(Share, shared_now())
        .join(ranked, ranked.c.share_id == Share.id)
        .where(ranked.c.rank <= MEASURE_LEAD)
        .order_by(ranked.c.late_id, ranked.c.rank)
    )
    return db.execute(query).all()
