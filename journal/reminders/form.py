"""The reminders page's form read into choices, with a plain message for each field that cannot be saved. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .schedule import COURSE, COURSE_DAYS, DAILY, EVE, KINDS, QuietHours
from .service import TITLE_MAX

# The times a reminder starts at before the client chooses one: evening for the check-in, morning for a prompt.
DEFAULT_TIMES = {DAILY: dt.time(21), COURSE: dt.time(10), EVE: dt.time(19)}
DEFAULT_QUIET = QuietHours(dt.time(22), dt.time(7))


@dataclass
class Choices:
    on: dict[str, bool] = field(default_factory=dict)
    at: dict[str, dt.time] = field(default_factory=dict)
    days: tuple[int, ...] = COURSE_DAYS
    title: str = ""
    quiet: QuietHours | None = None


class Fields:
    """What a form sent: each field's text (one value) and the prompts' days (several)."""

    def __init__(self, values: Mapping[str, str], days: Sequence[str]) -> None:
        self.values, self.days = values, days

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()


def parse_clock(text: str) -> dt.time | None:
    """ "21:00" (as a time field sends it) as a time; None for anything else."""
    try:
        clock = dt.time.fromisoformat(text)
    except ValueError:
        return None
    return clock.replace(second=0, microsecond=0) if len(text) in (5, 8) else None


def read(fields: Fields) -> tuple[Choices, dict[str, str]]:
    choices, errors = Choices(), {}
    for kind in KINDS:
        choices.on[kind] = fields.get(f"{kind}_on") == "on"
        clock = parse_clock(fields.get(f"{kind}_time"))
        if clock is None:
            errors[f"{kind}_time"] = "Enter a time as hours and minutes, like 21:00."
        choices.at[kind] = clock or DEFAULT_TIMES[kind]
    days = {int(day) for day in fields.days if day.isdigit() and len(day) < 3}
    if not days or not days <= set(COURSE_DAYS):
        errors["course_days"] = "Choose at least one of the days after a session: 1, 3, 7 or 13."
    else:
        choices.days = tuple(sorted(days))
    title = " ".join(fields.get("title").split())
    if len(title) > TITLE_MAX or not title.isprintable():
        errors["title"] = f"A title can be up to {TITLE_MAX} letters, on one line."
    choices.title = title
    if fields.get("quiet_on") == "on":
        start, end = parse_clock(fields.get("quiet_start")), parse_clock(fields.get("quiet_end"))
        if start is None or end is None:
            errors["quiet"] = "Enter when quiet hours start and end, like 22:00 and 07:00."
        elif start == end:
            errors["quiet"] = "Quiet hours need a start and an end that differ."
        else:
            choices.quiet = QuietHours(start, end)
    return choices, errors
