"""flask-login glue: each request unlocks its user from the session row named by the cookie."""

from __future__ import annotations

from flask import Flask, current_app, g, make_response, request, url_for
from flask_login import LoginManager, UserMixin

from ...account_security import rotation
from ...accounts import service
from ...db import commit_if_written, get_db, utcnow
from ..htmx import is_htmx, redirect_page
from .paths import return_path
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
    commit_if_written(db)  # an ended session's deletion, the minutely last-seen time
    if result is None:
        g.session_ended = True
        return None
    if result.pending:
        return None  # password right, one-time code not yet given: only the code form takes this cookie
    keyring = result.keyring
    if keyring.rotating:  # a key rotation under way: every request of theirs does a little of it
        keyring = rotation.carry_on(db, current_app.config, result.user, keyring, token, device=result.session.device)
    return Principal(result.user, keyring, result.session)


def unauthorized():
    """Not signed in (or the session ended): to the sign-in page, and back here after it."""
    target = url_for("auth.sign_in", next=return_path(), locked=1 if g.get("session_ended") else None)
    if request.headers.get("X-Outbox"):
        return make_response("", 401)  # the device's outbox keeps the item and sends it after sign-in
    if is_htmx() and request.method != "GET":
        # An autosave: leave the page and the text being typed alone, and say so (app.js).
        return make_response("", 401)
    # htmx would swap a sign-in form into a fragment; it is sent to the whole page there instead.
    return redirect_page(target, 302)


def _forget_ended_session(response):
    # Not when this response sets a new session (recovery from the one-time code step replaces its cookie).
    setting = f"{cookie_name()}="
    if g.get("session_ended") and not any(
        cookie.startswith(setting) for cookie in response.headers.getlist("Set-Cookie")
    ):
        clear_token(response)
    return response


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.session_protection = None  # the session row is the protection; Flask's cookie holds no identity
    manager.request_loader(_load)
    manager.unauthorized_handler(unauthorized)
    manager.init_app(app)
    app.after_request(_forget_ended_session)
