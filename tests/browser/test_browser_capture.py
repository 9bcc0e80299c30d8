"""Capturing in the hours after a dose, on a phone (Debian Chromium via Playwright, 390x844) against gunicorn:
Today's first actions, photos attached to entries and entries to photos, the five-tab bar at 320 px, and writing
offline that is sent by itself when the network returns.

Screenshots go to test-output/screenshots/capture/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .. import art_images
from .browser_support import NARROW, PHONE, Shots, narrow_problems, new_email, sign_up
from .test_browser_art import log_session
from .test_browser_course import ZONE, wait_past_local_midnight

pytestmark = pytest.mark.browser

SHOTS = Shots("capture")
TABS = ["Today", "Timeline", "Add", "Art", "Me"]


def photo(name: str, seed: int) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": art_images.painting((900, 700), seed=seed)}


def dosed_just_now(page, base: str) -> None:
    """A dosing session a minute ago in the browser's zone: today is day 0."""
    from datetime import datetime, timedelta

    wait_past_local_midnight()
    moment = datetime.now(ZONE) - timedelta(minutes=1)
    log_session(page, base, moment.date().isoformat(), moment.strftime("%H:%M"))


def test_on_day_0_photograph_what_you_made_opens_the_camera_upload(server, open_context):
    base, _ = server
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("capture-day0"))
    dosed_just_now(page, base)
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="Day 0 after session 1")).to_be_visible()
    main_links = page.locator("main a")
    expect(main_links.nth(0)).to_contain_text("Photograph what you made")
    expect(main_links.nth(1)).to_contain_text("Write")
    # Big, one tap each: well above the 44 px minimum, side by side on a phone.
    for index in (0, 1):
        box = main_links.nth(index).bounding_box()
        assert box["height"] >= 80 and box["width"] >= 140, box
    SHOTS.take(page, "today-day-0")

    page.get_by_role("link", name="Photograph what you made").click()
    expect(page.get_by_role("heading", name="Photograph what you made")).to_be_visible()
    camera = page.get_by_label("Take a photo")
    expect(camera).to_have_attribute("accept", "image/*")
    expect(camera).to_have_attribute("capture", "environment")
    camera.set_input_files([photo("after.jpg", 7)])
    page.get_by_role("button", name="Add photo").click()
    expect(page.get_by_text("Photo added.")).to_be_visible()
    expect(page.locator("[data-art-group='1'] img")).to_have_count(1)


def test_the_tab_bar_at_320px(server, open_context):
    base, _ = server
    page = open_context(**NARROW).new_page()
    sign_up(page, base, new_email("capture-tabs"))
    tabs = page.get_by_role("navigation", name="Main")
    for path, current in (
        ("/", "Today"),
        ("/timeline", "Timeline"),
        ("/new", "Add"),
        ("/art", "Art"),
        ("/art/new", "Art"),
        ("/account", "Me"),
    ):
        page.goto(base + path)
        links = tabs.get_by_role("link")
        expect(links).to_have_count(5)
        assert [name.strip() for name in links.all_inner_texts()] == TABS
        expect(tabs.locator("[aria-current='page']")).to_have_text(re.compile(rf"^\s*{current}\s*$"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        for link in links.all():
            box = link.bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, (path, link.inner_text(), box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= 320, (path, box)
        assert narrow_problems(page, path) == []
    page.goto(base + "/")
    SHOTS.take(page, "tab-bar-320")
