"""The manifest, the service worker, the pages it keeps for offline use, and the offline-capture setting.

The offline pages (/offline, /offline/entry, /offline/checkin, /offline/voice, /outbox) are the same for everyone:
drawn without the session, so the copies the service worker keeps hold no user, token or writing.
"""

from __future__ import annotations

import hmac
import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..checkins import service as checkins
from ..checkins import vocabulary
from ..course import belongs
from ..db import get_db
from ..entries import service as entries
from ..safety.crisis import public_lines
from ..voice import audio as voice_audio
from ..web.static_files import encoded_response, public_file
from . import manifest as app_manifest
from . import service

bp = Blueprint("pwa", __name__)

SHELLS = {"entry": "/offline/entry", "checkin": "/offline/checkin", "voice": "/offline/voice"}


@bp.before_app_request
def _outbox_account():
    """An item kept on the phone names the account it was written in (X-Outbox-Owner, the opaque tag of
    service.owner_tag). The offline pages send without knowing who is signed in now: if it is someone else, the
    item is refused whole (409) and stays on the phone, never saved into another person's journal."""
    sent = request.headers.get("X-Outbox-Owner")
    if sent is None or request.method != "POST" or not current_user.is_authenticated:
        return None  # an ordinary form, or nobody signed in (the view answers that)
    if current_user.role == "client" and hmac.compare_digest(
        sent.encode(), service.owner_tag(current_user.user).encode()
    ):
        return None
    return Response(status=409)


@bp.get("/manifest.webmanifest")
def manifest():
    """The same for everyone and every visit until a release: compressed like the static files, and revalidated
    with its ETag (journal/security/headers.py), so a repeat visit gets 304."""
    made = current_app.extensions.get("pwa_manifest")
    if made is None or current_app.debug:
        body = json.dumps(app_manifest.manifest(current_app.extensions["static_files"].url), separators=(",", ":"))
        made = current_app.extensions["pwa_manifest"] = public_file(body.encode(), "application/manifest+json")
    return encoded_response(made)


@bp.get("/sw.js")
def service_worker():
    """The worker itself is never cached long: browsers check it on every launch."""
    files = current_app.extensions["static_files"]
    body = render_template(
        "pwa/sw.js",
        release=service.release(files),
        precache=service.precache(files),
        offline="/offline",
        shells=SHELLS,
        icon=files.url("icons/icon-192.png"),
        stop="/reminders/stop",
    )
    return Response(body, mimetype="application/javascript")


@bp.get("/offline")
def offline():
    """Shown by the service worker when a page cannot be reached."""
    return render_template("pwa/offline.html", shell=True, crisis=public_lines(current_app.config))


@bp.get("/offline/entry")
def offline_entry():
    """The new-entry form as kept on the device: it works without a network (static/outbox.js)."""
    return render_template(
        "pwa/offline_entry.html", shell=True, form={}, errors={}, client_key="", body_max=entries.BODY_MAX
    )


@bp.get("/offline/voice")
def offline_voice():
    """The voice recorder as kept on the device: a recording waits on the phone as a file (static/outbox.js)."""
    return render_template(
        "pwa/offline_voice.html",
        shell=True,
        form={},
        errors={},
        client_key="",
        choices=[],
        chosen=belongs.LATEST,
        max_mb=current_app.config["VOICE_MAX_MB"],
        max_minutes=voice_audio.MAX_SECONDS // 60,
    )


@bp.get("/offline/checkin")
def offline_checkin():
    """The check-in form as kept on the device."""
    return render_template(
        "pwa/offline_checkin.html",
        shell=True,
        form={},
        errors={},
        client_key="",
        submitted=False,
        picked=set(),
        scale_state=checkins.scale_state(None),
        v=vocabulary,
    )


@bp.get("/outbox")
def outbox():
    """What waits on this device to be sent; the list is drawn from the device's own storage."""
    return render_template("pwa/outbox.html", shell=True)


@bp.post("/account/offline-capture")
@login_required
def set_offline_capture():
    db = get_db()
    enabled = request.form.get("offline_capture") == "on"
    service.set_offline_capture(db, current_user.user, enabled)
    db.commit()
    flash(
        "Offline writing is on for this account."
        if enabled
        else "Offline writing is off. Anything already waiting on this device will still be sent.",
        "info",
    )
    return redirect(url_for("pages.account") + "#offline", 303)
