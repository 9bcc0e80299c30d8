"""The next integration session's rules: which dates are taken, how they read, and when they are cleared."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from journal.integration.service import When, clear_when_held, parse_when, upcoming
from journal.models import Link

BERLIN = "Europe/Berlin"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # Monday 7 Dec, 13:00 in Berlin


def test_dates_that_have_passed_or_are_far_off_are_refused_with_a_plain_message():
    assert parse_when("2026-12-06", "", BERLIN, NOW) == (
        None,
        "That date has passed. Enter the date of your next session.",
    )
    assert parse_when("2026-12-07", "", BERLIN, NOW) == (When(date(2026, 12, 7), None), "")  # today, all day
    assert parse_when("2026-12-07", "12:30", BERLIN, NOW)[1].startswith("That time has passed today")
    assert parse_when("2026-12-07", "14:00", BERLIN, NOW) == (When(None, datetime(2026, 12, 7, 13, tzinfo=UTC)), "")
    assert parse_when("2027-12-09", "", BERLIN, NOW)[1] == "Enter a date within the next year."
    assert parse_when("soon", "", BERLIN, NOW)[1] == "Enter the date of the session."
    assert parse_when("2026-12-10", "2pm", BERLIN, NOW)[1].startswith("Enter the time as hours and minutes")


def test_a_date_reads_with_its_weekday_within_a_week_and_plainly_later():
    def words(on=None, at=None):
        found = upcoming(When(on, at), BERLIN, NOW)
        return found.words() if found else None

    assert words(date(2026, 12, 7)) == "today"
    assert words(date(2026, 12, 8)) == "tomorrow"
    assert words(date(2026, 12, 10)) == "on Thursday, 10 Dec"
    assert words(None, datetime(2026, 12, 10, 13, tzinfo=UTC)) == "on Thursday, 10 Dec, 14:00"
    assert words(date(2026, 12, 24)) == "on 24 Dec"
    assert words(date(2026, 12, 6)) is None  # the past is not shown
    assert words(None, datetime(2026, 12, 7, 11, 59, tzinfo=UTC)) is None
    soon = upcoming(When(date(2026, 12, 14), None), BERLIN, NOW)
    assert soon is not None and soon.soon and not upcoming(When(date(2026, 12, 15), None), BERLIN, NOW).soon
    assert upcoming(When(None, datetime(2026, 12, 10, 13, tzinfo=UTC)), "UTC", NOW).desk_words() == "Thu 10 Dec, 13:00"


def test_a_day_without_a_time_is_the_same_day_in_every_zone_and_a_time_moves_with_the_reader():
    day = When(date(2026, 12, 10), None)
    assert day.day("Pacific/Auckland") == day.day("America/Los_Angeles") == date(2026, 12, 10)
    late = When(None, datetime(2026, 12, 10, 23, 30, tzinfo=UTC))
    assert late.day("UTC") == date(2026, 12, 10) and late.day(BERLIN) == date(2026, 12, 11)
    assert late.clock(BERLIN) == time(0, 30)


def _link(on=None, at=None) -> Link:
    return Link(id=uuid.uuid4(), next_session_on=on, next_session_at=at, next_session_set_by="client")


def test_marking_a_session_held_clears_a_date_that_has_come_in_the_therapists_zone_and_keeps_a_later_one():
    today = _link(on=date(2026, 12, 7))
    assert clear_when_held(today, BERLIN, NOW) and today.next_session_on is None and today.next_session_set_by is None
    earlier = _link(at=datetime(2026, 12, 7, 9, tzinfo=UTC))
    assert clear_when_held(earlier, BERLIN, NOW) and earlier.next_session_at is None
    later = _link(on=date(2026, 12, 8))
    assert not clear_when_held(later, BERLIN, NOW) and later.next_session_on == date(2026, 12, 8)
    # 23:30 UTC on the 7th is already the 8th in Berlin: a session still to come there.
    tonight = _link(at=datetime(2026, 12, 7, 23, 30, tzinfo=UTC))
    assert not clear_when_held(tonight, BERLIN, NOW) and tonight.next_session_at is not None
