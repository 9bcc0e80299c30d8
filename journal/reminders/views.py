"""Reminders under Me: which ones, when, quiet hours and the title a notification shows; this device's
subscription (static/reminders.js sends it); and "Stop these reminders", opened from a notification. Thin: read the
form (form.py), call service.py, go back. For clients only: a therapist's account has nothing to be reminded of."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..db import get_db, utcnow
from ..web.access import client_required
from . import form as reminder_form
from . import service
from .endpoints import parse_services
from .schedule import COURSE, COURSE_DAYS, KINDS

bp = Blueprint("reminders", __name__)


@bp.get("/account/reminders")
@client_required
def page(errors=None, typed=None, status=200):
    db, user = get_db(), current_user.user
    rows = service.reminders_of(db, user.id)
    settings = service.settings_of(db, user.id)
    course = rows.get(COURSE)
    saved = {
        "on": {kind: bool(rows.get(kind) and rows[kind].enabled) for kind in KINDS},
        "at": {
            kind: (rows[kind].local_time if kind in rows else reminder_form.DEFAULT_TIMES[kind]).strftime("%H:%M")
            for kind in KINDS
        },
        "days": [int(day) for day in course.days.split(",") if day] if course and course.days else list(COURSE_DAYS),
        "title": settings.title if settings else service.DEFAULT_TITLE,
        "quiet_on": bool(settings and settings.quiet_start is not None),
        "quiet_start": (
            settings.quiet_start if settings and settings.quiet_start else reminder_form.DEFAULT_QUIET.start
        ).strftime("%H:%M"),
        "quiet_end": (
            settings.quiet_end if settings and settings.quiet_end else reminder_form.DEFAULT_QUIET.end
        ).strftime("%H:%M"),
    }
    return render_template(
        "reminders/page.html",
        saved=typed or saved,
        errors=errors or {},
        course_days=COURSE_DAYS,
        default_title=service.DEFAULT_TITLE,
        title_max=service.TITLE_MAX,
        public_key=current_app.config["VAPID_PUBLIC_KEY"],
        zone=user.time_zone,
    ), status


@bp.post("/account/reminders")
@client_required
def save():
    """Save every choice at once; nothing is saved while one field needs changing."""
    fields = reminder_form.Fields(request.form, request.form.getlist("course_days"))
    choices, errors = reminder_form.read(fields)
    if errors:
        return page(errors=errors, typed=_typed(fields), status=422)
    db, user, now = get_db(), current_user.user, utcnow()
    service.save_settings(db, user, title=choices.title, quiet=choices.quiet, now=now)
    for kind in KINDS:
        service.save_reminder(db, user, kind, enabled=choices.on[kind], at=choices.at[kind], now=now, days=choices.days)
    db.commit()
    if any(choices.on.values()):
        flash("Reminders saved.", "info")
    else:
        flash("Reminders are off. Nothing will be sent to any of your devices.", "info")
    return redirect(url_for("reminders.page"), 303)


def _typed(fields: reminder_form.Fields) -> dict:
    """The form as sent, to show again beside its messages."""
    return {
        "on": {kind: fields.get(f"{kind}_on") == "on" for kind in KINDS},
        "at": {kind: fields.get(f"{kind}_time") for kind in KINDS},
        "days": [int(day) for day in fields.days if day.isdigit() and len(day) < 3],
        "title": fields.get("title"),
        "quiet_on": fields.get("quiet_on") == "on",
        "quiet_start": fields.get("quiet_start"),
        "quiet_end": fields.get("quiet_end"),
    }


@bp.post("/account/reminders/device")
@client_required
def subscribe():
    """This device's push subscription (JSON, as the browser's push manager gives it), tied to this sign-in:
    signing out here ends it."""
    sent = request.get_json(silent=True)
    keys = sent.get("keys") if isinstance(sent, dict) else None
    if not isinstance(sent, dict) or not isinstance(keys, dict):
        return jsonify(message="This browser's subscription could not be read."), 422
    db = get_db()
    try:
        service.subscribe(
            db,
            current_user.user.id,
            endpoint=str(sent.get("endpoint") or ""),
            p256dh=str(keys.get("p256dh") or ""),
            auth=str(keys.get("auth") or ""),
            session_handle=service.device_handle(current_user.session),
            services=parse_services(current_app.config.get("PUSH_SERVICES")),
            now=utcnow(),
        )
    except service.Refused as refused:
        return jsonify(message=str(refused)), 422
    db.commit()
    return "", 204


@bp.post("/account/reminders/device/end")
@client_required
def unsubscribe():
    """This device takes no more reminders (its own subscription only; the client's other devices keep theirs)."""
    sent = request.get_json(silent=True)
    endpoint = sent.get("endpoint") if isinstance(sent, dict) else None
    db = get_db()
    if isinstance(endpoint, str):
        service.unsubscribe(db, current_user.user.id, endpoint)
        db.commit()
    return "", 204


@bp.get("/reminders/stop")
@client_required
def stop_confirm():
    """Opened from a notification's "Stop these reminders": one button; nothing changes until it is pressed."""
    on = any(row.enabled for row in service.reminders_of(get_db(), current_user.user.id).values())
    return render_template("reminders/stop.html", on=on)


@bp.post("/reminders/stop")
@client_required
def stop():
    db = get_db()
    service.stop_all(db, current_user.user.id)
    db.commit()
    flash("All reminders are off. Nothing will be sent to any of your devices.", "info")
    return redirect(url_for("reminders.page"), 303)
