"""Sensitive actions ask for the password again after a few minutes, and lose nothing that was submitted."""

from __future__ import annotations

from sqlalchemy import select

from journal.db import get_db
from journal.models import Link, Share

from ..security_support import age_password, kinds, link_through_pages
from ..support import PASSWORD, WebClient


def _linked(app, web: WebClient, doc: WebClient) -> str:
    web.sign_up("ana@example.org")
    doc.sign_up("doc@example.org", role="therapist")
    return link_through_pages(doc, web)


def _link_row(app) -> Link | None:
    with app.app_context():
        db = get_db()
        link = db.scalar(select(Link))
        if link is not None:
            db.expunge(link)
        return link


def test_fresh_password_asks_nothing(app, web, other_web):
    link = _linked(app, web, other_web)
    for url in (f"/clinicians/{link}/end", f"/clinicians/{link}/stop-sharing", "/share/prepare"):
        assert web.get(url).status_code == 200, url


def test_stale_confirm_pages_ask_for_the_password_then_come_back(app, web, other_web):
    link = _linked(app, web, other_web)
    age_password(app, "ana@example.org", minutes=6)
    for url in (
        f"/clinicians/{link}/end",
        f"/clinicians/{link}/stop-sharing",
        "/share/prepare",
        "/account/two-step/off",
    ):
        response = web.get(url)
        assert response.status_code == 303, url
        assert response.headers["Location"] == f"/confirm-password?next={url}", url
    page = web.get(f"/confirm-password?next=/clinicians/{link}/end").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page and f'name="next" value="/clinicians/{link}/end"' in page
    wrong = web.post("/confirm-password", {"password": "not it at all", "next": f"/clinicians/{link}/end"})
    assert wrong.status_code == 422
    assert 'aria-invalid="true" aria-describedby="password-error"' in wrong.get_data(as_text=True)
    right = web.post("/confirm-password", {"password": PASSWORD, "next": f"/clinicians/{link}/end"})
    assert right.status_code == 303 and right.headers["Location"] == f"/clinicians/{link}/end"
    assert web.get(f"/clinicians/{link}/end").status_code == 200
    assert _link_row(app) is not None  # asking changed nothing


def test_a_stale_post_keeps_what_was_submitted(app, web, other_web):
    link = _linked(app, web, other_web)
    age_password(app, "ana@example.org")
    stale = web.post(
        f"/clinicians/{link}/standing", {"auto_share": ["checkin", "measure"], "password": "never carried"}
    )
    assert stale.status_code == 401
    page = stale.get_data(as_text=True)
    assert f'action="/clinicians/{link}/standing"' in page
    assert '<input type="hidden" name="auto_share" value="checkin">' in page
    assert '<input type="hidden" name="auto_share" value="measure">' in page
    assert "never carried" not in page and 'name="reauth_password"' in page
    assert _link_row(app).auto_share_kinds == ""
    # The carried form, sent with the password: the change is made as first asked.
    done = web.post(f"/clinicians/{link}/standing", {"auto_share": ["checkin", "measure"], "reauth_password": PASSWORD})
    assert done.status_code == 303
    assert _link_row(app).auto_share_kinds == "checkin,measure"
    assert kinds(app, "ana@example.org")[-1] == "standing_shares"
    # Now fresh again: no question.
    assert web.post(f"/clinicians/{link}/standing", {"auto_share": ["checkin"]}).status_code == 303


def test_ending_a_link_and_bulk_sharing_when_stale(app, web, other_web):
    link = _linked(app, web, other_web)
    entry = web.new_entry("For the session", "words")
    age_password(app, "ana@example.org")
    assert web.post("/share/prepare", {"items": [f"{link}:{entry}"]}).status_code == 401
    with app.app_context():
        assert get_db().scalar(select(Share)) is None
    assert web.post("/share/prepare", {"items": [f"{link}:{entry}"], "reauth_password": "wrong one"}).status_code == 422
    assert web.post("/share/prepare", {"items": [f"{link}:{entry}"], "reauth_password": PASSWORD}).status_code == 303
    with app.app_context():
        assert get_db().scalar(select(Share)) is not None
    age_password(app, "ana@example.org")
    assert web.post(f"/clinicians/{link}/stop-sharing").status_code == 401
    assert web.post(f"/clinicians/{link}/end").status_code == 401
    assert _link_row(app) is not None
    assert web.post(f"/clinicians/{link}/end", {"reauth_password": PASSWORD}).status_code == 303
    assert _link_row(app) is None


def test_a_stale_htmx_post_goes_to_the_password_page(app, web, other_web):
    link = _linked(app, web, other_web)
    age_password(app, "ana@example.org")
    response = web.post(f"/clinicians/{link}/standing", {"auto_share": ["checkin"]}, htmx=True)
    assert response.headers["HX-Redirect"] == "/confirm-password?next=/clinicians"
    # A page part fetched by htmx: back to the page it was fetched for.
    response = web.get(f"/clinicians/{link}/end", htmx=True, headers={"HX-Current-URL": "http://localhost/clinicians"})
    assert response.headers["HX-Redirect"] == "/confirm-password?next=/clinicians"


def test_the_password_page_returns_only_to_this_site(app, web):
    web.sign_up("ana@example.org")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = web.post("/confirm-password", {"password": PASSWORD, "next": target})
        assert response.headers["Location"] == "/"


def test_wrong_passwords_here_are_limited_apart_from_sign_in(make_app):
    app = make_app(REAUTH_FAILURES_PER_ACCOUNT_PER_HOUR=2, SIGNIN_FAILURES_BEFORE_WAIT=1)
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    stranger = WebClient(app.test_client())
    for _ in range(3):  # a stranger's wrong sign-ins use up none of the signed-in owner's tries
        assert stranger.sign_in("ana@example.org", "guess guess guess").status_code in (422, 429)
    assert web.post("/confirm-password", {"password": PASSWORD}).status_code == 303
    for _ in range(2):
        assert web.post("/confirm-password", {"password": "guess guess guess"}).status_code == 422
    limited = web.post("/confirm-password", {"password": PASSWORD})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3600"


def test_signed_out_visitors_are_sent_to_sign_in(app, web):
    response = web.get("/confirm-password?next=/account")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
