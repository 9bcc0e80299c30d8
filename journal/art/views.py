"""Art pages: add photos, the gallery by session, one photo, two sessions side by side, edit, delete.

Thin: parse, call the service, pick the template. The upload endpoint alone takes large bodies
(its limit is raised before anything reads the form); the pictures are sent only to their owner.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge, ServiceUnavailable

from ..course import belongs
from ..course import service as course
from ..course.days import place_of
from ..db import get_db, utcnow
from ..entries import service as entries
from ..forms import valid_client_key
from ..records.service import StaleVersion
from ..web.access import client_required
from ..web.htmx import redirect_page, render_page_or_fragment
from . import service

bp = Blueprint("art", __name__, url_prefix="/art")
UPLOAD_ENDPOINT = "art.upload"
PICTURE_ENDPOINT = "art.picture"
FORM_OVERHEAD_BYTES = 1024 * 1024  # the other fields and each part's headers


class UploadTooLarge(RequestEntityTooLarge):
    def __init__(self, message: str):
        super().__init__()
        self.message = message


@bp.record_once
def _set_up(state) -> None:
    app = state.app
    app.extensions["art_slots"] = service.ProcessingSlots(
        app.config["ART_CONCURRENCY"], app.config["ART_QUEUE_SECONDS"]
    )
    # First of all hooks (the CSRF check reads the form): the upload's own body limit.
    app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)
    # Last of all hooks (after the app-wide headers): pictures are private and never stored.
    app.after_request_funcs.setdefault(None, []).insert(0, _private_pictures)


def _limits() -> tuple[int, int]:
    config = current_app.config
    return config["ART_MAX_FILE_MB"] * 1024 * 1024, config["ART_MAX_FILES"]


def _upload_limit() -> None:
    if request.endpoint == UPLOAD_ENDPOINT and request.method == "POST":
        per_file, files = _limits()
        request.max_content_length = per_file * files + FORM_OVERHEAD_BYTES


def _private_pictures(response: Response) -> Response:
    if request.endpoint == PICTURE_ENDPOINT and response.status_code == 200:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.errorhandler(413)
def _too_large(error):
    per_file, files = _limits()
    message = getattr(error, "message", None) or (
        f"Photos can be up to {per_file // (1024 * 1024)} MB each, and up to {files} at a time. "
        "Nothing was saved; try fewer or smaller photos."
    )
    return render_template("errors/error.html", code=413, title="Too large", message=message), 413


@bp.errorhandler(503)
def _busy(error):
    retry_after = getattr(error, "retry_after", None) or service.RETRY_AFTER_SECONDS
    message = (
        f"Other photos are being prepared right now. Nothing was saved; please try again in {retry_after} seconds."
    )
    return (
        render_template("errors/error.html", code=503, title="Busy for a moment", message=message),
        503,
        {"Retry-After": str(retry_after)},
    )


def _keyring():
    return current_user.keyring


def _art_or_404(art_id: uuid.UUID) -> service.ArtView:
    art = service.get_art(get_db(), _keyring(), art_id)
    if art is None:
        abort(404)
    return art


def _upload_page(
    *, choices, form=None, errors=None, added: int = 0, refused=(), status: int = 200, camera: bool = False
):
    """The upload form (or, for the script, just the result): always with a fresh client-made id. `camera`:
    the file input asks a phone for its camera straight away (Today's "Photograph what you made")."""
    per_file, max_files = _limits()
    chosen = (form or {}).get("dose_id") or belongs.default_choice(choices)
    context = dict(
        client_key=uuid.uuid4().hex,
        choices=choices,
        chosen=chosen,
        form=form or {},
        errors=errors or {},
        added=added,
        refused=list(refused),
        max_file_mb=per_file // (1024 * 1024),
        max_files=max_files,
        max_file_bytes=per_file,
        submitted=form is not None,
        camera=camera,
        next=_next(form.get("next") if form is not None else request.args.get("next")),
    )
    return render_page_or_fragment("art/new.html", "art/_upload_result.html", status=status, **context)


@bp.get("")
@client_required
def gallery():
    """Thumbnails grouped by dosing session, newest first, each with its day after the session before it."""
    groups = service.gallery(get_db(), _keyring())
    items = [(art.id, art.occurred_at) for group in groups for art in group.items]
    places = course.places_of(get_db(), _keyring(), current_user.user.time_zone, items)
    return render_template("art/gallery.html", groups=groups, places=places)


@bp.get("/new")
@client_required
def new_art():
    """The upload form; ?camera=1 opens the phone's camera for one photo instead of the library."""
    camera = request.args.get("camera") == "1"
    return _upload_page(choices=belongs.session_choices(get_db(), _keyring()), camera=camera)


@bp.post("")
@client_required
def upload():
    """Process each photo, keep the good ones (once, however often the upload is sent), say why for the rest."""
    client_key = request.form.get("client_key")
    if not valid_client_key(client_key):
        abort(400)
    db, keyring = get_db(), _keyring()
    choices = belongs.session_choices(db, keyring)
    details, errors = service.clean_details(request.form, choices)
    files = [sent for sent in request.files.getlist("photos") if sent.filename]
    if not files and not errors:
        errors["photos"] = "Choose one or more photos to add."
    if errors:
        return _upload_page(choices=choices, form=request.form, errors=errors, status=422)
    per_file, max_files = _limits()
    if len(files) > max_files:
        raise UploadTooLarge(
            f"Up to {max_files} photos can be added at a time; {len(files)} were sent. "
            "Nothing was saved; add them in smaller groups."
        )
    for upload_file in files:
        size = _size(upload_file.stream)
        if size > per_file:
            raise UploadTooLarge(
                f"“{_display_name(upload_file.filename)}” is {size / (1024 * 1024):.1f} MB; photos "
                f"can be up to {per_file // (1024 * 1024)} MB each. Nothing was saved."
            )
    skip = service.already_saved(db, keyring, client_key, len(files))
    try:
        with current_app.extensions["art_slots"].hold():
            done, refused = service.process_files(
                [(_display_name(upload_file.filename), upload_file.stream) for upload_file in files], skip
            )
    except service.Busy as busy:
        raise ServiceUnavailable(retry_after=busy.retry_after) from None
    added = service.add_photos(db, keyring, client_key, done, details, utcnow())
    db.commit()
    count = len(added) + len(skip)
    if not refused:
        flash("Photo added." if count == 1 else f"{count} photos added.", "info")
        back = _next(request.form.get("next"))
        if back is not None:  # added from a form that keeps photos (an entry's): back there, the new ones ticked
            return redirect_page(back + ("&" if "?" in back else "?") + urlencode([("photo", one) for one in added]))
        return redirect_page(url_for("art.gallery"))
    return _upload_page(choices=choices, form=request.form, added=count, refused=refused, status=200 if count else 422)


@bp.get("/<uuid:art_id>")
@client_required
def read_art(art_id):
    """One photo, large, with its caption."""
    art = _art_or_404(art_id)
    choices = belongs.session_choices(get_db(), _keyring())
    dose = next((dose for dose in choices if dose.id == art.dose_id), None)
    place = place_of(art.occurred_at, choices[::-1], current_user.user.time_zone)  # choices: newest first
    holding = entries.entries_holding(get_db(), _keyring(), art_id)
    return render_template("art/read.html", art=art, dose=dose, place=place, entries=holding)


@bp.get("/<uuid:art_id>/<any(full, thumb):variant>.jpg")
@client_required
def picture(art_id, variant):
    """The picture, decrypted for this request only; anyone but its owner gets 404."""
    data = service.image(get_db(), _keyring(), art_id, variant)
    if data is None:
        abort(404)
    return Response(
        data, 200, mimetype="image/jpeg", headers={"Content-Disposition": f'inline; filename="art-{variant}.jpg"'}
    )


@bp.get("/compare")
@client_required
def compare():
    """Two sessions' art side by side; the two latest with art unless chosen."""
    groups = service.gallery(get_db(), _keyring())
    keys = [service.group_key(group) for group in groups]
    first = request.args.get("a") if request.args.get("a") in keys else (keys[0] if keys else None)
    second = request.args.get("b") if request.args.get("b") in keys else next((k for k in keys if k != first), first)
    return render_template(
        "art/compare.html",
        groups=groups,
        first=service.group_for(groups, first),
        second=service.group_for(groups, second),
        first_key=first,
        second_key=second,
    )


@bp.get("/<uuid:art_id>/edit")
@client_required
def edit_art(art_id):
    art = _art_or_404(art_id)
    choices = belongs.session_choices(get_db(), _keyring())
    form = {"caption": art.caption, "dose_id": belongs.form_value(art.dose_id)}
    return render_template("art/edit.html", art=art, choices=choices, form=form, errors={})


@bp.post("/<uuid:art_id>/edit")
@client_required
def update_art(art_id):
    """Save a new caption or session, unless it changed elsewhere since the form was opened."""
    db, keyring = get_db(), _keyring()
    art = _art_or_404(art_id)
    choices = belongs.session_choices(db, keyring)
    details, errors = service.clean_details(request.form, choices)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    if errors:
        return render_template("art/edit.html", art=art, choices=choices, form=request.form, errors=errors), 422
    result = service.update_art(db, keyring, art_id, version, details, utcnow())
    if result is None:
        abort(404)
    if isinstance(result, StaleVersion):
        return render_template(
            "art/edit.html", art=result.current, choices=choices, form=request.form, errors={}, stale=True
        ), 409
    db.commit()
    flash("Saved.", "info")
    return redirect(url_for("art.read_art", art_id=art_id), 303)


@bp.get("/<uuid:art_id>/delete")
@client_required
def confirm_delete(art_id):
    art = _art_or_404(art_id)
    return render_template(
        "art/delete.html", art=art, held_by=len(entries.entries_holding(get_db(), _keyring(), art_id))
    )


@bp.post("/<uuid:art_id>/delete")
@client_required
def delete_art(art_id):
    """Delete the photo, first taking it out of the entries that hold it, in one transaction."""
    db = get_db()
    _art_or_404(art_id)
    entries.forget_photo(db, _keyring(), art_id, utcnow())
    if not service.delete_art(db, _keyring(), art_id):
        abort(404)
    db.commit()
    flash("Photo deleted.", "info")
    return redirect(url_for("art.gallery"), 303)


def _next(target: str | None) -> str | None:
    """Where an upload started from another page goes back to: a path of this site only (never another site, a
    scheme or a script), else None (the gallery)."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers drop tabs and line breaks from addresses and read "\\" as "/": "/\t/elsewhere" would leave the site.
    if "\\" in target or any(char <= " " or char == "\x7f" for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _size(stream) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _display_name(filename: str | None) -> str:
    """The file's own name, without any folder a browser sent, short enough to show."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "A photo"
    return name if len(name) <= 80 else name[:77] + "…"
