"""When a clinician's request is due: once, weekly, before each integration session, a prompt's days after a dose;
"Not now" for a day; what the desk says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from journal.asks.cadence import (
    ANSWERED,
    BEFORE_SESSION,
    DAYS,
    DECLINED,
    MEASURE,
    ONCE,
    PROMPT,
    SNOOZE,
    SNOOZED,
    WAITING,
    WEEKLY,
    Asked,
    Moments,
    is_due,
    period_start,
    status,
)

MADE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday
ZONE = "America/New_York"


def _due(asked: Asked, moments: Moments, now: datetime, **known) -> bool:
    return is_due(asked, moments, now, period_start(asked, moments.created_at, now, ZONE, **known))


def test_once_is_due_until_answered_or_declined_and_stays_done():
    once = Asked(MEASURE, ONCE, measure="phq9")
    assert _due(once, Moments(MADE), MADE + timedelta(days=30))
    answered = Moments(MADE, answered_at=MADE + timedelta(hours=2))
    assert not _due(once, answered, MADE + timedelta(days=300))
    assert not _due(once, Moments(MADE, declined_at=MADE + timedelta(days=1)), MADE + timedelta(days=30))


def test_weekly_comes_due_again_each_week_from_when_it_was_made():
    weekly = Asked(MEASURE, WEEKLY, measure="gad7")
    answered = Moments(MADE, answered_at=MADE + timedelta(days=6, hours=23))
    assert not _due(weekly, answered, MADE + timedelta(days=6, hours=23, minutes=5))
    assert _due(weekly, answered, MADE + timedelta(days=7))  # the next week began
    assert not _due(weekly, Moments(MADE, answered_at=MADE + timedelta(days=7, hours=1)), MADE + timedelta(days=13))
    # A decline counts for its week only.
    declined = Moments(MADE, declined_at=MADE + timedelta(days=1))
    assert not _due(weekly, declined, MADE + timedelta(days=3)) and _due(weekly, declined, MADE + timedelta(days=8))


def test_before_a_session_it_is_due_in_the_three_days_before_the_sessions_day_once():
    before = Asked(MEASURE, BEFORE_SESSION, measure="pcl5")
    session = date(2026, 12, 10)
    assert not _due(before, Moments(MADE), MADE + timedelta(days=2), session_day=session)  # 3 Dec: too early
    assert not _due(before, Moments(MADE), MADE + timedelta(days=8))  # no date noted: never
    # 7 Dec 00:30 in New York is 05:30 UTC: the window has opened there.
    opened = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)
    assert _due(before, Moments(MADE), opened, session_day=session)
    assert not _due(before, Moments(MADE), opened - timedelta(hours=1), session_day=session)  # still 6 Dec there
    # Answered the week before (for the last session): due again; answered in the window: done.
    assert _due(before, Moments(MADE, answered_at=MADE + timedelta(days=1)), opened, session_day=session)
    assert not _due(before, Moments(MADE, answered_at=opened), opened + timedelta(days=2), session_day=session)
    assert not _due(before, Moments(MADE), datetime(2026, 12, 11, 18, tzinfo=UTC), session_day=session)  # passed


def test_a_prompts_days_count_from_the_latest_dose_and_it_is_asked_once_per_session():
    prompt = Asked(PROMPT, DAYS, text="What stayed with you?", first_day=1, last_day=3)
    dose = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 2 Dec, 10:00 in New York: day 0
    assert not _due(prompt, Moments(MADE), dose + timedelta(hours=2), dose_at=dose)  # day 0
    day1 = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert _due(prompt, Moments(MADE), day1, dose_at=dose)
    assert _due(prompt, Moments(MADE), datetime(2026, 12, 5, 23, tzinfo=UTC), dose_at=dose)  # day 3, evening
    assert not _due(prompt, Moments(MADE), datetime(2026, 12, 6, 14, tzinfo=UTC), dose_at=dose)  # day 4
    assert not _due(prompt, Moments(MADE), day1)  # no dose yet
    answered = Moments(MADE, answered_at=day1)
    assert not _due(prompt, answered, day1 + timedelta(days=1), dose_at=dose)
    next_dose = dose + timedelta(days=14)
    assert _due(prompt, answered, next_dose + timedelta(days=1), dose_at=next_dose)  # the next session's days
    assert _due(Asked(PROMPT, ONCE, text="Anything?"), Moments(MADE), MADE)


def test_not_now_puts_it_away_for_a_day():
    once = Asked(MEASURE, ONCE, measure="phq9")
    now = MADE + timedelta(days=1)
    snoozed = Moments(MADE, snoozed_until=now + SNOOZE)
    assert not _due(once, snoozed, now) and not _due(once, snoozed, now + SNOOZE - timedelta(seconds=1))
    assert _due(once, snoozed, now + SNOOZE)


def test_what_the_desk_says():
    start = MADE
    now = MADE + timedelta(days=2)
    assert status(Moments(MADE), now, start) == WAITING
    assert status(Moments(MADE, snoozed_until=now + timedelta(hours=3)), now, start) == SNOOZED
    assert status(Moments(MADE, answered_at=now), now, start) == ANSWERED
    assert status(Moments(MADE, declined_at=now), now, start) == DECLINED
    later = Moments(MADE, answered_at=now, declined_at=now + timedelta(hours=1))
    assert status(later, now + timedelta(hours=2), start) == DECLINED  # the last act counts
    # A weekly request answered last week is waiting this week; a period the desk cannot tell shows the last act.
    assert status(Moments(MADE, answered_at=MADE), MADE + timedelta(days=8), MADE + timedelta(days=7)) == WAITING
    assert status(Moments(MADE, answered_at=MADE), MADE + timedelta(days=8), None) == ANSWERED
