"""The recent stretch (recent.py) of every client on the clients list at once, at a cost that does not grow with them.

`recent.stretch` reads one client in a handful of bounded queries; the clients list would pay that for each
client. Here the same rows are read for all of them together, in three queries whatever their number:

- each client's shared check-ins and questionnaires from `since` on (READ_CAP + 1 of each kind at most, to
  know when a stretch is cut short);
- the lead before `since` the flag rules look back on: as many check-ins and questionnaires as
  `recent.mood_lead` and `recent.measure_lead` would read at most (so what is read is never less than theirs);
- the questionnaires shared since `since` that happened before it (LATE_CAP of them at most).

The rows are verified and opened through each client's own Reader, against the signing key pinned for that
client (signers.signer_of, from the link already read: no query once pinned). A client whose stretch is cut
short by READ_CAP, or whose late questionnaire's lead was not read here, is read the per-client way: the same
flags, at that client's own cost (more than READ_CAP shared check-ins in FLAG_DAYS, or an old questionnaire
shared late with no earlier one of its kind among the latest read: rare).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .. import vault
from ..checkins.service import KIND as CHECKIN
from ..flags import marks as flag_marks
from ..flags.rules import Flag, with_marks
from ..measures.service import KIND as MEASURE
from ..models import Link, Record, Share
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
    lead_checkins = reader.open(rows.lead_checkins) if checkins else []
    lead_measures = reader.open(rows.lead_measures)
    inside = {view.id for view in checkins + measures}
    found = [
        flag
        for flag in recent.flags_among(measures + lead_measures, checkins + lead_checkins, zone)
        if flag.record_id in inside
    ]
    lead_whole = len(rows.lead_measures) < MEASURE_LEAD  # every questionnaire before `since` was read
    for view in reader.open(rows.late):
        if view.id not in inside:
            found += _late_flags(reader, view, lead_measures, lead_whole, zone)
    marks = flag_marks.seen(keyring, link)
    return Stretch(since, checkins, measures, None, recent.ordered(with_marks(found, marks)))


def _late_flags(
    reader: Reader, view: RecordView, lead: Sequence[RecordView], lead_whole: bool, zone: str
) -> list[Flag]:
    """The flags of a questionnaire shared late, from the lead read for everyone when it holds what the rules
    look back on (the questionnaire of its kind before it, or every one before it); else read its own lead."""
    position = next((at for at, one in enumerate(lead) if one.id == view.id), None)
    earlier = list(lead[position + 1 :]) if position is not None else []
    instrument = recent.instrument_of(view)
    if position is None or not (lead_whole or any(recent.instrument_of(one) == instrument for one in earlier)):
        return recent.flags_of(reader, view, zone)
    return [flag for flag in recent.flags_among([view, *earlier], [], zone) if flag.record_id == view.id]


def _read(db: Session, therapist_id: uuid.UUID, client_ids: list[uuid.UUID], since: datetime) -> dict[uuid.UUID, _Rows]:
    """The three reads, for every client at once; each client's rows sorted into their lists."""
    result: dict[uuid.UUID, _Rows] = defaultdict(_Rows)
    if not client_ids:
        return result
    newest = (Record.occurred_at.desc(), Record.id.desc())
    by_kind = func.row_number().over(partition_by=(Share.owner_id, Record.kind), order_by=newest)
    recent_rows = _ranked(db, therapist_id, client_ids, by_kind, Record.occurred_at >= since, READ_CAP + 1, newest)
    for record, share in recent_rows:
        found = result[share.owner_id]
        (found.checkins if record.kind == CHECKIN else found.measures).append((record, share))
    lead_cap = {CHECKIN: CHECKIN_LEAD, MEASURE: MEASURE_LEAD}
    lead_rows = _ranked(db, therapist_id, client_ids, by_kind, Record.occurred_at < since, lead_cap, newest)
    for record, share in lead_rows:
        found = result[share.owner_id]
        (found.lead_checkins if record.kind == CHECKIN else found.lead_measures).append((record, share))
    latest_shared = (Share.created_at.desc(), Share.id.desc())
    by_share = func.row_number().over(partition_by=Share.owner_id, order_by=latest_shared)
    late = and_(Record.kind == MEASURE, Share.created_at >= since, Record.occurred_at < since)
    for record, share in _ranked(db, therapist_id, client_ids, by_share, late, LATE_CAP, latest_shared):
        result[share.owner_id].late.append((record, share))
    return result


def _ranked(db: Session, therapist_id, client_ids, rank, condition, cap: int | dict[str, int], order):
    """(Record, Share) of check-ins and questionnaires the clients share now with the therapist, meeting
    `condition`, whose `rank` is within `cap` (a number, or one per kind), in `order`."""
    ranked = (
        select(Share.id.label("share_id"), Record.kind.label("kind"), rank.label("rank"))
        .select_from(Record)
        .join(Share, shared_now())
        .where(
            Share.recipient_id == therapist_id,
            Share.owner_id.in_(client_ids),
            Record.kind.in_([CHECKIN, MEASURE]),
            condition,
        )
        .subquery()
    )
    if isinstance(cap, dict):
        within = or_(*(and_(ranked.c.kind == kind, ranked.c.rank <= most) for kind, most in cap.items()))
    else:
        within = ranked.c.rank <= cap
    query = (
        select(Record, Share)
        .join(Share, shared_now())
        .join(ranked, ranked.c.share_id == Share.id)
        .where(within)
        .order_by(Share.owner_id, *order)
    )
    return db.execute(query).all()
