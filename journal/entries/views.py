"""Journal entry pages. Thin: parse the form, call the service, pick the template."""

from __future__ import annotations

import dataclasses
import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..course import service as course
from ..course.prompts import get_prompt
from ..db import get_db, utcnow
from ..forms import valid_client_key
from ..web import outbox
from ..web.access import client_required
from ..web.htmx import render_page_or_fragment, wants_fragment
from . import photos, service

bp = Blueprint("entries", __name__, url_prefix="/entries")


def _keyring():
    return current_user.keyring


def _places(items):
    """ "Day 3 after session 2" of each (id, time), in the client's zone: one query for a page."""
    return course.places_of(get_db(), _keyring(), current_user.user.time_zone, items)


def _form_page(*, entry_id=None, client_key=None, form, errors=None, status=200, note=None, version=None, chosen=None):
    """The entry form; `chosen`: the photos ticked (from the form sent, unless given)."""
    prompt = get_prompt(form.get("prompt_id"))
    if chosen is None:
        chosen = photos.parse(form.getlist(photos.FIELD)) if hasattr(form, "getlist") else ()
    return render_template(
        "entries/form.html",
        entry_id=entry_id,
        client_key=client_key,
        form=form,
        errors=errors or {},
        note=note,
        version=version,
        prompt=prompt,
        photo_choices=photos.choices(get_db(), _keyring(), chosen),
        body_max=service.BODY_MAX,
    ), status


@bp.get("")
@client_required
def list_entries():
    """Newest first; htmx fetches the next page as the reader scrolls."""
    try:
        entries, next_cursor = service.list_entries(get_db(), _keyring(), before=request.args.get("before"))
    except ValueError:
        abort(400)
    drafts = [] if request.args.get("before") else service.list_drafts(get_db(), _keyring())
    places = _places([(entry.id, entry.occurred_at) for entry in entries])
    return render_page_or_fragment(
        "entries/list.html",
        "entries/_page.html",
        entries=entries,
        next_cursor=next_cursor,
        drafts=drafts,
        places=places,
    )


@bp.get("/new")
@client_required
def new_entry():
    """A blank entry, or a draft of one picked up again; ?photo= ticks photos to keep with it (a photo's "Write
    about this", or back from adding a new photo)."""
    client_key = request.args.get("draft")
    asked = photos.parse(request.args.getlist("photo"))
    if valid_client_key(client_key):
        draft = service.draft_for(get_db(), _keyring(), client_key=client_key)
        if draft is not None:
            return _form_page(
                client_key=client_key,
                note="Picked up where you left off.",
                form={"title": draft.title, "body": draft.body, "prompt_id": draft.prompt_id},
                chosen=tuple(dict.fromkeys((*draft.photo_ids, *asked)))[: photos.MAX_PHOTOS],
            )
    prompt = get_prompt(request.args.get("prompt"))
    return _form_page(client_key=uuid.uuid4().hex, form={"prompt_id": prompt.id} if prompt else {}, chosen=asked)


@bp.post("")
@client_required
def create_entry():
    """Save a new entry once, however often the same form is sent."""
    client_key = request.form.get("client_key")
    data, errors = _cleaned()
    if not valid_client_key(client_key):
        abort(400)
    if errors:
        return _form_page(client_key=client_key, form=request.form, errors=errors, status=422)
    db = get_db()
    entry_id = service.create_entry(db, _keyring(), client_key, data, utcnow(), prompt_id=_prompt_id())
    db.commit()
    return outbox.saved(url_for("entries.read_entry", entry_id=entry_id), "Entry saved.")


@bp.post("/draft")
@client_required
def autosave_new():
    """Keep a new entry's text as an encrypted draft while it is being written."""
    client_key = request.form.get("client_key")
    if not valid_client_key(client_key):
        abort(400)
    data, errors = _cleaned(draft=True)
    draft = None
    if not errors:
        db = get_db()
        draft = service.save_draft(db, _keyring(), data, utcnow(), client_key=client_key, prompt_id=_prompt_id())
        db.commit()
    if request.args.get("then") == "photo":
        return _to_new_photo(url_for("entries.new_entry", draft=client_key, photo=_chosen_ids()))
    return _autosaved(draft, errors, client_key=client_key)


