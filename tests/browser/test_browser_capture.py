"""Capturing in the hours after a dose, on a phone (Debian Chromium via Playwright, 390x844) against gunicorn:
Today's first actions, photos attached to entries and entries to photos, the five-tab bar at 320 px, and writing
offline that is sent by itself when the network returns.

Screenshots go to test-output/screenshots/capture/.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from .. import art_images
from ..support import new_marker
from .browser_support import NARROW, PHONE, Shots, narrow_problems, new_email, sign_up
from .test_browser_art import log_session
from .test_browser_course import ZONE, wait_past_local_midnight
from .test_browser_pwa import OUTBOX_ITEMS_JS, signed_up_client

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


def add_photo(page, base: str, name: str, seed: int, caption: str = "") -> str:
    """Through the upload page, as a person does; returns the new photo's id."""
    before = set(re.findall(r'href="/art/([0-9a-f-]{36})"', page.request.get(base + "/art").text()))
    page.goto(base + "/art/new")
    page.get_by_label("Photos", exact=True).set_input_files([photo(name, seed)])
    if caption:
        page.get_by_label("Caption or reflection").fill(caption)
    page.get_by_role("button", name="Add photos").click()
    expect(page.get_by_text("Photo added.")).to_be_visible()
    (added,) = set(re.findall(r'href="/art/([0-9a-f-]{36})"', page.request.get(base + "/art").text())) - before
    return added


def test_attach_a_photo_to_a_new_entry_and_a_new_one_from_the_form(server, open_context):
    base, _ = server
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("capture-attach"))
    spiral = add_photo(page, base, "spiral.jpg", 3, caption="The spiral I drew")

    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Add").click()
    page.get_by_role("link", name="Journal entry").click()
    photos = page.get_by_role("group", name="Add a photo of your art")
    expect(photos.get_by_role("checkbox")).to_have_count(1)
    photos.get_by_role("checkbox", name=re.compile("The spiral I drew")).check()
    page.get_by_label("Title").fill("After the session")
    page.get_by_label("What came up?").fill("Colours, mostly. A spiral that kept turning.")
    # A second photo, new: through the upload and back, the words and the tick kept.
    photos.get_by_role("button", name="Take or add a new photo").click()
    expect(page.get_by_text("Once added, the photo goes with what you are writing.")).to_be_visible()
    page.get_by_label("Photos", exact=True).set_input_files([photo("wave.jpg", 4)])
    page.get_by_role("button", name="Add photos").click()
    expect(page.get_by_label("What came up?")).to_have_value("Colours, mostly. A spiral that kept turning.")
    expect(page.get_by_label("Title")).to_have_value("After the session")
    ticked = page.get_by_role("group", name="Add a photo of your art").get_by_role("checkbox", checked=True)
    expect(ticked).to_have_count(2)
    SHOTS.take(page, "entry-form-photos")
    page.get_by_role("button", name="Save entry").click()

    expect(page.get_by_role("heading", name="After the session")).to_be_visible()
    held = page.locator(".entry-photos-held img")
    expect(held).to_have_count(2)
    expect(held.first).to_have_attribute("alt", "The spiral I drew")
    page.wait_for_function("[...document.querySelectorAll('.entry-photos-held img')].every(i => i.naturalWidth > 0)")
    SHOTS.take(page, "entry-with-photo")
    page.locator(".entry-photos-held a").first.click()
    expect(page).to_have_url(base + f"/art/{spiral}")
    expect(page.get_by_role("navigation", name="Main").locator("[aria-current='page']")).to_contain_text("Art")
    expect(page.get_by_role("link", name="After the session")).to_be_visible()


def test_write_about_this_from_a_photo(server, open_context):
    base, _ = server
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("capture-write"))
    art = add_photo(page, base, "mask.jpg", 5, caption="A mask in clay")
    page.goto(base + f"/art/{art}")
    expect(page.get_by_text("No entry holds this photo yet.")).to_be_visible()
    page.get_by_role("link", name="Write about this").click()
    expect(page.get_by_role("heading", name="New entry")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("A mask in clay"))).to_be_checked()
    page.get_by_label("What came up?").fill("The mask was my father's face, softened.")
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator(".entry-photos-held img")).to_have_attribute("alt", "A mask in clay")
    page.goto(base + f"/art/{art}")
    expect(page.get_by_role("region", name="In your journal").get_by_role("link", name="Untitled")).to_be_visible()
    # And "Link to an entry" adds the same photo to another entry, chosen from a list.
    page.goto(base + "/entries/new")
    page.get_by_label("Title").fill("Later that week")
    page.get_by_label("What came up?").fill("Still thinking about it.")
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_role("heading", name="Later that week")).to_be_visible()
    page.goto(base + f"/art/{art}")
    page.get_by_role("link", name="Link to an entry").click()
    expect(page.get_by_role("radio", name=re.compile("Untitled"))).to_be_disabled()  # holds it already
    page.get_by_role("radio", name=re.compile("Later that week")).check()
    page.get_by_role("button", name="Link the photo").click()
    expect(page.get_by_text("Linked to “Later that week”.")).to_be_visible()
    expect(page.get_by_role("region", name="In your journal").get_by_role("listitem")).to_have_count(2)
    assert narrow_problems(page, "photo page", 390) == []


def test_written_on_the_offline_form_and_sent_within_seconds_of_the_network_returning(server, open_context):
    base, _ = server
    page = signed_up_client(open_context, base, "capture-offline")
    title = new_marker("OFFLINEFORM")

    # Opened without a network: the copy of the form kept on the phone, with the bottom bar.
    page.context.set_offline(True)
    page.goto(base + "/entries/new")
    expect(page.get_by_role("heading", name="New entry")).to_be_visible()
    tabs = page.get_by_role("navigation", name="Main")
    expect(tabs.get_by_role("link")).to_have_count(5)
    page.get_by_label("Title").fill(title)
    page.get_by_label("What came up?").fill("Written while the phone had no signal.")
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator("[data-outbox-status]")).to_contain_text("Saved on this phone")
    badge = page.locator("[data-outbox-indicator]")
    expect(badge).to_contain_text("1 waiting to send")
    page.evaluate("window.stillThisPage = true")

    # The network returns while the form is open: sent by itself, the badge gone, without a reload.
    page.context.set_offline(False)
    started = time.monotonic()
    expect(badge).to_be_hidden(timeout=5000)
    expect(page.locator("[data-connection]")).to_contain_text("1 item written offline has been sent.", timeout=5000)
    waited = time.monotonic() - started
    assert waited < 5, waited
    assert page.evaluate("window.stillThisPage") is True
    assert page.evaluate(OUTBOX_ITEMS_JS) == []
    assert page.request.get(base + "/entries").text().count(title) == 1
    page.locator("[data-connection]").get_by_role("link", name="See it in your journal").click()
    expect(page.get_by_role("link", name=re.compile(title))).to_be_visible()


def test_the_offline_page_keeps_the_bottom_bar(server, open_context):
    base, _ = server
    page = signed_up_client(open_context, base, "capture-offline-page")
    page.context.set_offline(True)
    page.goto(base + "/timeline")
    expect(page.get_by_role("heading", name="This page needs a connection")).to_be_visible()
    tabs = page.get_by_role("navigation", name="Main")
    expect(tabs.get_by_role("link")).to_have_count(5)
    assert [name.strip() for name in tabs.get_by_role("link").all_inner_texts()] == TABS
    assert narrow_problems(page, "offline page", 390) == []
