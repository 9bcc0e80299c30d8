"""Rules for the installed app: what the service worker keeps, and the offline-capture choice."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, url_for
from sqlalchemy.orm import Session

from ..models import User
from ..web.static_files import StaticFiles

# Kept for offline use: styles and scripts, the favicon and the install icon. The large icons are fetched by
# the launcher once, and the photos and pages never: they may hold private writing. The apple-touch icon is
# only ever read by Safari, when adding to the home screen (with a network): kept, it would cost every
# other browser its bytes on the first visit.
PRECACHE_SKIP = ("icons/icon-512.png", "icons/maskable-", "icons/shortcut-", "icons/apple-touch-icon.png")
SHELL_PAGES = ("pwa.offline", "pwa.offline_entry", "pwa.offline_checkin", "pwa.offline_voice", "pwa.outbox")


def precache(files: StaticFiles) -> list[str]:
    """Versioned URLs of the static files, then the offline pages (shared by everyone, no session)."""
    statics = [files.url(name) for name in files.names() if not name.startswith(PRECACHE_SKIP)]
    return statics + [url_for(endpoint) for endpoint in SHELL_PAGES]


def release(files: StaticFiles) -> str:
    """Changes with any static file or template (the offline pages are drawn from several): a new
    release replaces the old cache."""
    known = current_app.extensions.get("pwa_release")
    if known and not current_app.debug:
        return known  # files only change with a release; the worker script is asked for on every launch
    env = current_app.jinja_env
    digest = hashlib.sha256(files.release().encode())
    for name in sorted(env.list_templates()):
        source, _path, _uptodate = env.loader.get_source(env, name)  # type: ignore[union-attr]
        digest.update(name.encode() + b"\0" + source.encode())
    current_app.extensions["pwa_release"] = digest.hexdigest()[:12]
    return current_app.extensions["pwa_release"]


def owner_tag(user: User) -> str:
    """An opaque name for the account the device's outbox belongs to (not the id, not the email)."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, b"outbox-owner:" + user.id.bytes, hashlib.sha256).hexdigest()[:24]


def set_offline_capture(db: Session, user: User, enabled: bool) -> None:
    db.get(User, user.id).offline_capture = enabled  # type: ignore[union-attr]
