"""The therapist's caseload: every linked client in the order of what needs attention, each row from metadata.

Open flags first (they come from the shared questionnaires and check-ins of the last 30 days, recent.py), then the
next integration session (soonest first), then how much was shared since the last review, then the name. The
counts, the course position ("session 3, day 9") and the date of the last check-in come from one grouped query
over what each client shares now (shares and record metadata, nothing opened), so they cost the same for 2
clients or 50, and a row never says more than the client shares: a dosing session or check-in that is not shared
does not move them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from .. import vault
from ..checkins.service import KIND as CHECKIN
from ..course.days import local_date
from ..dosing.service import KIND as DOSE
from ..flags import marks as flag_marks
from ..flags.rules import Flag
from ..integration import service as next_sessions
from ..models import Link, Record, Share, User
from ..records.shares import shared_now
from ..sharing import access, reads, signers
from ..sharing import service as sharing
from . import readings, recent, recent_many
from .service import Unshown
from .sparkline import Sparkline, sparkline

SPARK_DAYS = 30


@dataclass(frozen=True)
class Counts:
    """What a client shares now, from metadata: how many, how many since the last review, the latest activity, the
    shared dosing sessions (how many up to now, the latest) and the latest shared check-in."""

    shared: int = 0
    new: int = 0
    last_activity: datetime | None = None
    sessions: int = 0
    last_session: datetime | None = None
    last_checkin: datetime | None = None


@dataclass(frozen=True)
class Course:
    """Where a client is in the course, among the dosing sessions they share: "session 3, day 9"."""

    session: int
    day: int

    @property
    def words(self) -> str:
        return f"session {self.session}, day {self.day}"


@dataclass(frozen=True)
class ClientRow:
    link: Link
    client: User
    counts: Counts
    mood: Sparkline
    flags: list[Flag]  # open ones (not marked seen), the first thing the row shows
    next_session: next_sessions.Next | None
    course: Course | None  # None before any shared dosing session
    unshown: Unshown = Unshown()

    @property
    def name(self) -> str:
        return self.client.display_name or self.client.email

    @property
    def shared(self) -> int:
        return self.counts.shared

    @property
    def new(self) -> int:
        return self.counts.new

    @property
    def last_activity(self) -> datetime | None:
        return self.counts.last_activity

    @property
    def last_checkin(self) -> datetime | None:
        return self.counts.last_checkin


def clients(db: Session, keyring: vault.Keyring, zone: str, now: datetime) -> list[ClientRow]:
    """Every linked client, in the order of what needs attention (see the module's note).

    The same handful of statements for 2 clients or 50: the links, the counts, the recent stretches of all
    (recent_many.py) and the access log. What reaches the therapist's screen (the mood values, the flagged
    answers) is one summary line in each client's access log.
    """
    therapist_id = keyring.user_id
    counts = share_counts(db, therapist_id, now)
    span = (now - timedelta(days=SPARK_DAYS), now)
    linked_all = sharing.links_for_therapist(db, therapist_id)
    readers = {}
    for linked in linked_all:
        link, client = linked.link, linked.other
        if link.flag_marks_ciphertext is None:
            # Sealed marks on every link a therapist has looked at, none yet: whether a link holds marks
            # tells nothing about its flags.
            flag_marks.mark(keyring, link, client, [], now)
        signer = signers.signer_of(db, keyring, link, client, now)
        readers[client.id] = (reads.Reader(db, keyring, client.id, signer=signer), link)
    found_recent = recent_many.stretches(db, keyring, readers, zone, recent.since_days(now))
    rows, shown = [], {}
    for linked in linked_all:
        client = linked.other
        stretch = found_recent[client.id]
        moods = [view for view in stretch.checkins if view.occurred_at >= span[0]]
        points = [(at, value) for at, value, _anxiety in filter(None, map(readings.mood, moods)) if value is not None]
        flags = [flag for flag in stretch.flags if flag.open]
        found = counts.get(client.id, Counts())
        rows.append(
            ClientRow(
                linked.link,
                client,
                found,
                sparkline(points, span, period=f"last {SPARK_DAYS} days"),
                flags,
                next_sessions.for_desk(linked.link, zone, now),
                course_of(found, client.time_zone, now),
                Unshown.of(readers[client.id][0]),
            )
        )
        shown[client.id] = len({view.id for view in moods} | {flag.record_id for flag in flags})
    access.log_summaries_of(db, therapist_id, shown, now)
    rows.sort(key=attention)
    return rows


FAR = date.max


def attention(row: ClientRow) -> tuple:
    """The list's order: open flags first (more first), then the soonest next session, then more new items,
    then the name."""
    upcoming = (row.next_session.day, row.next_session.clock or time()) if row.next_session else (FAR, time())
    return (-len(row.flags), upcoming, -row.new, row.name.casefold(), str(row.client.id))


def course_of(found: Counts, zone: str, now: datetime) -> Course | None:
    """The course position among the shared dosing sessions, counted in the client's zone."""
    if not found.sessions or found.last_session is None:
        return None
    return Course(found.sessions, (local_date(now, zone) - local_date(found.last_session, zone)).days)


def share_counts(db: Session, therapist_id: uuid.UUID, now: datetime) -> dict[uuid.UUID, Counts]:
    """Per client, in one grouped query over what is shared now (metadata only): see Counts."""
    is_new = or_(Link.reviewed_at.is_(None), Share.created_at > Link.reviewed_at)
    dose_so_far = (Record.kind == DOSE) & (Record.occurred_at <= now)
    query = (
        select(
            Share.owner_id,
            func.count(Share.id),
            func.sum(case((is_new, 1), else_=0)),
            func.max(Share.created_at),
            func.max(Record.updated_at),
            func.sum(case((dose_so_far, 1), else_=0)),
            func.max(case((dose_so_far, Record.occurred_at), else_=None)),
            func.max(case((Record.kind == CHECKIN, Record.occurred_at), else_=None)),
        )
        .join(Record, shared_now())
        .join(Link, Link.id == Share.link_id)
        .where(Share.recipient_id == therapist_id, Link.therapist_id == therapist_id)
        .group_by(Share.owner_id)
    )
    result = {}
    for owner_id, shared, new, last_share, last_change, sessions, last_session, last_checkin in db.execute(query):
        moments = [moment for moment in (last_share, last_change) if moment is not None]
        result[owner_id] = Counts(
            int(shared),
            int(new or 0),
            max(moments) if moments else None,
            int(sessions or 0),
            _aware(last_session),
            _aware(last_checkin),
        )
    return result


def _aware(moment: datetime | None) -> datetime | None:
    """A max() of a timestamp column, as UTC (the columns hold UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
