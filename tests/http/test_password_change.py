"""Password change: the current password first, the user key wrapped again, every other session signed out."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from journal import vault
from journal.db import get_db
from journal.models import AuthSession, Record, User
from journal.records import service as records

from ..security_support import events, kinds, user_row
from ..support import PASSWORD, WebClient, new_marker

NEW = "a new river at dusk"


def _thief(app, cookie: str) -> WebClient:
    thief = WebClient(app.test_client())
    thief.raw.set_cookie("sid", cookie)
    return thief


def _change(web: WebClient, current: str = PASSWORD, new: str = NEW, confirm: str | None = None):
    return web.post(
        "/account/password", {"current": current, "password": new, "confirm": new if confirm is None else confirm}
    )


def test_the_form_says_what_is_wrong_next_to_each_field(app, web):
    web.sign_up("ana@example.org")
    page = web.get("/account/password").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page
    for data, field, message in (
        ({"current": "not my password at all"}, "current", "not the password you use now"),
        ({"new": "short"}, "password", "at least 10 characters"),
        ({"new": "1234567890"}, "password", "most common"),
        ({"confirm": NEW + "!"}, "confirm", "not the same"),
        ({"current": ""}, "current", "Enter the password you use now"),
    ):
        response = _change(web, **data)
        assert response.status_code == 422, data
        text = response.get_data(as_text=True)
        assert message in text, data
        assert 'aria-invalid="true"' in text and f'id="{field}-error"' in text, data
        assert NEW not in text and PASSWORD not in text
    web.sign_out()
    assert web.sign_in("ana@example.org").status_code == 302  # nothing changed


def test_change_rewraps_the_key_and_signs_out_every_other_session(app, web, other_web):
    code = web.sign_up("ana@example.org")
    markers = [new_marker("PWCHANGE") for _ in range(3)]
    entries = [web.new_entry(f"entry {n}", marker) for n, marker in enumerate(markers)]
    other_web.sign_in("ana@example.org")
    other_cookie = other_web.cookie("sid")
    assert markers[0] in other_web.get(f"/entries/{entries[0]}").get_data(as_text=True)
    before = user_row(app, "ana@example.org")

    response = _change(web)
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert "Every other device was signed out" in web.get("/account").get_data(as_text=True)

    # This session keeps working and every record still opens.
    for entry, marker in zip(entries, markers, strict=False):
        assert marker in web.get(f"/entries/{entry}").get_data(as_text=True)
    # The other session, and a copy of its cookie, are refused: its row (and its wrap of the key) is gone.
    assert other_web.get(f"/entries/{entries[0]}").status_code == 302
    assert _thief(app, other_cookie).get("/entries").status_code == 302
    with app.app_context():
        assert get_db().scalar(select(func.count()).select_from(AuthSession)) == 1

    after = user_row(app, "ana@example.org")
    assert after.auth_verifier != before.auth_verifier and after.kdf_salt != before.kdf_salt
    assert after.uk_wrap_pw != before.uk_wrap_pw
    assert after.uk_wrap_recovery == before.uk_wrap_recovery and after.uk_version == before.uk_version

    web.sign_out()
    assert web.sign_in("ana@example.org", PASSWORD).status_code == 422
    assert web.sign_in("ana@example.org", NEW).status_code == 302
    for entry, marker in zip(entries, markers, strict=False):
        assert marker in web.get(f"/entries/{entry}").get_data(as_text=True)
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == "ana@example.org"))
        keyring = vault.unlock_with_password(user, NEW)
        rows = list(db.scalars(select(Record).where(Record.owner_id == user.id)))
        assert len(rows) == 3 and all(records.open_row(keyring, row) for row in rows)
    # The recovery code is untouched by a password change.
    web.sign_out()
    assert (
        web.post(
            "/recover",
            {
                "email": "ana@example.org",
                "code": code,
                "password": "third passphrase here",
                "confirm": "third passphrase here",
            },
        ).status_code
        == 200
    )
    assert "password_changed" in kinds(app, "ana@example.org")
    changed = [event for event in events(app, "ana@example.org") if event[0] == "password_changed"][0]
    assert changed[1] == "1"  # one other session ended


def test_change_keeps_two_step_sign_in_and_its_secret(app, web):
    web.sign_up("doc@example.org", role="therapist")
    assert _change(web).status_code == 303
    assert web.get("/desk").status_code == 200
    web.sign_out()
    assert web.sign_in("doc@example.org", NEW).status_code == 302
    assert web.get("/desk").status_code == 200


def test_wrong_current_passwords_are_limited(make_app):
    app = make_app(REAUTH_FAILURES_PER_ACCOUNT_PER_HOUR=2)
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    for _ in range(2):
        assert _change(web, current="guess guess guess").status_code == 422
    limited = _change(web)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3600"
    assert "Too many password attempts" in limited.get_data(as_text=True)


def test_the_change_form_needs_the_csrf_token(app, web):
    web.sign_up("ana@example.org")
    response = web.post("/account/password", {"current": PASSWORD, "password": NEW, "confirm": NEW}, csrf=False)
    assert response.status_code == 403
    assert re.search(r'name="csrf_token"', web.get("/account/password").get_data(as_text=True))
