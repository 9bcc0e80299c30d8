"""Rate counters in the app's database: one row per counted attempt."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, func, select

from ..models import RateEvent


class DatabaseCounters:
    def __init__(self, app: Flask):
        self._app = app

    def _own_transaction(self):
        # Counters commit on their own, at once, whatever the request later does: other
        # processes must see an attempt before this one has finished its slow password check.
        # So call them before the request's own session writes: on SQLite a held write lock
        # would make this second connection wait.
        return self._app.extensions["db_sessionmaker"].begin()

    def add(self, key: str, token: str, now: datetime, window: timedelta) -> int:
        with self._own_transaction() as db:
            # Every key, not just this one: keys that never see another attempt must not pile up.
            db.execute(delete(RateEvent).where(RateEvent.at <= now - window))
            db.add(RateEvent(key_hash=key, token=token, at=now))
        with self._own_transaction() as db:
            return db.scalar(
                select(func.count()).select_from(RateEvent).where(RateEvent.key_hash == key, RateEvent.at > now - window)
            )

    def remove(self, key: str, token: str) -> None:
        with self._own_transaction() as db:
            db.execute(delete(RateEvent).where(RateEvent.key_hash == key, RateEvent.token == token))

    def clear(self, key: str) -> None:
        with self._own_transaction() as db:
            db.execute(delete(RateEvent).where(RateEvent.key_hash == key))
