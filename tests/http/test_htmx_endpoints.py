"""Each URL htmx calls answers a whole page without HX-Request and a fragment with it."""

from __future__ import annotations

import re

from ..support import new_marker


def _is_full_page(html: str) -> bool:
    return html.lstrip().lower().startswith("<!doctype html>") and "<header" in html


def test_entry_list_pages(web):
    web.sign_up("ana@example.org")
    titles = [f"entry {n:02d}" for n in range(25)]
    for title in titles:
        web.new_entry(title, "text")
    first = web.get("/entries").get_data(as_text=True)
    assert _is_full_page(first)
    shown = re.findall(r'<span class="entry-title">([^<]+)</span>', first)
    assert shown == list(reversed(titles))[:20]  # newest first, a page of 20
    more = re.search(r'hx-get="(/entries\?before=[^"]+)"', first).group(1).replace("&amp;", "&")
    fragment = web.get(more, htmx=True)
    assert fragment.headers["Vary"].count("HX-Request") == 1
    html = fragment.get_data(as_text=True)
    assert not _is_full_page(html) and html.lstrip().startswith("<li")
    assert re.findall(r'<span class="entry-title">([^<]+)</span>', html) == list(reversed(titles))[20:]
    assert "hx-get" not in html  # the last page asks for no more
    page = web.get(more).get_data(as_text=True)  # the same URL without htmx: a whole page
    assert _is_full_page(page)
    assert re.findall(r'<span class="entry-title">([^<]+)</span>', page) == list(reversed(titles))[20:]


def test_boosted_and_history_restore_requests_get_the_page(web):
    web.sign_up("ana@example.org")
    for header in ("HX-Boosted", "HX-History-Restore-Request"):
        html = web.get("/entries", htmx=True, headers={header: "true"}).get_data(as_text=True)
        assert _is_full_page(html)


def test_bad_cursor_is_a_clear_400(web):
    web.sign_up("ana@example.org")
    response = web.get("/entries?before=not-a-cursor", htmx=False)
    assert response.status_code == 400 and _is_full_page(response.get_data(as_text=True))


def test_autosave_new_entry(web):
    web.sign_up("ana@example.org")
    marker = new_marker("AUTOSAVE")
    page = web.get("/entries/new").get_data(as_text=True)
    client_key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
    fragment = web.post("/entries/draft", {"client_key": client_key, "title": "", "body": marker}, htmx=True)
    assert fragment.status_code == 200
    assert fragment.get_data(as_text=True).startswith("Draft kept at")
    # Without script ("Keep as draft"): the kept draft's own address, the form with it back in.
    full = web.post("/entries/draft", {"client_key": client_key, "title": "", "body": marker + " more"})
    assert full.status_code == 303 and full.headers["Location"] == f"/entries/new?draft={client_key}"
    html = web.get(full.headers["Location"]).get_data(as_text=True)
    assert _is_full_page(html) and "Draft kept" in html and marker + " more" in html
    # The list offers to continue it, and it comes back in the form.
    listing = web.get("/entries").get_data(as_text=True)
    assert "Not saved yet" in listing and f"/entries/new?draft={client_key}" in listing
    resumed = web.get(f"/entries/new?draft={client_key}").get_data(as_text=True)
    assert marker + " more" in resumed and client_key in resumed
    # Saving it turns the draft into one entry; the draft is gone.
    assert web.post("/entries", {"client_key": client_key, "title": "", "body": marker + " more"}).status_code == 303
    assert "Not saved yet" not in web.get("/entries").get_data(as_text=True)


def test_autosave_edit(web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("title", "saved text")
    fragment = web.post(
        f"/entries/{entry}/draft", {"version": "1", "title": "title", "body": "unsaved edit"}, htmx=True
    )
    assert fragment.status_code == 200 and "Draft kept" in fragment.get_data(as_text=True)
    full = web.post(f"/entries/{entry}/draft", {"version": "1", "title": "title", "body": "unsaved edit 2"})
    assert full.status_code == 303 and full.headers["Location"] == f"/entries/{entry}/edit"
    form = web.get(f"/entries/{entry}/edit").get_data(as_text=True)
    assert "unsaved edit 2" in form and "Your unsaved changes are back" in form and "Draft kept" in form
    assert "saved text" in web.get(f"/entries/{entry}").get_data(as_text=True)  # the entry itself is unchanged


def test_autosave_refuses_what_cannot_be_saved_and_says_why(web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("title", "text")
    response = web.post(f"/entries/{entry}/draft", {"version": "1", "title": "t", "body": "bad\x00byte"}, htmx=True)
    assert response.status_code == 200
    assert "Not kept yet" in response.get_data(as_text=True)
