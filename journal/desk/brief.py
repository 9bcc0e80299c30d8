"""The integration session brief: everything a client shared since a date, on a page that prints.

"Since a date" means what happened from then on, and what was shared from then on even if it was
written earlier (a client may share an older entry after a session). The mood trend, every
entry in full, check-ins, sessions, intentions and art.
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

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from statistics import mean
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
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
from ..measures.instruments import Instrument
from ..measures.service import KIND as MEASURE
from ..measures.service import MeasureView
from ..models import Link, Record, Share, User
from ..records import kinds
from ..records import service as records
from ..records.service import RecordView
from ..safety.service import KIND as SAFETY_PLAN
from ..sharing import access, reads
from . import readings, recent
from .service import (
    COUNT_CAP,
    Unshown,
    client_name,
    counted,
    course_charts,
    shared_doses,
    shared_doses_between,
)

# Read over the whole course by the whole brief: baselines, session numbers, what the flag rules look at, and
# the safety plan (one living document, shown whenever it is shared, whatever the period).
HISTORY_KINDS = (MEASURE, DOSE, CHECKIN, SAFETY_PLAN)
USUAL_MOOD_CHECKINS = 14  # "their usual mood" before the period: the average of up to this many check-ins
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


@dataclass(frozen=True)
class ScoreChange:
    """One questionnaire: the first score shared (baseline), the latest, and those in the brief's period."""

    instrument: Instrument
    baseline: MeasureView
    latest: MeasureView
    in_period: list[MeasureView]  # oldest first

    @property
    def delta(self) -> int:
        return self.latest.total - self.baseline.total

    @property
    def compared(self) -> bool:
        return self.latest.id != self.baseline.id


@dataclass(frozen=True)
class MoodSummary:
    count: int
    average: float | None
    lowest: int | None
    highest: int | None
    first: int | None
    latest: int | None
    anxiety_average: float | None


@dataclass(frozen=True)
class ScoreMove:
    """A questionnaire taken in the period: its latest score, and the last one shared before the period."""

    instrument: Instrument
    before: MeasureView | None
    latest: MeasureView


@dataclass(frozen=True)
class SinceLast:
    """What changed in the period, in a few facts: items per kind, scores, mood against before."""

    counts: list[str]  # "3 journal entries", ...
    moves: list[ScoreMove]
    mood_average: float | None  # in the period
    mood_before: float | None  # the usual mood before it (average of up to USUAL_MOOD_CHECKINS)
    mood_before_count: int


@dataclass(frozen=True)
class Brief:
    link: Link
    client: User
    flags: list[Flag]  # open ones, then those marked seen whose record is in the period
    safety_plan: RecordView | None  # the client's safety plan, when they share it
    position: str  # "After session 3, day 9" among the shared sessions, now
    since_last: SinceLast
    since: datetime
    since_day: date  # the date shown in the form, in the reader's zone
    default: bool  # True when `since` is the default (last session held, else the link's start)
    mood: MoodSummary
    mood_chart: Chart
    changes: list[ScoreChange]
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
    changes = _changes(history, start)
    moods = [
        (at, value, anxiety) for at, value, anxiety in filter(None, map(readings.mood, period)) if value is not None
    ]
    chart = course_charts(
        [view for view in period if view.kind == CHECKIN],
        doses,
        zone,
        now,
        span=(start, max(now, start)),
        words=f"since {_day(start, zone)}",
    )[0]
    in_period = {view.id for view in period}
    flags = [flag for flag in recent.ordered(read.flags) if flag.open or flag.record_id in in_period]
    flags = [flag for flag in flags if flag.open] + [flag for flag in flags if not flag.open]
    since_last = _since_last(period, history, start)
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
        _mood(moods),
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
    )


