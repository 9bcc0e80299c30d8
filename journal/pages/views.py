"""Home, help in a crisis, and the account page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts import service as accounts
from ..asks import answering as asking
from ..asks import service as asks
from ..course import service as course
from ..db import commit_if_written, get_db, utcnow
from ..desk.views import clients as desk_clients
from ..integration import service as next_sessions
from ..reminders import service as reminders
from ..safety import practice_line
from ..safety import service as safety
from ..safety.crisis import crisis_lines
from ..sharing import audience
from ..sharing import service as sharing
from ..web.access import client_required

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    """Signed in: the client's Today screen or the therapist's desk. Otherwise: what this is."""
    if not current_user.is_authenticated:
        return render_template("pages/welcome.html")
    if current_user.role == "therapist":
        return desk_clients()
    asked = request.args.get("prompt", "0")
    offset = int(asked) if asked.isdigit() and len(asked) < 4 else 0
    db = get_db()
    zone, now = current_user.user.time_zone, utcnow()
    every_dose = course.doses(db, current_user.keyring)
    place = course.place_of(now, every_dose, zone)
    dose_at = place.dose.occurred_at if place.dose is not None else None
    due = [one for one in asks.for_client(db, current_user.keyring, current_user.user, now, dose_at) if one.due]
    day = course.today(db, current_user.keyring, zone, now, offset, asking.prompts_of(due), place, every_dose)
    # A clinician whose key changed since the client linked is told here, where the client looks first.
    links = sharing.links_for_client(db, current_user.user.id)
    key_changes = sharing.check_clinician_keys(db, current_user.keyring, utcnow(), links)
    commit_if_written(db)  # a changed key noted once; nothing to commit on most visits
    return render_template(
        "pages/today.html",
        today=day,
        offset=offset,
        asked=due,
        key_changes=key_changes,
        key_changed_words=sharing.key_changed_words,
        linked=bool(links),
        links=links,
        audience_among=audience.words_among,
        sessions=next_sessions.for_client(current_user.user, links, current_user.user.time_zone, utcnow()),
    )


@bp.get("/new")
@client_required
def new_item():
    """The + button: what would you like to add?"""
    return render_template("pages/new.html")


@bp.get("/help")
def crisis_help():
    """Crisis lines, reachable from every page, signed in or not; a client's own safety plan first."""
    client = current_user.is_authenticated and current_user.role == "client"
    db = get_db() if client else None  # a visitor's help page asks nothing of the database
    crisis = crisis_lines(db, current_user.user if client else None, current_app.config)
    # A plan is only found with a database to look in (crisis_lines sees none without one).
    plan = safety.get_plan(db, current_user.keyring) if crisis.has_plan and db is not None else None
    return render_template("pages/help.html", crisis=crisis, plan=plan, client=client)


@bp.get("/account")
@login_required
def account(errors=None, status=200):
    """Me: the account and its time zone, the recovery code, the theme, signing out."""
    return render_template(
        "pages/account.html",
        user=current_user.user,
        practice_line=practice_line.of(current_user.user),
        time_zones=accounts.time_zones(),
        errors=errors or {},
    ), status


@bp.post("/account/time-zone")
@login_required
def set_time_zone():
    """Show dates, and count the days after a session, in another zone from now on."""
    db = get_db()
    if not accounts.change_time_zone(current_user.user, request.form.get("time_zone")):
        return account(errors={"time_zone": "Choose a time zone from the list."}, status=422)
    reminders.zone_changed(db, current_user.user, utcnow())  # each reminder's next time, at once, in the new zone
    db.commit()
    flash(f"Time zone saved: {current_user.user.time_zone}. Dates and times now show in it.", "info")
    return redirect(url_for("pages.account") + "#time-zone", 303)
