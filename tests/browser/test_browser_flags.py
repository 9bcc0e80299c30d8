"""Risk flags and the access history in a real browser (Debian Chromium via Playwright) against the real server
under gunicorn, with two people: a client on a phone shares a PHQ-9 with item 9 answered, two GAD-7s and a run
of check-ins through standing shares; the therapist at a desk sees each flag first on the clients list, the
client's page, the record and the brief, marks one seen, and prints the whole brief to PDF; the client's access
history then holds exactly one line per deliberate open and one for the visit's summaries, and the "seen".

On SQLite (the shared `server` fixture): tests/http/test_flags.py runs the rules and the desk pages on both databases. Screenshots and the brief's PDF and first page go to test-output/screenshots/flags/.
"""

from __future__ import annotations

import re

import pypdfium2
import pytest
from playwright.sync_api import expect

from ..support import CSRF_RE
from .browser_support import CLIENT_KEY_RE, PHONE, Shots, client_links, make_invite, new_email
from .test_browser_sharing import sign_up_therapist

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1280, "height": 900}}
THERAPIST = "Dr Ines Okafor"
CLIENT = "Maya Lindqvist-Herrera"
SHARES = ("Share all my check-ins automatically", "Share all my questionnaires automatically")
ITEM9 = "“Thoughts that you would be better off dead or of hurting yourself in some way”: Several days"


def _send(page, base: str, form_path: str, action: str, fields: dict) -> None:
    """A form sent with the page's own cookies, the CSRF token and client key of its form page."""
    html = page.request.get(base + form_path).text()
    response = page.request.post(
        base + action,
        max_redirects=0,
        form={"csrf_token": CSRF_RE.search(html).group(1), "client_key": CLIENT_KEY_RE.search(html).group(1), **fields},
    )
    assert response.status == 303, (action, response.status)


def _flags(page):
    return page.locator("[data-flag]")


