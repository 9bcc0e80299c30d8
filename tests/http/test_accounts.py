"""Sign-up and sign-in as a person meets them: clear messages, normalised input, limits."""

from __future__ import annotations

import time

import pytest

from ..support import PASSWORD, WebClient


def _signup(web, email="ana@example.org", password=PASSWORD, confirm=None, role="client"):
    return web.post(
        "/signup",
        {"email": email, "password": password, "confirm": password if confirm is None else confirm, "role": role},
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pw", "at least 10 characters"),
        ("1234567890", "most common"),
        ("Password123", "most common"),
        ("aaaaaaaaaaaa", "most common"),
        ("x" * 1025, "too long"),
    ],
)
def test_weak_or_huge_passwords_get_a_clear_message(web, password, message):
    response = _signup(web, password=password)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="ana@example.org"' in page  # what was typed stays (except the password)
    assert password not in page


def test_no_composition_rules_and_any_unicode(web):
    code = web.sign_up("ana@example.org", password="всё будет хорошо")
    assert code
    web.sign_out()
    assert web.sign_in("ana@example.org", "всё будет хорошо").status_code == 302


def test_password_is_normalised_nfkc(web):
    # Full-width letters (one phone keyboard) and plain ASCII (another) are the same password.
    web.sign_up("ana@example.org", password="ｃａｌｍ ｌａｋｅ ａｔ ｄａｗｎ")
    web.sign_out()
    assert web.sign_in("ana@example.org", "calm lake at dawn").status_code == 302


def test_email_is_normalised(web):
    web.sign_up("  Ana@Example.ORG ")
    web.sign_out()
    assert web.sign_in("ana@example.org").status_code == 302


def test_other_sign_up_mistakes(web):
    assert "like name@example.com" in _signup(web, email="not-an-email").get_data(as_text=True)
    assert "not the same" in _signup(web, confirm=PASSWORD + "!").get_data(as_text=True)
    assert "Choose whether" in _signup(web, role="admin").get_data(as_text=True)


def test_taken_email_gets_a_message_that_points_to_sign_in_and_recovery(app, web):
    web.sign_up("ana@example.org")
    other = WebClient(app.test_client())
    response = _signup(other, email="ana@example.org", password="a different passphrase")
    assert response.status_code == 422
    assert "sign in, or use your recovery code" in response.get_data(as_text=True)


def test_sign_in_failure_does_not_say_which_part_was_wrong(web):
    web.sign_up("ana@example.org")
    web.sign_out()
    web.get("/signin")  # shows (and so clears) the "signed out" notice
    wrong_password = web.sign_in("ana@example.org", "not the password").get_data(as_text=True)
    unknown_email = web.sign_in("nobody@example.org", "not the password").get_data(as_text=True)
    message = "That email and password do not match an account"
    assert message in wrong_password and message in unknown_email
    assert wrong_password.replace("ana@example.org", "X") == unknown_email.replace("nobody@example.org", "X")


def test_next_only_goes_to_this_site(web):
    web.sign_up("ana@example.org")
    web.sign_out()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        assert web.sign_in("ana@example.org", next_url=target).headers["Location"] == "/"
        web.sign_out()


def test_sign_in_rate_limited_per_address(make_app):
    app = make_app(SIGNIN_FAILURES_PER_ADDRESS_PER_HOUR=5)
    web = WebClient(app.test_client())
    for n in range(5):
        assert web.sign_in(f"person{n}@example.org", "wrong password").status_code == 422
    response = web.sign_in("someone@example.org", "wrong password")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3600"
    assert "Too many sign-in attempts from this network" in response.get_data(as_text=True)


def _from(app, address: str) -> WebClient:
    """A browser at `address`, as the trusted proxy in front says."""
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return WebClient(client)


def test_wrong_passwords_slow_the_account_but_the_owner_still_gets_in(make_app):
    app = make_app(TRUSTED_PROXY_HOPS=1, SIGNIN_FAILURES_BEFORE_WAIT=3)
    owner = _from(app, "198.51.100.7")
    owner.sign_up("ana@example.org")
    owner.sign_out()
    attacker = _from(app, "203.0.113.9")
    for _ in range(3):
        assert attacker.sign_in("ana@example.org", "wrong password").status_code == 422
    # The attacker waits now, even with the right password: no password is tried before the wait is over.
    slowed = attacker.sign_in("ana@example.org")
    assert slowed.status_code == 429 and 1 <= int(slowed.headers["Retry-After"]) <= 5
    assert "Please wait 5 seconds, then try again" in slowed.get_data(as_text=True)
    assert "sid" not in slowed.headers.get("Set-Cookie", "")
    # The owner, from an address that has not failed, waits no longer than the latest wait, then gets in.
    first = owner.sign_in("ana@example.org")
    if first.status_code == 429:
        assert int(first.headers["Retry-After"]) <= 5
        time.sleep(int(first.headers["Retry-After"]))
        first = owner.sign_in("ana@example.org")
    assert first.status_code == 302
    # Other accounts are not slowed.
    assert attacker.sign_in("ben@example.org", "wrong password").status_code == 422


