"""The therapist's private session notes: written on a client's page or brief, edited on their own page, and
kept on "Notes about former clients" once the link has ended. Thin: parse the form, call service.py, go back.

Only the therapist who wrote a note finds it: every other visitor gets 404 (a client, 403 for the whole desk).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db import get_db, utcnow
from ..desk import service as desk
from ..web.access import therapist_required
from . import service

bp = Blueprint("session_notes", __name__, url_prefix="/desk")
BACK = {"client": "desk.client", "brief": "desk.brief"}


def _zone() -> str:
    return current_user.user.time_zone


@bp.post("/clients/<uuid:client_id>/notes")
@therapist_required
def create(client_id):
    db = get_db()
    found = desk.linked_client(db, current_user.user.id, client_id)
    if found is None:
        abort(404)
    link, person = found
    back = request.form.get("back", "")
    try:
        text, session_on = service.clean(request.form.get("text"), request.form.get("session"), request.form.get("day"))
    except service.NoteProblem as problem:
        return render_template(
            "session_notes/edit.html",
            note=None,
            name=desk.client_name(person),
            action=url_for("session_notes.create", client_id=client_id),
            back=back,
            back_url=url_for(BACK.get(back, "desk.client"), client_id=client_id),
            choices=service.choices(link, _zone(), utcnow()),
            typed=request.form,
            problem=str(problem),
        ), 422
    service.add(db, current_user.keyring, person, text, session_on, utcnow())
    db.commit()
    flash("Note saved. Only you can read it.", "info")
    return redirect(url_for(BACK.get(back, "desk.client"), client_id=client_id) + "#private-notes", 303)


@bp.get("/notes/<uuid:note_id>")
@therapist_required
def edit(note_id):
    db = get_db()
    note = _own_or_404(db, note_id)
    return _edit_page(db, note, typed=None, problem=None)


@bp.post("/notes/<uuid:note_id>")
@therapist_required
def save(note_id):
    db = get_db()
    note = _own_or_404(db, note_id)
    try:
        text, session_on = service.clean(request.form.get("text"), request.form.get("session"), request.form.get("day"))
        version = int(request.form.get("version", ""))
        service.update(db, current_user.keyring, note_id, text, session_on, version, utcnow())
    except service.NoteProblem as problem:
        return _edit_page(db, note, typed=request.form, problem=str(problem), status=422)
    except ValueError:
        abort(400)
    except service.Stale:
        stale = "This note was changed elsewhere since you opened it. Here it is as it is now; yours is below."
        return _edit_page(db, note, typed=request.form, problem=stale, status=409)
    db.commit()
    flash("Note saved. Only you can read it.", "info")
    return redirect(_home_of(db, note), 303)


@bp.post("/notes/<uuid:note_id>/delete")
@therapist_required
def delete(note_id):
    db = get_db()
    note = _own_or_404(db, note_id)
    if not service.remove(db, current_user.user.id, note_id):
        abort(404)
    db.commit()
    flash("Note deleted.", "info")
    return redirect(_home_of(db, note), 303)


@bp.get("/notes/former")
@therapist_required
def former():
    """Notes about clients no longer linked, or whose account is gone: still the therapist's own."""
    return render_template("session_notes/former.html", groups=service.former(get_db(), current_user.keyring))


def _own_or_404(db, note_id) -> service.Note:
    note = service.own(db, current_user.keyring, note_id)
    if note is None:
        abort(404)
    return note


def _home_of(db, note: service.Note) -> str:
    return _home(service.linked_client_id(db, note, current_user.user.id))


def _home(client_id) -> str:
    """The client's page when still linked, else the notes about former clients."""
    if client_id is None:
        return url_for("session_notes.former")
    return url_for("desk.client", client_id=client_id) + "#private-notes"


def _edit_page(db, note: service.Note, typed, problem, status: int = 200):
    client_id = service.linked_client_id(db, note, current_user.user.id)
    found = desk.linked_client(db, current_user.user.id, client_id) if client_id else None
    return render_template(
        "session_notes/edit.html",
        note=note,
        name=note.about,
        action=url_for("session_notes.save", note_id=note.id),
        back="",
        back_url=_home(client_id),
        choices=service.choices(found[0] if found else None, _zone(), utcnow(), note.session_on),
        typed=typed,
        problem=problem,
    ), status
