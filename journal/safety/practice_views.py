"""A therapist's after-hours line: set, change or remove it. Thin: the rules are in practice_line.py."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..activity import service as activity
from ..db import get_db
from ..web.access import therapist_required
from . import practice_line

bp = Blueprint("practice_line", __name__, url_prefix="/account/after-hours-line")


def _me():
    return practice_line.own_row(get_db(), current_user.user.id)


def _page(line, form, errors):
    return render_template(
        "safety/practice_line.html",
        line=line,
        form=form,
        errors=errors,
        region=current_app.config["CRISIS_RESOURCES"].get("region", "your region"),
    )


@bp.get("")
@therapist_required
def edit_line():
    """The form, filled with the line as it is."""
    line = practice_line.of(current_user.user)
    form = {"name": line.name, "phone": line.phone, "hours": line.hours} if line else {}
    return _page(line, form, {})


@bp.post("")
@therapist_required
def save_line():
    """Save the line; it shows to linked clients at once, first among their crisis lines."""
    values, errors = practice_line.clean_form(request.form)
    if errors:
        typed = {key: request.form.get(key, "") for key in ("name", "phone", "hours")}
        return _page(practice_line.of(current_user.user), typed, errors), 422
    db = get_db()
    me = _me()
    before = practice_line.of(me)
    practice_line.save(me, values["name"], values["phone"], values["hours"])
    after = practice_line.of(me)
    if after is None:  # a therapist's line with the name and number clean_form required
        raise RuntimeError("the after-hours line just saved is not there")
    if after != before:  # the same line sent again changes nothing worth a line of activity
        activity.record(
            db, me.id, "practice_line_set", device=current_user.device, detail=practice_line.activity_detail(after)
        )
    db.commit()
    flash("Your after-hours line is saved. Your linked clients now see it first when they need help.", "info")
    return redirect(url_for("pages.account") + "#after-hours", 303)


@bp.post("/remove")
@therapist_required
def remove_line():
    """Take the line away; clients see the usual crisis lines only."""
    db = get_db()
    me = _me()
    if practice_line.remove(me):
        activity.record(db, me.id, "practice_line_removed", device=current_user.device)
        db.commit()
        flash("Your after-hours line is removed. Your clients see the usual crisis lines.", "info")
    return redirect(url_for("pages.account") + "#after-hours", 303)
