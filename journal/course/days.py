"""Where a moment sits in the course: which dosing session it follows, and on which day after it.

Days are calendar days in the client's own time zone: a dose at 22:00 and a note at 01:00 the
next morning are day 0 and day 1, whatever daylight-saving change happens between them.
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

INTEGRATION_DAYS = 14

# (first day, last day or None, phase id, words); "preparation" is before any dose.
PHASES = (
    (0, 0, "day0", "The hours after a dose"),
    (1, 1, "day1", "Day 1"),
    (2, 3, "days2-3", "Days 2-3"),
    (4, 7, "days4-7", "Days 4-7"),
    (8, 13, "days8-13", "Days 8-13"),
    (14, None, "before-next", "Before the next dose"),
)


@dataclass(frozen=True)
class Dose:
    id: uuid.UUID
    occurred_at: datetime
    number: int  # 1 for the first dosing session, in order of when they happened


@dataclass(frozen=True)
class Place:
    """A moment's place in the course: after dose `dose` (or before any), on `day`."""

    dose: Dose | None
    day: int | None

    @property
    def phase(self) -> str:
        return phase_for(self.day)

    @property
    def label(self) -> str:
        if self.dose is None:
            return "Preparing"
        return f"Day {self.day} after session {self.dose.number}"


def number_doses(times: list[tuple[uuid.UUID, datetime]]) -> list[Dose]:
    """Doses in time order, numbered from 1 (a session logged later for an earlier date slots in)."""
    ordered = sorted(times, key=lambda item: (item[1], item[0]))
    return [Dose(dose_id, at, n) for n, (dose_id, at) in enumerate(ordered, start=1)]


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def start_of_day(day: date, zone: str) -> datetime:
    """The moment (in UTC) a calendar day begins in the client's zone."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def place_of(moment: datetime, doses: Sequence[Dose], zone: str) -> Place:
    """The latest dose at or before `moment`, and the calendar day after it in the client's zone."""
    index = bisect.bisect_right([dose.occurred_at for dose in doses], moment) - 1
    if index < 0:
        return Place(None, None)
    dose = doses[index]
    return Place(dose, (local_date(moment, zone) - local_date(dose.occurred_at, zone)).days)


def places_for(items: Iterable[tuple[uuid.UUID, datetime]], doses: Sequence[Dose], zone: str) -> dict[uuid.UUID, Place]:
    """{id: place} of each (id, moment), given the doses they follow (oldest first)."""
    return {item_id: place_of(moment, doses, zone) for item_id, moment in items}


def phase_for(day: int | None) -> str:
    if day is None:
        return "preparation"
    for first, last, phase, _words in PHASES:
        if day >= first and (last is None or day <= last):
            return phase
    return "preparation"


def days_left(day: int | None) -> int | None:
    """Days left in the ~two-week integration window after the latest dose (None when none or past)."""
    if day is None or day >= INTEGRATION_DAYS:
        return None
    return INTEGRATION_DAYS - day
