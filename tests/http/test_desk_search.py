"""A therapist searches one client's writing: only what is shared with them now is found, a revoked share
disappears at once, nothing of another client's; the results count in the client's access history."""

from __future__ import annotations

import re

from ..search_support import search
from ..support import new_marker


def _found_titles(page: str) -> list[str]:
    return re.findall(r'<span class="entry-title">([^<]+)</span>', page)


def test_only_what_is_shared_now_is_found_and_a_revoked_share_disappears(app, people, linked):
    web, doc = people
    word = new_marker("SHAREDWORD")
    shared = web.new_entry("Shared one", f"by the {word} river")
    also = web.new_entry("Shared then revoked", f"the {word} again")
    web.new_entry("Kept private", f"my own {word}")
    for record in (shared, also):
        assert web.post(f"/share/{record}", {"link_ids": [str(linked)]}).status_code == 303
    client_id = re.search(r'href="/desk/clients/([0-9a-f-]{36})"', doc.get("/desk").get_data(as_text=True)).group(1)
    path = f"/desk/clients/{client_id}/search"

    page = search(doc, word.upper(), path=path)
    assert sorted(_found_titles(page)) == ["Shared one", "Shared then revoked"]
    # What reached the therapist's screen is in Ana's access history, as a page of summaries is.
    assert "Saw the summaries of what you share on their desk (2 items)" in web.get("/access").get_data(as_text=True)
    assert 'action="' + path + '"' in doc.get(f"/desk/clients/{client_id}").get_data(as_text=True)
    assert f"<mark>{word}</mark>" in page and "Kept private" not in page and "my own" not in page
    assert f'href="/desk/clients/{client_id}/records/{shared}"' in page

    assert web.post(f"/share/{also}", {"link_ids": []}).status_code == 303  # Ana stops sharing it
    page = search(doc, word, path=path)
    assert _found_titles(page) == ["Shared one"] and "again" not in page


def test_another_clients_writing_and_an_unlinked_client_are_out_of_reach(app, people, linked, make_app):
    from ..support import WebClient

    web, doc = people
    other = WebClient(app.test_client())
    other.sign_up("cleo@example.org")
    word = new_marker("CLEOWORD")
    other.new_entry("Cleo's", f"the {word}")
    client_id = re.search(r'href="/desk/clients/([0-9a-f-]{36})"', doc.get("/desk").get_data(as_text=True)).group(1)
    assert "Nothing found" in search(doc, word, path=f"/desk/clients/{client_id}/search")
    with app.app_context():
        from sqlalchemy import select

        from journal.db import get_db
        from journal.models import User

        cleo = get_db().scalar(select(User.id).where(User.email == "cleo@example.org"))
    assert doc.post(f"/desk/clients/{cleo}/search", {"q": word}).status_code == 404
    assert doc.get(f"/desk/clients/{cleo}/search").status_code == 404
    assert web.post(f"/desk/clients/{client_id}/search", {"q": word}).status_code == 403
