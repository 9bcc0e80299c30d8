"""Absolute links come from PUBLIC_URL (or a checked host), never from a forged Host header; with trusted hosts
configured, a request for any other host is refused with 400."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from journal import create_app
from journal.web.public_url import external_url

from ..support import FAST_KDF, WebClient

LINK_RE = re.compile(r"data-invite-link>([^<]+)<wbr>([^<]+)</code>")


class _ClientFor(FlaskClient):
    """A browser that asks for one host (unless a request gives its own Host header)."""

    host = "localhost"

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)


def _therapist(app, host: str = "localhost") -> WebClient:
    app.test_client_class = _ClientFor
    client = app.test_client()
    client.host = host
    web = WebClient(client)
    web.sign_up("doc@example.org", role="therapist")
    return web


def _invite_page(web, host: str | None = None) -> tuple[int, str]:
    headers = {"Host": host} if host else {}
    web.get("/desk/invites", headers=headers)
    response = web.post("/desk/invites", headers=headers)
    return response.status_code, response.get_data(as_text=True)


def _link(page: str) -> str | None:
    found = LINK_RE.search(page)
    return found.group(1) + found.group(2) if found else None


def test_with_public_url_the_invite_link_uses_it_and_other_hosts_are_refused(make_app):
    app = make_app(PUBLIC_URL="https://journal.example.test/")
    assert app.config["TRUSTED_HOSTS"] == ["journal.example.test"]
    web = _therapist(app, "journal.example.test")
    status, page = _invite_page(web)
    assert status == 200
    link = _link(page)
    assert link is not None and re.fullmatch(r"https://journal\.example\.test/link#[A-Z0-9-]+", link), link
    # A forged Host is refused outright, on any page, before anything runs.
    for path in ("/desk/invites", "/signin", "/help"):
        forged = web.raw.get(path, headers={"Host": "evil.example"})
        assert forged.status_code == 400, path
        assert "evil.example" not in forged.get_data(as_text=True)
    status, page = _invite_page(web, host="evil.example")
    assert status == 400 and "evil.example" not in page


def test_with_trusted_hosts_alone_the_checked_host_is_used(make_app):
    app = make_app(TRUSTED_HOSTS="localhost, journal.example.test")
    assert app.config["TRUSTED_HOSTS"] == ["localhost", "journal.example.test"]
    web = _therapist(app)
    status, page = _invite_page(web)
    assert status == 200 and _link(page).startswith("http://localhost/link#")
    assert web.raw.get("/desk/invites", headers={"Host": "evil.example"}).status_code == 400
    assert web.raw.get("/help", headers={"Host": "journal.example.test:8443"}).status_code == 200


def test_without_either_a_forged_host_never_reaches_the_invite_link(app):
    web = _therapist(app)
    status, page = _invite_page(web)
    assert status == 200 and _link(page).startswith("http://localhost/link#")  # development, on loopback
    # A request for another host (with the therapist's cookies, as a misrouted request would carry them).
    cookies = "; ".join(f"{name}={web.raw.get_cookie(name).value}" for name in ("sid", "journal_csrf"))
    forged = {"Host": "evil.example", "Cookie": cookies}
    misrouted = app.test_client(use_cookies=False)
    assert misrouted.get("/desk/invites", headers=forged).status_code == 200
    response = misrouted.post("/desk/invites", headers=forged, data={"csrf_token": web.token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Give this code to your client" in page
    assert "evil.example" not in page and _link(page) is None
    assert re.search(r"data-invite-code>[A-Z0-9-]+<", page)  # the code is still there to give
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert external_url("sharing.link_form", _anchor="ABCD-EFGH") is None
    with app.test_request_context("/", headers={"Host": "127.0.0.1:5000"}):
        assert external_url("sharing.link_form", _anchor="ABCD-EFGH") == "http://127.0.0.1:5000/link#ABCD-EFGH"


@pytest.mark.parametrize(
    "value",
    [
        "journal.example.test",
        "ftp://journal.example.test",
        "https://journal.example.test/app",
        "https://user@journal.example.test",
        "https://journal.example.test/?x=1",
    ],
)
def test_a_public_url_that_is_not_just_scheme_and_host_is_refused_at_start(tmp_path, value):
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        create_app({"TESTING": True, "INSTANCE_PATH": tmp_path / "instance", "PUBLIC_URL": value, **FAST_KDF})
