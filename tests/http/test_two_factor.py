"""Two-step sign-in: set-up with a QR code and the text key, the code step, replays, limits, recovery, therapists."""

from __future__ import annotations

import base64
import re
import time
import uuid
from datetime import timedelta
from urllib.parse import unquote

import pyotp
import pytest
from sqlalchemy import select, update

from journal import vault
from journal.account_security import two_factor
from journal.db import get_db, utcnow
from journal.models import AuthSession, User

from ..security_support import age_password, kinds, link_through_pages, user_row
from ..support import PASSWORD, TOTP_SECRET_RE, TOTP_SECRETS, WebClient, new_marker, one_time_code
from ..system.test_database_dump import _all_values, _raw_copy

QR_RE = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')


def _set_up_page(web: WebClient) -> tuple[str, str]:
    page = web.get("/account/two-step").get_data(as_text=True)
    return page, TOTP_SECRET_RE.search(page).group(1)


def _code_for(secret: str, step_offset: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(int(utcnow().timestamp()) // 30 + step_offset)


def test_set_up_shows_a_qr_code_and_the_key_and_turns_on_only_with_a_right_code(app, web):
    web.sign_up("ana@example.org")
    assert "Two-step sign-in: off" in web.get("/account").get_data(as_text=True)
    page, secret = _set_up_page(web)
    assert len(secret) == 32
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page  # grouped for typing
    svg = base64.b64decode(QR_RE.search(page).group(1)).decode("utf-8")
    assert svg.startswith("<svg") and "style" not in svg and "<script" not in svg
    assert ' style="' not in page  # the CSP allows no inline styles
    # Reloading shows the same key: the one being scanned stays valid until it is confirmed.
    assert _set_up_page(web)[1] == secret

    wrong = web.post("/account/two-step", {"code": "000000" if _code_for(secret) != "000000" else "111111"})
    assert wrong.status_code == 422
    text = wrong.get_data(as_text=True)
    assert 'aria-invalid="true" aria-describedby="code-error"' in text and 'id="code-error"' in text
    assert user_row(app, "ana@example.org").totp_enabled_at is None

    assert web.post("/account/two-step", {"code": one_time_code(secret)}).status_code == 303
    assert user_row(app, "ana@example.org").totp_enabled_at is not None
    assert "Two-step sign-in: on" in web.get("/account").get_data(as_text=True)
    assert "Two-step sign-in is on" in web.get("/account/two-step").get_data(as_text=True)
    assert "two_factor_on" in kinds(app, "ana@example.org")


def test_sign_in_asks_for_the_code_and_the_waiting_session_opens_nothing(app, web):
    web.sign_up("ana@example.org", two_factor=True)
    marker = new_marker("TWOSTEP")
    entry = web.new_entry("t", marker)
    web.sign_out()
    response = web.post("/signin", {"email": "ana@example.org", "password": PASSWORD, "next": f"/entries/{entry}"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/signin/code?next=/entries/{entry}"
    # Password right, code not given: the cookie opens nothing but the code form.
    for url in (f"/entries/{entry}", "/account", "/account/sessions", "/"):
        page = web.get(url)
        assert marker not in page.get_data(as_text=True)
        assert page.status_code in (200, 302) and "Sign out" not in page.get_data(as_text=True)
    assert web.get(f"/entries/{entry}").status_code == 302
    form = web.get(f"/signin/code?next=/entries/{entry}").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in form and 'inputmode="numeric"' in form
    assert "Use your recovery code instead" in form
    with app.app_context():
        pending = get_db().scalar(select(AuthSession))
        assert pending.second_factor_pending and pending.expires_at - utcnow() <= timedelta(minutes=10)

    done = web.post(
        "/signin/code", {"code": one_time_code(TOTP_SECRETS["ana@example.org"]), "next": f"/entries/{entry}"}
    )
    assert done.status_code == 302 and done.headers["Location"] == f"/entries/{entry}"
    assert marker in web.get(f"/entries/{entry}").get_data(as_text=True)
    with app.app_context():
        rows = list(get_db().scalars(select(AuthSession)))
        assert len(rows) == 1 and not rows[0].second_factor_pending  # a new session replaced the waiting one
    assert kinds(app, "ana@example.org")[-1] == "signin"


def test_a_wrong_code_and_a_replayed_code_are_refused(app, web):
    web.sign_up("ana@example.org", two_factor=True)
    secret = TOTP_SECRETS["ana@example.org"]
    web.sign_out()
    wrong = "123456" if _code_for(secret) != "123456" else "654321"
    response = web.sign_in("ana@example.org", code=wrong)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "That code is not right" in page and 'aria-invalid="true"' in page
    assert web.get("/account").status_code == 302  # still not signed in

    code = one_time_code(secret)
    assert web.post("/signin/code", {"code": code}).status_code == 302
    web.sign_out()
    replayed = web.sign_in("ana@example.org", code=code)
    assert replayed.status_code == 422 and "used already" in replayed.get_data(as_text=True)
    assert web.get("/account").status_code == 302
    assert web.post("/signin/code", {"code": one_time_code(secret)}).status_code == 302
    assert web.get("/account").status_code == 200
    assert kinds(app, "ana@example.org").count("code_failed") == 2


def test_the_code_that_turned_it_on_cannot_sign_in(app, web):
    web.sign_up("ana@example.org")
    _page, secret = _set_up_page(web)
    code = _code_for(secret)
    assert web.post("/account/two-step", {"code": code}).status_code == 303
    web.sign_out()
    assert web.sign_in("ana@example.org", code=code).status_code == 422


def test_codes_far_from_now_are_refused(app, web):
    web.sign_up("ana@example.org", two_factor=True)
    secret = TOTP_SECRETS["ana@example.org"]
    web.sign_out()
    for offset in (-3, 3, 40):
        assert web.sign_in("ana@example.org", code=_code_for(secret, offset)).status_code == 422


def test_wrong_codes_slow_the_code_step_but_not_for_the_owner(make_app):
    app = make_app(TOTP_FAILURES_BEFORE_WAIT=3, TRUSTED_PROXY_HOPS=1)
    owner_client = app.test_client()
    owner_client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    web = WebClient(owner_client)
    web.sign_up("ana@example.org", two_factor=True)
    secret = TOTP_SECRETS["ana@example.org"]
    web.sign_out()
    # Someone who has the password, at another address, guesses codes.
    attacker_client = app.test_client()
    attacker_client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    attacker = WebClient(attacker_client)
    attacker.post("/signin", {"email": "ana@example.org", "password": PASSWORD})
    wrong = next(
        code
        for code in ("000000", "111111", "222222")
        if code not in {_code_for(secret, offset) for offset in (-1, 0, 1)}
    )
    for _ in range(3):
        assert attacker.post("/signin/code", {"code": wrong}).status_code == 422
    limited = attacker.post("/signin/code", {"code": wrong})
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 5
    assert "Please wait 5 seconds" in limited.get_data(as_text=True)
    assert "use your recovery code" in limited.get_data(as_text=True).lower()
    assert attacker.get("/account").status_code == 302
    # The owner, from their own address, waits at most as long as the latest wait, types the right code, is in.
    web.post("/signin", {"email": "ana@example.org", "password": PASSWORD})
    answer = web.post("/signin/code", {"code": one_time_code(secret)})
    if answer.status_code == 429:
        assert int(answer.headers["Retry-After"]) <= 5
        time.sleep(int(answer.headers["Retry-After"]))
        answer = web.post("/signin/code", {"code": one_time_code(secret)})
    assert answer.status_code == 302
    assert web.get("/account").status_code == 200


def test_a_waiting_sign_in_expires(app, web):
    web.sign_up("ana@example.org", two_factor=True)
    web.sign_out()
    web.post("/signin", {"email": "ana@example.org", "password": PASSWORD})
    with app.app_context():
        db = get_db()
        db.execute(update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()
    response = web.get("/signin/code")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    late = web.post("/signin/code", {"code": one_time_code(TOTP_SECRETS["ana@example.org"])})
    assert late.status_code == 303 and late.headers["Location"].startswith("/signin")
    assert web.get("/account").status_code == 302


def test_the_secret_is_sealed_under_the_user_key_and_never_in_the_database(app, web, database_url, request):
    web.sign_up("ana@example.org", two_factor=True)
    secret = TOTP_SECRETS["ana@example.org"]
    raw_secret = base64.b32decode(secret)
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == "ana@example.org"))
        keyring = vault.unlock_with_password(user, PASSWORD)
        assert vault.open_totp_secret(user, keyring) == secret
        assert len(user.totp_secret_ciphertext) == 20 + 29
    raw = _raw_copy(database_url, request)
    for value in (secret.encode(), raw_secret, secret.lower().encode()):
        assert value not in raw
    app.extensions["db_engine"].dispose()
    for column in _all_values(database_url):
        assert secret.encode() not in column and raw_secret not in column


def test_lost_authenticator_recovery_code_and_new_password_turn_it_off(app, web):
    code = web.sign_up("ana@example.org", two_factor=True)
    web.sign_out()
    web.post("/signin", {"email": "ana@example.org", "password": PASSWORD})
    page = web.get("/signin/code").get_data(as_text=True)
    assert 'href="/recover"' in page
    recover_page = web.get("/recover").get_data(as_text=True)
    assert "two-step sign-in" in recover_page
    response = web.post(
        "/recover",
        {
            "email": "ana@example.org",
            "code": code,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 200 and "Your new recovery code" in response.get_data(as_text=True)
    user = user_row(app, "ana@example.org")
    assert user.totp_enabled_at is None and user.totp_secret_ciphertext is None
    assert "Two-step sign-in: off" in web.get("/account").get_data(as_text=True)
    # Recovery rotates the keys too (test_key_rotation.py): those lines come around these two.
    assert [kind for kind in kinds(app, "ana@example.org") if not kind.startswith("keys_")][-2:] == [
        "recovery_used",
        "two_factor_off",
    ]
    assert "keys_rotated" in kinds(app, "ana@example.org")
    web.sign_out()
    # Only the new password now, and the old recovery code no longer works.
    assert web.sign_in("ana@example.org", "a brand new passphrase").status_code == 302
    web.sign_out()
    assert (
        web.post(
            "/recover",
            {
                "email": "ana@example.org",
                "code": code,
                "password": "another new passphrase",
                "confirm": "another new passphrase",
            },
        ).status_code
        == 422
    )


def test_turning_it_off_needs_the_password_again_when_it_is_not_fresh(app, web):
    web.sign_up("ana@example.org", two_factor=True)
    age_password(app, "ana@example.org")
    response = web.get("/account/two-step/off")
    assert response.status_code == 303
    assert response.headers["Location"] == "/confirm-password?next=/account/two-step/off"
    stale = web.post("/account/two-step/off")
    assert stale.status_code == 401 and 'name="reauth_password"' in stale.get_data(as_text=True)
    assert web.post("/account/two-step/off", {"reauth_password": "not my password"}).status_code == 422
    assert user_row(app, "ana@example.org").totp_enabled_at is not None
    done = web.post("/account/two-step/off", {"reauth_password": PASSWORD})
    assert done.status_code == 303
    assert user_row(app, "ana@example.org").totp_enabled_at is None
    assert kinds(app, "ana@example.org")[-1] == "two_factor_off"


def test_a_therapist_sees_no_client_until_two_step_sign_in_is_on(app, web, other_web):
    doc, ana = web, other_web
    doc.sign_up("doc@example.org", role="therapist")  # the test helper turns it on
    ana.sign_up("ana@example.org")
    link_through_pages(doc, ana)
    entry = ana.new_entry("For the session", "words")
    ana.post(
        f"/share/{entry}",
        {"link_ids": re.findall(r"/clinicians/([0-9a-f-]{36})/end", ana.get("/clinicians").get_data(as_text=True))},
    )
    client_id = user_row(app, "ana@example.org").id
    record_url = f"/desk/clients/{client_id}/records/{entry}"
    assert doc.get(record_url).status_code == 200

    # Off again (for example a new phone): every desk page and shared record is closed.
    assert doc.post("/account/two-step/off").status_code == 303
    for url in (
        "/",
        "/desk",
        f"/desk/clients/{client_id}",
        record_url,
        f"/desk/clients/{client_id}/brief",
        "/desk/invites",
        f"/desk/clients/{client_id}/images/{entry}/thumb",
    ):
        response = doc.get(url)
        assert response.status_code == 303, url
        assert response.headers["Location"] == "/account/two-step?required=1", url
    htmx = doc.get("/desk", htmx=True)
    assert htmx.headers["HX-Redirect"] == "/account/two-step?required=1"
    assert doc.post("/desk/invites").status_code == 403
    assert doc.post(f"/desk/clients/{client_id}/reviewed").status_code == 403
    page = " ".join(doc.get("/account/two-step?required=1").get_data(as_text=True).split())
    assert "Clinicians need two-step sign-in before they can see anything a client shares" in page
    assert "Turn on two-step sign-in to see what your clients share" in doc.get("/account").get_data(as_text=True)
    assert doc.get("/account").status_code == 200 and doc.get("/help").status_code == 200  # the rest is open

    doc.enable_two_factor("doc@example.org")
    assert doc.get(record_url).status_code == 200


def test_a_new_therapist_goes_to_set_up_first(app, web):
    web.sign_up("doc@example.org", role="therapist", two_factor=False)
    response = web.get("/")
    assert response.status_code == 303 and response.headers["Location"] == "/account/two-step?required=1"
    web.enable_two_factor("doc@example.org")
    assert web.get("/").status_code == 200


def test_code_checks_compare_every_step():
    secret = pyotp.random_base32()
    now = utcnow()
    current = int(now.timestamp()) // 30
    totp = pyotp.TOTP(secret)
    for offset in (-1, 0, 1):
        assert two_factor._matching_step(secret, totp.generate_otp(current + offset), now) == current + offset
    assert (
        two_factor._matching_step(
            secret, " " + totp.generate_otp(current)[:3] + " " + totp.generate_otp(current)[3:], now
        )
        == current
    )
    for bad in ("", "12345", "1234567", "abcdef", "12 34 5x", "٠١٢٣٤٥"):
        assert two_factor._matching_step(secret, bad, now) is None, unquote(bad)


@pytest.mark.parametrize("store", ["database", "redis"])
def test_the_code_limit_is_shared_by_every_server_process(make_app, request, store):
    """Two app instances on one database stand for two server processes: wrong codes in one count in the other."""
    extra = {"REDIS_URL": request.getfixturevalue("redis_url")} if store == "redis" else {}
    first = make_app(TOTP_FAILURES_BEFORE_WAIT=2, **extra)
    second = make_app(TOTP_FAILURES_BEFORE_WAIT=2, **extra)
    email = f"shared-{uuid.uuid4().hex[:8]}@example.org"  # Redis is shared by the whole run
    web = WebClient(first.test_client())
    web.sign_up(email, two_factor=True)
    secret = TOTP_SECRETS[email]
    web.sign_out()
    wrong = next(
        code
        for code in ("000000", "111111", "222222")
        if code not in {_code_for(secret, offset) for offset in (-1, 0, 1)}
    )
    for app in (first, second):
        client = WebClient(app.test_client())
        client.post("/signin", {"email": email, "password": PASSWORD})
        assert client.post("/signin/code", {"code": wrong}).status_code == 422
    for app in (first, second):  # the same address as the wrong codes: it waits, in either process
        client = WebClient(app.test_client())
        client.post("/signin", {"email": email, "password": PASSWORD})
        assert client.post("/signin/code", {"code": one_time_code(secret)}).status_code == 429
