"""Check-in pages: the quick form, the list, and deleting. Thin: parse, call the service, pick the template."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..course import service as course
from ..db import get_db, utcnow
from ..forms import valid_client_key
from ..sharing import audience
from ..web import outbox
from ..web.access import client_required
from ..web.htmx import render_page_or_fragment
from . import service, vocabulary

bp = Blueprint("checkins", __name__, url_prefix="/checkins")


def _keyring():
    return current_user.keyring


def _places(items):
    """ "Day 3 after session 2" of each (id, time), in the client's zone: one query for a page."""
    return course.places_of(get_db(), _keyring(), current_user.user.time_zone, items)


def _form_page(*, client_key: str, form=None, errors=None, status: int = 200):
    """`form` is None for a fresh form (every scale starts at "Not now"), else what was sent."""
    emotions = set(form.getlist("emotions")) if form is not None else set()
    return render_template(
        "checkins/form.html",
        client_key=client_key,
        form=form or {},
        submitted=form is not None,
        errors=errors or {},
        picked=emotions,
        scale_state=service.scale_state(form),
        v=vocabulary,
    ), status


@bp.get("")
@client_required
def list_checkins():
    """Newest first; htmx fetches the next page as the reader scrolls."""
    try:
        checkins, next_cursor = service.list_checkins(get_db(), _keyring(), before=request.args.get("before"))
    except ValueError:
        abort(400)
    places = _places([(checkin.id, checkin.occurred_at) for checkin in checkins])
    return render_page_or_fragment(
        "checkins/list.html", "checkins/_page.html", checkins=checkins, next_cursor=next_cursor, places=places
    )


@bp.get("/new")
@client_required
def new_checkin():
    """A blank check-in with its own client-made id, so sending it twice saves it once."""
    return _form_page(client_key=uuid.uuid4().hex)


@bp.post("")
@client_required
def create_checkin():
    """Save a check-in once, however often the same form is sent."""
    client_key = request.form.get("client_key")
    if not valid_client_key(client_key):
        abort(400)
    data, errors = service.clean_checkin(request.form, request.form.getlist("emotions"))
    if data is None:
        return _form_page(client_key=client_key, form=request.form, errors=errors, status=422)
    db = get_db()
    checkin_id = service.create_checkin(db, _keyring(), client_key, data, utcnow())
    db.commit()
    told = audience.saved_message("Check-in", audience.record_audience(db, current_user.user.id, checkin_id))
    return outbox.saved(url_for("checkins.read_checkin", checkin_id=checkin_id), told)


@bp.get("/<uuid:checkin_id>")
@client_required
def read_checkin(checkin_id):
    """One check-in (the timeline links here)."""
    checkin = _checkin_or_404(checkin_id)
    place = _places([(checkin.id, checkin.occurred_at)])[checkin.id]
    return render_template("checkins/read.html", checkin=checkin, place=place)


@bp.get("/<uuid:checkin_id>/delete")
@client_required
def confirm_delete(checkin_id):
    """Ask before deleting."""
    return render_template("checkins/delete.html", checkin=_checkin_or_404(checkin_id))


@bp.post("/<uuid:checkin_id>/delete")
@client_required
def delete_checkin(checkin_id):
    """Delete for good."""
    db = get_db()
    if not service.delete_checkin(db, _keyring(), checkin_id):
        abort(404)
    db.commit()
    flash("Check-in deleted.", "info")
    return redirect(url_for("checkins.list_checkins"), 303)


def _checkin_or_404(checkin_id):
    checkin = service.get_checkin(get_db(), _keyring(), checkin_id)
    if checkin is None:
        abort(404)
    return checkin
