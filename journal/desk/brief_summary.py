"""What changed in a brief's period, in a few facts: items per kind, questionnaire scores against the
baseline and the score before, and the mood against the client's usual mood before the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import mean

from ..measures.instruments import Instrument
from ..measures.service import MeasureView
from ..records import kinds
from ..records.service import RecordView
from . import readings

USUAL_MOOD_CHECKINS = 14  # "their usual mood" before the period: the average of up to this many check-ins


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


def since_last(period: list[RecordView], history: list[RecordView], start: datetime) -> SinceLast:
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


def changes(history: list[RecordView], start: datetime) -> list[ScoreChange]:
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


def mood(moods: list[tuple[datetime, int, int | None]]) -> MoodSummary:
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
