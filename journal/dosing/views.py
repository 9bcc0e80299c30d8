"""Dosing session pages: log, list, read, edit, delete."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db import get_db, utcnow
from ..forms import local_inputs, valid_client_key
from ..intentions import service as intentions
from ..web.access import client_required
from . import details, service

bp = Blueprint("dosing", __name__, url_prefix="/sessions")


def _keyring():
    return current_user.keyring


def _zone() -> str:
    return current_user.user.time_zone


def _form(*, dose=None, form=None, errors=None, status=200, client_key=None):
    db = get_db()
    if form is None:
        moment = dose.occurred_at if dose else utcnow()
        day, clock = local_inputs(moment, _zone())
        saved = dose.details if dose else None
        form = {
            "date": day,
            "time": clock,
            "route": dose.route if dose else "",
            "setting": dose.setting if dose else "",
            "felt": dose.felt if dose else "",
            "intention_ids": list(dose.intention_ids) if dose else [],
            "body_effects": list(saved.body_effects) if saved else [],
            **details.form_values(saved),
        }
        scale_state = details.dissociation_state(saved.dissociation if saved else None)
    else:
        scale_state = details.dissociation_state(form.get(details.DISSOCIATION.id, ""))
        form = {
            **form.to_dict(),
            "intention_ids": form.getlist("intention_ids"),
            "body_effects": form.getlist("body_effects"),
        }
    active = intentions.active_intentions(db, _keyring())
    return render_template(
        "dosing/form.html",
        dose=dose,
        form=form,
        errors=errors or {},
        routes=service.ROUTES,
        d=details,
        scale=details.DISSOCIATION,
        scale_state=scale_state,
        intentions=active,
        client_key=client_key or uuid.uuid4().hex,
    ), status


@bp.get("")
@client_required
def list_doses():
    """Every session, newest first."""
    return render_template("dosing/list.html", doses=service.list_doses(get_db(), _keyring()))


@bp.get("/new")
@client_required
def new_dose():
    """Log a session: now, in the client's zone, unless changed."""
    return _form()


@bp.post("")
@client_required
def create_dose():
    """Save a session once, however often the form is sent."""
    client_key = request.form.get("client_key")
    if not valid_client_key(client_key):
        abort(400)
    data, errors = service.clean_dose(request.form, _zone(), utcnow())
    if errors:
        return _form(form=request.form, errors=errors, status=422, client_key=client_key)
    db = get_db()
    dose_id = service.create_dose(db, _keyring(), client_key, data, utcnow())
    db.commit()
    flash("Session logged.", "info")
    return redirect(url_for("dosing.read_dose", dose_id=dose_id), 303)


@bp.get("/<uuid:dose_id>")
@client_required
def read_dose(dose_id):
    """One session, with the intentions carried into it."""
    dose = _dose_or_404(dose_id)
    carried = [i for i in intentions.list_intentions(get_db(), _keyring()) if str(i.id) in dose.intention_ids]
    return render_template("dosing/read.html", dose=dose, carried=carried)


@bp.get("/<uuid:dose_id>/edit")
@client_required
def edit_dose(dose_id):
    """The session's form, filled in."""
    return _form(dose=_dose_or_404(dose_id))


@bp.post("/<uuid:dose_id>/edit")
@client_required
def update_dose(dose_id):
    """Save changes, unless the session changed elsewhere meanwhile."""
    dose = _dose_or_404(dose_id)
    data, errors = service.clean_dose(request.form, _zone(), utcnow())
    if errors:
        return _form(dose=dose, form=request.form, errors=errors, status=422)
    db = get_db()
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    result = service.update_dose(db, _keyring(), dose_id, version, data, utcnow())
    if result is None:
        abort(404)
    if not isinstance(result, service.DoseView):
        errors = {
            "conflict": "This session was changed on another device meanwhile. Your changes are below; "
            "saving again replaces the other version."
        }
        return _form(dose=service.get_dose(db, _keyring(), dose_id), form=request.form, errors=errors, status=409)
    db.commit()
    flash("Session saved.", "info")
    return redirect(url_for("dosing.read_dose", dose_id=dose_id), 303)


@bp.get("/<uuid:dose_id>/delete")
@client_required
def confirm_delete(dose_id):
    """Ask before deleting."""
    return render_template("dosing/delete.html", dose=_dose_or_404(dose_id))


@bp.post("/<uuid:dose_id>/delete")
@client_required
def delete_dose(dose_id):
    """Delete the session; what was written after it stays."""
    db = get_db()
    if not service.delete_dose(db, _keyring(), dose_id):
        abort(404)
    db.commit()
    flash("Session deleted.", "info")
    return redirect(url_for("dosing.list_doses"), 303)


def _dose_or_404(dose_id):
    dose = service.get_dose(get_db(), _keyring(), dose_id)
    if dose is None:
        abort(404)
    return dose
