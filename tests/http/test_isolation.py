"""Another client, signed in, gets 404 for every URL of someone else's entry: pages and fragments."""

from __future__ import annotations

import re

from ..support import new_marker


def test_second_client_gets_404_for_first_clients_entry(web, other_web):
    web.sign_up("ana@example.org")
    marker = new_marker("ISOLATED")
    entry = web.new_entry("ana's", marker)
    page = web.get("/entries/new").get_data(as_text=True)
    client_key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
    web.post("/entries/draft", {"client_key": client_key, "title": "", "body": marker}, htmx=True)
    draft_id = re.search(r"/entries/drafts/([0-9a-f-]+)/discard", web.get("/entries").get_data(as_text=True)).group(1)

    other_web.sign_up("ben@example.org")
    for htmx in (False, True):
        for url in (f"/entries/{entry}", f"/entries/{entry}/edit", f"/entries/{entry}/delete"):
            response = other_web.get(url, htmx=htmx)
            assert response.status_code == 404, url
            assert marker not in response.get_data(as_text=True)
        posts = {
            f"/entries/{entry}/edit": {"version": "1", "title": "x", "body": "overwrite"},
            f"/entries/{entry}/draft": {"version": "1", "title": "x", "body": "overwrite"},
            f"/entries/{entry}/delete": {},
            f"/entries/drafts/{draft_id}/discard": {},
        }
        for url, data in posts.items():
            assert other_web.post(url, data, htmx=htmx).status_code == 404, url
    # Ben's own list and a resumed "draft" with Ana's client-made id show nothing of hers.
    assert marker not in other_web.get("/entries").get_data(as_text=True)
    assert marker not in other_web.get(f"/entries/new?draft={client_key}").get_data(as_text=True)
    # Reusing Ana's client-made id makes Ben his own entry, not a view of hers.
    created = other_web.post("/entries", {"client_key": client_key, "title": "ben", "body": "his own"})
    assert created.status_code == 303 and entry not in created.headers["Location"]
    # Ana's entry and draft are untouched.
    assert marker in web.get(f"/entries/{entry}").get_data(as_text=True)
    assert marker in web.get(f"/entries/new?draft={client_key}").get_data(as_text=True)


def test_therapist_cannot_open_the_journal(web, other_web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("ana's", "private")
    other_web.sign_up("doc@example.org", role="therapist")
    assert other_web.get("/entries").status_code == 403
    assert other_web.get(f"/entries/{entry}").status_code == 403
    assert "No clients are linked" in other_web.get("/").get_data(as_text=True)


def test_signed_out_visitor_is_sent_to_sign_in(app, web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("ana's", "private")
    stranger = web.__class__(app.test_client())
    response = stranger.get(f"/entries/{entry}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
