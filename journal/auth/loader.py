"""flask-login glue: each request unlocks its user from the session row named by the cookie."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, make_response, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from ..db import get_db, utcnow
from . import rotation, service
from .session_cookie import clear_token, cookie_name, read_token


class Principal(UserMixin):
    """The signed-in user for this request; the keyring is opaque to views and templates."""

    def __init__(self, user, keyring, session=None):
        self.user = user
        self.keyring = keyring
        self.session = session  # this browser's AuthSession row: "this device", when the password was entered

    @property
    def device(self) -> str | None:
        """This browser in a few words ("Firefox on Android"), as recorded at sign-in."""
        return self.session.device if self.session is not None else None

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
    if result.pending:
        return None  # password right, one-time code not yet given: only the code form takes this cookie
    keyring = result.keyring
    if keyring.rotating:  # a key rotation under way: every request of theirs does a little of it
        keyring = rotation.carry_on(db, current_app.config, result.user, keyring, token, device=result.session.device)
    return Principal(result.user, keyring, result.session)


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
    if request.headers.get("X-Outbox"):
        return make_response("", 401)  # the device's outbox keeps the item and sends it after sign-in
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


def two_factor_gate():
    """None when the signed-in user may go on; else where to send a therapist without two-step sign-in.

    Therapists see what clients share only with two-step sign-in on: any desk page sends them to
    its set-up (which says why); an htmx request gets HX-Redirect; anything but GET gets 403.
    """
    from .two_factor import blocks

    if not current_user.is_authenticated or not blocks(current_user.user):
        return None
    target = url_for("account_security.two_factor", required=1)
    if request.method not in ("GET", "HEAD"):
        abort(403)
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


def _forget_ended_session(response):
    # Not when this response sets a new session (recovery from the one-time code step replaces its cookie).
    setting = f"{cookie_name()}="
    if g.get("session_ended") and not any(cookie.startswith(setting) for cookie in response.headers.getlist("Set-Cookie")):
        clear_token(response)
    return response


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.session_protection = None  # the session row is the protection; Flask's cookie holds no identity
    manager.request_loader(_load)
    manager.unauthorized_handler(_unauthorized)
    manager.init_app(app)
    app.after_request(_forget_ended_session)
