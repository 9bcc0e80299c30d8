"""The session cookie: only the random token, HttpOnly, SameSite=Lax, Secure and __Host- on HTTPS."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.wrappers import Response


def _secure() -> bool:
    return request.is_secure or bool(current_app.config["COOKIE_SECURE"])


def cookie_name() -> str:
    return "__Host-sid" if _secure() else "sid"


def read_token() -> str | None:
    return request.cookies.get(cookie_name())


def set_token(response: Response, token: str) -> None:
    # No Max-Age: the row's own expiry (idle lock, 12 h at most) is what counts, and the
    # cookie goes with the browser session. There is no "remember me".
    response.set_cookie(cookie_name(), token, httponly=True, secure=_secure(), samesite="Lax", path="/")


def clear_token(response: Response) -> None:
    response.delete_cookie(cookie_name(), path="/", secure=_secure(), httponly=True, samesite="Lax")
