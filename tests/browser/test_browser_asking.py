"""Asking, never requiring, in a real browser (Debian Chromium via Playwright) against the real server, with two
people: a therapist at a desk asks a linked client for a PHQ-9, writes a prompt and asks for a GAD-7; the client on
a phone sees each on Today, answers the PHQ-9 (told first that it goes to the therapist) and the prompt, and
declines the GAD-7; the desk then shows both answers, with links to what was shared, and the decline.

On SQLite (the shared `server` fixture); tests/http/test_asks.py runs the rules on both databases. Screenshots go
to test-output/screenshots/asking/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.engine import make_url

from .browser_support import PHONE, Shots, client_links, make_invite, new_email
from .test_browser_sharing import sign_up_therapist

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1280, "height": 900}}
THERAPIST = "Dr Mei Chen"
CLIENT = "Sam Okoro"
PROMPT = "What did the music bring up for you?"


def _request(page, words: str):
    return page.locator(".asked-item").filter(has_text=words)


def test_a_therapist_asks_the_client_answers_or_declines_and_the_desk_shows_it(server, open_context):
    base, database_url = server
    shots = Shots("asking")
    desk = open_context(**DESK).new_page()
    sign_up_therapist(desk, base, new_email("asking-therapist"), THERAPIST)
    code = make_invite(desk, base)
    phone = open_context(**PHONE).new_page()
    client_links(phone, base, code, CLIENT, THERAPIST)

    # The desk: the client's page, "Ask for a questionnaire or write a prompt".
    desk.goto(base + "/desk")
    desk.get_by_role("link", name=CLIENT).first.click()
    desk.get_by_role("link", name=re.compile("^Ask for a questionnaire or write a prompt")).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(f"Ask {CLIENT}")
    asking = desk.url
    desk.get_by_label("PHQ-9 (depression)").check()
    desk.get_by_role("button", name="Ask for it").click()
    expect(desk.get_by_text("Asked.")).to_be_visible()
    desk.get_by_label("The prompt").fill(PROMPT)
    desk.get_by_role("button", name="Send the prompt").click()
    desk.get_by_label("GAD-7 (anxiety)").check()
    desk.get_by_label("Every week").check()
    desk.get_by_role("button", name="Ask for it").click()
    expect(desk.locator("[data-ask-status=waiting]")).to_have_count(3)

    # Today on the phone: each request, in words.
    phone.goto(base + "/")
    expect(_request(phone, "PHQ-9")).to_contain_text(f"{THERAPIST} asked: Would you fill in the PHQ-9?")
    expect(_request(phone, PROMPT)).to_contain_text(f"{THERAPIST} asked: {PROMPT}")
    expect(phone.locator("#prompt-heading + p")).to_contain_text(PROMPT)  # first in the day's prompts too
    shots.take(phone, "today-asked")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]

    # The PHQ-9: the form says before saving that the answers go to the therapist.
    _request(phone, "PHQ-9").get_by_role("link", name=re.compile("^Answer")).click()
    expect(phone.locator("[data-asked-told]")).to_contain_text(f"your answers are shared with {THERAPIST}")
    for number in range(1, 10):
        phone.locator(f"#item-{number}").get_by_label("Not at all").check()
    phone.get_by_role("button", name=f"Save and share with {THERAPIST}").click()
    expect(phone.get_by_text(f"Saved and shared with {THERAPIST}.")).to_be_visible()

    # The prompt: a new entry, told the same, then saved and shared.
    phone.goto(base + "/")
    expect(_request(phone, "PHQ-9")).to_have_count(0)
    _request(phone, PROMPT).get_by_role("link", name=re.compile("^Answer")).click()
    expect(phone.locator("[data-asked-told]")).to_contain_text(f"this entry is shared with {THERAPIST}")
    phone.get_by_label("Your answer").fill("Warm light, and my grandmother's kitchen.")
    phone.get_by_role("button", name=f"Save and share with {THERAPIST}").click()
    expect(phone.get_by_text("my grandmother's kitchen")).to_be_visible()

    # The GAD-7: declined, without a reason asked.
    phone.goto(base + "/")
    _request(phone, "GAD-7").get_by_role("button", name=re.compile("^Decline")).click()
    expect(phone.get_by_text(f"Declined. {THERAPIST} sees that you declined")).to_be_visible()
    expect(phone.locator(".asked-item")).to_have_count(0)

    # The desk: two answers with links to what was shared, and the decline.
    desk.goto(asking)
    expect(desk.locator("[data-ask-status=answered]")).to_have_count(2)
    declined = desk.locator("[data-ask-status=declined]")
    expect(declined).to_contain_text("Would you fill in the GAD-7?")
    expect(declined).to_contain_text("Declined")
    shots.take(desk, "desk-answered-and-declined")
    desk.locator("[data-ask-status=answered]").filter(has_text="PHQ-9").get_by_role(
        "link", name="the shared answer"
    ).click()
    expect(desk.locator("main")).to_contain_text("PHQ-9")
    desk.goto(asking)
    desk.locator("[data-ask-status=answered]").filter(has_text=PROMPT).get_by_role(
        "link", name="the shared answer"
    ).click()
    expect(desk.locator("main")).to_contain_text("my grandmother's kitchen")
    # The prompt's words were written at the desk and read on the phone: the database file with its write-ahead
    # log, as copied from the disk while the app runs, holds them nowhere.
    stored = Path(make_url(database_url).database)
    copied = b"".join(one.read_bytes() for one in (stored, Path(f"{stored}-wal")) if one.exists())
    assert copied.startswith(b"SQLite format 3\x00") and PROMPT.encode() not in copied
