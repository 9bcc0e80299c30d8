"""The therapist's desk: linked clients, what each shares now, and the marks a therapist keeps.

Rules only; no Flask request objects. Shared records are read through `sharing.reads` (one query
for the rows, then the crypto per row), and what reaches the therapist's screen is written to the
client's access log here (sharing/access.py), so no view can forget it.
Counts and dates come from metadata (shares, records) without decrypting anything.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from .. import vault
from ..art.service import KIND as ART
from ..charts.service import Chart, mood_chart, score_chart, window
from ..checkins.service import KIND as CHECKIN
from ..course.days import Dose, number_doses, place_of
from ..dosing.kind import number as dose_number
from ..dosing.service import KIND as DOSE
from ..flags import marks as flag_marks
from ..flags import service as flag_service
from ..flags.rules import Flag
from ..measures.instruments import Instrument
from ..models import Link, Record, Share, User
from ..records.service import RecordView
from ..records.shares import current_shares, shared_now
from ..sharing import access, reads, signers
from ..sharing import service as sharing
from ..timeline.groups import TimelineGroup, by_session
from . import readings
from .sparkline import Sparkline, sparkline

SPARK_DAYS = 30
WHOLE_COURSE = "whole course"
IMAGE_VARIANTS = ("full", "thumb")


# What could not be shown -------------------------------------------------------------------------


@dataclass(frozen=True)
class Unshown:
    """Shares of a client that the desk did not show: how many did not verify, or why none could be."""

    hidden: int = 0
    withheld: str | None = None  # "not yet" (their signing key is not pinned yet), "refused" (it did not match)

    @classmethod
    def of(cls, *found: reads.Shared) -> Unshown:
        withheld = next((one.withheld for one in found if one.withheld), None)
        return cls(0 if withheld else sum(one.hidden for one in found), withheld)

    def __bool__(self) -> bool:
        return bool(self.hidden or self.withheld)


# The clients list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientRow:
    link: Link
    client: User
    shared: int  # records shared now
    new: int  # of those, shared since the therapist last marked the client reviewed
    last_activity: datetime | None  # the latest share, or change to a shared record
    mood: Sparkline
    flags: list[Flag]  # open ones (not marked seen), the first thing the row shows
    unshown: Unshown = Unshown()

    @property
    def name(self) -> str:
        return self.client.display_name or self.client.email


@dataclass(frozen=True)
class _Counts:
    shared: int = 0
    new: int = 0
    last_activity: datetime | None = None


def clients(db: Session, keyring: vault.Keyring, zone: str, now: datetime) -> list[ClientRow]:
    """Every linked client: counts in one query; open flags and a mood line from shared questionnaires and
    check-ins. Clients with open flags come first, then those with new items, then the latest activity.

    What reaches the therapist's screen (the mood values, the flagged answers) is one summary line in
    each client's access log.
    """
    therapist_id = keyring.user_id
    counts = share_counts(db, therapist_id)
    span = (now - timedelta(days=SPARK_DAYS), now)
    rows = []
    for linked in sharing.links_for_therapist(db, therapist_id):
        client = linked.other
        if linked.link.flag_marks_ciphertext is None:
            # Sealed marks on every link a therapist has looked at, none yet: whether a link holds marks
            # tells nothing about its flags.
            flag_marks.mark(keyring, linked.link, client, [], now)
        views = reads.shared_records(db, keyring, client.id, kinds=flag_service.KINDS)
        recent = [view for view in views if view.kind == CHECKIN and view.occurred_at >= span[0]]
        points = [(at, value) for at, value, _anxiety in filter(None, map(readings.mood, recent)) if value is not None]
        flags = [flag for flag in flag_service.client_flags(keyring, linked.link, views, zone) if flag.open]
        found = counts.get(client.id, _Counts())
        rows.append(
            ClientRow(
                linked.link,
                client,
                found.shared,
                found.new,
                found.last_activity,
                sparkline(points, span, period=f"last {SPARK_DAYS} days"),
                flags,
                Unshown.of(views),
            )
        )
        shown = {view.id for view in recent} | {flag.record_id for flag in flags}
        access.log_summaries(db, therapist_id, client.id, len(shown), now)
    rows.sort(key=lambda row: (-len(row.flags), -row.new, -(row.last_activity or row.link.created_at).timestamp()))
    return rows


def share_counts(db: Session, therapist_id: uuid.UUID) -> dict[uuid.UUID, _Counts]:
    """Per client: records shared now, how many since the last review, the latest activity. Metadata only."""
    is_new = or_(Link.reviewed_at.is_(None), Share.created_at > Link.reviewed_at)
    query = (
        select(
            Share.owner_id,
            func.count(Share.id),
            func.sum(case((is_new, 1), else_=0)),
            func.max(Share.created_at),
            func.max(Record.updated_at),
        )
        .join(Record, shared_now())
        .join(Link, Link.id == Share.link_id)
        .where(Share.recipient_id == therapist_id, Link.therapist_id == therapist_id)
        .group_by(Share.owner_id)
    )
    result = {}
    for owner_id, shared, new, last_share, last_change in db.execute(query):
        moments = [moment for moment in (last_share, last_change) if moment is not None]
        result[owner_id] = _Counts(int(shared), int(new or 0), max(moments) if moments else None)
    return result


# One client ---------------------------------------------------------------------------------------


def linked_client(db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID) -> tuple[Link, User] | None:
    """The link and the client, or None when this client is not linked with the therapist."""
    link = sharing.therapist_link(db, therapist_id, client_id)
    if link is None:
        return None
    client = db.get(User, link.client_id)
    return (link, client) if client is not None else None


def client_name(client: User) -> str:
    return client.display_name or client.email


@dataclass(frozen=True)
class ClientPage:
    link: Link
    client: User
    groups: list[TimelineGroup]
    charts: list[Chart]
    art: list[readings.ArtTile]
    shared: int
    new: int
    drawn_at: datetime  # "Mark reviewed" covers what was shared until then
    flags: list[Flag]  # open ones first, then those marked seen
    unshown: Unshown = Unshown()

    @property
    def name(self) -> str:
        return client_name(self.client)

    @property
    def flagged(self) -> set[uuid.UUID]:
        """Records that carry an open flag, tagged in the timeline too."""
        return {flag.record_id for flag in self.flags if flag.open}


def client_page(db: Session, keyring: vault.Keyring, link: Link, client: User, zone: str, now: datetime) -> ClientPage:
    """Everything shared now, grouped by (shared) dosing session; charts and art from the same rows.

    One query for the records, one for which shares are new, one bulk insert for the access log,
    however many records there are. Day labels use the client's zone; charts the reader's.
    """
    views = reads.shared_records(db, keyring, client.id)
    fresh = new_record_ids(db, link) & {view.id for view in views}
    doses = shared_doses(views)
    groups = by_session(views, doses, client.time_zone, new=fresh)
    charts = course_charts(views, doses, zone, now, span=None, words=WHOLE_COURSE)
    art = [readings.art(view) for view in views if view.kind == ART]
    flags = flag_service.client_flags(keyring, link, views, zone)
    access.log_summaries(db, keyring.user_id, client.id, len(views), now)
    return ClientPage(
        link,
        client,
        groups,
        charts,
        art,
        len(views),
        len(fresh),
        now,
        [flag for flag in flags if flag.open] + [flag for flag in flags if not flag.open],
        Unshown.of(views),
    )


def new_record_ids(db: Session, link: Link) -> set[uuid.UUID]:
    """Records shared on this link since the therapist last marked it reviewed (all of them before that)."""
    query = select(Share.record_id).where(Share.link_id == link.id)
    if link.reviewed_at is not None:
        query = query.where(Share.created_at > link.reviewed_at)
    return set(db.scalars(query))


def shared_doses(views: Iterable[RecordView]) -> list[Dose]:
    """The dosing sessions among what is shared, numbered among themselves: all the therapist can see."""
    return number_doses([(view.id, view.occurred_at) for view in views if view.kind == DOSE])


def shared_dose_times(db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID) -> list[tuple[uuid.UUID, datetime]]:
    """(id, occurred_at) of the dosing sessions shared now, from metadata, without opening them."""
    query = current_shares(select(Record.id, Record.occurred_at), therapist_id, client_id).where(Record.kind == DOSE)
    return [(row.id, row.occurred_at) for row in db.execute(query)]


def shared_since(
    db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID, start: datetime
) -> dict[uuid.UUID, datetime]:
    """{id: occurred_at} of records shared now whose share was made at or after `start`. Metadata only."""
    query = current_shares(select(Record.id, Record.occurred_at), therapist_id, client_id).where(
        Share.created_at >= start
    )
    return {row.id: row.occurred_at for row in db.execute(query)}


def course_charts(
    views: Sequence[RecordView],
    doses: Sequence[Dose],
    zone: str,
    now: datetime,
    *,
    span: tuple[datetime, datetime] | None,
    words: str,
) -> list[Chart]:
    """Mood and anxiety, then one chart per questionnaire, from the shared records given and nothing else."""
    moods = sorted(filter(None, map(readings.mood, views)), key=lambda one: one[0])
    scores: dict[str, tuple[Instrument, list[tuple[datetime, int]]]] = {}
    for view in views:
        measured = readings.measure(view)
        if measured is not None:
            scores.setdefault(measured.instrument.id, (measured.instrument, []))[1].append(
                (measured.occurred_at, measured.total)
            )
    if span is None:
        times = [at for at, *_ in moods] + [dose.occurred_at for dose in doses]
        times += [at for _instrument, points in scores.values() for at, _total in points]
        span = window("all", now, min(times) if times else None)
    charts = [mood_chart(moods, doses, span, words, zone)]
    for instrument, points in sorted(scores.values(), key=lambda item: item[0].name):
        charts.append(
            score_chart(instrument.id, instrument.name, instrument.max_total, sorted(points), doses, span, words, zone)
        )
    return charts


# One record, one picture --------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedRecord:
    view: RecordView
    label: str  # "Day 3 after session 2", counted among shared sessions
    dose_number: int | None  # for a dosing session: its number among the shared ones
    flags: list[Flag]  # the flags this record carries


def shared_record(
    db: Session, keyring: vault.Keyring, link: Link, client: User, record_id: uuid.UUID, zone: str, now: datetime
) -> SharedRecord | Unshown | None:
    """One record shared with the therapist now, opened and logged; Unshown when it does not verify (nothing
    of it is shown, nothing logged for the client); None otherwise (revoked, never shared)."""
    view = reads.shared_record(db, keyring, client.id, record_id)
    if view is None:
        return None
    if isinstance(view, reads.Unverified):
        return Unshown(0 if view.withheld else 1, view.withheld)
    doses = number_doses(shared_dose_times(db, keyring.user_id, client.id))
    place = place_of(view.occurred_at, doses, client.time_zone)
    flags = []
    if view.kind in flag_service.KINDS:
        rule_reads = reads.shared_records(db, keyring, client.id, kinds=flag_service.KINDS)
        flags = [
            flag for flag in flag_service.client_flags(keyring, link, rule_reads, zone) if flag.record_id == view.id
        ]
    access.log_open(db, keyring.user_id, client.id, view.id, view.kind, now)
    return SharedRecord(view, place.label, dose_number(view, doses), flags)


def confirm_signer(db: Session, keyring: vault.Keyring, client: User, now: datetime) -> None:
    """Pin the client's signing key now if it is due (before an export, whose snapshot writes nothing)."""
    signers.signer_for(db, keyring, client.id, now)


