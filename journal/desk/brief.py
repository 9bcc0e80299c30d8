"""The integration session brief: everything a client shared since a date, on a page that prints.

"Since a date" means what happened from then on, and what was shared from then on even if it was
written earlier (a client may share an older entry after a session). The mood trend, every
entry in full, check-ins, sessions, intentions, art, and each other kind (voice notes) under its own heading.
Questionnaires are compared with the first score the client shared (the baseline), which may be
older than the date.

Its first screen costs the same however long the period: it opens the latest FIRST_SCREEN items of the
period and, when the period holds more, is the brief of those (since the oldest of them), says so, and
offers the older items a page at a time and the whole brief to print. What it looks back on (baselines,
the score before, the usual mood, flags) is read with bounded cost (recent.py). The whole brief
(`whole=True`) reads everything since the date, for printing. One "brief" line in the access log per
first screen; older pages and the whole brief read just after add their records to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from .. import vault
from ..art.service import KIND as ART
from ..charts.service import Chart
from ..checkins.service import KIND as CHECKIN
from ..course.days import Dose, place_of
from ..dosing.service import KIND as DOSE
from ..entries.service import KIND as ENTRY
from ..flags import marks as flag_marks
from ..flags import service as flag_service
from ..flags.rules import Flag, with_marks
from ..intentions.service import KIND as INTENTION
from ..measures.service import KIND as MEASURE
from ..models import Link, User
from ..records import cursors, kinds
from ..records.service import RecordView
from ..safety.service import KIND as SAFETY_PLAN
from ..sharing import access, reads
from . import brief_period, readings, recent
from . import brief_summary as summary
from .course import course_charts, shared_doses, shared_doses_between
from .service import Unshown, client_name, counted

FIRST_SCREEN = 40  # items of the period the first screen opens at most
OLDER_PAGE = 40  # items of each page of older ones


@dataclass(frozen=True)
class BriefItem:
    view: RecordView
    label: str  # "Day 3 after session 2" (among shared sessions), or "Preparing"

    @property
    def has_pictures(self) -> bool:
        found = kinds.find(self.view.kind)
        return found is not None and found.has_pictures

    @property
    def has_sound(self) -> bool:
        found = kinds.find(self.view.kind)
        return found is not None and found.has_sound


@dataclass(frozen=True)
class Brief:
    link: Link
    client: User
    flags: list[Flag]  # open ones, then those marked seen whose record is in the period
    safety_plan: RecordView | None  # the client's safety plan, when they share it
    position: str  # "After session 3, day 9" among the shared sessions, now
    since_last: summary.SinceLast
    since: datetime
    since_day: date  # the date shown in the form, in the reader's zone
    default: bool  # True when `since` is the default (last session held, else the link's start)
    mood: summary.MoodSummary
    mood_chart: Chart
    changes: list[summary.ScoreChange]
    entries: list[BriefItem]
    checkins: list[BriefItem]
    doses: list[BriefItem]
    intentions: list[BriefItem]
    art: list[tuple[readings.ArtTile, str]]
    count: int  # records shared in the period shown
    whole: bool  # the whole brief (everything since the date), for printing
    asked_since: datetime  # the start asked for; `since` is later when the first screen holds the latest items only
    total: int  # items shared since `asked_since` (at most COUNT_CAP)
    total_more: bool  # more than COUNT_CAP
    older_cursor: str | None  # where the older items of the period go on (None: the screen holds them all)
    unshown: Unshown = Unshown()
    # Kinds without a section of their own (voice notes, say): (heading, items), in the registry's order.
    more: tuple[tuple[str, list[BriefItem]], ...] = ()

    @property
    def narrowed(self) -> bool:
        """The period asked for holds more than this screen: it is the brief of its latest items."""
        return self.older_cursor is not None

    @property
    def total_words(self) -> str:
        return counted(self.total, self.total_more)

    @property
    def name(self) -> str:
        return client_name(self.client)

    @property
    def full_name(self) -> str:
        """The name the client shows, with their email, so the printed page says whose it is."""
        name = (self.client.display_name or "").strip()
        return f"{name} ({self.client.email})" if name else self.client.email


# Shown in sections of their own above (questionnaires as score changes, the safety plan on its own).
SECTIONS = (ENTRY, CHECKIN, DOSE, INTENTION, ART, MEASURE, SAFETY_PLAN)


def _more(by_kind: dict[str, list[BriefItem]]) -> tuple[tuple[str, list[BriefItem]], ...]:
    """The period's items of every other kind, each kind under its own heading ("Voice notes")."""
    return tuple(
        (kind.words[1][:1].upper() + kind.words[1][1:], by_kind[kind.name])
        for kind in kinds.all_kinds()
        if kind.name not in SECTIONS and by_kind.get(kind.name)
    )


