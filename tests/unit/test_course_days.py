"""Day N after a session, in the client's own zone: midnight, daylight saving, sessions logged late."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from journal.course.days import days_left, number_doses, phase_for, place_of, start_of_day
from journal.course.prompts import PROMPTS, prompt_of_the_day, prompts_for

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def at(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_across_midnight_in_the_clients_zone():
    dose = number_doses([(uuid.uuid4(), at(BERLIN, 2026, 3, 10, 22, 30))])
    assert place_of(at(BERLIN, 2026, 3, 10, 23, 59), dose, BERLIN).day == 0
    assert place_of(at(BERLIN, 2026, 3, 11, 0, 1), dose, BERLIN).day == 1
    # The same instants seen from New York are still the same calendar day as the dose there.
    assert place_of(at(BERLIN, 2026, 3, 11, 0, 1), dose, NEW_YORK).day == 0
    assert place_of(at(BERLIN, 2026, 3, 10, 22, 29), dose, BERLIN).dose is None  # before the dose


def test_across_a_daylight_saving_change():
    # Clocks in New York go forward on 8 March 2026 and back on 1 November 2026.
    spring = number_doses([(uuid.uuid4(), at(NEW_YORK, 2026, 3, 7, 23, 30))])
    assert place_of(at(NEW_YORK, 2026, 3, 8, 0, 30), spring, NEW_YORK).day == 1
    assert (
        place_of(at(NEW_YORK, 2026, 3, 9, 0, 30), spring, NEW_YORK).day == 2
    )  # 23 hours after day 1 began: still one calendar day on
    autumn = number_doses([(uuid.uuid4(), at(NEW_YORK, 2026, 10, 31, 23, 30))])
    assert place_of(at(NEW_YORK, 2026, 11, 1, 23, 30), autumn, NEW_YORK).day == 1  # 25 hours later, one day
    assert place_of(at(NEW_YORK, 2026, 11, 14, 12, 0), autumn, NEW_YORK).day == 14


def test_a_session_logged_later_for_an_earlier_date_renumbers_and_regroups():
    first, second, late = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    times = [(first, at(BERLIN, 2026, 1, 1, 10)), (second, at(BERLIN, 2026, 1, 29, 10))]
    note = at(BERLIN, 2026, 1, 20, 9)
    before = number_doses(times)
    assert place_of(note, before, BERLIN).dose.id == first and place_of(note, before, BERLIN).day == 19
    after = number_doses(times + [(late, at(BERLIN, 2026, 1, 15, 10))])
    assert [dose.number for dose in after] == [1, 2, 3]
    assert [dose.id for dose in after] == [first, late, second]
    place = place_of(note, after, BERLIN)
    assert place.dose.id == late and place.dose.number == 2 and place.day == 5
    assert place.label == "Day 5 after session 2"


def test_phases_and_the_integration_window():
    assert phase_for(None) == "preparation"
    assert [phase_for(day) for day in (0, 1, 2, 3, 4, 7, 8, 13, 14, 40)] == [
        "day0",
        "day1",
        "days2-3",
        "days2-3",
        "days4-7",
        "days4-7",
        "days8-13",
        "days8-13",
        "before-next",
        "before-next",
    ]
    assert days_left(None) is None and days_left(0) == 14 and days_left(13) == 1 and days_left(14) is None


def test_prompt_library_has_at_least_five_per_phase_and_rotates():
    phases = {"preparation", "day0", "day1", "days2-3", "days4-7", "days8-13", "before-next"}
    assert {prompt.phase for prompt in PROMPTS.values()} == phases
    for phase in phases:
        texts = [prompt.text for prompt in prompts_for(phase)]
        assert len(texts) >= 5 and len(set(texts)) == len(texts)
        for text in texts:
            lowered = text.lower()
            assert not any(word in lowered for word in ("diagnos", "disorder", "symptom", "cure", "will heal"))
    day = datetime(2026, 5, 4).date()
    assert prompt_of_the_day("day1", day) == prompt_of_the_day("day1", day)  # the same all day
    assert prompt_of_the_day("day1", day, 1) != prompt_of_the_day("day1", day)  # "another prompt"


def test_a_prompt_answered_today_gives_way_and_the_rest_keep_their_order():
    day = datetime(2026, 5, 4).date()
    phase = prompts_for("day0")
    rotation = [prompt_of_the_day("day0", day, n) for n in range(len(phase))]
    assert sorted(p.id for p in rotation) == sorted(p.id for p in phase)  # nothing answered: the usual rotation
    answered = {rotation[0].id}
    assert prompt_of_the_day("day0", day, answered=answered) == rotation[1]  # the next one of the phase
    assert [prompt_of_the_day("day0", day, n, answered) for n in range(5)] == rotation[1:]  # "another" skips it
    assert prompt_of_the_day("day0", day, 5, answered) == rotation[1]  # and comes round again
    assert prompt_of_the_day("day0", day, answered={p.id for p in phase}) is None  # all answered


def test_a_day_begins_at_local_midnight():
    assert start_of_day(datetime(2026, 5, 4).date(), "Pacific/Honolulu") == datetime(2026, 5, 4, 10, tzinfo=UTC)
    assert start_of_day(datetime(2026, 3, 29).date(), "Europe/Berlin") == datetime(2026, 3, 28, 23, tzinfo=UTC)