def client_flags(db: Session, keyring: vault.Keyring, link: Link, client: User, zone: str) -> list:
    """The client's flags now (open and seen), from what is shared now. Nothing is logged: nothing is shown."""
    views = reads.shared_records(db, keyring, client.id, kinds=flag_service.KINDS)
    return flag_service.client_flags(keyring, link, views, zone)


def mark_flags_seen(
    db: Session, keyring: vault.Keyring, link: Link, client: User, flag_ids: list[str], zone: str, now: datetime
) -> bool:
    """Mark some of the client's current flags seen (the client sees it in their access history)."""
    return flag_service.mark_seen(keyring, link, client, client_flags(db, keyring, link, client, zone), flag_ids, now)


def image(
    db: Session, keyring: vault.Keyring, client_id: uuid.UUID, record_id: uuid.UUID, variant: str, now: datetime
) -> bytes | None:
    """A shared photo's picture, decrypted for this request; None when not shared now.

    The full-size picture is a deliberate open (logged, unless its record's page was just opened); a
    thumbnail belongs to the page that shows it, whose summary or brief line covers it.
    """
    if variant not in IMAGE_VARIANTS:
        return None
    data = reads.shared_attachment(db, keyring, client_id, record_id, variant)
    if data is not None and variant == "full":
        access.log_picture(db, keyring.user_id, client_id, record_id, now)
    return data


# The therapist's marks ----------------------------------------------------------------------------


def mark_reviewed(link: Link, seen_at: str | None, now: datetime) -> None:
    """What was on the page the therapist saw (rendered at `seen_at`) stops counting as new.

    Shares made after the page was drawn stay new; without a readable `seen_at`, everything until now.
    """
    try:
        moment = datetime.fromisoformat(seen_at or "")
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or moment > now:
        moment = now
    link.reviewed_at = max(moment, link.reviewed_at) if link.reviewed_at else moment


def mark_session_held(link: Link, now: datetime) -> None:
    """An integration session took place: the next brief starts here."""
    link.session_held_at = now


def end_link(db: Session, link: Link, now: datetime) -> None:
    """Every share ends with the link; the client's records are re-keyed at their next sign-in."""
    sharing.end_link(db, link, now)