def _whole(db: Session, keyring: vault.Keyring, link: Link, reader: reads.Reader, start: datetime, zone: str) -> _Read:
    """Everything since `start`, and every shared questionnaire, check-in, dosing session and safety plan."""
    history_all, _ = reader.newest(kinds=HISTORY_KINDS, limit=None)
    in_range, _ = reader.newest(kinds=OTHER_KINDS, since=start, limit=None)
    # What was shared since the date even if written before it.
    late, _ = reader.shared_since(start, kinds=PERIOD_KINDS, happened_before=start, limit=None)
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
    in_range, more = reader.newest(kinds=PERIOD_KINDS, since=asked, limit=FIRST_SCREEN)
    late: list[RecordView] = []
    older: str | None = None
    if more is not None:
        older, start = records.make_cursor(more), more[0]  # narrowed: the brief of the latest items
        total = (FIRST_SCREEN, True)  # more than this screen holds: the whole brief counts them
    else:
        start = asked
        late, older = _late(reader, asked, None, FIRST_SCREEN - len(in_range))
        total = _total(reader, asked) if older else (len(in_range) + len(late), False)
    period = sorted(in_range + late, key=lambda view: (view.occurred_at, view.id))
    # The questionnaires the summaries compare with: the first of each (baseline) and the last before the period;
    # the check-ins before it that make the usual mood.
    bottom = more or (start, recent.EARLIEST)
    in_period = [view for view in in_range if view.kind == MEASURE]
    baseline = _first_measures(reader, {_instrument(view) for view in in_period})
    wanted = {_instrument(view) for view in in_period + baseline} - {None}
    before = recent.measure_lead(reader, bottom, wanted)
    usual = recent.mood_lead(reader, bottom, USUAL_MOOD_CHECKINS)
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
    late_cursor: records.Cursor | None = None
    if before and before.startswith(LATE_PREFIX):
        late_cursor = records.parse_cursor(before.removeprefix(LATE_PREFIX))
    else:
        cursor = records.parse_cursor(before)
        if cursor is None:
            raise ValueError("no cursor")
        views, more = reader.newest(kinds=PERIOD_KINDS, since=asked, before=cursor, limit=OLDER_PAGE)
        if more is not None:
            return _items(db, keyring, client, views, now), records.make_cursor(more)
    late, older = _late(reader, asked, late_cursor, OLDER_PAGE - len(views))
    return _items(db, keyring, client, views + late, now), older


LATE_PREFIX = "shared-"  # a cursor among what was shared in the period though it happened before it
PERIOD_KINDS = tuple(kind for kind in kinds.names(shareable=True) if kind != SAFETY_PLAN)
OTHER_KINDS = tuple(kind for kind in kinds.names(shareable=True) if kind not in HISTORY_KINDS)


def _items(
    db: Session, keyring: vault.Keyring, client: User, views: list[RecordView], now: datetime
) -> list[BriefItem]:
    earliest = min((view.occurred_at for view in views), default=now)
    doses = shared_doses_between(db, keyring.user_id, client.id, earliest, now) if views else []
    access.log_more_brief(db, keyring.user_id, client.id, [view.id for view in views], now)
    return [BriefItem(view, place_of(view.occurred_at, doses, client.time_zone).label) for view in views]


def _late(
    reader: reads.Reader, start: datetime, before: records.Cursor | None, room: int
) -> tuple[list[RecordView], str | None]:
    """Up to `room` of what was shared from `start` on though it happened before it (the latest shared first,
    below the cursor), and the cursor of the next ones."""
    if room > 0:
        found, more = reader.shared_since(start, kinds=PERIOD_KINDS, happened_before=start, before=before, limit=room)
        return found, LATE_PREFIX + records.make_cursor(more) if more else None
    # No room left on this page: only whether there are any, from metadata.
    query = _late_ids(reader, start)
    if before is not None:
        at, last_id = before
        query = query.where(
            Share.created_at <= at, or_(Share.created_at < at, and_(Share.created_at == at, Share.id < last_id))
        )
    _none, more_rows = reader.count(query, 0)
    return [], LATE_PREFIX + records.make_cursor(before or _LATEST) if more_rows else None


_LATEST = (datetime.max.replace(tzinfo=UTC), uuid.UUID(int=(1 << 128) - 1))  # above every share


def _late_ids(reader: reads.Reader, start: datetime):
    return reader.shared(select(Record.id)).where(
        Record.kind.in_(PERIOD_KINDS), Share.created_at >= start, Record.occurred_at < start
    )


