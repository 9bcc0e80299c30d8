"""Rules for the installed app: what the service worker keeps, and the offline-capture choice."""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app, url_for
from sqlalchemy.orm import Session

from ..models import User
from ..web.static_files import StaticFiles

# Kept for offline use: styles and scripts, and the small icons pages link to. The large icons are
# fetched by the launcher once, and the photos and pages never: they may hold private writing.
PRECACHE_SKIP = ("icons/icon-512.png", "icons/maskable-", "icons/shortcut-")
SHELL_PAGES = ("pwa.offline", "pwa.offline_entry", "pwa.offline_checkin", "pwa.outbox")


def precache(files: StaticFiles) -> list[str]:
    """Versioned URLs of the static files, then the offline pages (shared by everyone, no session)."""
    statics = [files.url(name) for name in files.names() if not name.startswith(PRECACHE_SKIP)]
    return statics + [url_for(endpoint) for endpoint in SHELL_PAGES]


def release(files: StaticFiles) -> str:
    """Changes with any static file or offline page template: a new release replaces the old cache."""
    templates = current_app.jinja_env.loader
    digest = hashlib.sha256(files.release().encode())
    for name in ("pwa/sw.js", "pwa/shell.html", "pwa/offline.html", "pwa/offline_entry.html",
                 "pwa/offline_checkin.html", "pwa/outbox.html", "entries/_form.html", "checkins/_form.html",
                 "checkins/_scale.html"):
        source, _path, _uptodate = templates.get_source(current_app.jinja_env, name)  # type: ignore[union-attr]
        digest.update(source.encode())
    return digest.hexdigest()[:12]


def owner_tag(user: User) -> str:
    """An opaque name for the account the device's outbox belongs to (not the id, not the email)."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, b"outbox-owner:" + user.id.bytes, hashlib.sha256).hexdigest()[:24]


def set_offline_capture(db: Session, user: User, enabled: bool) -> None:
    db.get(User, user.id).offline_capture = enabled  # type: ignore[union-attr]
