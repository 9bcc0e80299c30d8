"""The therapist's desk: linked clients, what each shares now, and the marks a therapist keeps.

Rules only; no Flask request objects. Shared records are read through `sharing.reads` (one query
for the rows, then the crypto per row), and what reaches the therapist's screen is written to the
client's access log here (sharing/access.py), so no view can forget it.
Counts and dates come from metadata (shares, records) without decrypting anything.

A client's page costs the same for 100 shared records or 10,000: it opens one page of them (older pages
come as the therapist scrolls), and what it shows of the whole history is read with bounded cost
(recent.py): flags and charts of the last 30 days, the latest photos, counts from SQL that stop at
COUNT_CAP, the dosing sessions the page needs numbered by a count of the earlier ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import vault
from ..art.service import KIND as ART
from ..charts.service import Chart
from ..course.days import Dose
from ..flags import marks as flag_marks
from ..flags.rules import Flag, with_marks
from ..integration import service as next_sessions
from ..models import Link, Record, Share, User
from ..records import cursors
from ..records.service import RecordView
from ..sharing import access, reads
from ..sharing import service as sharing
from ..timeline.groups import TimelineGroup, by_session
from . import readings, recent
from .course import course_charts, shared_doses_between

PAGE_SIZE = 40  # shared records a page of a client's timeline opens
# The charts of a client's page cover the last 30 days, for the page's speed: they draw the check-ins and
# questionnaires that recent.stretch already reads and opens for the flags (at most READ_CAP of each, so nothing
# more is opened for them). The whole course would open every shared check-in and questionnaire, thousands in a
# long course, or a second bounded read of up to 400 more records: the page would no longer cost the same at
# 10,000 records as at 100 (bench/at_any_size.py). The charts say which part they cover ("last 30 days"), and
# start at the course's first point or session when that is later, so a young course spreads across the width.
CHART_DAYS = 30
ART_TILES = 4  # the latest photos of art on a client's page
COUNT_CAP = 200  # counts beyond this say "more than 200" (a count reads rows, though it opens none)


# What could not be shown -------------------------------------------------------------------------


@dataclass(frozen=True)
class Unshown:
    """Shares of a client that the desk did not show: how many did not verify, or why none could be."""

    hidden: int = 0
    withheld: str | None = None  # "not yet" (their signing key is not pinned yet), "refused" (it did not match)

    @classmethod
    def of(cls, *found: reads.Shared | reads.Reader) -> Unshown:
        withheld = next((one.withheld for one in found if one.withheld), None)
        return cls(0 if withheld else sum(one.hidden for one in found), withheld)

    def __bool__(self) -> bool:
        return bool(self.hidden or self.withheld)


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
class SharedPage:
    """One page of a client's shared timeline, newest first, in groups by (shared) dosing session."""

    groups: list[TimelineGroup]
    next_cursor: str | None  # the "Older" link's, None on the last page
    older: bool  # this page starts below the newest (the "Older" link was followed)
    flagged: set[uuid.UUID]  # its records that carry an open flag


@dataclass(frozen=True)
class ClientPage:
    link: Link
    client: User
    page: SharedPage
    charts: list[Chart]
    chart_words: str  # "last 30 days"
    art: list[readings.ArtTile]  # the latest ART_TILES
    more_art: bool
    shared: int  # at most COUNT_CAP
    shared_more: bool  # more than COUNT_CAP
    new: int
    new_more: bool
    drawn_at: datetime  # "Mark reviewed" covers what was shared until then
    flags: list[Flag]  # open ones first, then those marked seen
    flags_since: datetime  # from when the flags were looked for
    unshown: Unshown = Unshown()

    @property
    def name(self) -> str:
        return client_name(self.client)

    @property
    def groups(self) -> list[TimelineGroup]:
        return self.page.groups

    @property
    def shared_words(self) -> str:
        return counted(self.shared, self.shared_more)

    @property
    def new_words(self) -> str:
        return counted(self.new, self.new_more)


def counted(count: int, more: bool) -> str:
    return f"more than {count:,}" if more else f"{count:,}"


