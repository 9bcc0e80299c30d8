"""Asking, never requiring: the clinician's "Ask" page on the desk, and the client's answer, "Not now" and decline.

Thin: parse the form, call service.py or answering.py, go back. A request is found only by the clinician who made
it (withdraw) or the client it was made to (answer, snooze, decline): everyone else gets 404 (the other role 403).
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..course import service as course
from ..db import get_db, utcnow
from ..desk import service as desk
from ..entries import service as entries
from ..forms import valid_client_key
from ..measures import service as measures
from ..web.access import client_required, therapist_required
from . import answering, service
from .cadence import BEFORE_DAYS, LAST_DAY, MEASURE

bp = Blueprint("asks", __name__)


def _zone() -> str:
    return current_user.user.time_zone


# The clinician's side ----------------------------------------------------------------------------


@bp.get("/desk/clients/<uuid:client_id>/asks")
@therapist_required
def ask_page(client_id):
    """Ask this client for a questionnaire or write them a prompt; what was asked and what the client did."""
    return _ask_page(client_id, typed={}, problem=None)


@bp.post("/desk/clients/<uuid:client_id>/asks")
@therapist_required
def create(client_id):
    db = get_db()
    found = desk.linked_client(db, current_user.user.id, client_id)
    if found is None:
        abort(404)
    link, person = found
    try:
        asked = service.clean(request.form)
    except service.AskProblem as problem:
        return _ask_page(client_id, typed=request.form, problem=str(problem), status=422)
    service.ask(db, current_user.keyring, link, person, asked, utcnow())
    db.commit()
    flash(f"Asked. {desk.client_name(person)} sees it on their Today screen and may answer, snooze or decline.", "info")
    return redirect(url_for("asks.ask_page", client_id=client_id) + "#asked", 303)


@bp.post("/desk/asks/<uuid:ask_id>/withdraw")
@therapist_required
def withdraw(ask_id):
    db = get_db()
    row = service.withdraw(db, current_user.user.id, ask_id)
    if row is None:
        abort(404)
    db.commit()
    flash("Request withdrawn. It is gone from your client's Today screen.", "info")
    return redirect(url_for("asks.ask_page", client_id=row.client_id) + "#asked", 303)


def _ask_page(client_id, typed, problem, status=200):
    db = get_db()
    found = desk.linked_client(db, current_user.user.id, client_id)
    if found is None:
        abort(404)
    link, person = found
    asks = service.for_desk(db, current_user.keyring, link, _zone(), utcnow())
    db.commit()
    return render_template(
        "asks/desk.html",
        client=person,
        name=desk.client_name(person),
        asks=asks,
        typed=typed,
        problem=problem,
        before_days=BEFORE_DAYS,
        last_day=LAST_DAY,
    ), status


# The client's side -------------------------------------------------------------------------------


@bp.get("/asks/<uuid:ask_id>/answer")
@client_required
def answer(ask_id):
    """The questionnaire, or a new entry with the prompt, saying first that the answer goes to the clinician."""
    asked = _asked_or_404(ask_id)
    return _answer_page(asked, client_key=uuid.uuid4().hex)


@bp.post("/asks/<uuid:ask_id>/answer")
@client_required
def save_answer(ask_id):
    asked = _asked_or_404(ask_id)
    client_key = request.form.get("client_key")
    if not valid_client_key(client_key):
        abort(400)
    db = get_db()
    instrument = answering.instrument_of(asked)
    if instrument is not None:
        answers, difficulty, missing = measures.read_form(instrument, request.form)
        if missing:
            return _answer_page(
                asked, client_key=client_key, answers=answers, difficulty=difficulty, missing=missing, status=422
            )
        record_id, problem = answering.answer_measure(
            db, current_user.keyring, asked, client_key, answers, difficulty, utcnow()
        )
        target = url_for("measures.result", measure_id=record_id)
    else:
        data, errors = entries.clean_entry(request.form.get("title", ""), request.form.get("body", ""))
        if errors:
            return _answer_page(asked, client_key=client_key, typed=request.form, errors=errors, status=422)
        record_id, problem = answering.answer_prompt(db, current_user.keyring, asked, client_key, data, utcnow())
        target = url_for("entries.read_entry", entry_id=record_id)
    db.commit()
    if problem:
        flash(f"Saved, and kept to yourself: {problem}", "error")
    else:
        flash(f"Saved and shared with {asked.clinician}.", "info")
    return redirect(target, 303)


@bp.post("/asks/<uuid:ask_id>/snooze")
@client_required
def snooze(ask_id):
    db = get_db()
    asked = _asked_or_404(ask_id)
    service.snooze(db, current_user.user.id, ask_id, utcnow())
    db.commit()
    flash(f"Not now. {asked.clinician}'s request comes back tomorrow.", "info")
    return redirect(url_for("pages.home") + "#asked-heading", 303)


@bp.post("/asks/<uuid:ask_id>/decline")
@client_required
def decline(ask_id):
    db = get_db()
    asked = _asked_or_404(ask_id)
    service.decline(db, current_user.user.id, ask_id, utcnow())
    db.commit()
    flash(f"Declined. {asked.clinician} sees that you declined, and no reason is asked.", "info")
    return redirect(url_for("pages.home"), 303)


def _asked_or_404(ask_id) -> service.ClientAsk:
    asked = service.one_for_client(get_db(), current_user.keyring, ask_id)
    if asked is None:
        abort(404)
    return asked


def _answer_page(asked: service.ClientAsk, *, client_key, status=200, **form):
    instrument = answering.instrument_of(asked)
    told = f"When you save, your answers are shared with {asked.clinician}, who asked for them."
    if instrument is not None and asked.asked.what == MEASURE:
        answers, missing = form.get("answers") or {}, list(form.get("missing") or [])
        return render_template(
            "measures/form.html",
            instrument=instrument,
            client_key=client_key,
            answers=answers,
            difficulty=form.get("difficulty"),
            missing=missing,
            missing_message=measures.describe_missing(instrument, missing) if missing else None,
            action=url_for("asks.save_answer", ask_id=asked.id),
            asked_by=asked.clinician,
            told=told,
        ), status
    typed = form.get("typed") or {"title": answering.first_title(asked)}
    place = course.place_now(get_db(), current_user.keyring, _zone(), utcnow())
    return render_template(
        "asks/answer_prompt.html",
        asked=asked,
        client_key=client_key,
        typed=typed,
        errors=form.get("errors") or {},
        told=f"When you save, this entry is shared with {asked.clinician}, who asked.",
        place=place,
    ), status
