"""The dosing session's record in a real browser (Debian Chromium via Playwright) on a 390 x 844 phone: every detail
filled in through the form (the dissociation slider with the keyboard, "Other" length typed), saved and read back;
the session shared with a linked therapist, whose brief shows the details; and Me at 320 px with a long email
address (no sideways scroll, breaks only after the @ or before a dot) and the device's time zone offered.

Screenshots go to test-output/screenshots/dosing-record/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..support import new_marker
from .browser_support import NARROW, PHONE, Shots, make_invite, narrow_problems, new_email, sign_up
from .test_browser_quality import _axe_source, axe_problems
from .test_browser_sharing import share_with, sign_up_therapist

pytestmark = pytest.mark.browser

UUID = r"[0-9a-f-]{36}"
DETAILS = (
    ("Dose", "62.5 mg"),
    ("Route", "Nasal spray"),
    ("Lasted", "2 hours 40 minutes"),
    ("Body", "Nausea, blood pressure noted by the clinic. Cold hands, then warm."),
    ("Dissociation", "7 of 10 (0 not at all, 10 completely)"),
    ("How it felt", "wide and warm"),
)


@pytest.fixture(scope="module")
def shots():
    return Shots("dosing-record")


def _facts(page) -> dict[str, str]:
    """The dose's facts as shown: {term: words}."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('dl.dose-facts dt')].map(
             dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.replace(/\\s+/g, ' ').trim()]))"""
    )


def log_every_detail(page, base: str, company: str, shots: Shots | None = None) -> str:
    """Fill every field of a new dosing session through the form as a person would, save; returns its id."""
    page.goto(base + "/sessions/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a dosing session")
    save = page.get_by_role("button", name="Log session")
    # The form is long; Save rides above the tab bar from the first screen on, and nothing covers it.
    assert page.evaluate(
        """(button) => { const box = button.getBoundingClientRect();
             const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
             return box.bottom <= innerHeight && box.top >= 0 && (hit === button || button.contains(hit)); }""",
        save.element_handle(),
    )
    if shots:
        shots.take(page, "form-empty")

    page.get_by_label("Nasal spray").check()
    page.get_by_label("Dose in mg").fill("62.5")
    expect(page.get_by_label("Dose in mg")).to_have_accessible_description("As the clinic wrote it, like 50 or 62.5.")
    hours, minutes = page.get_by_label("Hours"), page.get_by_label("Minutes")
    expect(hours).to_be_hidden()  # only with "Other" chosen
    page.get_by_label("How long the session lasted").select_option(label="Other")
    expect(hours).to_be_visible()
    hours.fill("2")
    minutes.fill("40")
    who = page.get_by_label("Who was with you")
    who.fill(company)
    expect(who).to_have_accessible_description("For example: sitter, monitor, clinician.")
    body = page.get_by_role("group", name=re.compile(r"^What your body did"))
    expect(body).to_have_accessible_description("Tick any that happened.")
    body.get_by_label("Nausea").check()
    body.get_by_label("Blood pressure noted by the clinic").check()
    body.get_by_label("Anything else your body noticed").fill("Cold hands, then warm.")

    # The scale starts unset: no thumb, "Not now" pressed, nothing sent. Two steps to the right of the middle: 7.
    slider = page.get_by_role("slider", name="How dissociated you felt")
    expect(page.get_by_role("button", name=re.compile(r"^Not now: skip how dissociated"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#dissociation-choice")).to_have_value("")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#dissociation-choice")).to_have_value("7")
    expect(page.locator("[data-scale] output")).to_have_text("7")

    page.get_by_label("How it felt, in a few words").fill("wide and warm")
    page.get_by_label("Setting").fill("eye mask, cello")
    if shots:
        shots.take(page, "form-filled")
    save.click()
    expect(page).to_have_url(re.compile(rf"/sessions/{UUID}$"))
    expect(page.get_by_text("Session logged.")).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def test_every_detail_is_filled_saved_and_read_back(server, open_context, shots):
    base, _database = server
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("dosing-record"))
    company = f"sitter Jo, Dr Chen {new_marker('WITH')[-6:]}"
    log_every_detail(page, base, company, shots)
    facts = _facts(page)
    assert {term: facts.get(term) for term, _words in DETAILS} == dict(DETAILS)
    assert facts["With"] == company and facts["Setting"] == "eye mask, cello"
    expect(page.get_by_role("heading", level=1)).to_have_text("Session 1")
    shots.take(page, "read")
    axe = axe_problems(page, _axe_source(), "dose read page", "light")

    # The edit form has every answer back, the slider at 7.
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Dose in mg")).to_have_value("62.5")
    expect(page.get_by_label("Hours")).to_have_value("2")
    expect(page.get_by_label("Who was with you")).to_have_value(company)
    expect(page.get_by_label("Nausea")).to_be_checked()
    expect(page.get_by_label("Headache")).not_to_be_checked()
    expect(page.get_by_role("slider", name="How dissociated you felt")).to_have_value("7")
    axe += axe_problems(page, _axe_source(), "dose edit form", "light")
    assert not axe, "\n".join(axe)


def test_a_scale_left_alone_stores_nothing_and_mistakes_are_said_plainly(server, open_context, shots):
    base, _database = server
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("dosing-untouched"))
    page.goto(base + "/sessions/new")
    page.get_by_label("Intravenous infusion").check()
    page.get_by_label("Dose in mg").fill("fifty")
    page.get_by_label("How long the session lasted").select_option(label="2 hours 30 minutes")
    page.get_by_role("button", name="Log session").click()
    mg = page.get_by_label("Dose in mg")
    expect(mg).to_have_attribute("aria-invalid", "true")
    expect(mg).to_have_accessible_description(re.compile(r"Write the dose in mg as a number above 0 and up to 1,000"))
    expect(mg).to_have_value("fifty")
    expect(page.get_by_label("How long the session lasted")).to_have_value("150")
    shots.take(page, "form-mistake")
    mg.fill("50")
    page.get_by_role("button", name="Log session").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{UUID}$"))
    facts = _facts(page)
    assert facts["Dose"] == "50 mg" and facts["Lasted"] == "2 hours 30 minutes"
    assert "Dissociation" not in facts  # never touched, never stored


def test_a_linked_therapist_reads_the_details_in_the_brief(server, open_context, shots):
    base, _database = server
    therapist_name = f"Dr Ines Okafor {new_marker('DOC')[-6:]}"
    desk = open_context(**PHONE).new_page()
    sign_up_therapist(desk, base, new_email("dosing-therapist"), therapist_name)
    code = make_invite(desk, base)

    phone = open_context(**PHONE).new_page()
    client_email = new_email("dosing-client")
    sign_up(phone, base, client_email)
    phone.goto(f"{base}/link#{code}")
    phone.get_by_role("button", name=f"Link with {therapist_name}").click()
    expect(phone).to_have_url(base + "/clinicians")
    company = f"my sister {new_marker('SHARED')[-6:]}"
    dose_id = log_every_detail(phone, base, company)
    share_with(phone, therapist_name)
    expect(phone.locator(".share-preview")).to_contain_text("62.5 mg")  # the preview is what the desk shows
    shots.take(phone, "client-shared")

    desk.goto(base + "/desk")
    desk.locator(".desk-client").get_by_role("link", name=client_email).click()
    expect(desk).to_have_url(re.compile(rf"/desk/clients/{UUID}$"))
    desk.goto(desk.url + "/brief")
    item = desk.locator(f'[data-record="{dose_id}"]')
    expect(item).to_be_visible()
    facts = item.evaluate(
        """(item) => Object.fromEntries([...item.querySelectorAll('dl.dose-facts dt')].map(
             dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.replace(/\\s+/g, ' ').trim()]))"""
    )
    assert {term: facts.get(term) for term, _words in DETAILS} == dict(DETAILS)
    assert facts["With"] == company
    item.scroll_into_view_if_needed()
    shots.take(desk, "brief")
    assert desk.evaluate("document.documentElement.scrollWidth") <= 390


# Every break of the email's lines: (the character before it, the one after it).
LINE_BREAKS_JS = """
(element) => {
  const chars = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect) chars.push([node.data[i], Math.round(rect.top)]);
    }
  }
  const breaks = [];
  for (let i = 1; i < chars.length; i++) if (chars[i][1] > chars[i - 1][1]) breaks.push([chars[i - 1][0], chars[i][0]]);
  return breaks;
}
"""


def test_me_at_320px_with_a_long_email_and_the_time_zone(server, open_context, shots):
    base, _database = server
    page = open_context(**NARROW).new_page()
    email = f"ana-sofia.delacroix-whitmore.{new_marker('ME')[-6:].lower()}@integration-clinic-mail.example.org"
    sign_up(page, base, email)
    page.goto(base + "/account")
    address = page.locator("dd.email")
    expect(address).to_have_text(email)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    breaks = address.evaluate(LINE_BREAKS_JS)
    assert breaks, "the address is wider than the phone: it has to wrap"
    assert all(before == "@" or after == "." for before, after in breaks), breaks
    assert not narrow_problems(page, "me")
    shots.take(page, "me-320")

    # Signed up from a browser in Berlin: that zone is saved, and nothing is offered.
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("Europe/Berlin")
    expect(page.locator("[data-zone-suggest]")).to_be_hidden()
    zone.select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.get_by_text("Time zone saved: Asia/Tokyo.")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    # Now the device's zone differs from the saved one: it is offered, and one tap saves it.
    expect(page.locator("[data-zone-suggest]")).to_have_text("This device is set to Europe/Berlin.")
    shots.take(page, "me-zone-offered")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("button", name="Use Europe/Berlin").click()
    expect(page.get_by_text("Time zone saved: Europe/Berlin.")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    expect(page.locator("[data-zone-suggest]")).to_be_hidden()