def default_since(link: Link) -> datetime:
    """The last integration session marked held, else when the client linked."""
    return link.session_held_at or link.created_at


def parse_since(raw: str | None, zone: str) -> datetime | None:
    """ "YYYY-MM-DD" as the start of that day in `zone`, in UTC; None when absent; ValueError otherwise."""
    if not raw:
        return None
    day = date.fromisoformat(raw.strip())
    if not 2000 <= day.year <= 2200:
        raise ValueError("a date from 2000 on")
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@dataclass
class _Read:
    """What a brief is made from: the period's records, and the shared records its summaries look back on."""

    start: datetime  # the period shown starts here (later than the date asked for on a narrowed first screen)
    period: list[RecordView]  # oldest first
    history: list[RecordView]  # questionnaires and check-ins the summaries compare with, newest first
    doses: list[Dose]
    plan: RecordView | None
    flags: list[Flag]  # with marks; any order
    total: tuple[int, bool]
    older: str | None  # the cursor of the period's items below the first screen


def build_brief(
    db: Session,
    keyring: vault.Keyring,
    link: Link,
    client: User,
    since: datetime | None,
    zone: str,
    now: datetime,
    *,
    whole: bool = False,
) -> Brief:
    """The brief since `since` (None: the default): its first screen, or (`whole`) everything since the date.

    One "brief" line in the access log covering every record shown (the whole brief read within half an hour
    of a first screen adds its records to that screen's line).
    """
    asked = since or default_since(link)
    reader = reads.Reader(db, keyring, client.id)
    if whole:
        read = _whole(db, keyring, link, reader, asked, zone)
    else:
        read = _first_screen(db, keyring, link, client, reader, asked, zone, now)
    start, period, history, doses = read.start, read.period, read.history, read.doses

    def item(view: RecordView) -> BriefItem:
        return BriefItem(view, place_of(view.occurred_at, doses, client.time_zone).label)

    by_kind: dict[str, list[BriefItem]] = {}
    for view in period:
        by_kind.setdefault(view.kind, []).append(item(view))
    changes = summary.changes(history, start)
    moods = [
        (at, value, anxiety) for at, value, anxiety in filter(None, map(readings.mood, period)) if value is not None
    ]
    chart = course_charts(
        [view for view in period if view.kind == CHECKIN],
        doses,
        zone,
        now,
        span=(start, max(now, start)),
        words=f"period since {_day(start, zone)}",
    )[0]
    in_period = {view.id for view in period}
    flags = [flag for flag in recent.ordered(read.flags) if flag.open or flag.record_id in in_period]
    flags = [flag for flag in flags if flag.open] + [flag for flag in flags if not flag.open]
    since_last = summary.since_last(period, history, start)
    shown = (
        {view.id for view in period}
        | {flag.record_id for flag in flags}
        | ({read.plan.id} if read.plan else set())
        | {measured.id for change in changes for measured in (change.baseline, change.latest)}
        | {move.before.id for move in since_last.moves if move.before is not None}
    )
    if whole:
        access.log_more_brief(db, keyring.user_id, client.id, shown, now)
    else:
        access.log_covering(db, keyring.user_id, client.id, "brief", shown, now)
    return Brief(
        link,
        client,
        flags,
        read.plan,
        _position(doses, client.time_zone, now),
        since_last,
        start,
        asked.astimezone(ZoneInfo(zone)).date(),
        since is None,
        summary.mood(moods),
        chart,
        changes,
        by_kind.get(ENTRY, []),
        by_kind.get(CHECKIN, []),
        by_kind.get(DOSE, []),
        by_kind.get(INTENTION, []),
        [(readings.art(one.view), one.label) for one in by_kind.get(ART, [])],
        len(period),
        whole,
        asked,
        read.total[0],
        read.total[1],
        read.older,
        Unshown.of(reader),
        _more(by_kind),
    )


def _whole(db: Session, keyring: vault.Keyring, link: Link, reader: reads.Reader, start: datetime, zone: str) -> _Read:
    """Everything since `start`, and every shared questionnaire, check-in, dosing session and safety plan."""
    history_all, _ = reader.newest(kinds=brief_period.HISTORY_KINDS, limit=None)
    in_range, _ = reader.newest(kinds=brief_period.OTHER_KINDS, since=start, limit=None)
    # What was shared since the date even if written before it.
    late, _ = reader.shared_since(start, kinds=brief_period.PERIOD_KINDS, happened_before=start, limit=None)
    late_ids = {view.id for view in late}
    plan = next((view for view in history_all if view.kind == SAFETY_PLAN), None)
    history = [view for view in history_all if view.kind != SAFETY_PLAN]
    period = sorted(
        {
            view.id: view for view in in_range + late + history if view.occurred_at >= start or view.id in late_ids
        }.values(),
        key=lambda view: (view.occurred_at, view.id),
    )
    flags = flag_service.client_flags(keyring, link, history, zone)
    return _Read(start, period, history, shared_doses(history), plan, flags, (len(period), False), None)


