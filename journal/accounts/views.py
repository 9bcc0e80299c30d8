"""Sign up, sign in, sign out, recovery."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..account_security import rotation, two_factor
from ..db import get_db, utcnow
from ..security import csrf
from ..security.ratelimit import RateLimited
from ..web.access import mark_password_entered
from ..web.access.paths import safe_next
from ..web.access.session_cookie import clear_token, read_token, set_token
from . import service
from .useragent import describe_device

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "That email and password do not match an account. Check both and try again."


def _address() -> str:
    return request.remote_addr or "unknown"


def _device() -> str:
    """This browser in a few words, for the sessions and security activity pages."""
    return describe_device(request.headers.get("User-Agent"))


def _too_many(limited: Exception, template: str, **context):
    response = make_response(render_template(template, error=str(limited), **context), 429)
    response.headers["Retry-After"] = str(getattr(limited, "retry_after", 3600))
    return response


@bp.get("/signup")
def sign_up_form():
    """The sign-up form."""
    return render_template("auth/signup.html", form={}, errors={})


@bp.post("/signup")
def sign_up():
    """Create an account, then show its recovery code once."""
    form = request.form
    email = service.normalise_email(form.get("email", ""))
    password, role = form.get("password", ""), form.get("role", "")
    display_name = service.clean_display_name(form.get("display_name"))
    errors = service.signup_problems(email, password, form.get("confirm", ""), role, display_name)
    kept = {"email": form.get("email", "")[:300], "role": role, "display_name": form.get("display_name", "")[:120]}
    if errors or email is None:  # no email: signup_problems has said so in errors
        return render_template("auth/signup.html", form=kept, errors=errors), 422
    db = get_db()
    try:
        result = service.sign_up(
            db,
            current_app.config,
            email=email,
            password=password,
            role=role,
            time_zone=service.clean_time_zone(form.get("time_zone")),
            address=_address(),
            now=utcnow(),
            display_name=display_name,
            device=_device(),
        )
    except RateLimited as limited:
        return _too_many(limited, "auth/signup.html", form=kept, errors={})
    if result is None:
        errors = {
            "email": "An account cannot be made with this email. If you already have one, sign in, "
            "or use your recovery code if you forgot the password."
        }
        return render_template("auth/signup.html", form=kept, errors=errors), 422
    db.commit()
    csrf.rotate()
    response = make_response(render_template("auth/recovery_code.html", code=result.recovery_code, new=True))
    set_token(response, result.token)
    return response


@bp.post("/recovery-code/saved")
@login_required
def recovery_saved():
    """The user says they kept their recovery code."""
    if request.form.get("saved") != "yes":
        flash("Please tick the box once your recovery code is somewhere safe.", "error")
        return redirect(url_for("auth.new_recovery_code_form"))
    service.confirm_recovery_saved(current_user.user, utcnow())
    get_db().commit()
    flash("Thank you. Your recovery code is confirmed.", "info")
    return redirect(url_for("pages.home"))


@bp.get("/recovery-code/new")
@login_required
def new_recovery_code_form():
    """Ask for the password before making a new recovery code."""
    return render_template("auth/new_recovery_code.html", error=None)


@bp.post("/recovery-code/new")
@login_required
def new_recovery_code():
    """A new recovery code replaces the old one."""
    db = get_db()
    try:
        code = service.new_recovery_code(
            current_app.config,
            current_user.user,
            current_user.keyring,
            request.form.get("password", ""),
            utcnow(),
            db=db,
            device=current_user.device,
        )
    except RateLimited as limited:
        return _too_many(limited, "auth/new_recovery_code.html")
    if code is None:
        db.commit()
        return render_template("auth/new_recovery_code.html", error="That password is not right."), 422
    mark_password_entered()
    db.commit()
    return render_template("auth/recovery_code.html", code=code, new=False)


@bp.get("/signin")
def sign_in_form():
    """The sign-in form; after an idle lock it says so, and returns the user where they were."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    return render_template(
        "auth/signin.html",
        email="",
        error=None,
        next=safe_next(request.args.get("next")),
        locked=bool(request.args.get("locked")),
    )


