"""Everything templates call beyond their context, registered in one place.

Globals: asset() (a static file's versioned URL), csrf_token(), record_display(), record_kind_label(),
record_kind() and record_partial() (a record as a reader sees it, from its kind: records/kinds.py), audience_of() (who will see a client's record),
outbox_owner() (the device outbox's owner tag on a client's pages). Filters: local_time, the one for time zones;
email_breaks, an address that wraps at its @ and dots.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from .db import get_db
from .pwa.service import owner_tag
from .records import kinds
from .security.csrf import csrf_token
from .sharing import audience
from .web import links

TIME_PATTERN = "%a %-d %b %Y, %H:%M"


@pass_context
def local_time(context: Context, moment: datetime | None, pattern: str = TIME_PATTERN, zone: str | None = None) -> str:
    """A UTC time shown in the reader's time zone: `zone` when given, else the signed-in person's, else UTC.

    The reader comes from the template's context (the object itself, not the request-bound proxy: a list
    of 30 items asks 30 times)."""
    if moment is None:
        return ""
    if not zone:
        reader = context.get("current_user")
        if reader is None:  # a macro imported without the page's context
            reader = current_user
        zone = reader.user.time_zone if reader.is_authenticated else "UTC"
    return moment.astimezone(_zone(zone)).strftime(pattern)


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def email_breaks(address: str | None) -> Markup:
    """An email address that a narrow screen wraps after its @ or before a dot, not inside a word: a <wbr> at each
    of those places, and each hyphen held to the character after it (browsers would break after a hyphen, which
    reads as a word cut in two). CSS overflow-wrap breaks elsewhere only in a part wider than the line alone."""
    text = str(escape(address or "")).replace("@", "@<wbr>").replace(".", "<wbr>.")
    return Markup(_HYPHEN_RE.sub(r'<span class="nobr">\g<0></span>', text))


# Hyphens and the character after them (an escaped one whole); none before a <wbr>, where a break is wanted.
_HYPHEN_RE = re.compile(r"-+(?:&[^;]+;|[^<])")


def audience_of(kind: str | None = None, record_id: uuid.UUID | None = None) -> audience.Audience:
    """Who sees the signed-in client's record `record_id`, or a new one of `kind` (sharing/_audience.html)."""
    return audience.audience_of(get_db(), current_user.user.id, kind=kind, record_id=record_id)


def record_partial(kind: str) -> str | None:
    """The template that shows one record of this kind (None for a kind no package describes)."""
    found = kinds.find(kind)
    return found.partial if found else None


def outbox_owner() -> str | None:
    """The device outbox's owner tag on a client's pages; nothing for anyone else."""
    if current_user.is_authenticated and current_user.role == "client":
        return owner_tag(current_user.user)
    return None


def init_app(app: Flask) -> None:
    """After the static files (their URLs come from app.extensions["static_files"])."""
    links.init_app(app)  # url_for in templates: addresses built once per shape (web/links.py)
    app.jinja_env.globals.update(
        asset=app.extensions["static_files"].url,
        csrf_token=csrf_token,
        record_display=kinds.display,
        record_kind_label=kinds.label,
        record_kind=kinds.find,
        record_partial=record_partial,
        audience_of=audience_of,
        outbox_owner=outbox_owner,
    )
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["email_breaks"] = email_breaks
