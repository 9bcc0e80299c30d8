"""Cookies over HTTPS are `__Host-` cookies (Secure, Path=/, no Domain); over plain HTTP in development, plain names."""

from __future__ import annotations

from werkzeug.http import parse_cookie

from ..support import PASSWORD, WebClient


def _set_cookies(response) -> dict[str, str]:
    """name -> the whole Set-Cookie line."""
    return {line.split("=", 1)[0]: line for line in response.headers.getlist("Set-Cookie")}


def _attributes(line: str) -> set[str]:
    return {part.strip().split("=", 1)[0].lower() for part in line.split(";")[1:]}


def test_over_https_both_cookies_are_host_cookies(make_app):
    app = make_app(TRUSTED_PROXY_HOPS=1)  # HTTPS as the proxy in front says
    web = WebClient(app.test_client())
    web.raw.environ_base.update({"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "198.51.100.7"})
    page = web.get("/signup")
    cookies = _set_cookies(page)
    assert set(cookies) == {"__Host-journal_csrf"}
    signed_up = web.post(
        "/signup", {"email": "ana@example.org", "password": PASSWORD, "confirm": PASSWORD, "role": "client"}
    )
    assert signed_up.status_code == 200
    cookies = _set_cookies(signed_up)
    assert set(cookies) == {"__Host-journal_csrf", "__Host-sid"}
    for line in cookies.values():
        attributes = _attributes(line)
        assert {"secure", "path", "httponly", "samesite"} <= attributes and "domain" not in attributes, line
        assert "Path=/;" in line or line.endswith("Path=/"), line
    # And they work: the next form goes through with them.
    assert web.post("/recovery-code/saved", {"saved": "yes"}).status_code == 302
    assert web.get("/account").status_code == 200


def test_over_plain_http_the_names_are_plain_and_not_secure(app):
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    response = web.sign_out()
    cookies = _set_cookies(response)
    assert set(cookies) == {"journal_csrf", "sid"}
    assert all("secure" not in _attributes(line) for line in cookies.values())
    assert not any(name.startswith("__Host-") for name in parse_cookie(response.headers.get("Set-Cookie", "")))