@bp.get("/<uuid:entry_id>")
@client_required
def read_entry(entry_id):
    """One entry, rendered, with the prompt it answers."""
    entry = _entry_or_404(entry_id)
    held = photos.held(get_db(), _keyring(), entry.photo_ids)
    place = _places([(entry.id, entry.occurred_at)])[entry.id]
    return render_template("entries/read.html", entry=entry, prompt=get_prompt(entry.prompt_id), held=held, place=place)


@bp.get("/<uuid:entry_id>/edit")
@client_required
def edit_entry(entry_id):
    """The edit form, with unsaved changes from an earlier visit put back."""
    db = get_db()
    start = service.start_edit(db, _keyring(), entry_id)
    if start is None:
        abort(404)
    db.commit()
    if start.conflict is not None:
        return render_template(
            "entries/conflict.html",
            conflict=start.conflict,
            entry_id=entry_id,
            client_key=uuid.uuid4().hex,
            body_max=service.BODY_MAX,
        )
    note = "Your unsaved changes are back in the form." if start.restored else None
    asked = photos.parse(request.args.getlist("photo"))  # back from adding a new photo: what the form had ticked
    return _form_page(
        entry_id=entry_id,
        version=start.entry.version,
        note=note,
        client_key=uuid.uuid4().hex,
        form={"title": start.title, "body": start.body},
        chosen=asked if "photo" in request.args else start.photo_ids,
    )


@bp.post("/<uuid:entry_id>/edit")
@client_required
def update_entry(entry_id):
    """Save an edit; if the entry changed elsewhere since it was opened, show both versions."""
    version = _version()
    data, errors = _cleaned()
    db = get_db()
    if errors:
        _entry_or_404(entry_id)
        return _form_page(
            entry_id=entry_id, version=version, form=request.form, errors=errors, status=422, client_key=_edit_key()
        )
    result = service.update_entry(db, _keyring(), entry_id, version, data, utcnow(), edit_key=_edit_key())
    if result is None:
        abort(404)
    if isinstance(result, service.Conflict):
        return render_template(
            "entries/conflict.html",
            conflict=result,
            entry_id=entry_id,
            client_key=_edit_key(),
            body_max=service.BODY_MAX,
        ), 409
    db.commit()
    flash("Changes saved.", "info")
    return redirect(url_for("entries.read_entry", entry_id=entry_id), 303)


@bp.post("/<uuid:entry_id>/draft")
@client_required
def autosave_edit(entry_id):
    """Keep unsaved changes to an entry as an encrypted draft."""
    version = _version()
    data, errors = _cleaned(draft=True)
    draft = None
    db = get_db()
    if not errors:
        draft = service.save_draft(
            db, _keyring(), data, utcnow(), entry_id=entry_id, base_version=version, client_key=_edit_key()
        )
        if draft is None:
            abort(404)
        db.commit()
    else:
        _entry_or_404(entry_id)
    if request.args.get("then") == "photo":
        return _to_new_photo(url_for("entries.edit_entry", entry_id=entry_id, photo=_chosen_ids()))
    return _autosaved(draft, errors, entry_id=entry_id, version=version, client_key=_edit_key())


@bp.get("/<uuid:entry_id>/delete")
@client_required
def confirm_delete(entry_id):
    """Ask before deleting."""
    return render_template("entries/delete.html", entry=_entry_or_404(entry_id))


@bp.post("/<uuid:entry_id>/delete")
@client_required
def delete_entry(entry_id):
    """Delete for good."""
    db = get_db()
    if not service.delete_entry(db, _keyring(), entry_id, utcnow()):
        abort(404)
    db.commit()
    flash("Entry deleted.", "info")
    return redirect(url_for("entries.list_entries"), 303)


