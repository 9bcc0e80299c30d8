"""The timeline page; htmx loads older pages as the reader scrolls. Filters are GET parameters of a plain form."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

from ..db import get_db
from ..web.access import client_required
from ..web.htmx import render_page_or_fragment, wants_fragment
from . import filters as timeline_filters
from . import service

bp = Blueprint("timeline", __name__, url_prefix="/timeline")


@bp.get("")
@client_required
def show_timeline():
    """Everything, newest first, grouped by dosing session, each item with its day after the session; only one
    kind, one session or one emotion word when the filters ask."""
    db = get_db()
    chosen = timeline_filters.read(request.args)
    try:
        groups, next_cursor = service.timeline_page(
            db,
            current_user.keyring,
            current_user.user.time_zone,
            request.args.get("before"),
            filters=chosen,
        )
    except ValueError:
        abort(400)
    return render_page_or_fragment(
        "timeline/page.html",
        "timeline/_groups.html",
        groups=groups,
        next_cursor=next_cursor,
        filters=chosen,
        sessions=0 if wants_fragment() else service.session_count(db, current_user.keyring),
        kind_choices=timeline_filters.kind_choices(),
        emotion_groups=timeline_filters.emotion_groups(),
    )
