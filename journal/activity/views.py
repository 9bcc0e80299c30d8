"""The security activity page: sign-ins, password and two-step changes, sharing, exports. Newest first."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from ..db import get_db
from . import service

bp = Blueprint("activity", __name__)


@bp.get("/account/activity")
@login_required
def activity():
    """One page of this account's security activity; "Older" pages back with ?before=."""
    raw = request.args.get("before", "")
    before = int(raw) if raw.isdigit() and len(raw) < 19 else None
    rows, older = service.page(get_db(), current_user.user.id, before)
    return render_template("activity/activity.html", rows=rows, older=older, paged=before is not None)
