"""The safety plan's pages: read it, make or change it, print it, delete it. Thin: the rules are in service.py."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db import get_db, utcnow
from ..web.access import client_required
from . import service
from .crisis import crisis_lines

bp = Blueprint("safety", __name__, url_prefix="/safety-plan")


def _keyring():
    return current_user.keyring


def _plan_or_404():
    plan = service.get_plan(get_db(), _keyring())
    if plan is None:
        abort(404)
    return plan


def _form(version: int, texts, errors, status=200, conflict=None):
    plan_id = service.plan_id(get_db(), _keyring()) if version else None
    return render_template(
        "safety/form.html",
        version=version,
        texts=texts,
        errors=errors,
        plan_id=plan_id,
        sections=service.SECTIONS,
        section_max=service.SECTION_MAX,
        conflict=conflict,
    ), status


@bp.get("")
@client_required
def show_plan():
    """The plan, or what a safety plan is and an offer to make one."""
    return render_template("safety/plan.html", plan=service.get_plan(get_db(), _keyring()))


@bp.get("/edit")
@client_required
def edit_plan():
    """Each section as a text box, one item a line."""
    plan = service.get_plan(get_db(), _keyring())
    texts = {key: plan.text(key) for key in service.SECTION_KEYS} if plan else {}
    return _form(plan.version if plan else 0, texts, {})


@bp.post("")
@client_required
def save_plan():
    """Make or change the plan; what was typed stays in the form when something cannot be saved."""
    typed = {key: request.form.get(key, "") for key in service.SECTION_KEYS}
    version_text = request.form.get("version", "")
    if not (version_text.isdecimal() and len(version_text) < 10):
        abort(400)
    version = int(version_text)
    items, errors = service.clean_form(typed)
    if errors:
        return _form(version, typed, errors, 422)
    db = get_db()
    result = service.save_plan(db, _keyring(), version, items, utcnow())
    if isinstance(result, service.Conflict):
        db.rollback()
        return _form(result.current.version, typed, {}, 409, conflict=result.current)
    db.commit()
    flash("Your safety plan is saved.", "info")
    return redirect(url_for("safety.show_plan"), 303)


@bp.get("/print")
@client_required
def print_plan():
    """The plan on its own, laid out for paper."""
    crisis = crisis_lines(get_db(), current_user.user, current_app.config)
    return render_template("safety/print.html", plan=_plan_or_404(), crisis=crisis)


@bp.get("/delete")
@client_required
def confirm_delete():
    """Ask before deleting."""
    return render_template("safety/delete.html", plan=_plan_or_404())


@bp.post("/delete")
@client_required
def delete_plan():
    """Delete for good."""
    db = get_db()
    if not service.delete_plan(db, _keyring()):
        abort(404)
    db.commit()
    flash("Your safety plan is deleted.", "info")
    return redirect(url_for("safety.show_plan"), 303)
