"""The integration window's rules on Today: which intentions show on which day, and which are asked about after
which dosing session."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from journal.course.days import Place, number_doses, place_of
from journal.course.service import shows_intentions
from journal.intentions.followup import asking_on, to_ask
from journal.intentions.service import IntentionView, Reflection

ZONE = "Europe/Berlin"
DOSE_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_intentions_show_while_preparing_on_every_day_of_the_window_and_before_the_next_dose():
    assert shows_intentions(Place(None, None))
    doses = number_doses([(uuid.uuid4(), DOSE_AT)])
    days = {}
    for day in range(0, 31):
        place = place_of(DOSE_AT + timedelta(days=day, hours=2), doses, ZONE)
        days[place.day] = shows_intentions(place)
    assert sorted(days) == list(range(0, 31))
    assert all(days.values()), [day for day, shown in days.items() if not shown]


def _intention(text: str, *, active: bool = True, asked: tuple[uuid.UUID, ...] = ()) -> IntentionView:
    reflections = tuple(Reflection(str(dose_id), DOSE_AT, DOSE_AT, "", True) for dose_id in asked)
    return IntentionView(uuid.uuid4(), text, active, DOSE_AT - timedelta(days=3), 1, reflections)


def test_the_question_is_asked_from_the_day_after_a_session_to_the_end_of_its_window():
    doses = number_doses([(uuid.uuid4(), DOSE_AT)])
    asked = {day: asking_on(place_of(DOSE_AT + timedelta(days=day, hours=2), doses, ZONE)) for day in range(0, 20)}
    assert [day for day, yes in asked.items() if yes] == list(range(1, 14))
    assert not asking_on(Place(None, None))


def test_only_the_intentions_carried_into_the_session_are_asked_about_when_some_were():
    [dose] = number_doses([(uuid.uuid4(), DOSE_AT)])
    carried, other, archived = _intention("carried"), _intention("other"), _intention("carried too", active=False)
    found = to_ask([carried, other, archived], dose, {str(carried.id), str(archived.id)})
    assert found is not None and found.carried and found.dose == dose
    assert [one.text for one in found.intentions] == ["carried"]  # not the other, nor an archived one


def test_every_active_intention_is_asked_about_when_none_were_carried_in():
    [dose] = number_doses([(uuid.uuid4(), DOSE_AT)])
    found = to_ask([_intention("one"), _intention("two"), _intention("old", active=False)], dose, ())
    assert found is not None and not found.carried
    assert [one.text for one in found.intentions] == ["one", "two"]


def test_an_answer_or_a_skip_for_this_session_is_never_asked_again_but_the_next_session_asks_anew():
    first, second = number_doses([(uuid.uuid4(), DOSE_AT), (uuid.uuid4(), DOSE_AT + timedelta(days=15))])
    answered = _intention("answered", asked=(first.id,))
    waiting = _intention("waiting")
    found = to_ask([answered, waiting], first, ())
    assert found is not None and [one.text for one in found.intentions] == ["waiting"]
    assert to_ask([answered], first, ()) is None
    again = to_ask([answered], second, ())
    assert again is not None and [one.text for one in again.intentions] == ["answered"]
