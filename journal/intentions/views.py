"""Intention pages: write, read, edit, archive, bring back, delete; say how one showed up after a session."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..course import service as course
from ..db import get_db, utcnow
from ..dosing import service as dosing
from ..forms import valid_client_key
from ..records.service import StaleVersion
from ..web.access import client_required
from . import service

bp = Blueprint("intentions", __name__, url_prefix="/intentions")


def _keyring():
    return current_user.keyring


@bp.get("")
@client_required
def list_intentions():
    """Active intentions, the sessions each was carried into, and the archive."""
    db = get_db()
    every = service.list_intentions(db, _keyring())
    carried: dict[str, list[int]] = {}
    for dose in dosing.list_doses(db, _keyring()):
        for intention_id in dose.intention_ids:
            carried.setdefault(intention_id, []).append(dose.number)
    return render_template(
        "intentions/list.html",
        active=[i for i in every if i.active],
        archived=[i for i in every if not i.active],
        carried=carried,
        limit=service.MAX_ACTIVE,
    )


@bp.get("/new")
@client_required
def new_intention():
    """Write an intention."""
    return render_template("intentions/form.html", intention=None, text="", errors={}, client_key=uuid.uuid4().hex)


@bp.post("")
@client_required
def create_intention():
    """Save an intention once."""
    client_key = request.form.get("client_key")
    if not valid_client_key(client_key):
        abort(400)
    text, errors = service.clean_intention(request.form.get("text"))
    db = get_db()
    if not errors:
        try:
            intention_id = service.create_intention(db, _keyring(), client_key, text, utcnow())
        except service.TooManyActive as limit:
            errors = {"text": str(limit)}
    if errors:
        return render_template(
            "intentions/form.html",
            intention=None,
            text=request.form.get("text", ""),
            errors=errors,
            client_key=client_key,
        ), 422
    db.commit()
    flash("Intention saved.", "info")
    return redirect(url_for("intentions.read_intention", intention_id=intention_id), 303)


@bp.get("/<uuid:intention_id>")
@client_required
def read_intention(intention_id):
    """One intention: the sessions it was carried into, and how it showed up after each."""
    db = get_db()
    intention = _intention_or_404(intention_id)
    numbers = {str(dose.id): dose.number for dose in course.doses(db, _keyring())}
    carried = sorted(
        dose.number for dose in dosing.list_doses(db, _keyring()) if str(intention.id) in dose.intention_ids
    )
    return render_template("intentions/read.html", intention=intention, numbers=numbers, carried=carried)


@bp.post("/<uuid:intention_id>/reflection")
@client_required
def reflect(intention_id):
    """Keep how the intention showed up after a session ("Not now" keeps that it was asked); back to Today."""
    db = get_db()
    dose = _dose_or_404(request.form.get("dose_id"))
    skipped = "skip" in request.form
    text, errors = service.clean_reflection(request.form.get("text"), skipped)
    if errors:
        return render_template(
            "intentions/reflect.html",
            intention=_intention_or_404(intention_id),
            dose=dose,
            text=request.form.get("text", ""),
            errors=errors,
        ), 422
    result = service.reflect(db, _keyring(), intention_id, dose.id, dose.occurred_at, text, utcnow())
    if result is None:
        abort(404)
    if isinstance(result, service.AlreadyAsked):
        flash(f"You already answered this for session {dose.number}. Your first answer is kept.", "info")
    else:
        db.commit()
        flash(
            f"Kept with your intention, after session {dose.number}."
            if text
            else "Not now: you will not be asked again after this session.",
            "info",
        )
    return redirect(url_for("pages.home"), 303)


@bp.get("/<uuid:intention_id>/edit")
@client_required
def edit_intention(intention_id):
    """Change the words."""
    intention = _intention_or_404(intention_id)
    return render_template("intentions/form.html", intention=intention, text=intention.text, errors={})


@bp.post("/<uuid:intention_id>/edit")
@client_required
def update_intention(intention_id):
    """Save new words, unless they changed elsewhere meanwhile."""
    intention = _intention_or_404(intention_id)
    text, errors = service.clean_intention(request.form.get("text"))
    if errors:
        return render_template(
            "intentions/form.html", intention=intention, text=request.form.get("text", ""), errors=errors
        ), 422
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    db = get_db()
    result = service.update_intention(db, _keyring(), intention_id, version, text, utcnow())
    if isinstance(result, StaleVersion):
        current = result.current.data.get("text", "")
        errors = {
            "text": f"This intention was changed on another device meanwhile: it now reads “{current}”. "
            "Saving again replaces it with your words below."
        }
        return render_template(
            "intentions/form.html",
            intention=service.get_intention(db, _keyring(), intention_id),
            text=text,
            errors=errors,
        ), 409
    db.commit()
    flash("Intention saved.", "info")
    return redirect(url_for("intentions.read_intention", intention_id=intention_id), 303)


@bp.post("/<uuid:intention_id>/archive")
@client_required
def archive_intention(intention_id):
    """Put an intention in the archive."""
    return _set_active(intention_id, False, "Intention archived.")


@bp.post("/<uuid:intention_id>/restore")
@client_required
def restore_intention(intention_id):
    """Bring an intention back from the archive."""
    return _set_active(intention_id, True, "Intention is active again.")


@bp.get("/<uuid:intention_id>/delete")
@client_required
def confirm_delete(intention_id):
    """Ask before deleting."""
    return render_template("intentions/delete.html", intention=_intention_or_404(intention_id))


@bp.post("/<uuid:intention_id>/delete")
@client_required
def delete_intention(intention_id):
    """Delete for good."""
    db = get_db()
    if not service.delete_intention(db, _keyring(), intention_id):
        abort(404)
    db.commit()
    flash("Intention deleted.", "info")
    return redirect(url_for("intentions.list_intentions"), 303)


def _set_active(intention_id, active: bool, message: str):
    db = get_db()
    try:
        found = service.set_active(db, _keyring(), intention_id, active, utcnow())
    except service.TooManyActive as limit:
        flash(str(limit), "error")
        return redirect(url_for("intentions.list_intentions"), 303)
    if not found:
        abort(404)
    db.commit()
    flash(message, "info")
    return redirect(url_for("intentions.list_intentions"), 303)


def _dose_or_404(raw: str | None):
    """The client's own session a reflection is about (by id, from metadata): 400 for no id, 404 for no such one."""
    try:
        dose_id = uuid.UUID(raw or "")
    except ValueError:
        abort(400)
    found = next((dose for dose in course.doses(get_db(), _keyring()) if dose.id == dose_id), None)
    if found is None:
        abort(404)
    return found


def _intention_or_404(intention_id):
    intention = service.get_intention(get_db(), _keyring(), intention_id)
    if intention is None:
        abort(404)
    return intention
