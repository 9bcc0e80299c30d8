"""Deleting one's account: a page that says plainly what happens, the password and a phrase, then a
plain confirmation once everything is gone and this browser is signed out.

Thin: the rules are in service.py. The form asks for the password itself (so it needs no separate
re-authentication), counted with the account's sign-in failures.
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..account_security import protections
from ..db import get_db, utcnow
from ..security.ratelimit import RateLimited
from ..web.access.session_cookie import clear_token
from . import service

bp = Blueprint("deletion", __name__)


def _form(errors: dict[str, str] | None = None, status: int = 200):
    user = current_user.user
    typed = request.form.get("phrase", "")[:100] if request.method == "POST" else ""
    return render_template(
        "deletion/confirm.html",
        user=user,
        phrase=service.phrase_for(user.role),
        about=service.consequences(get_db(), user),
        errors=errors or {},
        typed_phrase=typed,
    ), status


@bp.get("/account/delete")
@login_required
def confirm():
    """What deleting the account does, and the form."""
    return _form()


@bp.post("/account/delete")
@login_required
def delete():
    """Password and phrase right: keys, records, blobs, shares and links go in one transaction."""
    user, db, now = current_user.user, get_db(), utcnow()
    errors: dict[str, str] = {}
    if not service.phrase_matches(user.role, request.form.get("phrase")):
        errors["phrase"] = f"Type the words “{service.phrase_for(user.role)}” exactly, to show you mean it."
    password = request.form.get("password", "")
    if not password:
        errors["password"] = "Enter your password."
    else:
        try:
            right = protections.confirm_password(db, current_app.config, user, current_user.session, password, now)
        except RateLimited as limited:
            response = make_response(_form({"password": str(limited)}, 429))
            response.headers["Retry-After"] = "3600"
            return response
        if not right:
            errors["password"] = "That password is not right."
    if errors:
        db.commit()  # nothing is deleted; the form says what to change
        return _form(errors, 422)
    deleted = service.delete_account(db, user, now)
    db.commit()
    service.after_commit(deleted)
    session.clear()  # the CSRF token goes too
    done = redirect(url_for("deletion.done"), 303)
    clear_token(done)
    # Whatever this browser kept for the journal (its cache, offline drafts waiting to be sent) goes as well.
    done.headers["Clear-Site-Data"] = '"cache", "storage"'
    return done


@bp.get("/account/deleted")
def done():
    """A plain confirmation, signed out."""
    return render_template("deletion/done.html")
