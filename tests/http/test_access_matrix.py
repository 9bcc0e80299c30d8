"""Who may open what: every record, image and desk URL against every kind of visitor.

Cells: the owner; another client; a linked clinician the record is shared with; a linked
clinician it is not shared with; that clinician after the share is revoked; an unlinked clinician.
Only the expected cells succeed; everything else is 404 (or 403 for a role's whole area).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from journal import vault
from journal.db import get_db, utcnow
from journal.models import Ask, Link, SessionNote, User
from journal.sharing import service as sharing

from ..art_images import painting
from ..support import PASSWORD, WebClient, new_marker
from .test_art import art_ids, upload


def _keyring(db, email):
    return vault.unlock_with_password(db.scalar(select(User).where(User.email == email)), PASSWORD)


def _link(app, client_email: str, therapist_email: str) -> uuid.UUID:
    with app.app_context():
        db = get_db()
        therapist = db.scalar(select(User).where(User.email == therapist_email))
        client = db.scalar(select(User).where(User.email == client_email))
        code, _ = sharing.create_invite(db, app.config, therapist, utcnow(), keyring=_keyring(db, therapist_email))
        db.commit()
        invite, therapist = sharing.find_invite(db, app.config, client, code, utcnow())
        link = sharing.link_client(db, _keyring(db, client_email), client, invite, therapist, [], utcnow(), code=code)
        db.commit()
        return link.id


def _status(web: WebClient, url: str, htmx: bool = False) -> int:
    response = web.raw.get(url, headers={"HX-Request": "true"} if htmx else {})
    status = response.status_code
    response.close()
    return status


def test_access_matrix(app):
    owner, other = WebClient(app.test_client()), WebClient(app.test_client())
    shared_doc, unshared_doc, stranger_doc = (WebClient(app.test_client()) for _ in range(3))
    owner.sign_up("owner@example.org")
    other.sign_up("other@example.org")
    shared_doc.sign_up("shared@example.org", role="therapist")
    unshared_doc.sign_up("unshared@example.org", role="therapist")
    stranger_doc.sign_up("stranger@example.org", role="therapist")
    marker = new_marker("MATRIX")
    entry = owner.new_entry("matrix", marker)
    assert upload(owner, [("art.jpg", painting())], caption=marker).status_code in (200, 303)
    photo = art_ids(owner)[0]
    shared_link = _link(app, "owner@example.org", "shared@example.org")
    _link(app, "owner@example.org", "unshared@example.org")
    with app.app_context():
        db = get_db()
        keyring, link = _keyring(db, "owner@example.org"), db.get(Link, shared_link)
        for record_id in (entry, photo):
            sharing.share(db, keyring, uuid.UUID(record_id), link, utcnow())
        db.commit()
        owner_id = db.scalar(select(User.id).where(User.email == "owner@example.org"))

    client_urls = [
        f"/entries/{entry}",
        f"/entries/{entry}/edit",
        f"/entries/{entry}/delete",
        f"/share/{entry}",
        f"/art/{photo}",
        f"/art/{photo}/full.jpg",
        f"/art/{photo}/thumb.jpg",
        f"/art/{photo}/edit",
        f"/art/{photo}/delete",
        f"/share/{photo}",
    ]
    desk = f"/desk/clients/{owner_id}"
    record_urls = [
        f"{desk}/records/{entry}",
        f"{desk}/records/{photo}",
        f"{desk}/images/{photo}/full",
        f"{desk}/images/{photo}/thumb",
    ]

    for htmx in (False, True):
        for url in client_urls:
            assert _status(owner, url, htmx) == 200, url
            assert _status(other, url, htmx) == 404, url
            for doc in (shared_doc, unshared_doc, stranger_doc):
                assert _status(doc, url, htmx) == 403, url  # the client area is not a clinician's
        for url in record_urls:
            assert _status(shared_doc, url, htmx) == 200, url
            assert _status(unshared_doc, url, htmx) == 404, url
            assert _status(stranger_doc, url, htmx) == 404, url
            assert _status(owner, url, htmx) == 403, url  # the desk is not a client's
            assert _status(other, url, htmx) == 403, url
        for url in (desk, f"{desk}/brief"):
            assert _status(shared_doc, url, htmx) == 200 and _status(unshared_doc, url, htmx) == 200
            assert _status(stranger_doc, url, htmx) == 404, url
    # A private session note: only the therapist who wrote it finds it, on every route; the desk is not a client's.
    shared_doc.get(desk)
    words = new_marker("PRIVATENOTE")
    assert shared_doc.post(f"{desk}/notes", {"text": words, "session": "none"}).status_code == 303
    with app.app_context():
        note = get_db().scalar(select(SessionNote.id))
    note_url = f"/desk/notes/{note}"
    for htmx in (False, True):
        assert _status(shared_doc, note_url, htmx) == 200
        for doc in (unshared_doc, stranger_doc):
            assert _status(doc, note_url, htmx) == 404
        for person in (owner, other):
            assert _status(person, note_url, htmx) == 403
            assert _status(person, "/desk/notes/former", htmx) == 403
    edit = {"text": "taken over", "version": "1", "session": "none"}
    for doc in (unshared_doc, stranger_doc):
        doc.get("/desk")
        assert doc.post(note_url, edit).status_code == 404
        assert doc.post(f"{note_url}/delete").status_code == 404
        assert words not in doc.get("/desk/notes/former").get_data(as_text=True)
    assert stranger_doc.post(f"{desk}/notes", {"text": "x", "session": "none"}).status_code == 404
    for person in (owner, other):
        assert person.post(note_url, edit).status_code == 403
        assert person.post(f"{note_url}/delete").status_code == 403
        assert person.post(f"{desk}/notes", {"text": "x", "session": "none"}).status_code == 403
    assert words in shared_doc.get(note_url).get_data(as_text=True)
    _requests_are_only_theirs(app, owner, other, shared_doc, unshared_doc, stranger_doc, desk)

    page = shared_doc.get(f"{desk}/records/{entry}").get_data(as_text=True)
    assert marker in page
    assert marker not in unshared_doc.get(desk).get_data(as_text=True)

    # After the revoke: the clinician who had it gets 404 like everyone else.
    with app.app_context():
        db = get_db()
        keyring, link = _keyring(db, "owner@example.org"), db.get(Link, shared_link)
        for record_id in (entry, photo):
            sharing.revoke(db, keyring, uuid.UUID(record_id), link, utcnow())
        db.commit()
    for url in record_urls:
        assert _status(shared_doc, url) == 404, url
    assert marker not in shared_doc.get(desk).get_data(as_text=True)
    assert marker not in shared_doc.get(f"{desk}/brief").get_data(as_text=True)


def _requests_are_only_theirs(app, owner, other, shared_doc, unshared_doc, stranger_doc, desk: str) -> None:
    """A request: the clinician who asked withdraws it, the client asked answers, snoozes or declines it; every other
    clinician and every other client gets 404 (the other role 403, for the whole area)."""
    asking = f"{desk}/asks"
    prompt = new_marker("ASKEDPROMPT")
    assert shared_doc.post(asking, {"what": "prompt", "text": prompt}).status_code == 303
    with app.app_context():
        ask = get_db().scalar(select(Ask.id))
    answer, withdraw = f"/asks/{ask}/answer", f"/desk/asks/{ask}/withdraw"
    for htmx in (False, True):
        assert _status(shared_doc, asking, htmx) == 200 and _status(unshared_doc, asking, htmx) == 200
        assert prompt not in unshared_doc.get(asking).get_data(as_text=True)  # linked, but not who asked
        assert _status(stranger_doc, asking, htmx) == 404
        assert _status(owner, answer, htmx) == 200
        assert _status(other, answer, htmx) == 404
        for person in (owner, other):
            assert _status(person, asking, htmx) == 403
        for doc in (shared_doc, unshared_doc, stranger_doc):
            assert _status(doc, answer, htmx) == 403
    assert stranger_doc.post(asking, {"what": "prompt", "text": "x"}).status_code == 404
    for doc in (unshared_doc, stranger_doc):
        assert doc.post(withdraw).status_code == 404
    for action in ("answer", "snooze", "decline"):
        assert other.post(f"/asks/{ask}/{action}", {"client_key": uuid.uuid4().hex, "body": "x"}).status_code == 404
        assert shared_doc.post(f"/asks/{ask}/{action}").status_code == 403
    for person in (owner, other):
        assert person.post(asking, {"what": "prompt", "text": "x"}).status_code == 403
        assert person.post(withdraw).status_code == 403
    with app.app_context():
        row = get_db().get(Ask, ask)
        assert row is not None and row.answered_at is None and row.declined_at is None and row.snoozed_until is None
    assert prompt in owner.get("/").get_data(as_text=True)
    assert shared_doc.post(withdraw).status_code == 303