def client_page(
    db: Session,
    keyring: vault.Keyring,
    link: Link,
    client: User,
    zone: str,
    now: datetime,
    before: str | None = None,
) -> ClientPage:
    """The first screen of a client's page (or, with `before`, the page below that cursor): one page of what is
    shared now, open flags and charts of the last 30 days, the latest photos, counts. ValueError on a bad cursor.

    The same handful of bounded queries and at most a few hundred records opened, however many are shared;
    one summary line in the client's access log for the visit.
    """
    cursor = cursors.parse_cursor(before)
    reader = reads.Reader(db, keyring, client.id)
    views, next_cursor = reader.newest(before=cursor, limit=PAGE_SIZE)
    found = recent.stretch(reader, keyring, link, zone, recent.since_days(now))
    chart_start = now - timedelta(days=CHART_DAYS)
    charted = [view for view in found.checkins + found.measures if view.occurred_at >= chart_start]
    earliest = min([chart_start, *(view.occurred_at for view in views[-1:])])
    doses = shared_doses_between(db, keyring.user_id, client.id, earliest, now)
    page = _shared_page(db, keyring, reader, link, client, views, next_cursor, doses, zone, older=cursor is not None)
    words = f"last {CHART_DAYS} days"
    if found.capped_at is not None and found.capped_at > chart_start:
        words += f" (the latest {recent.READ_CAP} of each)"
    charted_at = [view.occurred_at for view in charted] + [
        dose.occurred_at for dose in doses if dose.occurred_at >= chart_start
    ]
    charts = course_charts(charted, doses, zone, now, span=(min(charted_at, default=chart_start), now), words=words)
    art, more_art = reader.newest(kinds=[ART], limit=ART_TILES)
    shared, shared_more = reader.count(reader.shared(select(Record.id)), COUNT_CAP)
    new, new_more = reader.count(new_shares(reader.shared(select(Record.id)), link), COUNT_CAP)
    shown = {view.id for view in views + charted + art} | {flag.record_id for flag in found.flags}
    _log_page(db, keyring, client, reader, cursor, len(views), len(shown), now)
    return ClientPage(
        link,
        client,
        page,
        charts,
        words,
        [readings.art(view) for view in art],
        more_art is not None,
        shared,
        shared_more,
        new,
        new_more,
        now,
        [flag for flag in found.flags if flag.open] + [flag for flag in found.flags if not flag.open],
        found.starts,
        Unshown.of(reader),
    )


def shared_page(
    db: Session, keyring: vault.Keyring, link: Link, client: User, zone: str, now: datetime, before: str | None
) -> SharedPage:
    """One page of the client's shared timeline below the cursor, alone (what the "Older" link loads).
    ValueError on a bad cursor."""
    cursor = cursors.parse_cursor(before)
    reader = reads.Reader(db, keyring, client.id)
    views, next_cursor = reader.newest(before=cursor, limit=PAGE_SIZE)
    earliest = views[-1].occurred_at if views else now
    doses = shared_doses_between(db, keyring.user_id, client.id, earliest, views[0].occurred_at if views else now)
    page = _shared_page(db, keyring, reader, link, client, views, next_cursor, doses, zone, older=cursor is not None)
    _log_page(db, keyring, client, reader, cursor, len(views), len(views), now)
    return page


def _shared_page(
    db: Session,
    keyring: vault.Keyring,
    reader: reads.Reader,
    link: Link,
    client: User,
    views: list[RecordView],
    next_cursor: cursors.Cursor | None,
    doses: Sequence[Dose],
    zone: str,
    *,
    older: bool,
) -> SharedPage:
    fresh = new_among(db, link, [view.id for view in views])
    groups = by_session(views, doses, client.time_zone, new=fresh)
    flags = with_marks(recent.flags_of_all(reader, views, zone), flag_marks.seen(keyring, link))
    flagged = {flag.record_id for flag in flags if flag.open}
    return SharedPage(groups, cursors.make_cursor(next_cursor) if next_cursor else None, older, flagged)


def _log_page(
    db: Session,
    keyring: vault.Keyring,
    client: User,
    reader: reads.Reader,
    cursor: cursors.Cursor | None,
    page_items: int,
    shown: int,
    now: datetime,
) -> None:
    """The visit's summary line: a page below the newest counts the items above it too (the therapist
    scrolled past them), so the line says the most items seen at once."""
    if cursor is not None:
        above = db.scalar(
            select(func.count()).select_from(
                reader.shared(select(Record.id)).where(cursors.at_or_after(cursor)).subquery()
            )
        )
        shown = max(shown, (above or 0) + page_items)
    access.log_summaries(db, keyring.user_id, client.id, shown, now)


def new_shares(query, link: Link):
    """`query` over what is shared now, narrowed to what was shared on this link since the therapist last marked
    it reviewed (all of it before that)."""
    query = query.where(Share.link_id == link.id)
    return query.where(Share.created_at > link.reviewed_at) if link.reviewed_at is not None else query


def new_among(db: Session, link: Link, record_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Of these records, those shared on this link since the therapist last marked it reviewed."""
    if not record_ids:
        return set()
    # By record and recipient (the unique index): the link's own index would read every share of the link.
    query = select(Share.record_id, Share.link_id).where(
        Share.record_id.in_(record_ids), Share.recipient_id == link.therapist_id
    )
    if link.reviewed_at is not None:
        query = query.where(Share.created_at > link.reviewed_at)
    return {row.record_id for row in db.execute(query) if row.link_id == link.id}


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


def mark_session_held(link: Link, now: datetime, zone: str) -> bool:
    """An integration session took place: the next brief starts here, and a date noted for it that has come (today
    or before, in the therapist's zone) is cleared. True when a date was cleared."""
    link.session_held_at = now
    return next_sessions.clear_when_held(link, zone, now)


def end_link(db: Session, link: Link, now: datetime) -> None:
    """Every share ends with the link; the client's records are re-keyed at their next sign-in."""
    sharing.end_link(db, link, now)
