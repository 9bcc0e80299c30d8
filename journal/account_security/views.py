"""Me → Security: two-step sign-in, password change, active sessions, rotating the keys, entering the password again.

Thin: parse the form, call the rules (protections.py, two_factor.py, rotation.py), pick the template, commit once.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..db import get_db, utcnow
from ..security.ratelimit import RateLimited
from ..web.access import recent_password_required
from ..web.access.paths import safe_next
from ..web.access.session_cookie import read_token
from ..web.htmx import render_page_or_fragment, wants_fragment
from . import protections, rotation
from . import two_factor as totp

bp = Blueprint("account_security", __name__)


def _too_many(message: str, template: str, **context):
    response = make_response(render_template(template, **context), 429)
    response.headers["Retry-After"] = "3600"
    return response


# Entering the password again ----------------------------------------------------------------------------


@bp.get("/confirm-password")
@login_required
def confirm_password_form():
    """ "Enter your password to continue": for a sensitive action, when it was not entered in the last minutes."""
    return render_template(
        "auth/confirm_password.html",
        error=None,
        action=url_for(".confirm_password"),
        kept=[],
        field="password",
        next=safe_next(request.args.get("next")),
    )


@bp.post("/confirm-password")
@login_required
def confirm_password():
    """The password right: back to the page that asked for it."""
    target = safe_next(request.form.get("next"))
    context = {"action": url_for(".confirm_password"), "kept": [], "field": "password", "next": target}
    db = get_db()
    try:
        right = protections.confirm_password(
            db, current_app.config, current_user.user, current_user.session, request.form.get("password", ""), utcnow()
        )
    except RateLimited as limited:
        return _too_many(str(limited), "auth/confirm_password.html", error=str(limited), **context)
    if not right:
        return render_template("auth/confirm_password.html", error="That password is not right.", **context), 422
    db.commit()
    return redirect(target, 303)


# Password change ------------------------------------------------------------------------------------------


@bp.get("/account/password")
@login_required
def password_form():
    """Current password, new password twice."""
    return render_template("auth/change_password.html", errors={})


@bp.post("/account/password")
@login_required
def change_password():
    """A new password: the user key is wrapped again, every other device is signed out."""
    form = request.form
    current, new = form.get("current", ""), form.get("password", "")
    errors = protections.password_change_problems(current, new, form.get("confirm", ""))
    if errors:
        return render_template("auth/change_password.html", errors=errors), 422
    db = get_db()
    try:
        changed = protections.change_password(
            db,
            current_app.config,
            current_user.user,
            current_user.keyring,
            current_user.session,
            current,
            new,
            utcnow(),
        )
    except RateLimited as limited:
        return _too_many(str(limited), "auth/change_password.html", errors={"current": str(limited)})
    if not changed:
        return render_template(
            "auth/change_password.html", errors={"current": "That is not the password you use now."}
        ), 422
    db.commit()
    flash("Your password is changed. Every other device was signed out; this one stays signed in.", "info")
    return redirect(url_for("pages.account"), 303)


# Active sessions ------------------------------------------------------------------------------------------


@bp.get("/account/sessions")
@login_required
def sessions():
    """Every browser signed in to this account: device, when it signed in, when it was last used."""
    rows = protections.sessions(get_db(), current_user.user.id, current_user.session)
    return render_template("auth/sessions.html", rows=rows)


@bp.post("/account/sessions/<handle>/end")
@login_required
def end_session(handle):
    """Sign out one other device; another account's session (or none) is 404."""
    db = get_db()
    if not protections.end_one(db, current_user.user.id, current_user.session, handle, utcnow()):
        abort(404)
    db.commit()
    flash("That device is signed out. Its keys are gone from the server.", "info")
    return redirect(url_for(".sessions"), 303)


@bp.post("/account/sessions/end-others")
@login_required
def end_others():
    """Sign out every device but this one."""
    db = get_db()
    ended = protections.end_others(db, current_user.user.id, current_user.session, utcnow())
    db.commit()
    flash("Every other device is signed out." if ended else "No other device was signed in.", "info")
    return redirect(url_for(".sessions"), 303)


# Two-step sign-in -----------------------------------------------------------------------------------------