def _total(reader: reads.Reader, start: datetime) -> tuple[int, bool]:
    """Items of the period from SQL, counting no further than COUNT_CAP: what happened since `start`, then
    (while under the cap) what was shared since then from before it."""
    happened, more = reader.count(
        reader.shared(select(Record.id)).where(Record.kind.in_(PERIOD_KINDS), Record.occurred_at >= start), COUNT_CAP
    )
    if more:
        return happened, True
    found, more = reader.count(_late_ids(reader, start), COUNT_CAP - happened)
    return happened + found, more


def _first_measures(reader: reads.Reader, wanted: set[str | None]) -> list[RecordView]:
    """The first questionnaires shared, oldest first, until the first of each of `wanted` is among them."""
    found: list[RecordView] = []
    missing = set(wanted) - {None}
    after: records.Cursor | None = None
    for _ in range(recent.LEAD_ROUNDS):
        views = reader.oldest(kinds=[MEASURE], after=after, limit=recent.MEASURE_BATCH)
        found += views
        missing -= {_instrument(view) for view in views}
        if not missing or len(views) < recent.MEASURE_BATCH:
            break
        after = records.cursor_of(views[-1])
    return found


def _instrument(view: RecordView) -> str | None:
    measured = readings.measure(view)
    return measured.instrument.id if measured is not None else None


def _position(doses, zone: str, now: datetime) -> str:
    """Where the client is in the course now, counted among the sessions they shared."""
    place = place_of(now, doses, zone)
    if place.dose is None:
        return "No dosing session shared yet"
    return f"After session {place.dose.number}, day {place.day}"


def _since_last(period: list[RecordView], history: list[RecordView], start: datetime) -> SinceLast:
    counts: dict[str, int] = {}
    for view in period:
        counts[view.kind] = counts.get(view.kind, 0) + 1
    lines = [
        f"{count} {one.words[0 if count == 1 else 1]}" for one in kinds.all_kinds() if (count := counts.get(one.name))
    ]
    measured = [one for one in map(readings.measure, reversed(history)) if one is not None]  # oldest first
    moves = []
    for instrument_id in dict.fromkeys(one.instrument.id for one in measured):
        same = [one for one in measured if one.instrument.id == instrument_id]
        during = [one for one in same if one.occurred_at >= start]
        if during:
            before = [one for one in same if one.occurred_at < start]
            moves.append(ScoreMove(during[-1].instrument, before[-1] if before else None, during[-1]))
    moves.sort(key=lambda move: move.instrument.name)
    moods = [value for _at, value, _anxiety in filter(None, map(readings.mood, period)) if value is not None]
    earlier = sorted(
        (
            (at, value)
            for at, value, _anxiety in filter(None, map(readings.mood, history))
            if value is not None and at < start
        ),
        key=lambda one: one[0],
    )
    usual = [value for _at, value in earlier[-USUAL_MOOD_CHECKINS:]]
    return SinceLast(
        lines, moves, round(mean(moods), 1) if moods else None, round(mean(usual), 1) if usual else None, len(usual)
    )


def _changes(history: list[RecordView], start: datetime) -> list[ScoreChange]:
    measured: dict[str, list[MeasureView]] = {}
    for view in reversed(history):  # oldest first
        found = readings.measure(view)
        if found is not None:
            measured.setdefault(found.instrument.id, []).append(found)
    changes = [
        ScoreChange(scores[0].instrument, scores[0], scores[-1], [one for one in scores if one.occurred_at >= start])
        for scores in measured.values()
    ]
    return sorted(changes, key=lambda change: change.instrument.name)


def _mood(moods: list[tuple[datetime, int, int | None]]) -> MoodSummary:
    """`moods` are check-ins with a mood."""
    if not moods:
        return MoodSummary(0, None, None, None, None, None, None)
    values = [value for _at, value, _anxiety in moods]
    anxieties = [anxiety for _at, _value, anxiety in moods if anxiety is not None]
    return MoodSummary(
        len(values),
        round(mean(values), 1),
        min(values),
        max(values),
        values[0],
        values[-1],
        round(mean(anxieties), 1) if anxieties else None,
    )


def _day(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y}"
