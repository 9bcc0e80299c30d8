"""Writing one of each searchable kind through the forms, each with its own words, and searching as a client does
(a POST with the CSRF token): shared by the search tests over HTTP and the database-dump test."""

from __future__ import annotations

import re
from datetime import timedelta

from .support import new_marker

KEY_RE = re.compile(r'name="client_key" value="([^"]+)"')


def _key(web, path: str) -> str:
    return KEY_RE.search(web.get(path).get_data(as_text=True)).group(1)


def write_one_of_each(web, label: str = "FIND") -> dict[str, str]:
    """An entry (title, body), a check-in (note, an emotion word), a dosing session (how it felt, the setting, who
    was there, the body note), an intention, a photo's caption and a voice note's title, each holding a marker of
    its own; returns {where: marker}. The markers go to the log canary's list."""
    from journal.db import utcnow
    from journal.forms import local_inputs

    from .art_images import jpeg
    from .http.test_art import upload
    from .http.test_voice import saved
    from .voice_files import opus_webm

    words = {
        name: new_marker(f"{label}{name.upper()}")
        for name in ("title", "body", "note", "felt", "setting", "company", "bodynote", "intention", "caption", "voice")
    }
    day, clock = local_inputs(utcnow() - timedelta(days=2), "UTC")
    fields = {
        "client_key": _key(web, "/sessions/new"),
        "date": day,
        "time": clock,
        "route": "iv",
        "felt": f"Felt {words['felt']}",
        "setting": words["setting"],
        "company": words["company"],
        "body_note": words["bodynote"],
    }
    assert web.post("/sessions", fields).status_code == 303
    web.new_entry(f"Title {words['title']}", f"The body, {words['body']} and more")
    response = web.raw.post(
        "/checkins",
        data={
            "csrf_token": web.token,
            "client_key": _key(web, "/checkins/new"),
            "emotions": ["grieving"],
            "note": f"a note {words['note']}",
        },
    )
    assert response.status_code == 303
    assert (
        web.post("/intentions", {"client_key": _key(web, "/intentions/new"), "text": words["intention"]}).status_code
        == 303
    )
    assert upload(web, [("art.jpg", jpeg())], caption=f"caption {words['caption']}").status_code == 303
    saved(web, opus_webm(1.0), title=f"Spoken {words['voice']}")
    return words


def search(web, query: str, after: str | None = None, path: str = "/search") -> str:
    fields = {"q": query, **({"after": after} if after else {})}
    response = web.post(path, fields)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def write_entry_at(app, email: str, title: str, body: str, at) -> str:
    """An entry written at a chosen time (an earlier year, a day after an earlier session), through its service."""
    import uuid

    from sqlalchemy import select

    from journal import vault
    from journal.db import get_db
    from journal.entries import service as entries
    from journal.models import User

    from .support import PASSWORD

    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == email))
        keyring = vault.unlock_with_password(user, PASSWORD)
        data, _ = entries.clean_entry(title, body)
        record_id = entries.create_entry(db, keyring, uuid.uuid4().hex, data, at)
        db.commit()
        return str(record_id)
