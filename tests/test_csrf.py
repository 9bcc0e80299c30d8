"""Every state change needs the CSRF token: a form field, or the header htmx sends."""
from __future__ import annotations

import pytest

from .support import PASSWORD


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
    assert web.post("/entries", {"client_key": "a" * 32, "body": "x"},
                    headers={"Origin": "https://evil.example"}).status_code == 403
    assert web.post("/entries", {"client_key": "a" * 32, "body": "x"},
                    headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert web.post("/entries", {"client_key": "a" * 32, "body": "x"},
                    headers={"Origin": "http://localhost"}).status_code == 303
    # What a browser sends for a form post under Referrer-Policy: no-referrer: the token decides.
    assert web.post("/entries", {"client_key": "b" * 32, "body": "x"}, headers={"Origin": "null"}).status_code == 303
    assert web.post("/entries", {"client_key": "c" * 32, "body": "x"}, headers={"Origin": "null"},
                    csrf=False).status_code == 403


def test_sign_in_and_sign_up_forms_need_the_token_too(web):
    assert web.post("/signup", {"email": "a@example.org", "password": PASSWORD, "confirm": PASSWORD,
                                "role": "client"}, csrf=False).status_code == 403
    assert web.post("/signin", {"email": "a@example.org", "password": PASSWORD}, csrf=False).status_code == 403


def test_htmx_sends_the_token_from_the_page(web):
    web.sign_up("ana@example.org")
    page = web.get("/entries").get_data(as_text=True)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{web.token}"}}\'' in page
