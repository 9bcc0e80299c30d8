"""Search: the form (GET), and its results (POST: the words travel in the body, so no address, history or access
log line ever holds them). Nothing is changed; the POST carries the CSRF token like every form."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ..db import get_db
from ..web.access import client_required
from . import service

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.get("")
@client_required
def search_form():
    return render_template("search/page.html", page=None)


@bp.post("")
@client_required
def search_results():
    """A page of results, newest first, grouped by dosing session (`after`: below the last one shown)."""
    try:
        page = service.search(
            get_db(),
            current_user.keyring,
            current_user.user.time_zone,
            request.form.get("q"),
            request.form.get("after"),
        )
    except ValueError:
        abort(400)
    return render_template("search/page.html", page=page)
