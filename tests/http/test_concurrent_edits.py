"""Two requests on the same record at the same moment: nothing acknowledged is lost, nothing half-shared.

Each test makes the race happen every time: the first request is stopped just before it writes the
record, the second runs from start to end in another thread, then the first carries on. On SQLite
and on PostgreSQL (the `app` fixture runs each test on both).
"""

from __future__ import annotations

import contextlib
import threading

from sqlalchemy import event, select

from journal.db import get_db
from journal.models import User

from .. import art_images
from ..support import WebClient, new_marker
from .test_art import art_ids, upload
from .test_sharing_core import _link


@contextlib.contextmanager
def meanwhile(app, action, statement: str = "UPDATE records"):
    """While the body runs: the first time this thread is about to send `statement`, start `action` in
    another thread (a second request arriving at that moment) and give it up to two seconds to end
    before carrying on; if it is still waiting for a lock this request holds, both go on as the
    databases decide. On leaving, the other request has ended."""
    engine, me, others = app.extensions["db_engine"], threading.get_ident(), []

    def hook(_conn, _cursor, sql, _params, _context, _many):
        if threading.get_ident() == me and not others and sql.lstrip().upper().startswith(statement.upper()):
            other = threading.Thread(target=action)
            others.append(other)
            other.start()
            other.join(2)

    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield others
    finally:
        event.remove(engine, "before_cursor_execute", hook)
        for other in others:
            other.join(30)
            assert not other.is_alive(), "the other request never finished"


def _edit(web: WebClient, entry: str, body: str, version: int = 1):
    return web.post(f"/entries/{entry}/edit", {"version": str(version), "title": "the same entry", "body": body})


def test_two_edits_at_once_one_saves_the_other_sees_both_texts(app, web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("the same entry", "the first text")
    phone = WebClient(app.test_client())
    phone.sign_in("ana@example.org")
    on_phone, in_tab = new_marker("PHONE"), new_marker("TAB")
    answers = {}

    with meanwhile(app, lambda: answers.setdefault("phone", _edit(phone, entry, on_phone))) as raced:
        answers["tab"] = _edit(web, entry, in_tab)
    assert raced, "the second edit did not run in the middle of the first"

    assert answers["phone"].status_code == 303  # the one that wrote first is saved
    conflict = answers["tab"]
    assert conflict.status_code == 409  # the other is told, with both texts in front of them
    page = conflict.get_data(as_text=True)
    assert on_phone in page and in_tab in page and 'name="version" value="2"' in page
    saved = web.get(f"/entries/{entry}").get_data(as_text=True)
    assert on_phone in saved and in_tab not in saved


def test_two_caption_edits_at_once_keep_one_and_tell_the_other(app, web):
    web.sign_up("ana@example.org")
    assert upload(web, [("a.jpg", art_images.jpeg())], caption="first caption").status_code == 303
    (art_id,) = art_ids(web)
    phone = WebClient(app.test_client())
    phone.sign_in("ana@example.org")
    answers = {}

    def caption(client, text):
        return client.post(f"/art/{art_id}/edit", {"version": "1", "caption": text, "dose_id": "none"})

    with meanwhile(app, lambda: answers.setdefault("phone", caption(phone, "from the phone"))) as raced:
        answers["tab"] = caption(web, "from the tab")
    assert raced
    assert answers["phone"].status_code == 303
    assert answers["tab"].status_code == 409
    assert "from the tab" in answers["tab"].get_data(as_text=True)  # the text they typed is still there
    page = web.get(f"/art/{art_id}").get_data(as_text=True)
    assert "from the phone" in page and "from the tab" not in page
    assert web.raw.get(f"/art/{art_id}/full.jpg").status_code == 200  # the picture opens at the new version


def _linked(app, web, therapist):
    """The client linked to a therapist who reads what is shared with them on the desk."""
    therapist.sign_up("doc@example.org", role="therapist")
    link = _link(app)
    with app.app_context():
        client_id = get_db().scalar(select(User.id).where(User.email == "ana@example.org"))
    return str(link), client_id


def test_an_edit_during_a_share_is_what_the_therapist_reads(app, web, other_web):
    web.sign_up("ana@example.org")
    therapist = other_web
    link, client_id = _linked(app, web, therapist)
    entry = web.new_entry("the same entry", "before the share")
    edited = new_marker("EDITED")
    phone = WebClient(app.test_client())
    phone.sign_in("ana@example.org")
    answers = {}

    with meanwhile(app, lambda: answers.setdefault("edit", _edit(phone, entry, edited)), "INSERT INTO SHARES"):
        answers["share"] = web.post(f"/share/{entry}", {"link_ids": link})
    assert answers["edit"].status_code == 303 and answers["share"].status_code in (200, 303)
    page = therapist.get(f"/desk/clients/{client_id}/records/{entry}")
    assert page.status_code == 200 and edited in page.get_data(as_text=True)


def test_an_edit_during_a_revoke_never_reaches_the_therapist(app, web, other_web):
    web.sign_up("ana@example.org")
    therapist = other_web
    link, client_id = _linked(app, web, therapist)
    entry = web.new_entry("the same entry", "shared once")
    assert web.post(f"/share/{entry}", {"link_ids": link}).status_code in (200, 303)
    assert therapist.get(f"/desk/clients/{client_id}/records/{entry}").status_code == 200
    edited = new_marker("AFTER")
    phone = WebClient(app.test_client())
    phone.sign_in("ana@example.org")
    answers = {}

    with meanwhile(app, lambda: answers.setdefault("edit", _edit(phone, entry, edited)), "DELETE FROM SHARES"):
        answers["revoke"] = web.post(f"/share/{entry}", {})
    assert answers["revoke"].status_code in (200, 303)
    assert answers["edit"].status_code in (303, 409)
    assert therapist.get(f"/desk/clients/{client_id}/records/{entry}").status_code == 404
    assert edited in web.get(f"/entries/{entry}").get_data(as_text=True) or answers["edit"].status_code == 409
