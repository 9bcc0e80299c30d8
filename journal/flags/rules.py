"""The flag rules, pure: from a client's shared questionnaires and check-ins to flags in plain words.

A flag describes what was answered (the item, the answer, the totals, the date); it is never a
diagnosis or a risk score. Each flag has a stable id (rule and record), so a mark "seen" keeps
holding for it, and a new answer that meets a rule again is a new flag.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from statistics import median
from typing import Protocol
from zoneinfo import ZoneInfo

DROP = 3  # points below the usual mood
WINDOW = 3  # the latest check-ins looked at
LOWS = 2  # of which this many are that low
BASELINE_MAX = 14  # shared check-ins before the window that make "the usual mood"
BASELINE_MIN = 5  # fewer than this: no usual mood yet, no mood flag
DAY = "%a %-d %b"

RULES = (
    "A flag shows when a shared PHQ-9 has item 9 answered above “Not at all”; when a shared PHQ-9, GAD-7 or "
    "PCL-5 total is in a higher band than the one of the same questionnaire shared before it; and when "
    f"{LOWS} of {WINDOW} shared check-ins in a row have a mood {DROP} or more points below the client’s usual "
    f"mood (the median of up to {BASELINE_MAX} shared check-ins before them; at least {BASELINE_MIN} are "
    "needed). A flag stays until you mark it seen, and the client can see that you did."
)


class Measured(Protocol):
    id: uuid.UUID
    occurred_at: datetime
    answers: Mapping[int, int]

    @property
    def instrument(self): ...

    @property
    def result(self): ...

    @property
    def total(self) -> int: ...


class Checked(Protocol):
    id: uuid.UUID
    occurred_at: datetime
    mood: int | None


@dataclass(frozen=True)
class Flag:
    id: str  # "<rule>:<record id>"
    rule: str  # "item9", "band" or "mood"
    record_id: uuid.UUID  # the record to open for it
    occurred_at: datetime
    words: str  # what was answered, with its date, in the reader's zone
    seen_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.seen_at is None


def flags_for(measures: Iterable[Measured], checkins: Iterable[Checked], zone: str) -> list[Flag]:
    """Every flag the shared records meet: item 9 answers first, then the rest, newest first each."""
    measures = sorted(measures, key=lambda one: (one.occurred_at, str(one.id)))
    checkins = sorted(checkins, key=lambda one: (one.occurred_at, str(one.id)))
    tz = ZoneInfo(zone)
    first = item9_flags(measures, tz)
    rest = band_flags(measures, tz) + mood_flags(checkins, tz)
    newest = lambda flag: flag.occurred_at  # noqa: E731
    return sorted(first, key=newest, reverse=True) + sorted(rest, key=newest, reverse=True)


def with_marks(flags: Sequence[Flag], marks: Mapping[str, datetime]) -> list[Flag]:
    """The flags with `seen_at` from the therapist's marks."""
    return [replace(flag, seen_at=marks.get(flag.id)) for flag in flags]


def item9_flags(measures: Sequence[Measured], tz: ZoneInfo) -> list[Flag]:
    found = []
    for one in measures:
        item = one.instrument.crisis_item
        if item is None or one.answers.get(item, 0) <= 0:
            continue
        text = one.instrument.items[item - 1]
        answer = one.instrument.options[one.answers[item]]
        words = f"{one.instrument.name} item {item}, “{text}”: {answer}, {_day(one.occurred_at, tz)}"
        found.append(Flag(f"item9:{one.id}", "item9", one.id, one.occurred_at, words))
    return found


def band_flags(measures: Sequence[Measured], tz: ZoneInfo) -> list[Flag]:
    """A total in a higher band than the one shared before it, of the same questionnaire (oldest first in)."""
    found = []
    before: dict[str, Measured] = {}
    for one in measures:
        previous = before.get(one.instrument.id)
        before[one.instrument.id] = one
        if previous is None or _band_index(one) <= _band_index(previous):
            continue
        words = (
            f"{one.instrument.name} total {one.total} ({one.result.band.label}), {_day(one.occurred_at, tz)}; "
            f"the one shared before it was {previous.total} ({previous.result.band.label}), "
            f"{_day(previous.occurred_at, tz)}"
        )
        found.append(Flag(f"band:{one.id}", "band", one.id, one.occurred_at, words))
    return found


def mood_flags(checkins: Sequence[Checked], tz: ZoneInfo) -> list[Flag]:
    """Each time the latest WINDOW shared moods come to hold LOWS that are DROP below the usual mood.

    The flag belongs to the check-in that completed the pattern; while the pattern holds, no new flag.
    """
    moods = [one for one in checkins if one.mood is not None]
    found = []
    holding = False
    for end in range(WINDOW - 1, len(moods)):
        start = end - WINDOW + 1
        usual_from = moods[max(0, start - BASELINE_MAX) : start]
        low = []
        if len(usual_from) >= BASELINE_MIN:
            # `moods` holds only check-ins with a mood; the filters again let the type checker see it
            usual = median(one.mood for one in usual_from if one.mood is not None)
            low = [one for one in moods[start : end + 1] if one.mood is not None and one.mood <= usual - DROP]
        now_holding = len(low) >= LOWS
        if now_holding and not holding:
            values = " and ".join(f"{one.mood} on {_day(one.occurred_at, tz)}" for one in low)
            words = (
                f"Mood {values}: {DROP} or more below their usual {_number(usual)} "
                f"(the median of the {len(usual_from)} shared check-ins before)"
            )
            found.append(Flag(f"mood:{moods[end].id}", "mood", moods[end].id, moods[end].occurred_at, words))
        holding = now_holding
    return found


def _band_index(one: Measured) -> int:
    return [band.id for band in one.instrument.bands].index(one.result.band.id)


def _day(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime(DAY)


def _number(value: float) -> str:
    return f"{value:g}"
