"""Attempt counters in the database, so every server process counts the same attempts."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..models import RateEvent

WINDOW = timedelta(hours=1)


def rate_key(scope: str, value: str) -> str:
    """Hashed, so the table holds no email addresses or IP addresses."""
    return hashlib.sha256(f"{scope}\0{value}".encode("utf-8")).hexdigest()


def _own_transaction():
    # Counters commit on their own, at once, whatever the request later does: other
    # processes must see an attempt before this one has finished its slow password check.
    # So call them before the request's own session writes: on SQLite a held write lock
    # would make this second connection wait.
    return current_app.extensions["db_sessionmaker"].begin()


def count(key: str, now: datetime, window: timedelta = WINDOW) -> int:
    with _own_transaction() as db:
        return db.scalar(
            select(func.count()).select_from(RateEvent).where(RateEvent.key_hash == key, RateEvent.at > now - window)
        )


def reserve(key: str, limit: int, now: datetime, window: timedelta = WINDOW) -> int | None:
    """Count this attempt first, then look: concurrent attempts can only be refused, never slip through.

    Returns the event id to release if the attempt turns out not to count, or None when over the limit.
    """
    with _own_transaction() as db:
        _forget_old(db, now, window)
        event = RateEvent(key_hash=key, at=now)
        db.add(event)
        db.flush()
        event_id = event.id
    if count(key, now, window) > limit:
        release(event_id)
        return None
    return event_id


def release(event_id: int) -> None:
    with _own_transaction() as db:
        db.execute(delete(RateEvent).where(RateEvent.id == event_id))


def clear(key: str) -> None:
    """Forget every attempt under a key (the account was just proven to be its owner's)."""
    with _own_transaction() as db:
        db.execute(delete(RateEvent).where(RateEvent.key_hash == key))


def _forget_old(db, now: datetime, window: timedelta) -> None:
    # Every key, not just this one: keys that never see another attempt must not pile up.
    db.execute(delete(RateEvent).where(RateEvent.at <= now - window))