def test_successful_sign_ins_do_not_count_as_failures(make_app):
    app = make_app(SIGNIN_FAILURES_BEFORE_WAIT=2)
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    for _ in range(4):
        web.sign_out()
        assert web.sign_in("ana@example.org").status_code == 302


def test_sign_ups_rate_limited_per_address(make_app):
    app = make_app(SIGNUPS_PER_ADDRESS_PER_HOUR=2)
    web = WebClient(app.test_client())
    web.sign_up("one@example.org")
    web.sign_up("two@example.org")
    response = _signup(web, email="three@example.org")
    assert response.status_code == 429 and "Too many new accounts" in response.get_data(as_text=True)


def test_recovery_code_page_says_plainly_what_losing_it_means(web):
    response = _signup(web)
    page = response.get_data(as_text=True)
    assert "shown <strong>only this once</strong>" in page
    assert "Without your password and this code, nobody can recover your journal" in page
    assert "Copy code" in page and "Download as a file" in page
    assert response.headers["Cache-Control"] == "no-store"


def test_unconfirmed_recovery_code_can_be_replaced_with_the_password(web):
    web.post("/signup", {"email": "ana@example.org", "password": PASSWORD, "confirm": PASSWORD, "role": "client"})
    assert "have not confirmed" in web.get("/account").get_data(as_text=True)
    assert web.post("/recovery-code/new", {"password": "wrong password"}).status_code == 422
    response = web.post("/recovery-code/new", {"password": PASSWORD})
    assert response.status_code == 200 and "Your new recovery code" in response.get_data(as_text=True)
    assert web.post("/recovery-code/saved", {}).status_code == 302  # unticked: asked again
    assert web.post("/recovery-code/saved", {"saved": "yes"}).status_code == 302
    assert "You confirmed you saved" in web.get("/account").get_data(as_text=True)


def test_recovery_lifts_the_wait_someone_else_caused_by_guessing(make_app):
    app = make_app(SIGNIN_FAILURES_BEFORE_WAIT=3)
    web = WebClient(app.test_client())
    code = web.sign_up("ana@example.org")
    web.sign_out()
    attacker = WebClient(app.test_client())
    for _ in range(3):
        attacker.sign_in("ana@example.org", "guess guess guess")
    assert web.sign_in("ana@example.org").status_code == 429  # the same address as the guesses here
    recovered = web.post(
        "/recover",
        {"email": "ana@example.org", "code": code, "password": "my new passphrase", "confirm": "my new passphrase"},
    )
    assert recovered.status_code == 200
    web.post("/recovery-code/saved", {"saved": "yes"})
    web.sign_out()
    assert web.sign_in("ana@example.org", "my new passphrase").status_code == 302


def test_old_attempts_are_forgotten_for_every_key(app, web):
    from datetime import timedelta

    from sqlalchemy import func, select

    from journal.db import get_db, utcnow
    from journal.models import RateEvent
    from journal.security import ratelimit

    with app.app_context():
        # Rows stay a day (the longest any counter looks back), and a count looks at its own window only.
        hours_ago = utcnow() - timedelta(hours=2)
        key = ratelimit.rate_key("signin-address", "192.0.2.1")
        assert ratelimit.reserve(key, 1, hours_ago) is not None
        assert ratelimit.reserve(key, 1, utcnow()) is not None  # the attempt two hours ago is out of the hour
        long_ago = utcnow() - timedelta(hours=25)
        for n in range(5):
            ratelimit.reserve(ratelimit.rate_key("signin-address", f"192.0.2.{n + 10}"), 100, long_ago)
        ratelimit.reserve(ratelimit.rate_key("signin-address", "192.0.2.99"), 100, utcnow())
        assert get_db().scalar(select(func.count()).select_from(RateEvent)) == 3


def test_input_postgresql_would_refuse_gets_a_message_on_both_databases(web):
    nul_email = "ana\x00@example.org"
    response = web.post("/signup", {"email": nul_email, "password": PASSWORD, "confirm": PASSWORD, "role": "client"})
    assert response.status_code == 422 and "like name@example.com" in response.get_data(as_text=True)
    long_email = "a" * 250 + "@example.org"
    response = web.post("/signup", {"email": long_email, "password": PASSWORD, "confirm": PASSWORD, "role": "client"})
    assert response.status_code == 422 and "like name@example.com" in response.get_data(as_text=True)
    assert web.sign_in(nul_email).status_code == 422
    assert web.sign_in(long_email).status_code == 422
    response = web.post("/recover", {"email": nul_email, "code": "A\x00B", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 422
    response = web.post(
        "/signup",
        {
            "email": "b@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": "client",
            "time_zone": "Europe/Berlin\x00" + "x" * 100,
        },
    )
    assert response.status_code == 200  # an unknown zone falls back to UTC instead of failing
