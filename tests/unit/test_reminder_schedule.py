"""When reminders are due, in the client's zone: daylight-saving changes both ways in two zones, a new zone, quiet
hours, the prompts on the days after a dosing session, the eve of a session, and never a late or repeated one."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from journal.reminders.schedule import (
    COURSE,
    DAILY,
    EVE,
    Due,
    Facts,
    QuietHours,
    Rule,
    next_due,
    next_sent,
    occurrence_day,
    sends_on,
)

NEW_YORK = "America/New_York"
BERLIN = "Europe/Berlin"
# 2026: the US springs forward on 8 March and falls back on 1 November; the EU on 29 March and 25 October.
CHANGES = {
    NEW_YORK: (dt.date(2026, 3, 8), dt.date(2026, 11, 1)),
    BERLIN: (dt.date(2026, 3, 29), dt.date(2026, 10, 25)),
}


def _local(moment: dt.datetime, zone: str) -> dt.datetime:
    return moment.astimezone(ZoneInfo(zone))


def _at(zone: str, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def _noon(zone: str, day: dt.date, offset: int) -> dt.datetime:
    """Noon local time `offset` days from `day`."""
    return dt.datetime.combine(day + dt.timedelta(days=offset), dt.time(12), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def _label(day: dt.date, offset: int, clock: str) -> str:
    return f"{(day + dt.timedelta(days=offset)).day:02d} {clock}"


def _walk(rule: Rule, start: dt.datetime, days: int) -> list[dt.datetime]:
    """Every due time from `start` for `days` days, each computed after the one before was sent."""
    found, moment = [], start
    while True:
        due = next_due(rule, moment)
        if due.at > start + dt.timedelta(days=days):
            return found
        found.append(due.at)
        moment = due.at


@pytest.mark.parametrize("zone", [NEW_YORK, BERLIN])
@pytest.mark.parametrize("change", [0, 1], ids=["spring-forward", "fall-back"])
def test_a_daily_time_stays_the_same_local_time_across_a_change(zone, change):
    day = CHANGES[zone][change]
    rule = Rule(DAILY, dt.time(21, 0), zone)
    times = _walk(rule, _noon(zone, day, -3), 6)
    assert [_local(at, zone).strftime("%d %H:%M") for at in times] == [_label(day, n, "21:00") for n in range(-3, 3)]
    gaps = {round((later - earlier).total_seconds() / 3600) for earlier, later in zip(times, times[1:], strict=False)}
    assert gaps == ({24, 23} if change == 0 else {24, 25})  # the day of the change is an hour shorter or longer


@pytest.mark.parametrize("zone", [NEW_YORK, BERLIN])
def test_a_time_skipped_by_spring_forward_comes_at_the_next_valid_local_time(zone):
    day = CHANGES[zone][0]
    rule = Rule(DAILY, dt.time(2, 30), zone)
    times = _walk(rule, _noon(zone, day, -1), 3)
    assert [_local(at, zone).strftime("%d %H:%M") for at in times] == [
        _label(day, 0, "03:30"),  # 02:30 does not exist that night: an hour later, once
        _label(day, 1, "02:30"),
        _label(day, 2, "02:30"),
    ]


@pytest.mark.parametrize("zone", [NEW_YORK, BERLIN])
def test_a_time_that_happens_twice_on_fall_back_fires_once(zone):
    day = CHANGES[zone][1]
    clock = dt.time(1, 30) if zone == NEW_YORK else dt.time(2, 30)  # the hour each zone lives twice
    rule = Rule(DAILY, clock, zone)
    times = _walk(rule, _noon(zone, day, -1), 3)
    on_the_day = [at for at in times if _local(at, zone).date() == day]
    assert len(on_the_day) == 1 and _local(on_the_day[0], zone).strftime("%H:%M") == clock.strftime("%H:%M")
    assert len(times) == 3


def test_a_new_time_zone_gives_the_same_local_time_there():
    now = _at(NEW_YORK, 2026, 6, 1, 12)
    before = next_due(Rule(DAILY, dt.time(8, 0), NEW_YORK), now)
    after = next_due(Rule(DAILY, dt.time(8, 0), BERLIN), now)
    assert _local(before.at, NEW_YORK).strftime("%H:%M") == "08:00" == _local(after.at, BERLIN).strftime("%H:%M")
    assert before.at - after.at == dt.timedelta(hours=6)  # 08:00 in Berlin comes 6 hours before 08:00 in New York
    assert after.at > now


@pytest.mark.parametrize("zone", [NEW_YORK, BERLIN])
def test_quiet_hours_move_a_due_time_to_their_end(zone):
    quiet = QuietHours(dt.time(22, 0), dt.time(7, 0))
    now = _at(zone, 2026, 6, 1, 12)
    early = next_due(Rule(DAILY, dt.time(6, 0), zone, quiet), now)
    assert _local(early.at, zone).strftime("%d %H:%M") == "02 07:00" and early.day == dt.date(2026, 6, 2)
    late = next_due(Rule(COURSE, dt.time(23, 0), zone, quiet), now)
    # Moved into the next morning; it still belongs to the day it was set for.
    assert _local(late.at, zone).strftime("%d %H:%M") == "02 07:00" and late.day == dt.date(2026, 6, 1)
    assert occurrence_day(Rule(COURSE, dt.time(23, 0), zone, quiet), late.at) == dt.date(2026, 6, 1)
    assert occurrence_day(Rule(DAILY, dt.time(6, 0), zone, quiet), early.at) == dt.date(2026, 6, 2)
    midday = next_due(Rule(DAILY, dt.time(12, 30), zone, quiet), now)
    assert _local(midday.at, zone).strftime("%d %H:%M") == "01 12:30"
    daytime_quiet = QuietHours(dt.time(9, 0), dt.time(17, 0))
    assert _local(next_due(Rule(DAILY, dt.time(9, 0), zone, daytime_quiet), now).at, zone).strftime("%H:%M") == (
        "17:00"
    )


def test_quiet_hours_ending_at_a_skipped_time_end_at_the_next_valid_one():
    quiet = QuietHours(dt.time(23, 0), dt.time(2, 30))
    due = next_due(Rule(DAILY, dt.time(1, 0), NEW_YORK, quiet), _at(NEW_YORK, 2026, 3, 7, 12))
    assert _local(due.at, NEW_YORK).strftime("%d %H:%M") == "08 03:30"


def test_quiet_hours_need_an_end_that_is_not_their_start():
    with pytest.raises(ValueError):
        QuietHours(dt.time(22, 0), dt.time(22, 0))


def test_a_missed_reminder_is_not_sent_late_and_nothing_is_repeated():
    rule = Rule(DAILY, dt.time(21, 0), BERLIN)
    due = next_due(rule, _at(BERLIN, 2026, 6, 1, 12))
    # The sender was down for three days: the next time is the next 21:00 after now, one of them, not three.
    three_days_later = due.at + dt.timedelta(days=3, hours=1)
    following = next_due(rule, three_days_later)
    assert _local(following.at, BERLIN).strftime("%d %H:%M") == "05 21:00"
    # Computed right after sending, the next one is tomorrow's, never the one just sent.
    assert next_due(rule, due.at).at == due.at + dt.timedelta(days=1)


def _prompts(rule: Rule, start: dt.datetime, doses: list[dt.datetime], days: int = 40) -> list[str]:
    found, moment = [], start
    while True:
        due = next_sent(rule, moment, Facts(doses=doses))
        if due is None or due.at > start + dt.timedelta(days=days):
            return found
        found.append(_local(due.at, rule.zone).strftime("%m-%d %H:%M"))
        moment = due.at


def test_prompts_come_on_the_chosen_days_after_a_dosing_session():
    dose = _at(NEW_YORK, 2026, 6, 1, 19, 0)
    rule = Rule(COURSE, dt.time(10, 0), NEW_YORK)
    assert _prompts(rule, dose, [dose]) == ["06-02 10:00", "06-04 10:00", "06-08 10:00", "06-14 10:00"]
    fewer = Rule(COURSE, dt.time(10, 0), NEW_YORK, days=frozenset({1, 13}))
    assert _prompts(fewer, dose, [dose]) == ["06-02 10:00", "06-14 10:00"]
    # Days are calendar days in the client's zone: a session late in the evening still has its day 1 tomorrow.
    late = _at(NEW_YORK, 2026, 6, 1, 23, 45)
    assert _prompts(rule, late, [late])[0] == "06-02 10:00"


def test_a_new_session_starts_the_count_again():
    first, second = _at(BERLIN, 2026, 6, 1, 10), _at(BERLIN, 2026, 6, 9, 10)
    rule = Rule(COURSE, dt.time(18, 30), BERLIN)
    assert _prompts(rule, first, [first, second]) == [
        "06-02 18:30",
        "06-04 18:30",
        "06-08 18:30",
        "06-10 18:30",  # day 1 after the second session; day 13 after the first (06-14) never comes
        "06-12 18:30",
        "06-16 18:30",
        "06-22 18:30",
    ]


def test_no_prompt_before_any_session_or_on_other_days():
    rule = Rule(COURSE, dt.time(10, 0), NEW_YORK)
    now = _at(NEW_YORK, 2026, 6, 1, 12)
    assert next_sent(rule, now, Facts()) is None
    day_two = Due(dt.date(2026, 6, 3), _at(NEW_YORK, 2026, 6, 3, 10))
    assert not sends_on(rule, day_two, Facts(doses=[_at(NEW_YORK, 2026, 6, 1, 19)]))


def test_the_eve_of_a_session_is_the_evening_before_in_the_clients_zone():
    rule = Rule(EVE, dt.time(19, 0), BERLIN)
    now = _at(BERLIN, 2026, 6, 1, 12)
    session = _at(BERLIN, 2026, 6, 10, 9, 0)
    due = next_sent(rule, now, Facts(next_session_at=session))
    assert due is not None and _local(due.at, BERLIN).strftime("%m-%d %H:%M") == "06-09 19:00"
    # A session at 00:30 Berlin time is on the 10th there, though it is still the 9th in UTC.
    after_midnight = _at(BERLIN, 2026, 6, 10, 0, 30)
    due = next_sent(rule, now, Facts(next_session_at=after_midnight))
    assert due is not None and _local(due.at, BERLIN).strftime("%m-%d %H:%M") == "06-09 19:00"
    assert next_sent(rule, now, Facts(next_session_at=None)) is None
