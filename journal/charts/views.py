"""The charts page: mood and anxiety, and questionnaire totals, over 30 days, 90 days or the whole course."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from ..db import get_db, utcnow
from ..web.access import client_required
from ..web.htmx import render_page_or_fragment
from . import service

bp = Blueprint("charts", __name__, url_prefix="/charts")


@bp.get("")
@client_required
def show_charts():
    """Server-drawn SVG with the numbers in a table under each chart; ?range=30|90|all (30 by default)."""
    range_key = service.parse_range(request.args.get("range"))
    page = service.charts_page(get_db(), current_user.keyring, range_key, current_user.user.time_zone, utcnow())
    return render_page_or_fragment("charts/index.html", "charts/_charts.html", charts_page=page)
