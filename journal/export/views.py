"""The client's export: a page that says what the zip holds, and the download, which streams.

Thin: the counts and the archive come from service.py. Exporting is a sensitive action: the
password must have been entered in the last few minutes (journal/web/access/reauth.py), and each
download is written to the security activity log.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, current_app, render_template, stream_with_context
from flask_login import current_user

from ..activity import service as activity
from ..db import get_db, utcnow
from ..web.access import client_required, recent_password_required
from . import service

bp = Blueprint("export", __name__)


def zip_response(chunks: Iterator[bytes], filename: str) -> Response:
    """A download that streams: the browser shows its own progress; nothing is cached anywhere."""
    response = Response(stream_with_context(chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account/export")
@client_required
@recent_password_required
def page():
    """What the zip holds, how much there is, and the button."""
    return render_template("export/page.html", overview=service.overview(get_db(), current_user.user.id))


@bp.post("/account/export")
@client_required
@recent_password_required
def download():
    """Everything the client wrote, decrypted, as a zip that is written while it downloads."""
    db, user, now = get_db(), current_user.user, utcnow()
    activity.record(db, user.id, "export", device=current_user.device, now=now)
    db.commit()
    # current_app is a werkzeug LocalProxy, typed as the Flask app it stands for: the proxy's method is not in that type.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    chunks = service.client_archive(app, current_user.keyring, user, now)
    return zip_response(chunks, service.filename("journal", now, user.time_zone))
