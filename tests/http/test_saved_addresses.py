"""After saving, the address is the saved item's (post/redirect/get): a refresh shows what was saved, never an
empty form, and never sends the form again. Refusals (422 with the form) stay where they are."""

from __future__ import annotations

import re

from .test_course_pages import _key, log_dose
from .test_writing import LONG

UUID = r"[0-9a-f-]{36}"


def test_a_saved_entry_and_an_edit_of_it_are_at_the_entry(web):
    web.sign_up("ana@example.org")
    key = _key(web, "/entries/new")
    saved = web.post("/entries", {"client_key": key, "title": "Evening", "body": "the quiet after"})
    assert saved.status_code == 303 and re.fullmatch(rf"/entries/{UUID}", saved.headers["Location"])
    page = web.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Entry saved." in page and "the quiet after" in page
    edited = web.post(saved.headers["Location"] + "/edit", {"version": "1", "title": "Evening", "body": "changed"})
    assert edited.status_code == 303 and edited.headers["Location"] == saved.headers["Location"]


def test_keep_as_draft_without_script_goes_to_the_form_with_the_draft_in_it(web):
    web.sign_up("ana@example.org")
    key = _key(web, "/entries/new")
    kept = web.post("/entries/draft", {"client_key": key, "title": "Later", "body": LONG})
    assert kept.status_code == 303 and kept.headers["Location"] == f"/entries/new?draft={key}"
    page = web.get(kept.headers["Location"]).get_data(as_text=True)
    assert "Draft kept. It is encrypted like your entries." in page
    assert "This is 100,000 characters; an entry can hold 60,000. Split it in two?" in page  # kept whole, said so
    assert f'value="{key}"' in page and LONG[-200:] in page
    # What cannot be kept is no address: the form comes back with the reason.
    refused = web.post("/entries/draft", {"client_key": key, "title": "bad\x07", "body": "words"})
    assert refused.status_code == 422 and "cannot be saved" in refused.get_data(as_text=True)


def test_keep_as_draft_of_an_edit_goes_to_the_edit_form(web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("Title", "saved words")
    kept = web.post(f"/entries/{entry}/draft", {"version": "1", "title": "Title", "body": "unsaved words"})
    assert kept.status_code == 303 and kept.headers["Location"] == f"/entries/{entry}/edit"
    assert "unsaved words" in web.get(kept.headers["Location"]).get_data(as_text=True)


def test_a_check_in_is_at_its_own_page_from_the_form_and_from_the_outbox(web):
    web.sign_up("ana@example.org")
    form = {"client_key": _key(web, "/checkins/new"), "mood": "6", "note": "steadier"}
    saved = web.post("/checkins", form)
    assert saved.status_code == 303 and re.fullmatch(rf"/checkins/{UUID}", saved.headers["Location"])
    page = web.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Check-in saved." in page and "steadier" in page
    # The outbox (static/outbox.js) reads a 201 and goes to its Location: the same page.
    again = web.post("/checkins", form, headers={"X-Outbox": "now"})
    assert again.status_code == 201 and again.headers["Location"] == saved.headers["Location"]


def test_a_saved_intention_opens_at_its_own_page(web):
    web.sign_up("ana@example.org")
    saved = web.post("/intentions", {"client_key": _key(web, "/intentions/new"), "text": "to rest"})
    assert saved.status_code == 303
    found = re.fullmatch(rf"/intentions/({UUID})", saved.headers["Location"])
    assert found
    page = web.get(saved.headers["Location"]).get_data(as_text=True)
    assert "to rest" in page and "Intention saved." in page
    edited = web.post(f"/intentions/{found.group(1)}/edit", {"version": "1", "text": "to rest well"})
    assert edited.status_code == 303 and edited.headers["Location"] == saved.headers["Location"]


def test_a_dosing_session_and_a_questionnaire_are_at_their_pages(web):
    web.sign_up("ana@example.org")
    dose = log_dose(web, felt="held")
    assert "held" in web.get(f"/sessions/{dose}").get_data(as_text=True)
    answered = web.answer("gad7", dict.fromkeys(range(1, 8), 1))
    assert answered.status_code == 303 and re.fullmatch(rf"/questionnaires/{UUID}", answered.headers["Location"])
