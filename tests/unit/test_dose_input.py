"""A dosing session's form, cleaned: each optional detail valid, left empty, or wrong (with a plain message)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from journal.dosing.details import Details, details_of, payload
from journal.dosing.service import clean_dose

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
WHEN = {"date": "2026-03-10", "time": "14:00", "route": "nasal"}


def clean(**fields):
    body = fields.pop("body_effects", [])
    form = MultiDict([*WHEN.items(), *fields.items(), *(("body_effects", one) for one in body)])
    data, errors = clean_dose(form, "Europe/Berlin", NOW)
    return data.details, errors


def test_nothing_extra_given_stores_nothing_extra():
    details, errors = clean()
    assert errors == {}
    assert details == Details()
    assert payload(details) == {}


@pytest.mark.parametrize(
    ("typed", "mg"), [("50", 50.0), ("62.5", 62.5), ("62,5", 62.5), (" 56 mg ", 56.0), ("0.5", 0.5), ("1000", 1000.0)]
)
def test_dose_in_mg(typed, mg):
    details, errors = clean(dose_mg=typed)
    assert errors == {} and details.dose_mg == mg
    assert payload(details)["dose_mg"] == mg


@pytest.mark.parametrize("typed", ["0", "-5", "1000.5", "1200", "62.55", "fifty", "5e2", "1,000", "mg mg"])
def test_dose_out_of_range_or_not_a_number_is_refused_in_words(typed):
    details, errors = clean(dose_mg=typed)
    assert details.dose_mg is None
    assert errors["dose_mg"].startswith("Write the dose in mg as a number above 0 and up to 1,000")


def test_dose_words():
    assert Details(dose_mg=62.5).dose_words == "62.5 mg"
    assert Details(dose_mg=50.0).dose_words == "50 mg"
    assert Details().dose_words == ""


@pytest.mark.parametrize(
    ("fields", "minutes", "words"),
    [
        ({"duration": "150"}, 150, "2 hours 30 minutes"),
        ({"duration": "45"}, 45, "45 minutes"),
        ({"duration": "60"}, 60, "1 hour"),
        ({"duration": "other", "duration_hours": "2", "duration_minutes": "40"}, 160, "2 hours 40 minutes"),
        ({"duration": "other", "duration_hours": "3"}, 180, "3 hours"),
        ({"duration": "other", "duration_minutes": "50"}, 50, "50 minutes"),
        ({"duration": "other", "duration_hours": "1", "duration_minutes": "1"}, 61, "1 hour 1 minute"),
    ],
)
def test_duration_from_the_list_or_typed(fields, minutes, words):
    details, errors = clean(**fields)
    assert errors == {}
    assert details.duration_minutes == minutes and details.duration_words == words


def test_duration_left_unchosen_ignores_stray_hours():
    details, errors = clean(duration="", duration_hours="2")
    assert errors == {} and details.duration_minutes is None and "duration_minutes" not in payload(details)


def test_a_preset_wins_over_typed_hours():
    details, errors = clean(duration="120", duration_hours="9")
    assert errors == {} and details.duration_minutes == 120


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"duration": "77"}, "Choose how long the session lasted from the list"),
        ({"duration": "forever"}, "Choose how long the session lasted from the list"),
        ({"duration": "other"}, "Write how many hours and minutes"),
        ({"duration": "other", "duration_hours": "0", "duration_minutes": "0"}, "Write whole hours (0 to 24)"),
        ({"duration": "other", "duration_hours": "25"}, "Write whole hours (0 to 24)"),
        ({"duration": "other", "duration_hours": "2", "duration_minutes": "75"}, "Write whole hours (0 to 24)"),
        ({"duration": "other", "duration_hours": "two"}, "Write whole hours (0 to 24)"),
        ({"duration": "other", "duration_hours": "-1"}, "Write whole hours (0 to 24)"),
    ],
)
def test_duration_mistakes_are_said_plainly(fields, message):
    details, errors = clean(**fields)
    assert details.duration_minutes is None
    assert errors["duration"].startswith(message)


def test_who_was_with_me():
    details, errors = clean(company="  my sitter Jo, Dr Chen  ")
    assert errors == {} and details.company == "my sitter Jo, Dr Chen"
    assert clean(company="")[0].company == ""
    _details, errors = clean(company="Jo\nand Sam")
    assert "line breaks" in errors["company"]
    _details, errors = clean(company="x" * 201)
    assert errors["company"] == "Who was with you can be up to 200 characters; it has 201."


def test_body_effects_ticked_and_a_note():
    details, errors = clean(body_effects=["dizziness", "nausea"], body_note="Heavy legs for an hour.")
    assert errors == {}
    assert details.body_effects == ("nausea", "dizziness")  # in the form's order
    assert details.body_words == "Nausea, dizziness"
    assert details.body_note == "Heavy legs for an hour."
    assert payload(details)["body_effects"] == ["nausea", "dizziness"]
    assert clean(body_effects=["blood_pressure"])[0].body_words == "Blood pressure noted by the clinic"


def test_body_effects_not_in_the_list_are_refused():
    details, errors = clean(body_effects=["nausea", "<script>"])
    assert errors["body_effects"].startswith("Some of the choices sent are not in the list")
    _details, errors = clean(body_note="a" * 501)
    assert "up to 500 characters" in errors["body_note"]


@pytest.mark.parametrize(("typed", "level"), [("0", 0), ("7", 7), ("10", 10), ("", None)])
def test_dissociation_chosen_or_left_at_not_now(typed, level):
    details, errors = clean(dissociation=typed)
    assert errors == {} and details.dissociation == level
    assert ("dissociation" in payload(details)) == (level is not None)  # a 0 is an answer, "Not now" is none


@pytest.mark.parametrize("typed", ["11", "-1", "5.5", "a lot"])
def test_dissociation_out_of_range_is_refused(typed):
    details, errors = clean(dissociation=typed)
    assert details.dissociation is None
    assert errors["dissociation"].startswith("How dissociated you felt goes from 0 (Not at all) to 10 (Completely)")


def test_old_records_without_details_read_fine():
    old = {"route": "iv", "setting": "quiet room", "felt": "calm", "intention_ids": []}
    assert details_of(old) == Details()
    full = {
        **old,
        **payload(Details(62.5, 150, "Jo", ("nausea",), "cold hands", 4)),
    }
    assert details_of(full) == Details(62.5, 150, "Jo", ("nausea",), "cold hands", 4)
    # A payload with something unexpected in it shows what it can, never fails.
    assert details_of({"dose_mg": "lots", "duration_minutes": "2h", "body_effects": ["bad"], "dissociation": None}) == (
        Details()
    )
