"""Sensitive actions ask for the password again when it was not entered in the last few minutes.

Usage, on both the page that asks ("are you sure?") and the POST that acts:

    from journal.web.access import client_required, recent_password_required

    @bp.get("/things/<uuid:thing_id>/delete")
    @client_required                      # who may see it: first
    @recent_password_required            # then: the password, entered in the last REAUTH_MINUTES
    def confirm_delete(thing_id): ...

    @bp.post("/things/<uuid:thing_id>/delete")
    @client_required
    @recent_password_required
    def delete(thing_id): ...

What happens when the password is stale (older than the config's REAUTH_MINUTES, 5 by default):

- GET: the browser is sent to /confirm-password?next=<this page> (an htmx request gets HX-Redirect);
  after the password it comes back here.
- POST (or any other method): the answer (401) is a password form that carries everything that was
  submitted as hidden fields and posts back to the same URL, so nothing is lost: with the password
  right, the view runs as if it had been fresh. Fields whose name contains "password" are never
  carried (a form that asks for the password itself should check it and call
  `mark_password_entered()`, not use this decorator). htmx requests get HX-Redirect to the GET form
  of `return_to` instead.

`recent_password_required(return_to="endpoint")` names the page to go back to after a stale htmx
POST (default: the same path). The decorator expects a signed-in user: put it below the decorator
that checks that (login_required, client_required, therapist_required).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, make_response, render_template, request, url_for
from flask_login import current_user

from ...account_security import protections
from ...accounts.password_again import TOO_MANY
from ...db import get_db, utcnow
from ...security.ratelimit import RateLimited
from ..htmx import is_htmx, redirect_page
from .login import unauthorized
from .paths import return_path, safe_next

FIELD = "reauth_password"


def password_is_recent() -> bool:
    """Whether this session's password was entered within REAUTH_MINUTES."""
    return protections.password_is_recent(
        current_user.session, utcnow(), timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    )


def mark_password_entered() -> None:
    """A view that checked the password itself (password change, deletion): the session counts as fresh."""
    protections.mark_password_entered(current_user.session, utcnow())


def recent_password_required(view: Callable | None = None, *, return_to: str | None = None):
    """Decorator: run the view only if the password was entered in the last REAUTH_MINUTES (see the module)."""

    def decorate(inner: Callable) -> Callable:
        @wraps(inner)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return unauthorized()
            if password_is_recent():
                return inner(*args, **kwargs)
            if request.method in ("GET", "HEAD"):
                return _to_confirm_page(return_path())
            if is_htmx():
                # The view's own arguments fill the page's; any it does not take are left off.
                back = urlsplit(url_for(return_to, **kwargs)).path if return_to else request.path
                return _to_confirm_page(back)
            if FIELD in request.form:
                error = _check_password(request.form.get(FIELD, ""))
                if error is None:
                    return inner(*args, **kwargs)
                return _carry_form(error, 422 if error != TOO_MANY else 429)
            return _carry_form(None, 401)

        return wrapped

    return decorate(view) if view is not None else decorate


def _check_password(password: str) -> str | None:
    """None when right (the session is then fresh), else a message to show."""
    db = get_db()
    try:
        right = protections.confirm_password(
            db, current_app.config, current_user.user, current_user.session, password, utcnow()
        )
    except RateLimited:
        return TOO_MANY
    if not right:
        return "That password is not right."
    # Committed now, on its own: the view may count attempts in the shared counters, which on SQLite
    # must not wait behind a write this request still holds.
    db.commit()
    return None


def _to_confirm_page(next_path: str):
    return redirect_page(url_for("account_security.confirm_password_form", next=safe_next(next_path)))


def _carry_form(error: str | None, status: int):
    """The password form, posting back here with what was submitted (but never a password) kept."""
    kept = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name != "csrf_token" and "password" not in name.lower()
    ]
    response = make_response(
        render_template(
            "auth/confirm_password.html",
            error=error,
            action=request.full_path.rstrip("?"),
            kept=kept,
            field=FIELD,
            next=None,
        ),
        status,
    )
    if status == 429:
        response.headers["Retry-After"] = "3600"
    return response


__all__ = ["recent_password_required", "password_is_recent", "mark_password_entered"]
