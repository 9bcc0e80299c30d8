"""flask-login glue: each request unlocks its user from the session row named by the cookie."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, make_response, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from ..db import get_db, utcnow
from . import service
from .session_cookie import clear_token, read_token


class Principal(UserMixin):
    """The signed-in user for this request; the keyring is opaque to views and templates."""

    def __init__(self, user, keyring):
        self.user = user
        self.keyring = keyring

    def get_id(self) -> str:
        return str(self.user.id)

    @property
    def role(self) -> str:
        return self.user.role

    def __repr__(self) -> str:
        return f"<Principal {self.user.id}>"


def _load(_request):
    token = read_token()
    if not token:
        return None
    db = get_db()
    result = service.resume(db, current_app.config, token, utcnow())
    db.commit()
    if result is None:
        g.session_ended = True
        return None
    return Principal(*result)


def return_path() -> str:
    """Where to come back to after signing in again: the page the user was on."""
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        if current.netloc == request.host and current.path.startswith("/"):
            return current.path + (f"?{current.query}" if current.query else "")
        return "/"
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return "/"


def safe_next(target: str | None) -> str:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _unauthorized():
    target = url_for("auth.sign_in", next=return_path(), locked=1 if g.get("session_ended") else None)
    if request.headers.get("HX-Request") == "true":
        if request.method != "GET":
            # An autosave: leave the page and the text being typed alone, and say so (app.js).
            return make_response("", 401)
        # htmx would swap a sign-in form into a fragment; send the whole page there instead.
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def client_required(view):
    """Signed in as a client: the journal is theirs alone."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _unauthorized()
        if current_user.role != "client":
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _forget_ended_session(response):
    if g.get("session_ended"):
        clear_token(response)
    return response


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.session_protection = None  # the session row is the protection; Flask's cookie holds no identity
    manager.request_loader(_load)
    manager.unauthorized_handler(_unauthorized)
    manager.init_app(app)
    app.after_request(_forget_ended_session)
