"""Housekeeping on a schedule: ended and idle sessions leave the database even when nobody signs in.

A session row holds a wrap of its user's key; an expired or idle one no longer unlocks anything
(the loader refuses it), but its bytes would stay on disk until something deletes them. Sign-in
sweeps them, and so does every server process at most every `SWEEP_MINUTES`, after it has sent a
response (the person who made the request never waits for it). `flask sweep` does the same from a
timer for a server that sees no traffic at all (docs/deploy.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime

from flask import Flask, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import vault
from .accounts.service import longest_idle
from .db import get_db, utcnow

log = logging.getLogger("journal.housekeeping")


def sweep(db: Session, config: Mapping, now: datetime) -> int:
    """Delete every ended or idle session (the caller commits). Returns how many went."""
    return vault.purge_stale_sessions(db, now, longest_idle(config))


class _Schedule:
    """When this process sweeps next; one sweep at a time per process."""

    def __init__(self, every_seconds: float) -> None:
        self.every = every_seconds
        self.next = 0.0
        self.lock = threading.Lock()

    def due(self) -> bool:
        now = time.monotonic()
        if now < self.next:
            return False
        self.next = now + self.every
        return True


def _sweep_in_context(app: Flask, schedule: _Schedule) -> None:
    if not schedule.lock.acquire(blocking=False):
        return  # another thread of this process is sweeping
    try:
        with app.app_context():
            db = get_db()
            removed = sweep(db, app.config, utcnow())
            db.commit()
            if removed:
                log.info("swept %d ended or idle sessions", removed)
    except SQLAlchemyError as error:  # the database is away: the next sweep tries again
        log.warning("session sweep failed: %s", type(error).__name__)
    finally:
        schedule.lock.release()


def init_app(app: Flask) -> None:
    schedule = _Schedule(float(app.config["SWEEP_MINUTES"]) * 60)

    @app.after_request
    def _sweep_when_due(response: Response) -> Response:
        if schedule.due():
            response.call_on_close(lambda: _sweep_in_context(app, schedule))
        return response
