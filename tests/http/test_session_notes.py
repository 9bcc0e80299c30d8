"""A therapist's private session notes: written on a client's page or brief, edited, deleted, exported with the
therapist's zip, kept after the link ends or the client's account goes; never on a client's page or export, and
404 for every other therapist."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select

from journal.db import get_db, utcnow
from journal.models import SessionNote

from ..support import PASSWORD, WebClient, new_marker
from . import test_export
from .test_deletion import CLIENT_PHRASE
from .test_export import _ana, _download, _everything

# The export's fixture: Ana, and Dr Rivera at the desk, linked.
doc = test_export.doc


def _write(doc: WebClient, ana, text: str, back: str = "client", **fields):
    doc.get(f"/desk/clients/{ana}")
    return doc.post(f"/desk/clients/{ana}/notes", {"text": text, "back": back, "session": "none", **fields})


def _note_ids(app) -> list[str]:
    with app.app_context():
        return [str(one) for one in get_db().scalars(select(SessionNote.id))]


def test_a_note_written_on_the_client_page_shows_there_and_on_the_brief_newest_first(app, web, doc):
    ana = _ana(app)
    first, second = new_marker("FIRST"), new_marker("SECOND")
    response = _write(doc, ana, first)
    assert response.status_code == 303 and response.headers["Location"] == f"/desk/clients/{ana}#private-notes"
    response = _write(doc, ana, second, back="brief", session="other", day="2026-12-03")
    assert response.headers["Location"] == f"/desk/clients/{ana}/brief#private-notes"
    for url in (f"/desk/clients/{ana}", f"/desk/clients/{ana}/brief"):
        page = doc.get(url).get_data(as_text=True)
        assert "Your private notes" in page and "Only you can read these: not the client, not the server." in page
        assert page.index(second) < page.index(first)  # newest first
        assert "Session of Thu 3 Dec 2026" in page and "No particular session" in page
    brief = doc.get(f"/desk/clients/{ana}/brief").get_data(as_text=True)
    assert 'class="card desk-notes no-print"' in brief and "Print my notes with the brief" in brief
    with app.app_context():
        days = sorted(get_db().scalars(select(SessionNote.session_on)), key=lambda day: day or date.min)
    assert days == [None, date(2026, 12, 3)]


def test_the_session_held_and_the_next_session_are_offered_and_a_bad_note_is_refused_with_its_words(app, web, doc):
    ana = _ana(app)
    assert doc.post(f"/desk/clients/{ana}/session-held").status_code == 303
    ahead = utcnow().date() + timedelta(days=10)
    doc.post(f"/desk/clients/{ana}/next-session", {"date": ahead.isoformat(), "time": "", "back": "client"})
    page = doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    words = f"{ahead:%a} {ahead.day} {ahead:%b %Y}"
    assert "The session marked held on" in page and f"The next session, on {words}" in page
    assert _write(doc, ana, "   ").status_code == 422
    typed = new_marker("KEPT")
    refused = _write(doc, ana, typed, session="other", day="not a date")
    assert refused.status_code == 422 and typed in refused.get_data(as_text=True)
    assert "Choose the session" in refused.get_data(as_text=True)
    assert _write(doc, ana, "x" * 20_001).status_code == 422
    assert _note_ids(app) == []
    assert _write(doc, ana, typed, session=ahead.isoformat()).status_code == 303
    assert f"Session of {words}" in doc.get(f"/desk/clients/{ana}").get_data(as_text=True)


def test_edit_and_delete_need_the_token_and_an_old_version_is_not_overwritten(app, web, doc):
    ana = _ana(app)
    old, new = new_marker("OLD"), new_marker("NEW")
    _write(doc, ana, old)
    (note,) = _note_ids(app)
    page = doc.get(f"/desk/notes/{note}").get_data(as_text=True)
    assert old in page and 'name="version" value="1"' in page
    assert doc.post(f"/desk/notes/{note}", {"text": new, "version": "1"}, csrf=False).status_code == 403
    saved = doc.post(f"/desk/notes/{note}", {"text": new, "version": "1", "session": "none"})
    assert saved.status_code == 303 and saved.headers["Location"] == f"/desk/clients/{ana}#private-notes"
    shown = doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    assert new in shown and old not in shown and ", changed" in shown
    stale = doc.post(f"/desk/notes/{note}", {"text": old, "version": "1", "session": "none"})
    assert stale.status_code == 409 and new in stale.get_data(as_text=True)
    assert new in doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    assert doc.post(f"/desk/notes/{note}/delete", csrf=False).status_code == 403
    assert doc.post(f"/desk/notes/{note}/delete").status_code == 303
    assert _note_ids(app) == [] and new not in doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    assert doc.get(f"/desk/notes/{note}").status_code == 404


def test_another_therapist_and_the_client_find_nothing_and_the_client_never_sees_a_note(app, web, doc):
    ana = _ana(app)
    marker = new_marker("NOTE")
    _write(doc, ana, marker)
    (note,) = _note_ids(app)
    stranger = WebClient(app.test_client())
    stranger.sign_up("other@example.org", role="therapist", name="Dr Other")
    stranger.get("/desk")
    assert stranger.post(f"/desk/clients/{ana}/notes", {"text": "mine", "session": "none"}).status_code == 404
    assert stranger.get(f"/desk/notes/{note}").status_code == 404
    assert stranger.post(f"/desk/notes/{note}", {"text": "x", "version": "1", "session": "none"}).status_code == 404
    assert stranger.post(f"/desk/notes/{note}/delete").status_code == 404
    assert marker not in stranger.get("/desk/notes/former").get_data(as_text=True)
    assert web.get(f"/desk/notes/{note}").status_code == 403  # a client has no desk at all
    assert web.post(f"/desk/notes/{note}/delete").status_code == 403
    for url in ("/", "/timeline", "/clinicians", "/access", "/account", "/entries"):
        response = web.get(url)
        assert response.status_code == 200 and marker not in response.get_data(as_text=True), url
    assert marker.encode() not in _everything(_download(web))
    assert _note_ids(app) == [note]


def test_the_therapist_export_holds_the_notes(app, web, doc):
    ana = _ana(app)
    marker = new_marker("EXPORTED")
    _write(doc, ana, marker, session="other", day="2026-12-03")
    archive = _download(doc, f"/desk/clients/{ana}/export")
    notes = archive.read("my-private-notes.md").decode("utf-8")
    assert marker in notes and "## Session of Thu 3 Dec 2026" in notes
    assert "my-private-notes.md" in archive.read("README.txt").decode("utf-8")


def test_notes_stay_the_therapists_after_the_link_ends_and_after_the_client_deletes_the_account(app, web, doc):
    ana = _ana(app)
    before, after = new_marker("BEFORE"), new_marker("AFTER")
    _write(doc, ana, before)
    (note,) = _note_ids(app)
    assert 'href="/desk/notes/former"' in doc.get("/desk").get_data(as_text=True)
    assert before not in doc.get("/desk/notes/former").get_data(as_text=True)  # still linked: not former
    assert doc.post(f"/desk/clients/{ana}/end").status_code == 303
    former = doc.get("/desk/notes/former").get_data(as_text=True)
    assert before in former and "ana@example.org" in former
    assert (
        doc.post(f"/desk/notes/{note}", {"text": after, "version": "1", "session": "none"}).headers["Location"]
        == "/desk/notes/former"
    )
    assert doc.post(f"/desk/clients/{ana}/notes", {"text": "new", "session": "none"}).status_code == 404
    web.get("/account/delete")
    assert web.post("/account/delete", {"password": PASSWORD, "phrase": CLIENT_PHRASE}).status_code == 303
    with app.app_context():
        row = get_db().get(SessionNote, uuid.UUID(note))
        assert row is not None and row.client_id is None
    former = doc.get("/desk/notes/former").get_data(as_text=True)
    assert after in former and "ana@example.org" in former  # the sealed label still says whom
