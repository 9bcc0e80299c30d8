"""Writing in the foggy hour, in a real browser on a phone: the new entry is ready to type in, Save stays above
the keyboard (a 390x500 viewport stands for a 390x844 phone with its keyboard open).

Screenshots go to test-output/screenshots/writing/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .browser_support import PHONE, Shots, new_email, sign_up

pytestmark = pytest.mark.browser

KEYBOARD_OPEN = {"width": 390, "height": 500}
UUID = r"[0-9a-f-]{36}"

# Where the Save button is, and whether it is the thing a thumb would touch there (not under the tab bar).
SAVE_IN_VIEW_JS = """
(name) => {
  const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === name);
  const box = button.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {top: box.top, bottom: box.bottom, height: window.innerHeight, touchable: hit === button};
}
"""


# Where the caret's line is: the text is short lines without wrapping, so the caret at the end sits on line
# `lines` of the box, seen through the box's own scrolling. It must show between the top of the window and the bar
# that floats over the bottom of the form (under the bar, the line being typed would be hidden).
CARET_IN_VIEW_JS = """
() => {
  const box = document.getElementById('body');
  const style = getComputedStyle(box);
  const lines = box.value.slice(0, box.selectionStart).split('\\n').length;
  const lineHeight = parseFloat(style.lineHeight);
  const top = box.getBoundingClientRect().top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop);
  const bar = box.form.querySelector('.sticky-actions').getBoundingClientRect();
  return {lineTop: top + (lines - 1) * lineHeight - box.scrollTop, lineBottom: top + lines * lineHeight - box.scrollTop,
          barTop: bar.top, boxTop: box.getBoundingClientRect().top};
}
"""


@pytest.fixture(scope="module")
def shots():
    return Shots("writing")


def _save_is_in_view(page, name: str = "Save entry") -> None:
    where = page.evaluate(SAVE_IN_VIEW_JS, name)
    assert 0 <= where["top"] and where["bottom"] <= where["height"], where
    assert where["touchable"], where


def test_new_entry_takes_the_cursor_and_save_stays_above_the_keyboard(server, open_context, shots):
    base, _database = server
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("writing"))

    page.goto(base + "/entries/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New entry")
    assert page.evaluate("document.activeElement.id") == "body"

    page.set_viewport_size(KEYBOARD_OPEN)
    body = page.get_by_label("What came up?")
    body.click()  # the caret in the text box, as a tap would put it
    _save_is_in_view(page)
    shots.take(page, "new-entry-keyboard-open", full_page=False)

    for line in range(1, 31):
        page.keyboard.type(f"Line {line} of what is still with me")
        page.keyboard.press("Enter")
    assert body.input_value().count("\n") == 30
    _save_is_in_view(page)
    caret = page.evaluate(CARET_IN_VIEW_JS)
    assert 0 <= caret["lineTop"] and caret["lineBottom"] <= caret["barTop"] + 1, caret
    shots.take(page, "new-entry-30-lines-keyboard-open", full_page=False)


def test_an_edit_leaves_the_focus_alone(server, open_context):
    base, _database = server
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("writing-edit"))
    page.goto(base + "/entries/new")
    page.get_by_label("What came up?").fill("A first draft of the day")
    page.get_by_role("button", name="Save entry").click()
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit entry")
    assert page.evaluate("document.activeElement.id") != "body"


def test_a_long_paste_is_kept_whole_said_plainly_and_given_back_by_the_server(server, open_context, shots):
    base, _database = server
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("writing-paste"))
    page.goto(base + "/entries/new")
    body = page.get_by_label("What came up?")
    count, over = page.locator("#body-count"), page.locator("#body-over")

    near = ("Colours, a long corridor, my grandmother's hands. " * 1200)[:53_999] + "."
    page.keyboard.insert_text(near)  # a paste: one input of 54,000 characters
    expect(count).to_have_text("54,000 of 60,000 characters")
    expect(over).to_be_hidden()
    expect(page.locator("#live-status")).to_have_text("54,000 of 60,000 characters")  # said once, politely
    page.keyboard.type(" more")  # five keystrokes: the count follows, the screen reader is not told each one
    expect(count).to_have_text("54,005 of 60,000 characters")
    page.wait_for_timeout(2500)  # a pause in typing, but only seconds after the count was said
    expect(page.locator("#live-status")).to_have_text("54,000 of 60,000 characters")

    rest = ("And then the quiet afterwards. " * 1500)[: 100_000 - len(near) - 6] + "!"
    page.keyboard.insert_text(rest)
    message = "This is 100,000 characters; an entry can hold 60,000. Split it in two?"
    assert len(body.input_value()) == 100_000  # nothing cut
    expect(over).to_have_text(message)
    expect(count).to_be_hidden()
    expect(page.locator("#live-status")).to_have_text(message)
    expect(page.locator("#autosave-status")).to_contain_text("Draft kept at", timeout=15_000)  # kept whole
    expect(page.locator("#autosave-status")).to_contain_text(message)
    shots.take(page, "long-paste-said-plainly", full_page=False)

    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Save entry").click()
    assert sent.value.status == 422 and page.url == base + "/entries"  # the server refused it: nothing saved
    expect(page.locator("#body-over")).to_have_text(message)  # its refusal, in the same words
    assert body.input_value() == near + " more" + rest
    shots.take(page, "long-paste-refused-text-kept", full_page=False)


def _reload_shows(page, text: str) -> None:
    """A refresh asks for the page again (a GET, no form sent again) and shows what was saved."""
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    answer = page.reload()
    assert answer.request.method == "GET" and answer.status == 200
    expect(page.get_by_role("main")).to_contain_text(text)
    assert posts == []


def test_after_saving_the_address_is_the_saved_item_and_a_refresh_shows_it(server, open_context):
    base, _database = server
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("writing-saved"))

    page.goto(base + "/entries/new")
    page.get_by_label("What came up?").fill("The room was warm and I was not afraid.")
    page.get_by_role("button", name="Save entry").click()
    expect(page).to_have_url(re.compile(rf"/entries/{UUID}$"))
    _reload_shows(page, "The room was warm and I was not afraid.")

    page.goto(base + "/checkins/new")
    page.get_by_role("slider", name="Mood").press("ArrowRight")
    page.get_by_label("A note").fill("steadier than this morning")
    page.get_by_role("button", name="Save check-in").click()
    expect(page).to_have_url(re.compile(rf"/checkins/{UUID}$"))
    _reload_shows(page, "steadier than this morning")

    page.goto(base + "/sessions/new")
    page.get_by_label("Nasal spray").check()
    page.get_by_label("How it felt").fill("far away, then close")
    page.get_by_role("button", name="Log session").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{UUID}$"))
    _reload_shows(page, "far away, then close")


def test_an_entry_too_large_to_send_stays_in_the_form_and_on_the_phone_and_is_not_sent_again(server, open_context):
    """Over the 2 MB request limit the server answers 413 before reading a word: the text stays in the form and
    on the phone, marked as needing a look, and the phone does not keep sending it."""
    base, _database = server
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("writing-too-large"))
    page.goto(base + "/entries/new")
    huge = "A very long night, written down whole. " * 60_000  # 2.3 MB
    page.get_by_label("Title").fill("All of it")
    page.locator("#body").evaluate("(area, text) => { area.value = text; }", huge)
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator("[data-outbox-status]")).to_contain_text("too large to send at once")
    assert page.url == base + "/entries/new"  # no error page: nothing left the screen
    assert page.locator("#body").input_value() == huge
    page.wait_for_timeout(4_000)  # longer than the queue's retry interval
    assert posts.count(base + "/entries") == 1
    page.goto(base + "/outbox")
    expect(page.locator("[data-outbox-list] li")).to_have_count(1)
    expect(page.locator("[data-outbox-list]")).to_contain_text("Too large to send at once")
