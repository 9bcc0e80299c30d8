"""The therapist's practice in a real browser (Debian Chromium via Playwright, the real server under gunicorn), with
a therapist at a desk and two clients on phones: the clients list puts an open flag first, then the soonest next
session, and moves once the flag is marked seen; a private note about one client is on the therapist's pages and
never on that client's pages, in their export, or in the database file a thief would copy.

On SQLite (the shared `server` fixture); tests/http/test_caseload.py and test_session_notes.py run both databases.
Screenshots go to test-output/screenshots/practice/.
"""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.engine import make_url

from ..support import new_marker
from .browser_support import PHONE, Shots, client_links, make_invite, new_email
from .test_browser_sharing import sign_up_therapist

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1280, "height": 900}}
THERAPIST = "Dr Amara Chen"
SHARES = ("Share all my questionnaires automatically",)


def _names_in_order(desk) -> list[str]:
    return [name.strip() for name in desk.locator(".desk-client-name").all_inner_texts()]


def _open_client(desk, base: str, name: str) -> None:
    desk.goto(base + "/desk")
    desk.locator(".desk-client-name").get_by_role("link", name=name).click()
    expect(desk.get_by_role("heading", name="Your private notes")).to_be_visible()


def test_the_list_sorts_by_flags_then_dates_and_a_private_note_stays_the_therapists(server, open_context):
    base, database_url = server
    shots = Shots("practice")
    desk = open_context(**DESK).new_page()
    sign_up_therapist(desk, base, new_email("practice-therapist"), THERAPIST)
    ana = open_context(**PHONE).new_page()
    client_links(ana, base, make_invite(desk, base), "Ana Okoro", THERAPIST, SHARES)
    bo = open_context(**PHONE).new_page()
    client_links(bo, base, make_invite(desk, base), "Bo Lindqvist", THERAPIST, SHARES)

    # Ana answers a PHQ-9, "Several days" throughout, item 9 included: shared as it is saved, a flag.
    ana.goto(base + "/questionnaires/phq9/new")
    for number in range(1, 10):
        ana.locator(f"#item-{number}").get_by_label("Several days").check()
    ana.get_by_role("button", name="Save answers").click()
    expect(ana.locator("#crisis")).to_be_visible()
    # Bo's next integration session, set by the therapist: in two days.
    _open_client(desk, base, "Bo Lindqvist")
    desk.get_by_label("Date", exact=True).fill((date.today() + timedelta(days=2)).isoformat())
    desk.get_by_role("button", name="Save the date").click()
    expect(desk.locator("body")).to_contain_text("Next integration session")

    desk.goto(base + "/desk")
    assert _names_in_order(desk) == ["Ana Okoro", "Bo Lindqvist"]
    expect(desk.locator(".desk-client").first.locator("[data-flag]")).to_have_count(1)
    expect(desk.locator(".desk-client").nth(1)).to_contain_text("Next session")
    shots.take(desk, "list-flag-first")
    # The flag marked seen: the soonest session comes first.
    _open_client(desk, base, "Ana Okoro")
    desk.locator("[data-flag]").first.get_by_role("button", name="Mark seen").click()
    expect(desk.locator("[data-flag]").first).to_contain_text("Flag, seen")
    desk.goto(base + "/desk")
    assert _names_in_order(desk) == ["Bo Lindqvist", "Ana Okoro"]
    shots.take(desk, "list-session-first")

    # A private note about Ana, on her page.
    secret = new_marker("PRIVATENOTE")
    _open_client(desk, base, "Ana Okoro")
    panel = desk.locator("#private-notes")
    panel.get_by_label("New note").fill(f"Talked about the lake. {secret}")
    panel.get_by_role("button", name="Save note").click()
    expect(desk.locator("#private-notes")).to_contain_text(secret)
    shots.take(desk, "private-note")

    # Ana's own pages never show it.
    for path in ("/", "/timeline", "/clinicians", "/account", "/account/activity"):
        ana.goto(base + path)
        assert secret not in ana.content(), path
    # Nor her export.
    ana.goto(base + "/account/export")
    with ana.expect_download() as download_info:
        ana.get_by_role("button", name="Download everything (zip)").click()
    archive = zipfile.ZipFile(Path(download_info.value.path()))
    assert len(archive.namelist()) > 1
    assert all(secret.encode() not in archive.read(name) for name in archive.namelist())
    assert archive.read("summary.html")  # a real export, opened
    # Nor the database file with its write-ahead log, as copied from the disk while the app runs.
    path = Path(make_url(database_url).database)
    copied = b"".join(one.read_bytes() for one in (path, Path(f"{path}-wal")) if one.exists())
    assert len(copied) > 100_000 and secret.encode() not in copied
    assert copied.startswith(b"SQLite format 3\x00") and b"Talked about the lake" not in copied
