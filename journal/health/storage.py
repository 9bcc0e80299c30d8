"""Can the database be written? A real write, and room left on the disk an embedded database lives on."""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..db import get_db
from ..web.storage_errors import FULL


def database_state() -> str:
    """'ok', 'unavailable' (no answer), or 'cannot write': the probe's write fails, the disk is nearly
    full, or writes here lately failed for lack of space and none has gone through since."""
    db = get_db()
    try:
        db.execute(text("SELECT 1"))
    except DBAPIError:
        return "unavailable"
    try:
        # Rewrites one row as it is: the database must take a write and make it durable.
        db.execute(text("UPDATE alembic_version SET version_num = version_num"))
        db.commit()
    except DBAPIError:
        db.rollback()
        return "cannot write"
    if FULL.lately():
        return "cannot write"
    folder = _embedded_database_folder(current_app.config["DATABASE_URL"])
    if folder is not None and _free_bytes(folder) < current_app.config["HEALTH_MIN_FREE_MB"] * 1024 * 1024:
        return "cannot write"
    return "ok"


def _embedded_database_folder(url: str) -> Path | None:
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///")).parent


def _free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize
