"""Sessions: a stolen cookie reads nothing once the session has ended; idle lock; no key in a cookie."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from sqlalchemy import func, select, update

from journal.db import get_db, utcnow
from journal.models import AuthSession

from ..support import PASSWORD, WebClient, new_marker


def _thief(app, cookie: str) -> WebClient:
    thief = WebClient(app.test_client())
    thief.raw.set_cookie("sid", cookie)
    return thief


def _age_sessions(app, minutes: int = 0, expire: bool = False) -> None:
    with app.app_context():
        db = get_db()
        values = {"last_seen_at": utcnow() - timedelta(minutes=minutes)}
        if expire:
            values["expires_at"] = utcnow() - timedelta(seconds=1)
        db.execute(update(AuthSession).values(**values))
        db.commit()


def _session_rows(app) -> int:
    with app.app_context():
        return get_db().scalar(select(func.count()).select_from(AuthSession))


def test_cookie_captured_before_sign_out_reads_nothing_after(app, web):
    web.sign_up("ana@example.org")
    marker = new_marker("STOLEN")
    entry = web.new_entry("secret", marker)
    cookie = web.cookie("sid")
    assert marker in _thief(app, cookie).get(f"/entries/{entry}").get_data(as_text=True)  # live: it works
    response = web.sign_out()
    assert "sid=;" in response.headers.get("Set-Cookie", "") or "Max-Age=0" in response.headers.get("Set-Cookie", "")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert _session_rows(app) == 0
    thief = _thief(app, cookie)
    for url in (f"/entries/{entry}", "/entries", f"/entries/{entry}/edit"):
        response = thief.get(url)
        assert response.status_code == 302 and "/signin" in response.headers["Location"]
        assert marker not in response.get_data(as_text=True)
    assert thief.post(f"/entries/{entry}/draft", {"version": "1", "body": "x"}, htmx=True).status_code == 401


def test_cookie_captured_before_idle_lock_reads_nothing_after(app, web):
    web.sign_up("ana@example.org")
    marker = new_marker("IDLE")
    entry = web.new_entry("secret", marker)
    cookie = web.cookie("sid")
    _age_sessions(app, minutes=31)
    response = _thief(app, cookie).get(f"/entries/{entry}")
    assert response.status_code == 302
    assert "locked=1" in response.headers["Location"]
    assert _session_rows(app) == 0  # the row, and the wrap of the keys in it, is gone
    _age_sessions(app)  # nothing left to bring back
    assert _thief(app, cookie).get(f"/entries/{entry}").status_code == 302


def test_idle_lock_returns_the_user_where_they_were(app, web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("t", "b")
    _age_sessions(app, minutes=31)
    response = web.get(f"/entries/{entry}/edit")
    location = response.headers["Location"]
    assert location.startswith("/signin?next=") and f"/entries/{entry}/edit" in location
    page = web.get(location).get_data(as_text=True)
    assert "signed out after a quiet while" in page
    back = web.sign_in("ana@example.org", next_url=f"/entries/{entry}/edit")
    assert back.headers["Location"] == f"/entries/{entry}/edit"


def test_htmx_request_after_idle_lock_redirects_the_whole_page(app, web):
    web.sign_up("ana@example.org")
    _age_sessions(app, minutes=31)
    response = web.get(
        "/entries?before=2026-01-01T00:00:00%2B00:00_00000000-0000-0000-0000-000000000000",
        htmx=True,
        headers={"HX-Current-URL": "http://localhost/entries"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/signin?next=/entries")
    assert response.get_data(as_text=True) == ""


def test_autosave_after_idle_lock_keeps_the_page(app, web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("t", "b")
    _age_sessions(app, minutes=31)
    response = web.post(f"/entries/{entry}/draft", {"version": "1", "title": "t", "body": "new words"}, htmx=True)
    assert response.status_code == 401
    assert "HX-Redirect" not in response.headers


def test_therapists_lock_sooner_and_everyone_after_twelve_hours(app, web, other_web):
    web.sign_up("doc@example.org", role="therapist")
    _age_sessions(app, minutes=16)
    assert web.get("/account").status_code == 302
    other_web.sign_up("ana@example.org")
    _age_sessions(app, minutes=16)
    assert other_web.get("/account").status_code == 200  # a client is still in after 16 minutes
    _age_sessions(app, minutes=0, expire=True)
    assert other_web.get("/account").status_code == 302


def test_flask_cookie_carries_only_the_csrf_token(app, web):
    web.sign_up("ana@example.org")
    web.new_entry("t", "b")
    value = web.cookie("journal_csrf")
    payload = value.split(".")[0]
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(data) <= {"csrf", "_flashes"}
    session_cookie = web.cookie("sid")
    assert len(base64.urlsafe_b64decode(session_cookie + "=" * (-len(session_cookie) % 4))) == 32


def test_session_cookie_flags(app, web):
    web.get("/signup")
    response = web.post(
        "/signup", {"email": "ana@example.org", "password": PASSWORD, "confirm": PASSWORD, "role": "client"}
    )
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("sid=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Max-Age" not in cookie and "Expires" not in cookie  # no "remember me"
    assert "Secure" not in cookie  # plain http on 127.0.0.1


def test_over_https_the_cookie_is_secure_and_host_prefixed(app):
    web = WebClient(app.test_client())
    web.raw.environ_base["wsgi.url_scheme"] = "https"
    page = web.raw.get("/signup", base_url="https://localhost")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = web.raw.post(
        "/signup",
        base_url="https://localhost",
        data={
            "csrf_token": token,
            "email": "ana@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": "client",
        },
    )
    cookies = response.headers.getlist("Set-Cookie")
    sid = [c for c in cookies if c.startswith("__Host-sid=")][0]
    assert "Secure" in sid and "HttpOnly" in sid and "Path=/" in sid and "Domain" not in sid
    assert all("Secure" in c for c in cookies)