@bp.post("/signin")
def sign_in():
    """Check the password with one Argon2id run and open a session."""
    form = request.form
    target = safe_next(form.get("next"))
    raw_email = form.get("email", "")
    context = {"email": raw_email[:300], "next": target, "locked": False}
    db = get_db()
    try:
        result = service.sign_in(
            db,
            current_app.config,
            email=service.normalise_email(raw_email),
            password=form.get("password", ""),
            address=_address(),
            now=utcnow(),
            device=_device(),
        )
    except RateLimited as limited:
        return _too_many(limited, "auth/signin.html", **context)
    if result is None:
        db.commit()  # the failed attempt, in the account's security activity
        return render_template("auth/signin.html", error=SIGN_IN_FAILED, **context), 422
    db.commit()
    csrf.rotate()
    if result.second_factor_pending:
        response = redirect(url_for("auth.sign_in_code_form", next=target if target != "/" else None), 303)
    else:
        response = redirect(target)
    set_token(response, result.token)
    return response


@bp.get("/signin/code")
def sign_in_code_form():
    """Two-step sign-in, second step: the code from the authenticator app."""
    db = get_db()
    pending = service.pending_second_factor(db, current_app.config, read_token(), utcnow())
    db.commit()
    target = safe_next(request.args.get("next"))
    if pending is None:
        return redirect(url_for("auth.sign_in_form", next=target if target != "/" else None))
    return render_template("auth/signin_code.html", error=None, next=target)


@bp.post("/signin/code")
def sign_in_code():
    """A right code (once only) opens the session; a wrong one is refused and counted."""
    target = safe_next(request.form.get("next"))
    db = get_db()
    try:
        result = service.complete_second_factor(
            db,
            current_app.config,
            read_token(),
            request.form.get("code", ""),
            utcnow(),
            address=_address(),
            device=_device(),
        )
    except RateLimited as limited:
        return _too_many(limited, "auth/signin_code.html", next=target)
    except two_factor.CodeProblem as problem:
        db.commit()  # the failed code, in the account's security activity
        return render_template("auth/signin_code.html", error=str(problem), next=target), 422
    if result is None:
        flash("That sign-in waited too long, so it was stopped. Please sign in again.", "info")
        return redirect(url_for("auth.sign_in_form", next=target if target != "/" else None), 303)
    db.commit()
    csrf.rotate()
    response = redirect(target)
    set_token(response, result.token)
    return response


@bp.post("/signout")
def sign_out():
    """End this session: its row, and with it the wrapped keys, are deleted."""
    db = get_db()
    service.sign_out(db, read_token())
    db.commit()
    csrf.rotate()
    flash("You are signed out.", "info")
    response = redirect(url_for("auth.sign_in_form"))
    clear_token(response)
    # Everything the app kept on this device goes: the HTTP cache, storage (the outbox, the service
    # worker and its copies). The outbox page asked first if anything unsent would be lost.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.get("/recover")
def recover_form():
    """Recovery with the code kept at sign-up."""
    return render_template("auth/recover.html", email="", errors={})


@bp.post("/recover")
def recover():
    """Email + recovery code + new password: a new recovery code is shown, the old one stops working."""
    form = request.form
    raw_email = form.get("email", "")
    password = form.get("password", "")
    errors = {}
    problem = service.password_problem(password)
    if problem:
        errors["password"] = problem
    elif password != form.get("confirm", ""):
        errors["confirm"] = "The two passwords are not the same."
    if errors:
        return render_template("auth/recover.html", email=raw_email[:300], errors=errors), 422
    db = get_db()
    try:
        result = service.recover_account(
            db,
            current_app.config,
            email=service.normalise_email(raw_email),
            code=form.get("code", ""),
            new_password=password,
            address=_address(),
            now=utcnow(),
            device=_device(),
        )
    except RateLimited as limited:
        return _too_many(limited, "auth/recover.html", email=raw_email[:300], errors={})
    if result is None:
        errors = {"code": "That email and recovery code do not match. Check both and try again."}
        return render_template("auth/recover.html", email=raw_email[:300], errors=errors), 422
    db.commit()
    # The keys rotate too (the old password may be known to someone): a first slice now, the rest as they go on.
    rotation.carry_on(db, current_app.config, result.user, result.keyring, result.token, device=_device(), page=True)
    csrf.rotate()
    response = make_response(
        render_template("auth/recovery_code.html", code=result.recovery_code, new=False, rotating=True)
    )
    set_token(response, result.token)
    return response
