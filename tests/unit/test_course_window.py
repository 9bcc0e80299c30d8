"""The integration window's rules on Today: which intentions show on which day."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from journal.course.days import Place, number_doses, place_of
from journal.course.service import shows_intentions

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
