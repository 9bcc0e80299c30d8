"""The integration session brief: everything a client shared since a date, on one page that prints.

"Since a date" means what happened from then on, and what was shared from then on even if it was
written earlier (a client may share an older entry after a session). The mood trend, every
entry in full, check-ins, sessions, intentions and art.
Questionnaires are compared with the first score the client shared (the baseline), which may be
older than the date. Two queries for the records, one line in the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from statistics import mean
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from .. import vault
from ..art.service import KIND as ART
from ..charts.service import Chart
from ..checkins.service import KIND as CHECKIN
from ..course.days import place_of
from ..dosing.service import KIND as DOSE
from ..entries.service import KIND as ENTRY
from ..flags import service as flag_service
from ..flags.rules import Flag
from ..intentions.service import KIND as INTENTION
from ..measures.instruments import Instrument
from ..measures.service import KIND as MEASURE
from ..measures.service import MeasureView
from ..models import Link, User
from ..records import kinds
from ..records.service import RecordView
from ..safety.service import KIND as SAFETY_PLAN
from ..sharing import access, reads
from . import readings
from .service import Unshown, client_name, course_charts, shared_doses, shared_since

# Read over the whole course: baselines, session numbers, what the flag rules look at, and the safety plan
# (one living document, shown whenever it is shared, whatever the period).
HISTORY_KINDS = (MEASURE, DOSE, CHECKIN, SAFETY_PLAN)
USUAL_MOOD_CHECKINS = 14  # "their usual mood" before the period: the average of up to this many check-ins


@dataclass(frozen=True)
class BriefItem:
    view: RecordView
    label: str  # "Day 3 after session 2" (among shared sessions), or "Preparing"


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
    count: int  # records shared in the period
    unshown: Unshown = Unshown()

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


def build_brief(
    db: Session, keyring: vault.Keyring, link: Link, client: User, since: datetime | None, zone: str, now: datetime
) -> Brief:
    """The brief since `since` (None: the default): one "brief" line in the access log covering every record shown."""
    start = since or default_since(link)
    # What happened since the date, and what was shared since then even if written before it.
    late = shared_since(db, keyring.user_id, client.id, start)
    shared_history = reads.shared_records(db, keyring, client.id, kinds=HISTORY_KINDS)
    recent = reads.shared_records(
        db,
        keyring,
        client.id,
        since=min([start, *late.values()]),
        kinds=[kind for kind in kinds.names(shareable=True) if kind not in HISTORY_KINDS],
    )
    unshown = Unshown.of(shared_history, recent)
    plan = next((view for view in shared_history if view.kind == SAFETY_PLAN), None)
    history: list[RecordView] = [view for view in shared_history if view.kind != SAFETY_PLAN]
    period = sorted(
        (view for view in recent + history if view.occurred_at >= start or view.id in late),
        key=lambda view: (view.occurred_at, str(view.id)),
    )
    doses = shared_doses(history)

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
    flags = [
        flag
        for flag in flag_service.client_flags(keyring, link, history, zone)
        if flag.open or flag.record_id in in_period
    ]
    flags = [flag for flag in flags if flag.open] + [flag for flag in flags if not flag.open]
    since_last = _since_last(period, history, start)
    shown = (
        {view.id for view in period}
        | {flag.record_id for flag in flags}
        | ({plan.id} if plan else set())
        | {measured.id for change in changes for measured in (change.baseline, change.latest)}
        | {move.before.id for move in since_last.moves if move.before is not None}
    )
    access.log_covering(db, keyring.user_id, client.id, "brief", shown, now)
    return Brief(
        link,
        client,
        flags,
        plan,
        _position(doses, client.time_zone, now),
        since_last,
        start,
        start.astimezone(ZoneInfo(zone)).date(),
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
        unshown,
    )


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
