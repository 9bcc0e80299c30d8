"""The app in a real browser (Debian Chromium via Playwright) against the real server under gunicorn.

Screenshots of every step go to test-output/screenshots/ for a human to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from ..support import PASSWORD, new_marker
from .browser_support import (
    NARROW,
    PHONE,
    Shots,
    create_entry,
    end_sessions,
    keep_draft,
    luminance,
    narrow_problems,
    new_email,
    sign_in,
    sign_up,
)

pytestmark = pytest.mark.browser


def test_journey_on_a_phone(server, open_context):
    """Sign up, keep the recovery code, write, autosave, save, edit, sign out, sign in, read again."""
    base, _ = server
    shots = Shots("journey")
    email = new_email("journey")
    title = f"After session two {new_marker('TITLE')}"
    body_marker, edit_marker = new_marker("BODY"), new_marker("EDIT")
    body = f"The room felt very wide.\n\nI kept thinking of the lake. {body_marker}"
    edited = f"The room felt very wide, then small and warm.\n\nThe lake again. {edit_marker}"

    page = open_context(**PHONE).new_page()
    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("A private journal for the days between sessions")
    shots.take(page, "welcome")

    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(base + "/signup")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    shots.take(page, "sign-up")

    expect(page.get_by_label("A client, writing my own journal")).to_be_checked()
    page.get_by_label("A client, writing my own journal").check()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    shots.take(page, "sign-up-filled")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Save your recovery code")).to_be_visible()
    code = page.locator("[data-recovery-code]").inner_text().strip()
    assert len(code) >= 16, code
    shots.take(page, "recovery-code")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download as a file").click()
    download = download_info.value
    assert download.suggested_filename == "journal-recovery-code.txt"
    assert code in Path(download.path()).read_text(encoding="utf-8")
    saved = page.get_by_label("I have saved my recovery code somewhere safe")
    saved.check()
    expect(saved).to_be_checked()
    shots.take(page, "recovery-code-saved")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("heading", name="Preparing", exact=True)).to_be_visible()
    expect(page.get_by_text("Thank you. Your recovery code is confirmed.")).to_be_visible()
    shots.take(page, "today-preparing")
    page.get_by_role("link", name="Journal entries").click()
    expect(page).to_have_url(base + "/entries")
    expect(page.get_by_text("Nothing here yet.")).to_be_visible()
    shots.take(page, "journal-empty")

    tabs = page.get_by_role("navigation", name="Main")
    page.get_by_role("main").get_by_role("link", name="New entry").click()
    expect(page).to_have_url(re.compile(r"/entries/new$"))
    expect(page.get_by_role("heading", name="New entry")).to_be_visible()
    shots.take(page, "new-entry")

    page.get_by_label("Title").press_sequentially(title[:20])
    page.get_by_label("Title").fill(title)
    page.get_by_label("What came up?").fill(body)
    shots.take(page, "new-entry-typed")
    # htmx posts the draft 1.2 s after the last keystroke; the status line says it was kept.
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Draft kept", timeout=10_000)
    shots.take(page, "draft-kept")

    page.get_by_role("button", name="Save entry").click()
    expect(page).to_have_url(re.compile(r"/entries/[0-9a-f-]{36}$"))
    entry_url = page.url
    expect(page.get_by_text("Entry saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".entry-body")).to_contain_text(body_marker)
    shots.take(page, "entry-saved")

    page.get_by_role("link", name="Back to the journal").click()
    expect(page).to_have_url(base + "/entries")
    expect(page.get_by_role("link", name=re.compile(re.escape(title)))).to_be_visible()
    # The draft went away with the save: nothing is listed as "not saved yet".
    expect(page.get_by_role("heading", name="Not saved yet")).to_have_count(0)
    shots.take(page, "journal-with-entry")

    page.get_by_role("link", name=re.compile(re.escape(title))).click()
    expect(page).to_have_url(entry_url)
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit entry")).to_be_visible()
    expect(page.get_by_label("What came up?")).to_have_value(body)
    shots.take(page, "edit")

    page.get_by_label("What came up?").fill(edited)
    expect(status).to_contain_text("Draft kept", timeout=10_000)
    shots.take(page, "edit-changed")
    page.get_by_role("button", name="Save entry").click()
    expect(page).to_have_url(entry_url)
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    expect(page.locator(".entry-body")).to_contain_text(edit_marker)
    expect(page.locator(".entry-body")).not_to_contain_text(body_marker)
    expect(page.get_by_role("article")).to_contain_text("· edited")
    shots.take(page, "entry-edited")

    tabs.get_by_role("link", name="Me", exact=True).click()
    expect(page).to_have_url(base + "/account")
    expect(page.get_by_text(email)).to_be_visible()
    shots.take(page, "me")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin$"))
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    shots.take(page, "signed-out")

    # Signed out means locked: the entry is not readable without signing in again.
    page.goto(entry_url)
    expect(page).to_have_url(re.compile(r"/signin\?"))
    expect(page.get_by_text(edit_marker)).to_have_count(0)

    page.goto(base + "/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    shots.take(page, "sign-in-filled")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base + "/")
    page.goto(base + "/entries")
    shots.take(page, "journal-after-sign-in")

    page.get_by_role("link", name=re.compile(re.escape(title))).click()
    expect(page).to_have_url(entry_url)
    expect(page.locator(".entry-body")).to_contain_text(edit_marker)
    expect(page.locator(".entry-body")).to_contain_text("then small and warm")
    shots.take(page, "entry-after-sign-in")


def test_no_sideways_scroll_and_big_targets_at_320px(server, open_context):
    """Every page a client sees fits 320 px, and every control is at least 44 px tall."""
    base, _ = server
    shots = Shots("320")
    problems: list[str] = []
    page = open_context(**NARROW).new_page()

    def check(name: str) -> None:
        page.wait_for_load_state("load")
        expect(page.locator("main")).to_be_visible()
        problems.extend(narrow_problems(page, name))
        shots.take(page, name)

    for name, path in [
        ("welcome", "/"),
        ("sign-in", "/signin"),
        ("sign-up", "/signup"),
        ("help", "/help"),
        ("recover", "/recover"),
    ]:
        page.goto(base + path)
        check(name)

    # The skip link, once focused from the keyboard, is a control like the others.
    page.goto(base + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    if skip.bounding_box()["height"] < 43.5:
        problems.append(f"focused skip link is {skip.bounding_box()['height']}px tall")

    page.goto(base + "/signup")
    page.get_by_label("Email").fill("not an email")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check("sign-up-errors")

    page.goto(base + "/signup")
    email = f"a.rather.long.name-{new_email('narrow')}"
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Save your recovery code")).to_be_visible()
    check("recovery-code")
    page.get_by_label("I have saved my recovery code somewhere safe").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(base + "/")
    check("today")
    page.goto(base + "/entries")
    check("journal-empty")

    marker = new_marker("NARROW")
    long_word = "Unbreakable" * 8
    long_url = "https://example.org/" + "a-long-path-segment/" * 6 + "end"
    create_entry(page, base, "A short one", "Only a line.")
    entry_id = create_entry(
        page,
        base,
        f"A long title {long_word} that should wrap on a narrow phone",
        f"# Heading {long_word}\n\nSome *italic* and **bold** words. {marker}\n\n- a list item\n- {long_word}\n\n"
        f"> A quote that goes on for a while and holds {long_word}\n\n    code block line {long_word} {long_word}\n\n"
        f"A link: {long_url}\n\n[a markdown link]({long_url})",
    )
    keep_draft(page, base, "", f"A draft that was never saved {long_word}")
    page.goto(base + "/entries")
    expect(page.get_by_role("heading", name="Not saved yet")).to_be_visible()
    check("journal-with-entries")

    page.goto(base + "/entries/new")
    check("new-entry")
    page.goto(f"{base}/entries/{entry_id}")
    expect(page.locator(".entry-body")).to_contain_text(marker)
    check("read-entry")
    page.get_by_role("link", name="Edit").click()
    check("edit-entry")
    page.goto(f"{base}/entries/{entry_id}/delete")
    check("delete-confirm")
    page.goto(base + "/account")
    check("me")
    page.goto(base + "/recovery-code/new")
    check("new-recovery-code")
    page.goto(base + "/help")
    check("help-signed-in")

    assert not problems, "\n".join(problems)


def test_script_in_an_entry_stays_inert(server, open_context):
    """Markup typed into an entry is shown, never run: no dialogs, no script or handler in the DOM."""
    base, _ = server
    context = open_context(**PHONE)
    page = context.new_page()
    dialogs: list[str] = []
    console: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    sign_up(page, base, new_email("inert"))

    marker = new_marker("INERT")
    body = (
        f"{marker}\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        '[click](javascript:alert(3))\n\n<a href="javascript:alert(4)">raw link</a>\n\n'
        '<svg onload=alert(5)></svg>\n\n<iframe src="javascript:alert(6)"></iframe>'
    )
    page.goto(base + "/entries/new")
    page.get_by_label("Title").fill("<b onmouseover=alert(7)>Bold title</b>")
    page.get_by_label("What came up?").fill(body)
    page.get_by_role("button", name="Save entry").click()
    expect(page).to_have_url(re.compile(r"/entries/[0-9a-f-]{36}$"))

    entry = page.locator(".entry-body")
    expect(entry).to_contain_text(marker)
    # Raw HTML is shown as the text that was typed.
    expect(entry).to_contain_text("<script>alert(1)</script>")
    expect(entry).to_contain_text("<img src=x onerror=alert(2)>")
    expect(page.get_by_role("heading", level=1)).to_have_text("<b onmouseover=alert(7)>Bold title</b>")
    assert entry.locator("script, img, svg, iframe, object, embed").count() == 0
    assert page.locator("[onerror], [onload], [onmouseover], [onclick]").count() == 0
    assert page.locator("a[href^='javascript' i], iframe, [src^='javascript' i]").count() == 0
    for link in entry.locator("a").all():
        href = link.get_attribute("href")
        assert href is None or href.startswith(("http:", "https:", "mailto:")), href

    # Click what is left of the javascript: link, and reload once more: still nothing runs.
    entry.get_by_text("click", exact=True).click()
    page.reload()
    page.wait_for_timeout(300)
    assert dialogs == []
    # Nothing was even attempted: no CSP refusal, no script error.
    assert not [line for line in console if "Content Security Policy" in line or "alert" in line], console


def test_idle_lock_sends_the_whole_page_to_sign_in_and_back(server, open_context):
    """When the session ends, an htmx request takes the whole page to sign-in, and signing in returns there."""
    base, database = server
    email = new_email("idle")
    shots = Shots("idle-lock")
    context = open_context(**PHONE)
    page = context.new_page()
    sign_up(page, base, email)
    for number in range(21):
        create_entry(page, base, f"Entry number {number:02d}", f"Body of entry {number}")

    # 1. Scrolling the journal list: htmx fetches the older entries ("revealed").
    page.goto(base + "/entries")
    expect(page.locator(".entry-item")).to_have_count(20)
    older = page.get_by_role("link", name="Older entries")
    expect(older).to_be_attached()
    assert end_sessions(database, email) >= 1
    older.scroll_into_view_if_needed()
    page.wait_for_url(re.compile(r"/signin\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("next") == ["/entries"], page.url
    assert query.get("locked") == ["1"], page.url
    expect(page.get_by_text("You were signed out after a quiet while")).to_be_visible()
    expect(page.get_by_text("Entry number")).to_have_count(0)
    shots.take(page, "locked-from-list")
    sign_in(page, email)
    expect(page).to_have_url(base + "/entries")
    page.get_by_role("link", name="Older entries").scroll_into_view_if_needed()
    expect(page.locator(".entry-item")).to_have_count(21)
    expect(page.get_by_role("link", name=re.compile("Entry number 00"))).to_be_visible()

    # 2. Any htmx GET on another page (the timeline loads htmx for its older groups): sign-in then returns to
    #    that page, not to the journal.
    other_path = "/timeline"
    page.goto(base + other_path)
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    assert end_sessions(database, email) >= 1
    page.evaluate("() => { htmx.ajax('GET', '/entries', {target: '#main'}); }")
    page.wait_for_url(re.compile(r"/signin\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("next") == [other_path], page.url
    shots.take(page, "locked-from-timeline")
    sign_in(page, email)
    expect(page).to_have_url(base + other_path)
    expect(page.get_by_text("Entry number 20").first).to_be_visible()

    # 3. An autosave after the lock: the page and the text stay, the status line says what happened,
    #    and after signing in again in another tab, Save keeps the text.
    page.goto(base + "/entries/new")
    assert end_sessions(database, email) >= 1
    words = f"Written while the lock came down {new_marker('LOCKED')}"
    page.get_by_label("What came up?").fill(words)
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("You were signed out. Your text is still here", timeout=10_000)
    expect(page).to_have_url(base + "/entries/new")
    expect(page.get_by_label("What came up?")).to_have_value(words)
    shots.take(page, "autosave-after-lock")
    other = context.new_page()
    other.goto(base + "/signin")
    sign_in(other, email)
    expect(other).to_have_url(base + "/")
    other.close()
    page.get_by_role("button", name="Save entry").click()
    expect(page).to_have_url(re.compile(r"/entries/[0-9a-f-]{36}$"))
    expect(page.locator(".entry-body")).to_contain_text(words)


def test_theme_toggle_and_dark_device(server, open_context):
    """The header button cycles device -> dark -> light; with no choice the device's dark scheme is used."""
    base, _ = server
    shots = Shots("theme")
    page = open_context(**PHONE, color_scheme="dark").new_page()
    html = page.locator("html")

    def background() -> float:
        return luminance(page.evaluate("getComputedStyle(document.body).backgroundColor"))

    page.goto(base + "/")
    toggle = page.get_by_role("button", name=re.compile(r"^Theme: "))
    expect(toggle).to_have_accessible_name("Theme: follows your device")
    expect(html).not_to_have_attribute("data-theme", re.compile(".*"))
    assert background() < 0.05, "the device is dark, so the page should be"
    shots.take(page, "device-dark")

    toggle.click()
    expect(html).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_accessible_name("Theme: dark")
    expect(page.locator("#live-status")).to_have_text("Theme: dark")
    assert background() < 0.05

    toggle.click()
    expect(html).to_have_attribute("data-theme", "light")
    expect(toggle).to_have_accessible_name("Theme: light")
    assert background() > 0.8, "chosen light wins over a dark device"
    shots.take(page, "chosen-light")

    page.goto(base + "/help")  # the choice is kept on this device
    expect(html).to_have_attribute("data-theme", "light")
    expect(toggle).to_have_accessible_name("Theme: light")
    assert background() > 0.8

    toggle.click()
    expect(html).not_to_have_attribute("data-theme", re.compile(".*"))
    expect(toggle).to_have_accessible_name("Theme: follows your device")
    assert background() < 0.05
    page.reload()
    expect(html).not_to_have_attribute("data-theme", re.compile(".*"))

    light_page = open_context(**PHONE, color_scheme="light").new_page()
    light_page.goto(base + "/")
    assert luminance(light_page.evaluate("getComputedStyle(document.body).backgroundColor")) > 0.8
    light_page.get_by_role("button", name=re.compile(r"^Theme: ")).click()
    expect(light_page.locator("html")).to_have_attribute("data-theme", "dark")
    assert luminance(light_page.evaluate("getComputedStyle(document.body).backgroundColor")) < 0.05
    shots.take(light_page, "light-device-chosen-dark")
