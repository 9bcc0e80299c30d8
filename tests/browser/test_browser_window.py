"""Through the integration window in a real browser (Debian Chromium via Playwright) on a phone-sized screen:
intentions on Today on day 9, "How did this show up?" answered once and kept on the intention's page, and the
next integration session noted by the client (seen on the therapist's brief) and by the therapist (seen on the
client's Today).

Screenshots of every step go to test-output/screenshots/window/.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from ..support import new_marker
from .browser_support import PHONE, Shots, make_invite, narrow_problems, new_email, sign_up
from .test_browser_course import ZONE, wait_past_local_midnight
from .test_browser_sharing import sign_up_therapist

pytestmark = pytest.mark.browser

UUID = r"[0-9a-f-]{36}"


@pytest.fixture(scope="module")
def shots():
    return Shots("window")


def _shot(shots: Shots, page, locator, name: str) -> None:
    """A screenshot of the screen as a person sees it, with `locator` in the middle of it (a full-page shot puts
    the fixed tab bar across the page)."""
    locator.evaluate("element => element.scrollIntoView({block: 'center'})")
    shots.count += 1
    page.screenshot(path=str(shots.folder / f"{shots.count:02d}-{name}.png"))


def _weekday(day) -> str:
    return f"on {day:%A}, {day.day} {day:%b}"


def test_intentions_on_day_9_and_how_one_showed_up(server, open_context, shots):
    base, _database = server
    wait_past_local_midnight()
    page = open_context(**PHONE).new_page()
    main = page.get_by_role("main")
    sign_up(page, base, new_email("window"))

    carried = f"To meet my sadness with kindness {new_marker('CARRIED')[-6:]}"
    other = f"To walk each morning {new_marker('OTHER')[-6:]}"
    for text in (carried, other):
        page.goto(base + "/intentions/new")
        page.get_by_label("Your intention").fill(text)
        page.get_by_role("button", name="Save intention").click()
        expect(page.get_by_text("Intention saved.")).to_be_visible()

    # A dosing session nine days ago, through the form's date fields, carrying one of the two intentions.
    page.goto(base + "/sessions/new")
    nine_days_ago = datetime.now(ZONE).date() - timedelta(days=9)
    page.get_by_label("Date").fill(nine_days_ago.isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Nasal spray").check()
    page.get_by_label(carried).check()
    page.get_by_role("button", name="Log session").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{UUID}$"))

    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Day 9 after session 1")
    intentions = page.locator("section", has=page.get_by_role("heading", name="Your intentions"))
    expect(intentions.get_by_role("link", name=carried)).to_be_visible()
    expect(intentions.get_by_role("link", name=other)).to_be_visible()
    # Asked about the one carried into the session only, once.
    cards = page.locator("[data-followup-intention]")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(carried)
    expect(main.get_by_text("The intentions you carried into session 1")).to_be_visible()
    shots.take(page, "today-day-9")
    _shot(shots, page, cards.first, "today-day-9-asked")
    page.set_viewport_size({"width": 320, "height": 640})
    assert narrow_problems(page, "today-day-9") == []
    _shot(shots, page, cards.first, "today-day-9-asked-320")
    page.set_viewport_size(PHONE["viewport"])

    answer = f"I let the sadness sit beside me on the tram {new_marker('ANSWER')[-6:]}"
    page.get_by_label("How did this show up after session 1?").fill(answer)
    page.get_by_role("button", name=re.compile(r"^Keep this")).click()
    expect(page).to_have_url(base + "/")
    expect(page.get_by_text("Kept with your intention, after session 1.")).to_be_visible()
    expect(page.locator("[data-followup-intention]")).to_have_count(0)
    shots.take(page, "today-answered")

    intentions.get_by_role("link", name=carried).click()
    expect(page).to_have_url(re.compile(rf"/intentions/{UUID}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Intention")
    reflection = page.locator("[data-reflection]")
    expect(reflection).to_have_count(1)
    expect(reflection).to_contain_text("After session 1:")
    expect(reflection).to_contain_text(answer)
    shots.take(page, "intention-page")

    page.reload()
    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Day 9 after session 1")
    expect(page.locator("[data-followup-intention]")).to_have_count(0)  # not asked again

    # What is written now says where it sits in the course, on its page and in the list.
    page.goto(base + "/entries/new")
    page.get_by_label("What came up?").fill("Softer with myself today.")
    page.get_by_role("button", name="Save entry").click()
    expect(page).to_have_url(re.compile(rf"/entries/{UUID}$"))
    expect(page.locator("main .place-label")).to_have_text("· Day 9 after session 1")
    page.goto(base + "/entries")
    expect(page.locator("main .place-label").first).to_have_text("· Day 9 after session 1")
    shots.take(page, "entries-day-9")


def test_the_next_session_noted_by_the_client_and_by_the_therapist(server, open_context, shots):
    base, _database = server
    wait_past_local_midnight()
    therapist_name = f"Dr Ines Kovac {new_marker('THERAPIST')[-6:]}"
    client_email = new_email("window-client")

    desk = open_context(**PHONE).new_page()
    sign_up_therapist(desk, base, new_email("window-therapist"), therapist_name)
    code = make_invite(desk, base)

    phone = open_context(**PHONE).new_page()
    sign_up(phone, base, client_email)
    phone.goto(f"{base}/link#{code}")
    phone.get_by_role("button", name=f"Link with {therapist_name}").click()
    expect(phone).to_have_url(base + "/clinicians")

    # The client notes the date on Today: shown with a way to prepare, as it is within the week.
    phone.goto(base + "/")
    today = datetime.now(ZONE).date()
    noted = today + timedelta(days=3)
    expect(phone.get_by_text(f"{therapist_name} sees this date on their desk.")).to_be_visible()
    phone.get_by_label("Date", exact=True).fill(noted.isoformat())
    phone.get_by_label("Time (if you know it)").fill("14:30")
    _shot(shots, phone, phone.get_by_role("button", name="Save the date"), "client-notes-the-date")
    phone.get_by_role("button", name="Save the date").click()
    expect(phone).to_have_url(base + "/")
    line = phone.locator("p.next-session")
    expect(line).to_contain_text(f"Integration session {_weekday(noted)}, 14:30: prepare")
    expect(line.get_by_role("link", name=re.compile(r"^prepare"))).to_have_attribute("href", "/share/prepare")
    _shot(shots, phone, line, "client-today-noted")

    # The therapist sees it on the brief, as set by the client, in their own zone (the same here).
    desk.goto(base + "/desk")
    desk.get_by_role("link", name=client_email).click()
    client_page = desk.url
    desk.get_by_role("link", name="Session brief").click()
    section = desk.locator("section.next-session")
    expect(section).to_contain_text(
        f"Next integration session: {noted:%a} {noted.day} {noted:%b}, 14:30 (set by the client)."
    )
    _shot(shots, desk, section, "brief-set-by-the-client")

    # The therapist changes it from the brief; the client's Today follows.
    moved = today + timedelta(days=5)
    section.get_by_label("Date", exact=True).fill(moved.isoformat())
    section.get_by_label("Time (optional)").fill("09:15")
    section.get_by_role("button", name=re.compile(r"^Save the date")).click()
    expect(desk).to_have_url(re.compile(r"/brief$"))
    expect(desk.locator("section.next-session")).to_contain_text(
        f"Next integration session: {moved:%a} {moved.day} {moved:%b}, 09:15 (set by you)."
    )
    _shot(shots, desk, desk.locator("section.next-session"), "brief-set-by-you")
    assert desk.url.startswith(client_page)

    phone.reload()
    line = phone.locator("p.next-session")
    expect(line).to_contain_text(f"Integration session {_weekday(moved)}, 09:15: prepare")
    expect(line).to_contain_text(f"Set by {therapist_name}.")
    _shot(shots, phone, line, "client-today-set-by-the-therapist")

    # The session is marked held (its date is still to come, so it stays); the client is told.
    desk.get_by_role("button", name="Mark session held").click()
    phone.reload()
    held = phone.locator("[data-session-held]")
    expect(held).to_have_text(f"{therapist_name} marked your integration session held on {today.day} {today:%b}.")
    expect(phone.locator("p.next-session")).to_contain_text(_weekday(moved))
    _shot(shots, phone, held, "client-today-held")
