"""When a reminder is due: pure rules on times, in the client's own time zone. No database, no clock.

Every reminder is looked at once a day, at its local time: the daily check-in is always sent then; a prompt after
a dosing session only on the chosen days after the latest one (days as the course counts them: calendar days in
the client's zone, journal/course/days.py); the eve of an integration session only when that session is the next
day. Looking daily (rather than computing the one next prompt) means a session logged or moved later, or a date
set by a clinician, needs nothing recomputed: the next look sees it.

- The local time is found on each calendar day in the zone: across daylight-saving changes it stays "21:00".
  On a spring-forward day a time that does not exist (02:30) is read with the offset before the change, which
  is the next valid local time (03:30); on a fall-back day a time that happens twice is taken once, the first.
- Quiet hours move a due time to their end (the same rule for an end time that does not exist that day).
- The next time is always the next occurrence after now: one that was missed (a server down for a day) is never
  sent late, and none is ever repeated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ..course.days import local_date

DAILY = "daily"  # the daily check-in (not the record kind: its own word)
COURSE = "course"
EVE = "eve"
KINDS = (DAILY, COURSE, EVE)
# The days after a dosing session a prompt may come on, each switchable (all four by default).
COURSE_DAYS = (1, 3, 7, 13)
# Looking further ahead than this for a day that qualifies is looking for something that will not come.
HORIZON_DAYS = 400


@dataclass(frozen=True)
class QuietHours:
    """From `start` to `end` local time, across midnight when `end` comes first. Never the whole day."""

    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("quiet hours need a start and an end that differ")

    def holds(self, clock: dt.time) -> bool:
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end


@dataclass(frozen=True)
class Rule:
    """One reminder as the schedule sees it: its kind, its local time, the client's zone and quiet hours."""

    kind: str
    at: dt.time
    zone: str
    quiet: QuietHours | None = None
    days: frozenset[int] = field(default_factory=lambda: frozenset(COURSE_DAYS))


@dataclass(frozen=True)
class Due:
    """An occurrence: the local calendar day it belongs to, and when it is due (UTC, after quiet hours)."""

    day: dt.date
    at: dt.datetime


@dataclass(frozen=True)
class Facts:
    """What the conditional kinds depend on: dosing session times (metadata only) and the next session."""

    doses: Sequence[dt.datetime] = ()
    next_session_at: dt.datetime | None = None


def local_instant(day: dt.date, clock: dt.time, zone: str) -> dt.datetime:
    """`clock` on `day` in `zone`, as UTC: a time skipped by a spring-forward change becomes the next valid one,
    a time that happens twice on a fall-back day is the first of the two."""
    return dt.datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).replace(fold=0).astimezone(dt.UTC)


def next_due(rule: Rule, after: dt.datetime) -> Due:
    """The first occurrence of the rule's local time later than `after`, moved to the end of quiet hours."""
    zone = ZoneInfo(rule.zone)
    day = after.astimezone(zone).date() - dt.timedelta(days=1)
    while True:
        moment = local_instant(day, rule.at, rule.zone)
        if moment > after:
            return Due(day, _after_quiet(moment, rule))
        day += dt.timedelta(days=1)


def occurrence_day(rule: Rule, due_at: dt.datetime) -> dt.date:
    """The local day a due time belongs to: the day of the last occurrence at or before it (quiet hours may have
    moved a late evening's into the next morning; they never last a whole day, so none lies in between)."""
    day = due_at.astimezone(ZoneInfo(rule.zone)).date()
    return day if local_instant(day, rule.at, rule.zone) <= due_at else day - dt.timedelta(days=1)


def _after_quiet(moment: dt.datetime, rule: Rule) -> dt.datetime:
    if rule.quiet is None:
        return moment
    local = moment.astimezone(ZoneInfo(rule.zone))
    clock = local.time().replace(tzinfo=None)
    if not rule.quiet.holds(clock):
        return moment
    end_day = local.date()
    if clock >= rule.quiet.end:  # the quiet hours began this evening: they end tomorrow
        end_day += dt.timedelta(days=1)
    return local_instant(end_day, rule.quiet.end, rule.zone)


def sends_on(rule: Rule, due: Due, facts: Facts) -> bool:
    """Whether this occurrence is sent: always for the check-in; for a prompt, on a chosen day after the latest
    dosing session (at or before the occurrence); for the eve, when the next session is the next local day."""
    if rule.kind == DAILY:
        return True
    if rule.kind == COURSE:
        return course_day(due.day, facts.doses, rule.zone) in rule.days
    if rule.kind == EVE:
        if facts.next_session_at is None:
            return False
        return local_date(facts.next_session_at, rule.zone) == due.day + dt.timedelta(days=1)
    raise ValueError(f"unknown reminder kind {rule.kind!r}")


def course_day(day: dt.date, doses: Sequence[dt.datetime], zone: str) -> int | None:
    """Which day after the latest dosing session (on or before it) a local calendar day is; None before any."""
    dates = [local_date(at, zone) for at in doses]
    earlier = [when for when in dates if when <= day]
    return (day - max(earlier)).days if earlier else None


def next_sent(rule: Rule, after: dt.datetime, facts: Facts) -> Due | None:
    """The next occurrence that will be sent, given what is known now (None if none within the horizon)."""
    moment = after
    for _ in range(HORIZON_DAYS):
        due = next_due(rule, moment)
        if sends_on(rule, due, facts):
            return due
        moment = local_instant(due.day, rule.at, rule.zone)
    return None
