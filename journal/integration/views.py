"""The next integration session: the client notes it (Today, their clinicians page), and so can the linked
therapist (the client's page and brief on the desk). Thin: parse the form, call service.py, go back."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..db import get_db, utcnow
from ..desk import service as desk
from ..sharing import service as sharing
from ..web.access import client_required, therapist_required
from . import service

bp = Blueprint("integration", __name__)
CLIENT_PAGES = {"today": "pages.home", "clinicians": "sharing.clinicians", "form": "integration.next_session"}
DESK_PAGES = {"client": "desk.client", "brief": "desk.brief"}


@bp.get("/next-session")
@client_required
def next_session():
    """Note, change or clear the date of the next integration session (with each clinician, or for yourself)."""
    return _client_page(errors={})


@bp.post("/next-session")
@client_required
def set_next_session():
    """Save the date (or clear it); a date that has passed is refused with a plain message."""
    db, user, now = get_db(), current_user.user, utcnow()
    links = sharing.links_for_client(db, user.id)
    linked = None
    raw = request.form.get("link_id") or (str(links[0].link.id) if len(links) == 1 else "")
    if raw or links:  # a clinician named, or one to choose among: it must be one of the client's own links
        link_id = _uuid_or_404(raw)
        linked = next((one for one in links if one.link.id == link_id), None)
        if linked is None:
            abort(404)
    when = None
    if "clear" not in request.form:
        when, problem = service.parse_when(request.form.get("date"), request.form.get("time"), user.time_zone, now)
        if when is None:
            key = str(linked.link.id) if linked else "own"
            typed = {**request.form.to_dict(), "link_id": key}  # kept in the right form, wherever it was sent from
            return _client_page(errors={key: problem}, typed=typed, status=422)
    if linked is not None:
        service.set_on_link(linked.link, when, service.CLIENT)
    else:
        service.set_on_user(user, when)
    db.commit()
    if when is None:
        flash("The date of your next integration session is cleared.", "info")
    else:
        shown = service.upcoming(when, user.time_zone, now)
        seen = f" {linked.name} sees it on their desk." if linked else ""
        flash(f"Your next integration session is {shown.words() if shown else 'noted'}.{seen}", "info")
    return redirect(url_for(CLIENT_PAGES.get(request.form.get("back", ""), "pages.home")), 303)


@bp.post("/desk/clients/<uuid:client_id>/next-session")
@therapist_required
def desk_next_session(client_id):
    """The linked therapist notes (or clears) the next session with this client; nobody else finds the client."""
    found = desk.linked_client(get_db(), current_user.user.id, client_id)
    if found is None:
        abort(404)
    link, person = found
    db, now, zone = get_db(), utcnow(), current_user.user.time_zone
    back = DESK_PAGES.get(request.form.get("back", ""), "desk.client")
    when = None
    if "clear" not in request.form:
        when, problem = service.parse_when(request.form.get("date"), request.form.get("time"), zone, now)
        if when is None:
            problem = problem.replace("your next session", "the next session")
            return render_template(
                "integration/desk_form.html",
                client=person,
                name=desk.client_name(person),
                problem=problem,
                typed=request.form,
                back=request.form.get("back", ""),
                back_url=url_for(back, client_id=client_id),
            ), 422
    service.set_on_link(link, when, service.THERAPIST)
    db.commit()
    name = desk.client_name(person)
    shown = service.upcoming(when, zone, now)
    flash(
        f"Next integration session with {name}: {shown.desk_words()}. {name} sees it on their Today screen."
        if shown
        else f"The date of the next integration session with {name} is cleared.",
        "info",
    )
    return redirect(url_for(back, client_id=client_id), 303)


def _client_page(errors: dict[str, str], typed=None, status: int = 200):
    db, user, now = get_db(), current_user.user, utcnow()
    links = sharing.links_for_client(db, user.id)
    return render_template(
        "integration/form.html",
        links=links,
        sessions=service.for_client(user, links, user.time_zone, now),
        own=service.upcoming(service.of_user(user), user.time_zone, now),
        errors=errors,
        typed=typed or {},
    ), status


def _uuid_or_404(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        abort(404)