def _set_up_page(errors: dict[str, str], status: int = 200):
    user = current_user.user
    db = get_db()
    setup = totp.start_set_up(user, current_user.keyring)
    db.commit()  # the secret being set up is kept (sealed), so the code typed next is checked against it
    return render_template(
        "auth/two_factor_setup.html",
        setup=setup,
        required=totp.required(user),
        asked=bool(request.args.get("required")),
        errors=errors,
    ), status


@bp.get("/account/two-step")
@login_required
def two_factor():
    """On: what it does, and how to turn it off. Off: set it up (QR code, the secret as text, a code to confirm)."""
    if totp.is_on(current_user.user):
        return render_template(
            "auth/two_factor_on.html", user=current_user.user, required=totp.required(current_user.user)
        )
    return _set_up_page({})


@bp.post("/account/two-step")
@login_required
def turn_on():
    """A right code from the app turns two-step sign-in on."""
    user = current_user.user
    if totp.is_on(user):
        return redirect(url_for(".two_factor"), 303)
    db = get_db()
    try:
        totp.confirm_set_up(
            db, user, current_user.keyring, request.form.get("code", ""), utcnow(), device=current_user.device
        )
    except totp.CodeProblem as problem:
        return _set_up_page({"code": str(problem)}, 422)
    db.commit()
    flash("Two-step sign-in is on. Next time you sign in, you will be asked for a code from your app.", "info")
    return redirect(url_for("desk.clients") if user.role == "therapist" else url_for("pages.account"), 303)


@bp.get("/account/two-step/off")
@login_required
@recent_password_required
def confirm_turn_off():
    """Ask before turning two-step sign-in off (after the password, if it was not entered just now)."""
    if not totp.is_on(current_user.user):
        return redirect(url_for(".two_factor"), 303)
    return render_template("auth/two_factor_off.html", required=totp.required(current_user.user))


@bp.post("/account/two-step/off")
@login_required
@recent_password_required
def turn_off():
    """Two-step sign-in off; the secret is deleted."""
    db = get_db()
    totp.turn_off(db, current_user.user, utcnow(), device=current_user.device)
    db.commit()
    flash("Two-step sign-in is off. Signing in now needs only your password.", "info")
    return redirect(url_for("pages.account"), 303)


# Rotating the keys ---------------------------------------------------------------------------------------


def _rotation_page(status: int = 200, error: str | None = None):
    db = get_db()
    keyring = current_user.keyring
    state = rotation.status(db, keyring)
    waiting = rotation.unseen_code(current_user.user, keyring) is not None
    return render_page_or_fragment(
        "auth/rotate_keys.html",
        "auth/_rotation_progress.html",
        status,
        state=state,
        waiting=waiting,
        error=error,
        as_fragment=wants_fragment(),
    )


@bp.get("/account/keys")
@login_required
def rotate_keys():
    """What rotating the keys does and when to use it; the password to start; progress while it runs."""
    return _rotation_page()


@bp.post("/account/keys")
@login_required
def start_rotation():
    """The password right: the keys start rotating here and now, and every other device is signed out."""
    db = get_db()
    try:
        keyring = rotation.start(
            db,
            current_app.config,
            current_user.user,
            current_user.keyring,
            current_user.session,
            request.form.get("password", ""),
            utcnow(),
        )
    except RateLimited as limited:
        db.commit()
        response = _rotation_page(429, str(limited))
        response.headers["Retry-After"] = "3600"
        return response
    if keyring is None:
        db.commit()
        return _rotation_page(422, "That password is not right.")
    db.commit()
    current_user.keyring = keyring
    return _carry_on()


@bp.post("/account/keys/continue")
@login_required
def continue_rotation():
    """A slice of the work (the progress asks every moment; without JavaScript, a button)."""
    return _carry_on()


def _carry_on():
    if current_user.keyring.rotating:
        current_user.keyring = rotation.carry_on(
            get_db(),
            current_app.config,
            current_user.user,
            current_user.keyring,
            read_token(),
            device=current_user.device,
            page=True,
        )
    if wants_fragment():
        return _rotation_page()
    return redirect(url_for(".rotate_keys"), 303)


@bp.post("/account/keys/recovery-code")
@login_required
def show_rotation_code():
    """The recovery code the rotation made, shown once (the same page as at sign-up); then it is not kept."""
    user = current_user.user
    code = rotation.unseen_code(user, current_user.keyring)
    if code is None:
        return redirect(url_for(".rotate_keys"), 303)
    rotation.code_shown(user)
    get_db().commit()
    return render_template("auth/recovery_code.html", code=code, new=False)
