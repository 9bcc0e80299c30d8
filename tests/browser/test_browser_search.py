"""Finding things again in a real browser (Chromium via Playwright, the real server under gunicorn): a client
searches from the timeline, sees the words marked in results grouped by dosing session, and follows one; then
narrows the timeline to one kind with its filter form."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from ..support import CSRF_RE
from .browser_support import CLIENT_KEY_RE, create_entry, new_email, sign_up

pytestmark = pytest.mark.browser


def _log_dose(page, base: str, days_ago: int, felt: str) -> None:
    html = page.request.get(base + "/sessions/new").text()
    when = datetime.now() - timedelta(days=days_ago)
    response = page.request.post(
        base + "/sessions",
        form={
            "csrf_token": CSRF_RE.search(html).group(1),
            "client_key": CLIENT_KEY_RE.search(html).group(1),
            "date": when.strftime("%Y-%m-%d"),
            "time": "10:00",
            "route": "nasal",
            "felt": felt,
        },
        max_redirects=0,
    )
    assert response.status == 303, response.status


def test_search_marks_words_groups_by_session_and_a_result_opens(server, open_context):
    base, _database = server
    page = open_context().new_page()
    sign_up(page, base, new_email("search"))
    _log_dose(page, base, 10, "An ocean of calm")
    _log_dose(page, base, 2, "Bright, the Océan again")
    entry = create_entry(page, base, "By the water", "I thought of the <b>OCEAN</b> & the tide.")

    page.goto(base + "/timeline")
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Words to find").fill("ocean")
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator(".search-results")
    expect(results.get_by_role("heading", level=2)).to_have_text("3 results")
    expect(results.get_by_role("heading", level=3)).to_have_text(
        [re.compile(r"^\s*Session 2 ·"), re.compile(r"^\s*Session 1 ·")]
    )
    expect(results.locator("mark")).to_have_text(["OCEAN", "Océan", "ocean"])
    expect(results.locator("b")).to_have_count(0)  # the client's markup is shown as text
    expect(results.get_by_text("<b>", exact=False)).to_have_count(1)
    assert "ocean" not in page.url  # the words are in the form's body, never the address
    results.get_by_role("link", name=re.compile("By the water")).click()
    page.wait_for_url(f"{base}/entries/{entry}")


def test_the_timeline_filter_narrows_to_one_kind_and_keeps_it_in_the_address(server, open_context):
    base, _database = server
    page = open_context().new_page()
    sign_up(page, base, new_email("filter"))
    _log_dose(page, base, 3, "steady")
    create_entry(page, base, "A few words", "after the session")
    page.goto(base + "/timeline")
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("Kind").select_option(label="Dosing session")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"/timeline\?kind=dose"))
    expect(page.locator(".timeline .entry-title")).to_have_text(["Dosing session 1"])
    page.get_by_role("link", name="Clear filters").click()
    expect(page.locator(".timeline .entry-title")).to_have_count(2)
