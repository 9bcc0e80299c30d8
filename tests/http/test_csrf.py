"""Every state change needs the CSRF token: a form field, or the header htmx sends."""

from __future__ import annotations

import pytest

from ..support import CSRF_RE, PASSWORD


@pytest.mark.parametrize("htmx", [False, True])
def test_post_without_token_is_refused(web, htmx):
    web.sign_up("ana@example.org")
    entry = web.new_entry("t", "b")
    attempts = {
        "/entries": {"client_key": "a" * 32, "title": "forged", "body": "forged"},
        f"/entries/{entry}/edit": {"version": "1", "title": "forged", "body": "forged"},
        f"/entries/{entry}/delete": {},
        f"/entries/{entry}/draft": {"version": "1", "body": "forged"},
        "/signout": {},
        "/recovery-code/new": {"password": PASSWORD},
    }
    for url, data in attempts.items():
        response = web.post(url, data, htmx=htmx, csrf=False)
        assert response.status_code == 403, url
    # Still there, unchanged, and still signed in.
    page = web.get(f"/entries/{entry}").get_data(as_text=True)
    assert "forged" not in page


def test_wrong_token_and_foreign_origin_are_refused(web):
    web.sign_up("ana@example.org")
    assert web.post("/entries", {"client_key": "a" * 32, "body": "x", "csrf_token": "wrong"}).status_code == 403
    assert (
        web.post(
            "/entries", {"client_key": "a" * 32, "body": "x"}, headers={"Origin": "https://evil.example"}
        ).status_code
        == 403
    )
    assert (
        web.post(
            "/entries", {"client_key": "a" * 32, "body": "x"}, headers={"Sec-Fetch-Site": "cross-site"}
        ).status_code
        == 403
    )
    assert (
        web.post("/entries", {"client_key": "a" * 32, "body": "x"}, headers={"Origin": "http://localhost"}).status_code
        == 303
    )
    # What a browser sends for a form post under Referrer-Policy: no-referrer: the token decides.
    assert web.post("/entries", {"client_key": "b" * 32, "body": "x"}, headers={"Origin": "null"}).status_code == 303
    assert (
        web.post("/entries", {"client_key": "c" * 32, "body": "x"}, headers={"Origin": "null"}, csrf=False).status_code
        == 403
    )


def test_sign_in_and_sign_up_forms_need_the_token_too(web):
    assert (
        web.post(
            "/signup",
            {"email": "a@example.org", "password": PASSWORD, "confirm": PASSWORD, "role": "client"},
            csrf=False,
        ).status_code
        == 403
    )
    assert web.post("/signin", {"email": "a@example.org", "password": PASSWORD}, csrf=False).status_code == 403


def test_htmx_sends_the_token_from_the_page(web):
    web.sign_up("ana@example.org")
    page = web.get("/entries").get_data(as_text=True)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{web.token}"}}\'' in page


def _page_token(web, path: str) -> str:
    web.get(path)
    return web.token


def test_the_token_changes_at_sign_in_and_the_old_one_is_refused(web):
    web.sign_up("ana@example.org")
    web.sign_out()
    before = _page_token(web, "/signin")  # what a page open before signing in carries
    assert web.sign_in("ana@example.org").status_code == 302
    after = _page_token(web, "/entries/new")
    assert after != before
    refused = web.post("/entries", {"client_key": "a" * 32, "body": "planted", "csrf_token": before})
    assert refused.status_code == 403
    assert web.post("/entries", {"client_key": "a" * 32, "body": "mine"}).status_code == 303


def test_the_token_changes_at_sign_out_and_the_old_one_is_refused(web):
    web.sign_up("ana@example.org")
    signed_in = _page_token(web, "/entries/new")
    assert web.sign_out().status_code == 302
    after = _page_token(web, "/signin")
    assert after != signed_in
    assert (
        web.post("/signin", {"email": "ana@example.org", "password": PASSWORD, "csrf_token": signed_in}).status_code
        == 403
    )
    assert web.sign_in("ana@example.org").status_code == 302


def test_the_token_changes_at_recovery_and_the_old_one_is_refused(web):
    code = web.sign_up("ana@example.org")
    web.sign_out()
    before = _page_token(web, "/recover")
    recovered = web.post(
        "/recover",
        {
            "email": "ana@example.org",
            "code": code,
            "password": "a new calm passphrase",
            "confirm": "a new calm passphrase",
        },
    )
    assert recovered.status_code == 200
    after = CSRF_RE.search(recovered.get_data(as_text=True)).group(1)  # the "I saved it" form on the page
    assert after != before
    assert web.post("/recovery-code/saved", {"saved": "yes", "csrf_token": before}).status_code == 403
    assert web.post("/recovery-code/saved", {"saved": "yes", "csrf_token": after}).status_code == 302


def test_the_token_changes_at_each_step_of_a_two_step_sign_in(web):
    web.sign_up("ana@example.org", two_factor=True)
    web.sign_out()
    before = _page_token(web, "/signin")
    assert web.post("/signin", {"email": "ana@example.org", "password": PASSWORD}).status_code == 303
    waiting = _page_token(web, "/signin/code")
    assert waiting != before
    assert web.sign_in("ana@example.org").status_code == 302  # the password again, then the code
    after = _page_token(web, "/entries/new")
    assert after not in (before, waiting)
    assert web.post("/entries", {"client_key": "b" * 32, "body": "x", "csrf_token": waiting}).status_code == 403


def test_a_page_opened_before_a_sign_in_elsewhere_can_ask_for_the_renewed_token(app, web):
    """A tab opened before signing in again in another tab holds a token the sign-in replaced; its save is refused,
    and the renewed token (asked by the page's own script, never cached, not readable by another site) works."""
    web.sign_up("ana@example.org")
    page = web.get("/entries/new").get_data(as_text=True)
    old = CSRF_RE.search(page).group(1)
    other = web.raw  # the same browser, another tab: sign out and in again
    web.sign_out()
    web.sign_in("ana@example.org")
    fields = {"client_key": "b" * 32, "title": "kept", "body": "written before the sign-in"}
    assert web.raw.post("/entries", data={**fields, "csrf_token": old}).status_code == 403
    answer = other.get("/csrf-token", headers={"Origin": "https://elsewhere.example"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Origin" not in answer.headers
    renewed = answer.get_json()["token"]
    assert renewed != old
    assert web.raw.post("/entries", data={**fields, "csrf_token": renewed}).status_code == 303