def test_flags_first_on_every_desk_page_then_seen_in_the_clients_history(server, open_context):
    base, _ = server
    shots = Shots("flags")
    desk = open_context(**DESK).new_page()
    sign_up_therapist(desk, base, new_email("flags-therapist"), THERAPIST)
    code = make_invite(desk, base)

    phone = open_context(**PHONE).new_page()
    client_links(phone, base, code, CLIENT, THERAPIST, SHARES)
    # A PHQ-9 through its form, "Several days" for every item, item 9 included: crisis lines first.
    phone.goto(base + "/questionnaires/phq9/new")
    for number in range(1, 10):
        phone.locator(f"#item-{number}").get_by_label("Several days").check()
    phone.get_by_role("button", name="Save answers").click()
    expect(phone.locator("#crisis")).to_be_visible()
    shots.take(phone, "client-phq9-result")
    # Two GAD-7s (Mild, then Moderate) and a run of check-ins whose mood drops, all shared as they are saved.
    for each in ("1", "2"):
        _send(phone, base, "/questionnaires/gad7/new", "/questionnaires/gad7", {f"q{n}": each for n in range(1, 8)})
    for mood in ("7", "7", "8", "6", "7", "7", "2", "3"):
        _send(phone, base, "/checkins/new", "/checkins", {"mood": mood})

    # The clients list: the flags first in the client's row, in words.
    desk.goto(base + "/desk")
    row = desk.locator(".desk-client")
    expect(_flags(row)).to_have_count(3)
    expect(_flags(row).nth(0)).to_contain_text(f"Flag: PHQ-9 item 9, {ITEM9}")
    # Then the others, newest first: the mood run (the last check-ins came after the second GAD-7), the GAD-7.
    expect(_flags(row).nth(1)).to_contain_text("Mood 2 on")
    expect(_flags(row).nth(1)).to_contain_text("3 or more below their usual 7")
    expect(_flags(row).nth(2)).to_contain_text("GAD-7 total 14 (Moderate)")
    assert row.inner_text().index("Flag:") < row.inner_text().index("shared")
    shots.take(desk, "desk-clients")
    phone_desk = open_context(**PHONE).new_page()  # the same desk on a phone: the same session's cookies
    phone_desk.context.add_cookies(desk.context.cookies())
    phone_desk.goto(base + "/desk")
    expect(_flags(phone_desk)).to_have_count(3)
    shots.take(phone_desk, "desk-clients-on-a-phone")
    assert phone_desk.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]

    # The client's page: flags first, with the rule in words.
    desk.locator(".desk-client-name a").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(CLIENT)
    flags = desk.locator(".flags-section")
    expect(_flags(flags)).to_have_count(3)
    expect(flags).to_contain_text("2 of 3 shared check-ins in a row")
    client_url = desk.url
    shots.take(desk, "desk-client")
    phone_desk.goto(client_url)
    shots.take(phone_desk, "desk-client-on-a-phone")

    # The record: its flag first; mark it seen there.
    _flags(flags).nth(0).get_by_role("link", name=re.compile("Open the questionnaire")).click()
    record = desk.locator(".desk-record")
    expect(_flags(record).first).to_contain_text(ITEM9)
    shots.take(desk, "desk-record")
    _flags(record).first.get_by_role("button", name=re.compile("^Mark seen")).click()
    expect(desk.get_by_text("Flag marked as seen.")).to_be_visible()
    expect(_flags(record).first).to_contain_text("Flag, seen:")
    expect(_flags(record).first).to_contain_text("You marked it seen")
    shots.take(desk, "desk-record-seen")

    # The brief: flags first (the seen one still there, as seen), then what changed, the full name, the place.
    desk.goto(client_url + "/brief")
    expect(desk.get_by_role("heading", level=1)).to_contain_text(CLIENT)
    expect(desk.locator("[data-position]")).to_contain_text("No dosing session shared yet")
    brief_flags = desk.locator(".brief-flags [data-flag]")
    expect(brief_flags).to_have_count(3)
    headings = desk.locator("main h2").all_inner_texts()
    assert headings[:3] == ["Flags", "What changed in this period", "Mood trend"], headings
    shots.take(desk, "desk-brief")
    # Printed whole: every item of the period and every flag (read as part of the same brief).
    desk.get_by_role("link", name="Print the whole brief").click()
    expect(desk.locator("[data-whole]")).to_be_visible()
    expect(desk.locator(".brief-flags [data-flag]")).to_have_count(3)
    pdf = shots.folder / "brief.pdf"
    desk.emulate_media(media="print")
    desk.pdf(path=str(pdf), format="A4", print_background=True)
    _check_printed_brief(pdf, shots.folder / "brief-page-1.png")

    # The brief on a phone: the check-ins stack, the words and notes keep the width.
    phone_desk.goto(client_url + "/brief")
    cell = phone_desk.locator(".brief-checkins tbody tr").first.locator("td").first
    assert cell.bounding_box()["width"] > PHONE["viewport"]["width"] * 0.6
    assert phone_desk.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    shots.take(phone_desk, "desk-brief-on-a-phone")

    # The client's access history: for this whole sequence (the list and the client's page, each twice, one
    # record opened and reloaded after marking its flag, the brief twice on two screens within minutes, printed
    # whole after the first), one line for the summaries of the visit, one for the record, one per brief, and the
    # flag marked seen.
    phone.goto(base + "/access")
    lines = phone.locator(".access-line")
    texts = lines.all_inner_texts()
    assert len(texts) == 5, texts
    assert [line.split(" · ", 1)[1].split("\n")[0] for line in texts] == [
        "Read the integration session brief (11 items)",
        "Read the integration session brief (11 items)",
        "Marked as seen the flag on your answer to item 9 of the PHQ-9",
        "Opened your questionnaire",
        "Saw the summaries of what you share on their desk (11 items)",
    ]
    for line in texts:
        assert THERAPIST in line
    shots.take(phone, "client-access-history")


def _check_printed_brief(pdf_path, png_path) -> None:
    """The printed brief: flags on page 1, nothing in the margins, and page 1 filled rather than half empty."""
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        first = document[0]
        text = " ".join(first.get_textpage().get_text_range().split())
        assert "Integration session brief" in text and "Flags" in text and ITEM9.split("”")[0].strip("“") in text
        assert text.index("Flags") < text.index("What changed")
        image = first.render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    image.save(png_path)
    width, height = image.size  # A4 at 72 dpi: 595 x 842
    box = image.point(lambda value: 255 if value < 200 else 0).getbbox()  # where anything is printed
    assert box is not None, "page 1 is blank"
    left, top, right, bottom = box
    margin = round(14 / 25.4 * 72)  # a little inside the 15-18 mm page margins
    assert left >= margin and top >= margin and right <= width - margin and bottom <= height - margin, box
    assert bottom >= height * 0.7, f"page 1 ends at {bottom} of {height}: half empty"
