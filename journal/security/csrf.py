"""CSRF: every state change carries the token (a form field, or the header htmx sends)."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Response, abort, jsonify, request, session

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"


def csrf_token() -> str:
    """The browser's token, kept in Flask's signed cookie (it carries nothing else)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def rotate() -> None:
    """A new token for this browser: at every sign-in (each step), sign-out and recovery, so a token seen before
    (in a page someone else read, or planted before the sign-in) is refused after it. Call it before the
    answer's page is drawn, so its forms carry the new one."""
    session["csrf"] = secrets.token_urlsafe(32)


def _check() -> None:
    if request.method in SAFE_METHODS:
        return
    # With Referrer-Policy: no-referrer, browsers send "Origin: null" on form posts; that says
    # nothing either way, and the token below decides. A real foreign origin is refused outright.
    origin = request.headers.get("Origin")
    if origin not in (None, "null") and origin != request.host_url.rstrip("/"):
        abort(403)
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)
    expected = session.get("csrf")
    sent = request.headers.get(HEADER) or request.form.get(FIELD)
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(403)


def current_token() -> Response:
    """The browser's token now, for a page opened before a sign-in in another tab renewed it (outbox.js asks
    when a save is refused with 403). Same-origin scripts only can read it: no CORS, JSON, never stored."""
    response = jsonify(token=csrf_token())
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_check)
    app.add_url_rule("/csrf-token", "csrf_token", current_token, methods=["GET"])
