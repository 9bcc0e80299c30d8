"""Voice notes: record or choose one, one note with its player, its sound (in parts), edit, delete.

Thin: parse, call the service, pick the template. The new note's endpoint alone takes a large body (its
limit is raised before anything reads the form); the sound is sent to its owner only, never stored.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..course import belongs
from ..course.days import place_of
from ..db import get_db, utcnow
from ..forms import valid_client_key
from ..records.service import StaleVersion
from ..web import outbox
from ..web.access import client_required
from ..web.ranges import private_file
from . import audio, service

bp = Blueprint("voice", __name__, url_prefix="/voice")
CREATE_ENDPOINT = "voice.create_note"
SOUND_ENDPOINT = "voice.sound"
RECORDER_ENDPOINTS = ("voice.new_note", "pwa.offline_voice")  # the recorder, and its copy kept for offline use
FORM_OVERHEAD_BYTES = 1024 * 1024  # the title, the session, the id and each part's headers


@bp.record_once
def _set_up(state) -> None:
    # First of all hooks (the CSRF check reads the form): this upload's own body limit.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)
    # Last of all hooks (after the app-wide headers): the sound is private and never stored, and the recorder's
    # page alone may ask for the microphone.
    state.app.after_request_funcs.setdefault(None, []).insert(0, _voice_headers)


def _max_bytes() -> int:
    return current_app.config["VOICE_MAX_MB"] * 1024 * 1024


def _upload_limit() -> None:
    if request.endpoint == CREATE_ENDPOINT and request.method == "POST":
        request.max_content_length = _max_bytes() + FORM_OVERHEAD_BYTES


def _voice_headers(response: Response) -> Response:
    if request.endpoint == SOUND_ENDPOINT and response.status_code in (200, 206):
        response.headers["Cache-Control"] = "private, no-store"
    elif request.endpoint in RECORDER_ENDPOINTS and "Permissions-Policy" in response.headers:
        policy = response.headers["Permissions-Policy"]
        response.headers["Permissions-Policy"] = policy.replace("microphone=()", "microphone=(self)")
    return response


@bp.errorhandler(413)
def _too_large(_error):
    message = (
        f"A voice note's file can be up to {current_app.config['VOICE_MAX_MB']} MB. Nothing was saved; "
        "record it here instead, or choose a shorter one."
    )
    return render_template("errors/error.html", code=413, title="Too large", message=message), 413


def _keyring():
    return current_user.keyring


def _note_or_404(note_id: uuid.UUID) -> service.VoiceView:
    note = service.get_note(get_db(), _keyring(), note_id)
    if note is None:
        abort(404)
    return note


def _form_page(*, choices, form=None, errors=None, client_key=None, status: int = 200):
    return (
        render_template(
            "voice/new.html",
            client_key=client_key or uuid.uuid4().hex,
            choices=choices,
            chosen=(form or {}).get("dose_id") or belongs.default_choice(choices),
            form=form or {},
            errors=errors or {},
            max_mb=current_app.config["VOICE_MAX_MB"],
            max_minutes=audio.MAX_SECONDS // 60,
        ),
        status,
    )


@bp.get("/new")
@client_required
def new_note():
    """The recorder (with a script), and a field for a recording made elsewhere (with or without one)."""
    return _form_page(choices=belongs.session_choices(get_db(), _keyring()))


@bp.post("")
@client_required
def create_note():
    """Check the sound, keep it once however often the same recording is sent, or say why not."""
    client_key = request.form.get("client_key")
    if not valid_client_key(client_key):
        abort(400)
    db, keyring = get_db(), _keyring()
    choices = belongs.session_choices(db, keyring)
    details, errors = service.clean_details(request.form, choices)
    earlier = service.saved_before(db, keyring, client_key)
    if earlier is not None:  # sent again (an outbox retry): the first one stands
        return outbox.saved(url_for("voice.read_note", note_id=earlier), "Voice note saved.")
    sent = request.files.get("audio")
    sound = None
    if sent is None or not sent.filename:
        errors["audio"] = "Record a voice note, or choose a recording, first."
    else:
        try:
            sound = audio.check(sent.stream.read())
        except audio.AudioRefused as refused:
            errors["audio"] = refused.reason
    if errors or sound is None:
        return _form_page(choices=choices, form=request.form, errors=errors, client_key=client_key, status=422)
    note_id = service.add_note(db, keyring, client_key, sound, details, utcnow())
    db.commit()
    return outbox.saved(url_for("voice.read_note", note_id=note_id), "Voice note saved.")


@bp.get("/<uuid:note_id>")
@client_required
def read_note(note_id):
    """One voice note with its player, title and session."""
    note = _note_or_404(note_id)
    choices = belongs.session_choices(get_db(), _keyring())
    dose = next((dose for dose in choices if dose.id == note.dose_id), None)
    place = place_of(note.occurred_at, choices[::-1], current_user.user.time_zone)  # choices: newest first
    return render_template("voice/read.html", note=note, dose=dose, place=place)


@bp.get("/<uuid:note_id>/sound")
@client_required
def sound(note_id):
    """The sound, decrypted for this request only, whole or in the part asked for; anyone but its owner gets 404."""
    found = service.sound(get_db(), _keyring(), note_id)
    if found is None:
        abort(404)
    data, content_type = found
    return private_file(data, content_type, "voice-note")


@bp.get("/<uuid:note_id>/edit")
@client_required
def edit_note(note_id):
    note = _note_or_404(note_id)
    choices = belongs.session_choices(get_db(), _keyring())
    form = {"title": note.title, "dose_id": belongs.form_value(note.dose_id)}
    return render_template("voice/edit.html", note=note, choices=choices, form=form, errors={})


@bp.post("/<uuid:note_id>/edit")
@client_required
def update_note(note_id):
    """Save a new title or session, unless it changed elsewhere since the form was opened."""
    db, keyring = get_db(), _keyring()
    note = _note_or_404(note_id)
    choices = belongs.session_choices(db, keyring)
    details, errors = service.clean_details(request.form, choices)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    if errors:
        return render_template("voice/edit.html", note=note, choices=choices, form=request.form, errors=errors), 422
    result = service.update_note(db, keyring, note_id, version, details, utcnow())
    if result is None:
        abort(404)
    if isinstance(result, StaleVersion):
        return render_template(
            "voice/edit.html", note=result.current, choices=choices, form=request.form, errors={}, stale=True
        ), 409
    db.commit()
    flash("Saved.", "info")
    return redirect(url_for("voice.read_note", note_id=note_id), 303)


@bp.get("/<uuid:note_id>/delete")
@client_required
def confirm_delete(note_id):
    return render_template("voice/delete.html", note=_note_or_404(note_id))


@bp.post("/<uuid:note_id>/delete")
@client_required
def delete_note(note_id):
    db = get_db()
    if not service.delete_note(db, _keyring(), note_id):
        abort(404)
    db.commit()
    flash("Voice note deleted.", "info")
    return redirect(url_for("timeline.show_timeline"), 303)
