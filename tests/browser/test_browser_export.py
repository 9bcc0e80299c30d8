"""Export and deletion in a real browser on a phone (Debian Chromium via Playwright, the real server under gunicorn):
download the zip from Me and open it, then delete the account through its form; signing in fails after.

Screenshots go to test-output/screenshots/export/.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..support import CSRF_RE, PASSWORD, new_marker
from .browser_support import (
    CLIENT_KEY_RE,
    NARROW,
    PHONE,
    Shots,
    create_entry,
    narrow_problems,
    new_email,
    sign_in,
    sign_up,
)

pytestmark = pytest.mark.browser


def _check_in(page, base: str, mood: str, note: str) -> None:
    """A check-in sent with the page's own cookies (the check-in form itself is tested elsewhere)."""
    html = page.request.get(base + "/checkins/new").text()
    response = page.request.post(
        base + "/checkins",
        max_redirects=0,
        form={
            "csrf_token": CSRF_RE.search(html).group(1),
            "client_key": CLIENT_KEY_RE.search(html).group(1),
            "mood": mood,
            "skip_anxiety": "1",
            "skip_energy": "1",
            "note": note,
        },
    )
    assert response.status == 303, response.status


def _at_320px(page, name: str) -> list[str]:
    """What would be wrong on the narrowest phone (sideways scroll, small targets, broken words)."""
    page.set_viewport_size(NARROW["viewport"])
    try:
        return narrow_problems(page, name)
    finally:
        page.set_viewport_size(PHONE["viewport"])


def test_export_the_zip_then_delete_the_account_on_a_phone(server, open_context):
    base, _ = server
    shots = Shots("export")
    email = new_email("export")
    title, body, note = (
        f"The lake {new_marker('EXPTITLE')}",
        f"Still water, **warm** light. {new_marker('EXPBODY')}",
        new_marker("EXPNOTE"),
    )
    page = open_context(**PHONE).new_page()
    sign_up(page, base, email)
    entry = create_entry(page, base, title, body)
    _check_in(page, base, "6", f"a quiet day {note}")

    # Me -> Your data -> Download everything.
    page.goto(base + "/account")
    section = page.locator("#your-data")
    expect(section.get_by_role("heading", name="Your data")).to_be_visible()
    shots.take(page, "me")
    section.get_by_role("link", name="Download everything (zip)").click()
    expect(page).to_have_url(base + "/account/export")
    expect(page.locator("[data-export-counts]")).to_contain_text("1 journal entry")
    expect(page.locator("[data-export-counts]")).to_contain_text("1 check-in")
    expect(page.locator("[data-export-size]")).to_have_text("under 1 MB")
    assert _at_320px(page, "export") == []
    shots.take(page, "export-page")
    button = page.get_by_role("button", name="Download everything (zip)")
    with page.expect_download() as download_info:
        button.click()
        expect(page.locator("[data-export-button]")).to_have_text("Preparing…")
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.startswith("journal-") and download.suggested_filename.endswith(".zip")
    expect(page.locator("[data-export-status]")).to_contain_text("Your download has started")
    expect(page.locator("[data-export-button]")).to_have_text("Download everything (zip)")
    shots.take(page, "export-started")

    archive = zipfile.ZipFile(Path(download.path()))
    assert archive.testzip() is None
    [markdown] = [name for name in archive.namelist() if name.startswith("entries/") and name.endswith(".md")]
    assert entry[:8] in markdown.replace("-", "")
    text = archive.read(markdown).decode("utf-8")
    assert text.startswith("---\ntitle: ") and f"# {title}" in text and body in text
    [row] = list(csv.DictReader(io.StringIO(archive.read("checkins.csv").decode("utf-8-sig"))))
    assert row["mood (0-10)"] == "6" and row["anxiety (0-10)"] == "" and row["note"] == f"a quiet day {note}"
    assert title in archive.read("summary.html").decode("utf-8")

    # Me -> Delete account: the page says what happens; the password and the phrase, then it is gone.
    page.goto(base + "/account")
    page.locator("#your-data").get_by_role("link", name="Delete account").click()
    expect(page).to_have_url(base + "/account/delete")
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
    assert _at_320px(page, "delete-account") == []
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Type delete my journal to confirm").fill("delete my journl")
    page.get_by_role("button", name="Delete my account for good").click()
    phrase = page.get_by_label("Type delete my journal to confirm")
    expect(phrase).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#phrase-error")).to_contain_text("delete my journal")
    shots.take(page, "delete-refused")
    page.get_by_label("Your password").fill(PASSWORD)
    phrase.fill("delete my journal")
    shots.take(page, "delete-filled")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page).to_have_url(base + "/account/deleted")
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    expect(page.locator(".tabbar")).to_have_count(0)  # signed out
    shots.take(page, "deleted")

    page.goto(base + f"/entries/{entry}")
    expect(page).to_have_url(f"{base}/signin?next=/entries/{entry}")
    sign_in(page, email)
    expect(page.locator(".form-error")).to_contain_text("do not match an account")
    shots.take(page, "sign-in-fails")
