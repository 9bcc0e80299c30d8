"""The integration session brief: everything a client shared since a date, on one page that prints.

"Since a date" means what happened from then on, and what was shared from then on even if it was
written earlier (a client may share an older entry after a session). The mood trend, every
entry in full, check-ins, sessions, intentions and art.
Questionnaires are compared with the first score the client shared (the baseline), which may be
older than the date. Two queries for the records, one line in the access log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from statistics import mean
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from .. import vault
from ..charts.service import Chart
from ..course.days import place_of
from ..models import Link, User
from ..records.service import RecordView
from ..sharing import reads
from ..sharing.service import SHAREABLE_KINDS
from . import kinds
from ..sharing import access
from .service import client_name, course_charts, shared_doses, shared_since

HISTORY_KINDS = ("measure", "dose")  # read over the whole course: baselines and session numbers


@dataclass(frozen=True)
class BriefItem:
    view: RecordView
    label: str  # "Day 3 after session 2" (among shared sessions), or "Preparing"


@dataclass(frozen=True)
class ScoreChange:
    """One questionnaire: the first score shared (baseline), the latest, and those in the brief's period."""

    instrument: object
    baseline: object  # MeasureView
    latest: object  # MeasureView
    in_period: list  # MeasureView, oldest first

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
class Brief:
    link: Link
    client: User
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
    art: list[tuple[kinds.ArtTile, str]]
    count: int  # records shared in the period

    @property
    def name(self) -> str:
        return client_name(self.client)


def default_since(link: Link) -> datetime:
    """The last integration session marked held, else when the client linked."""
    return link.session_held_at or link.created_at


def parse_since(raw: str | None, zone: str) -> datetime | None:
    """"YYYY-MM-DD" as the start of that day in `zone`, in UTC; None when absent; ValueError otherwise."""
    if not raw:
        return None
    day = date.fromisoformat(raw.strip())
    if not 2000 <= day.year <= 2200:
        raise ValueError("a date from 2000 on")
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def build_brief(db: Session, keyring: vault.Keyring, link: Link, client: User, since: datetime | None,
                zone: str, now: datetime) -> Brief:
    """The brief since `since` (None: the default): one "brief" line in the access log covering every record shown."""
    start = since or default_since(link)
    # What happened since the date, and what was shared since then even if written before it.
    late = shared_since(db, keyring.user_id, client.id, start)
    history = reads.shared_records(db, keyring, client.id, kinds=HISTORY_KINDS)
    recent = reads.shared_records(db, keyring, client.id, since=min([start, *late.values()]),
                                  kinds=[kind for kind in SHAREABLE_KINDS if kind not in HISTORY_KINDS])
    period = sorted((view for view in recent + history if view.occurred_at >= start or view.id in late),
                    key=lambda view: (view.occurred_at, str(view.id)))
    doses = shared_doses(history)

    def item(view: RecordView) -> BriefItem:
        return BriefItem(view, place_of(view.occurred_at, doses, client.time_zone).label)

    by_kind: dict[str, list[BriefItem]] = {}
    for view in period:
        by_kind.setdefault(view.kind, []).append(item(view))
    changes = _changes(history, start)
    moods = [found for found in map(kinds.mood, period) if found is not None]
    chart = course_charts([view for view in period if view.kind == "checkin"], doses, zone, now,
                          span=(start, max(now, start)), words=f"since {_day(start, zone)}")[0]
    shown = {view.id: view for view in period}
    for change in changes:
        for measured in (change.baseline, change.latest):
            shown.setdefault(measured.id, next(view for view in history if view.id == measured.id))
    access.log_covering(db, keyring.user_id, client.id, "brief", shown, now)
    return Brief(link, client, start, start.astimezone(ZoneInfo(zone)).date(), since is None, _mood(moods), chart,
                 changes, by_kind.get("entry", []), by_kind.get("checkin", []), by_kind.get("dose", []),
                 by_kind.get("intention", []),
                 [(kinds.art(one.view), one.label) for one in by_kind.get("art", [])], len(period))


def _changes(history: list[RecordView], start: datetime) -> list[ScoreChange]:
    measured: dict[str, list] = {}
    for view in reversed(history):  # oldest first
        found = kinds.measure(view)
        if found is not None:
            measured.setdefault(found.instrument.id, []).append(found)
    changes = [ScoreChange(scores[0].instrument, scores[0], scores[-1],
                           [one for one in scores if one.occurred_at >= start]) for scores in measured.values()]
    return sorted(changes, key=lambda change: change.instrument.name)


def _mood(moods: list[tuple[datetime, int, int | None]]) -> MoodSummary:
    if not moods:
        return MoodSummary(0, None, None, None, None, None, None)
    values = [value for _at, value, _anxiety in moods]
    anxieties = [anxiety for _at, _value, anxiety in moods if anxiety is not None]
    return MoodSummary(len(values), round(mean(values), 1), min(values), max(values), values[0], values[-1],
                       round(mean(anxieties), 1) if anxieties else None)


def _day(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y}"
