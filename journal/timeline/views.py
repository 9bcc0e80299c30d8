"""The timeline page; htmx loads older pages as the reader scrolls."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

from ..db import get_db
from ..web.access import client_required
from ..web.htmx import render_page_or_fragment
from . import service

bp = Blueprint("timeline", __name__, url_prefix="/timeline")


@bp.get("")
@client_required
def show_timeline():
    """Everything, newest first, grouped by dosing session, each item with its day after the session."""
    try:
        groups, next_cursor = service.timeline_page(
            get_db(), current_user.keyring, current_user.user.time_zone, request.args.get("before")
        )
    except ValueError:
        abort(400)
    return render_page_or_fragment(
        "timeline/page.html", "timeline/_groups.html", groups=groups, next_cursor=next_cursor
    )
