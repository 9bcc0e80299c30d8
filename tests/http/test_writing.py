"""Writing in the foggy hour after a dose: the new-entry form is ready to type in, its Save stays in reach."""

from __future__ import annotations

import re

TEXTAREA_RE = re.compile(r"<textarea id=\"body\"[^>]*>", re.S)


def _body_box(page: str) -> str:
    return TEXTAREA_RE.search(page).group(0)


def test_a_new_entry_opens_with_the_cursor_in_the_text_but_an_edit_does_not(web):
    web.sign_up("ana@example.org")
    page = web.get("/entries/new").get_data(as_text=True)
    assert " autofocus" in _body_box(page)
    assert page.count("autofocus") == 1  # only the text box, not the title
    assert "<h1>New entry</h1>" in page and "<title>New entry" in page  # what the page is, said before the box
    entry = web.new_entry("Later", "written")
    assert "autofocus" not in web.get(f"/entries/{entry}/edit").get_data(as_text=True)


def test_the_offline_copy_of_the_form_takes_no_focus(web):
    # It starts hidden until the script knows writing offline is on; focus there would land nowhere.
    assert "autofocus" not in web.get("/offline/entry").get_data(as_text=True)


def test_answering_a_prompt_the_box_is_described_by_the_prompt(web):
    web.sign_up("ana@example.org")
    page = web.get("/entries/new?prompt=preparation-1").get_data(as_text=True)
    assert 'id="prompt-answering"' in page
    assert 'aria-describedby="prompt-answering body-hint' in _body_box(page)


def test_the_hint_speaks_of_stars_not_markdown(web):
    web.sign_up("ana@example.org")
    page = web.get("/entries/new").get_data(as_text=True)
    assert "*stars*" in page and "*emphasis*" in page
    assert "Markdown" not in page


def test_save_rides_in_the_sticky_bar_of_both_quick_forms(web):
    web.sign_up("ana@example.org")
    for url, button in (("/entries/new", "Save entry"), ("/checkins/new", "Save check-in")):
        page = web.get(url).get_data(as_text=True)
        bar = page.split('class="actions sticky-actions"', 1)[1].split("</div>", 1)[0]
        assert button in bar, url
    css = web.get("/static/app.css").get_data(as_text=True)
    assert ".sticky-actions {" in css and "position: sticky" in css
    assert "position: sticky" not in web.get("/static/checkins.css").get_data(as_text=True)  # one rule, shared
