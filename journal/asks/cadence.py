"""When a request is asked: the period it is asked in now, and whether the client has answered it there.

- once: from when it was made until the client answers or declines it;
- weekly: every 7 days from when it was made; an answer or a decline counts for the week it was given in;
- before each integration session: from BEFORE_DAYS days before the next session's day to that day, once a
  session date is noted (by the client or the clinician);
- a prompt for days N to M after each dosing session: on those calendar days after the latest dosing session,
  once per session; a prompt without days is asked once, like a questionnaire.

"Not now" puts it away for SNOOZE. Pure rules, no database: the service gives the times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..course.days import local_date, start_of_day
from ..measures.service import KIND as MEASURE

PROMPT = "prompt"
WHATS = (MEASURE, PROMPT)  # a questionnaire (the measures' kind) or a prompt
ONCE, WEEKLY, BEFORE_SESSION, DAYS = "once", "weekly", "before-session", "days"
CADENCES = (ONCE, WEEKLY, BEFORE_SESSION, DAYS)
MEASURE_CADENCES = (ONCE, WEEKLY, BEFORE_SESSION)
WEEK = timedelta(days=7)
BEFORE_DAYS = 3
SNOOZE = timedelta(days=1)
LAST_DAY = 60  # a prompt's days count from 0 (the day of the dose) to this at most

WAITING, ANSWERED, DECLINED, SNOOZED = "waiting", "answered", "declined", "snoozed"


@dataclass(frozen=True)
class Asked:
    """What a request asks, as sealed: a questionnaire and its cadence, or a prompt's words and its days."""

    what: str  # MEASURE or PROMPT
    cadence: str  # ONCE, WEEKLY, BEFORE_SESSION (questionnaires); ONCE or DAYS (prompts)
    measure: str | None = None
    text: str | None = None
    first_day: int | None = None
    last_day: int | None = None

    def as_data(self) -> dict:
        return {
            "what": self.what,
            "cadence": self.cadence,
            "instrument": self.measure,
            "text": self.text,
            "first_day": self.first_day,
            "last_day": self.last_day,
        }

    @classmethod
    def from_data(cls, data: dict) -> Asked:
        """What was sealed; ValueError for anything else."""
        if data.get("what") not in WHATS or data.get("cadence") not in CADENCES:
            raise ValueError("not a request")
        return cls(
            str(data["what"]),
            str(data["cadence"]),
            data.get("instrument"),
            data.get("text"),
            data.get("first_day"),
            data.get("last_day"),
        )


@dataclass(frozen=True)
class Moments:
    """What the server keeps in clear about a request's state."""

    created_at: datetime
    answered_at: datetime | None = None
    declined_at: datetime | None = None
    snoozed_until: datetime | None = None

    @property
    def acted_at(self) -> datetime | None:
        """The client's last answer or decline."""
        acts = [moment for moment in (self.answered_at, self.declined_at) if moment is not None]
        return max(acts) if acts else None


def period_start(
    asked: Asked,
    created_at: datetime,
    now: datetime,
    zone: str,
    *,
    session_day: date | None = None,
    dose_at: datetime | None = None,
) -> datetime | None:
    """When the period the request is asked in now began; None when it is not asked now (outside its days)."""
    if asked.cadence == ONCE:
        return created_at
    if asked.cadence == WEEKLY:
        weeks = max(0, (now - created_at) // WEEK)
        return created_at + weeks * WEEK
    today = local_date(now, zone)
    if asked.cadence == BEFORE_SESSION:
        if session_day is None or not session_day - timedelta(days=BEFORE_DAYS) <= today <= session_day:
            return None
        return start_of_day(session_day - timedelta(days=BEFORE_DAYS), zone)
    if asked.cadence == DAYS:
        if dose_at is None or asked.first_day is None or asked.last_day is None:
            return None
        dose_day = local_date(dose_at, zone)
        first, last = dose_day + timedelta(days=asked.first_day), dose_day + timedelta(days=asked.last_day)
        if not first <= today <= last:
            return None
        return start_of_day(first, zone)
    return None


def is_due(asked: Asked, moments: Moments, now: datetime, start: datetime | None) -> bool:
    """Asked now, not answered or declined in this period, and not put away with "Not now"."""
    if start is None:
        return False
    acted = moments.acted_at
    if acted is not None and acted >= start:
        return False
    return moments.snoozed_until is None or moments.snoozed_until <= now


def status(moments: Moments, now: datetime, start: datetime | None) -> str:
    """What the clinician sees: the client's answer or decline in this period (the last one when the clinician
    cannot tell the period, as for a prompt's days after a dose), else snoozed or waiting."""
    acted = moments.acted_at
    if acted is not None and (start is None or acted >= start):
        return ANSWERED if acted == moments.answered_at else DECLINED
    if moments.snoozed_until is not None and moments.snoozed_until > now:
        return SNOOZED
    return WAITING
