"""Writing in the foggy hour after a dose: the new-entry form is ready to type in, its Save stays in reach."""

from __future__ import annotations

import html
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


# A paste longer than an entry holds is never cut: refused in plain words, given back whole, kept as a draft.

LONG = ("The colours kept moving, and I let them. " * 2500)[:100_000]  # 100,000 characters


def _new_form_key(web) -> str:
    page = web.get("/entries/new").get_data(as_text=True)
    return re.search(r'name="client_key" value="([^"]+)"', page).group(1)


def _textarea_text(page: str) -> str:
    return html.unescape(page.split(">", 1)[1].split("</textarea>", 1)[0]) if page else ""


def test_the_body_has_no_length_cut_in_the_page_and_says_its_limit(web):
    web.sign_up("ana@example.org")
    box = _body_box(web.get("/entries/new").get_data(as_text=True))
    assert "maxlength" not in box and 'data-limit="60000"' in box
    assert (
        "maxlength" not in web.get("/offline/entry").get_data(as_text=True).split('id="title"', 1)[1].split(">", 1)[0]
    )


def test_a_too_long_entry_is_refused_in_plain_words_with_every_character_given_back(web):
    web.sign_up("ana@example.org")
    key = _new_form_key(web)
    sent = LONG + "\nand the last line, which must not be lost: é 🌊"
    response = web.post("/entries", {"client_key": key, "title": "All of it", "body": sent})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"This is {len(sent):,} characters; an entry can hold 60,000. Split it in two?" in page
    box = page[page.index('<textarea id="body"') :]
    assert _textarea_text(box) == sent
    assert 'value="All of it"' in page and f'value="{key}"' in page  # the same form: sending it again saves once
    assert 'class="entry-item"' not in web.get("/entries").get_data(as_text=True)


def test_a_draft_keeps_a_too_long_text_whole_and_says_it_is_too_long_to_save(web):
    web.sign_up("ana@example.org")
    key = _new_form_key(web)
    status = web.post("/entries/draft", {"client_key": key, "title": "", "body": LONG}, htmx=True)
    assert status.status_code == 200
    said = status.get_data(as_text=True)
    assert "Draft kept at" in said and "This is 100,000 characters; an entry can hold 60,000. Split it in two?" in said
    page = web.get(f"/entries/new?draft={key}").get_data(as_text=True)
    assert _textarea_text(page[page.index('<textarea id="body"') :]) == LONG


def test_a_draft_has_a_limit_too_and_says_so_instead_of_cutting(web):
    web.sign_up("ana@example.org")
    key = _new_form_key(web)
    huge = "x" * 150_001
    said = web.post("/entries/draft", {"client_key": key, "body": huge}, htmx=True).get_data(as_text=True)
    assert "Not kept yet: This is 150,001 characters; a draft can hold 150,000 and an entry 60,000." in said
    assert web.get(f"/entries/new?draft={key}").get_data(as_text=True).count("x" * 1000) == 0  # nothing half kept


def test_an_edit_too_long_is_refused_with_the_text_given_back_and_its_draft_kept_whole(web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("Short", "at first")
    response = web.post(f"/entries/{entry}/edit", {"version": "1", "title": "Short", "body": LONG})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This is 100,000 characters; an entry can hold 60,000. Split it in two?" in page
    assert _textarea_text(page[page.index('<textarea id="body"') :]) == LONG
    said = web.post(f"/entries/{entry}/draft", {"version": "1", "title": "Short", "body": LONG}, htmx=True)
    assert "Draft kept at" in said.get_data(as_text=True)
    page = web.get(f"/entries/{entry}/edit").get_data(as_text=True)
    assert "Your unsaved changes are back in the form." in page
    assert _textarea_text(page[page.index('<textarea id="body"') :]) == LONG
    assert "at first" in web.get(f"/entries/{entry}").get_data(as_text=True)  # the saved entry is untouched