def _first_screen(
    db: Session,
    keyring: vault.Keyring,
    link: Link,
    client: User,
    reader: reads.Reader,
    asked: datetime,
    zone: str,
    now: datetime,
) -> _Read:
    """The latest FIRST_SCREEN items of the period and what the summaries of those look back on, each bounded."""
    in_range, more = reader.newest(kinds=brief_period.PERIOD_KINDS, since=asked, limit=FIRST_SCREEN)
    late: list[RecordView] = []
    older: str | None = None
    if more is not None:
        older, start = cursors.make_cursor(more), more[0]  # narrowed: the brief of the latest items
        total = (FIRST_SCREEN, True)  # more than this screen holds: the whole brief counts them
    else:
        start = asked
        late, older = brief_period.late(reader, asked, None, FIRST_SCREEN - len(in_range))
        total = brief_period.total(reader, asked) if older else (len(in_range) + len(late), False)
    period = sorted(in_range + late, key=lambda view: (view.occurred_at, view.id))
    # The questionnaires the summaries compare with: the first of each (baseline) and the last before the period;
    # the check-ins before it that make the usual mood.
    bottom = more or (start, recent.EARLIEST)
    in_period = [view for view in in_range if view.kind == MEASURE]
    baseline = brief_period.first_measures(reader, {brief_period.instrument(view) for view in in_period})
    wanted = {brief_period.instrument(view) for view in in_period + baseline} - {None}
    before = recent.measure_lead(reader, bottom, wanted)
    usual = recent.mood_lead(reader, bottom, summary.USUAL_MOOD_CHECKINS)
    late_measures = [view for view in late if view.kind == MEASURE]
    history = sorted(
        {view.id: view for view in in_period + late_measures + before + baseline + usual}.values(),
        key=lambda view: (view.occurred_at, view.id),
        reverse=True,
    )
    # Flags: those of the last 30 days (as on the client's page), and those of what this screen shows.
    found = recent.stretch(reader, keyring, link, zone, recent.since_days(now))
    own = with_marks(
        recent.flags_of_all(reader, in_range, zone)
        + [flag for view in late for flag in recent.flags_of(reader, view, zone)],
        flag_marks.seen(keyring, link),
    )
    earliest = min([start, *(view.occurred_at for view in period[:1])])
    doses = shared_doses_between(db, keyring.user_id, client.id, earliest, now)
    plans, _more = reader.newest(kinds=[SAFETY_PLAN], limit=1)
    return _Read(start, period, history, doses, plans[0] if plans else None, found.flags + own, total, older)


def older_items(
    db: Session,
    keyring: vault.Keyring,
    link: Link,
    client: User,
    since: datetime | None,
    before: str | None,
    now: datetime,
) -> tuple[list[BriefItem], str | None]:
    """A page of the period's items below the cursor (what "Older items" loads), and the next cursor: what
    happened since the date, newest first, then what was shared since then though it happened before, the
    latest shared first. Their records join the brief's line in the access log. ValueError on a bad cursor."""
    asked = since or default_since(link)
    reader = reads.Reader(db, keyring, client.id)
    views: list[RecordView] = []
    late_cursor: cursors.Cursor | None = None
    if before and before.startswith(brief_period.LATE_PREFIX):
        late_cursor = cursors.parse_cursor(before.removeprefix(brief_period.LATE_PREFIX))
    else:
        cursor = cursors.parse_cursor(before)
        if cursor is None:
            raise ValueError("no cursor")
        views, more = reader.newest(kinds=brief_period.PERIOD_KINDS, since=asked, before=cursor, limit=OLDER_PAGE)
        if more is not None:
            return _items(db, keyring, client, views, now), cursors.make_cursor(more)
    late, older = brief_period.late(reader, asked, late_cursor, OLDER_PAGE - len(views))
    return _items(db, keyring, client, views + late, now), older


def _items(
    db: Session, keyring: vault.Keyring, client: User, views: list[RecordView], now: datetime
) -> list[BriefItem]:
    earliest = min((view.occurred_at for view in views), default=now)
    doses = shared_doses_between(db, keyring.user_id, client.id, earliest, now) if views else []
    access.log_more_brief(db, keyring.user_id, client.id, [view.id for view in views], now)
    return [BriefItem(view, place_of(view.occurred_at, doses, client.time_zone).label) for view in views]


def _position(doses, zone: str, now: datetime) -> str:
    """Where the client is in the course now, counted among the sessions they shared."""
    place = place_of(now, doses, zone)
    if place.dose is None:
        return "No dosing session shared yet"
    return f"After session {place.dose.number}, day {place.day}"


def _day(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y}"