@bp.post("/drafts/<uuid:draft_id>/discard")
@client_required
def discard_draft(draft_id):
    """Throw away an unsaved draft."""
    db = get_db()
    if not service.discard_draft(db, _keyring(), draft_id):
        abort(404)
    db.commit()
    flash("Draft discarded.", "info")
    return redirect(url_for("entries.list_entries"), 303)


@bp.get("/link-photo/<uuid:art_id>")
@client_required
def link_photo_form(art_id):
    """A photo's "Link to an entry": the latest entries to choose from (older ones a page at a time)."""
    return _link_page(art_id)


@bp.post("/link-photo/<uuid:art_id>")
@client_required
def link_photo(art_id):
    """Keep the photo with the chosen entry; back to the photo, which now lists it."""
    try:
        entry_id = uuid.UUID(request.form.get("entry_id", ""))
    except ValueError:
        return _link_page(art_id, error="Choose the entry this photo goes with.", status=422)
    db = get_db()
    if not service.attach_photo(db, _keyring(), entry_id, art_id, utcnow()):
        abort(404)
    db.commit()
    entry = service.get_entry(db, _keyring(), entry_id)
    flash(f"Linked to “{entry.title or 'Untitled'}”." if entry else "Linked.", "info")
    return redirect(url_for("art.read_art", art_id=art_id), 303)


def _link_page(art_id, *, error=None, status=200):
    db = get_db()
    art = photos.photo(db, _keyring(), art_id)
    if art is None:
        abort(404)
    try:
        entries, next_cursor = service.list_entries(db, _keyring(), before=request.args.get("before"))
    except ValueError:
        abort(400)
    return render_template(
        "entries/link_photo.html", art=art, entries=entries, next_cursor=next_cursor, error=error
    ), status


def _cleaned(*, draft: bool = False) -> tuple[service.EntryInput, dict[str, str]]:
    """The form's title and body, checked (a `draft` may be longer); and its photos, when the form showed them."""
    data, errors = service.clean_entry(request.form.get("title", ""), request.form.get("body", ""), draft=draft)
    if request.form.get(photos.SHOWN):
        data = dataclasses.replace(data, photo_ids=photos.parse(request.form.getlist(photos.FIELD)))
    return data, errors


def _chosen_ids() -> list[str]:
    return [str(one) for one in photos.parse(request.form.getlist(photos.FIELD))]


def _to_new_photo(back: str):
    """ "Take or add a new photo" on the entry form: the words are kept as a draft (above); the upload page comes
    back here with the new photo ticked."""
    return redirect(url_for("art.new_art", next=back), 303)


def _prompt_id() -> str | None:
    prompt = get_prompt(request.form.get("prompt_id"))
    return prompt.id if prompt else None


def _entry_or_404(entry_id):
    entry = service.get_entry(get_db(), _keyring(), entry_id)
    if entry is None:
        abort(404)
    return entry


def _edit_key() -> str | None:
    """The id of the edit form a save or autosave came from (absent from older forms)."""
    key = request.form.get("client_key")
    return key if valid_client_key(key) else None


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


def _autosaved(draft, errors, **form_context):
    """htmx gets the status line. "Keep as draft" without JavaScript: a kept draft has an address, the form with it
    back in (a refresh there sends nothing again); what cannot be kept comes back in the form with the reason.

    A draft too long to save as one entry is kept whole, and either answer says so."""
    too_long = service.too_long(draft.body) if draft else None
    if wants_fragment():
        return render_template("entries/_autosave_status.html", draft=draft, errors=errors, too_long=too_long), 200
    if draft is None:
        return _form_page(form=request.form, errors=errors, status=422, **form_context)
    flash(" ".join(filter(None, ["Draft kept. It is encrypted like your entries.", too_long])), "info")
    if draft.record_id is not None:
        return redirect(url_for("entries.edit_entry", entry_id=draft.record_id), 303)
    return redirect(url_for("entries.new_entry", draft=draft.client_key), 303)
