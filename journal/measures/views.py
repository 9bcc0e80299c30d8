"""Questionnaire pages. Thin: parse the form, call the service, pick the template."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db import get_db, utcnow
from ..forms import valid_client_key
from ..safety.crisis import crisis_lines
from ..web.access import client_required
from . import service
from .instruments import INSTRUMENTS

bp = Blueprint("measures", __name__, url_prefix="/questionnaires")

# Only the known instruments match, so /questionnaires/<uuid> and /questionnaires/phq9 never collide.
INSTRUMENT = "<any(" + ", ".join(INSTRUMENTS) + "):instrument_id>"


def _keyring():
    return current_user.keyring


def _form_page(instrument, *, client_key, answers=None, difficulty=None, missing=(), status=200):
    return render_template(
        "measures/form.html",
        instrument=instrument,
        client_key=client_key,
        answers=answers or {},
        difficulty=difficulty,
        missing=list(missing),
        missing_message=service.describe_missing(instrument, list(missing)) if missing else None,
    ), status


@bp.get("")
@client_required
def index():
    """Choose a questionnaire; the history of each, with change since baseline and since the last dose."""
    return render_template("measures/index.html", histories=service.overview(get_db(), _keyring()))


@bp.get(f"/{INSTRUMENT}/new")
@client_required
def new_measure(instrument_id):
    return _form_page(INSTRUMENTS[instrument_id], client_key=uuid.uuid4().hex)


@bp.get(f"/{INSTRUMENT}")
@client_required
def instrument_home(instrument_id):
    """Nothing to show at the address the form is sent to: go to the form."""
    return redirect(url_for("measures.new_measure", instrument_id=instrument_id), 303)


@bp.post(f"/{INSTRUMENT}")
@client_required
def create_measure(instrument_id):
    """Save the answers once, however often the same form is sent; refuse an incomplete form."""
    instrument = INSTRUMENTS[instrument_id]
    client_key = request.form.get("client_key")
    if not valid_client_key(client_key):
        abort(400)
    answers, difficulty, missing = service.read_form(instrument, request.form)
    if missing:
        return _form_page(
            instrument, client_key=client_key, answers=answers, difficulty=difficulty, missing=missing, status=422
        )
    db = get_db()
    measure_id = service.create_measure(db, _keyring(), client_key, instrument, answers, difficulty, utcnow())
    db.commit()
    return redirect(url_for("measures.result", measure_id=measure_id), 303)


@bp.get("/<uuid:measure_id>")
@client_required
def result(measure_id):
    """The score, its band and what it is (and is not); crisis resources first after PHQ-9 item 9 > 0."""
    return render_template(
        "measures/result.html",
        measure=_measure_or_404(measure_id),
        crisis=crisis_lines(get_db(), current_user.user, current_app.config),
    )


@bp.get("/<uuid:measure_id>/delete")
@client_required
def confirm_delete(measure_id):
    """Ask before deleting."""
    return render_template("measures/delete.html", measure=_measure_or_404(measure_id))


@bp.post("/<uuid:measure_id>/delete")
@client_required
def delete_measure(measure_id):
    """Delete for good."""
    db = get_db()
    if not service.delete_measure(db, _keyring(), measure_id):
        abort(404)
    db.commit()
    flash("Questionnaire deleted.", "info")
    return redirect(url_for("measures.index"), 303)


def _measure_or_404(measure_id):
    measure = service.get_measure(get_db(), _keyring(), measure_id)
    if measure is None:
        abort(404)
    return measure
