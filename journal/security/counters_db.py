"""Rate counters in the app's database: one row per counted attempt."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..models import RateEvent

# Rows are kept this long whatever the key's own window (the longest any counter looks back): a count only
# ever looks at its own window, so an older row changes nothing before it goes.
KEEP = timedelta(days=1)


class DatabaseCounters:
    def __init__(self, app: Flask):
        self._app = app

    def _own_transaction(self):
        # Counters commit on their own, at once, whatever the request later does: other
        # processes must see an attempt before this one has finished its slow password check.
        # So call them before the request's own session writes: on SQLite a held write lock
        # would make this second connection wait.
        return self._app.extensions["db_sessionmaker"].begin()

    def _forget_old(self, db, now: datetime, window: timedelta) -> None:
        # Every key, not just this one: keys that never see another attempt must not pile up.
        db.execute(delete(RateEvent).where(RateEvent.at <= now - max(window, KEEP)))

    def add(self, key: str, token: str, now: datetime, window: timedelta) -> int:
        with self._own_transaction() as db:
            self._forget_old(db, now, window)
            db.add(RateEvent(key_hash=key, token=token, at=now))
        with self._own_transaction() as db:
            return db.scalar(
                select(func.count())
                .select_from(RateEvent)
                .where(RateEvent.key_hash == key, RateEvent.at > now - window)
            )

    def claim(self, key: str, token: str, now: datetime, window: timedelta) -> bool:
        """Add (key, token) unless it is there already: of several processes claiming one token, one gets True."""
        with self._own_transaction() as db:
            self._forget_old(db, now, window)
            # A token older than the window is as good as gone (Redis has dropped it by then).
            db.execute(
                delete(RateEvent).where(
                    RateEvent.key_hash == key, RateEvent.token == token, RateEvent.at <= now - window
                )
            )
        try:
            with self._own_transaction() as db:
                db.add(RateEvent(key_hash=key, token=token, at=now))
        except IntegrityError:  # the unique index on (key_hash, token): someone else has it
            return False
        return True

    def entries(self, key: str, now: datetime, window: timedelta) -> list[tuple[datetime, str]]:
        with self._own_transaction() as db:
            rows = db.execute(
                select(RateEvent.at, RateEvent.token)
                .where(RateEvent.key_hash == key, RateEvent.at > now - window)
                .order_by(RateEvent.at, RateEvent.token)
            )
            return [(at, token) for at, token in rows]

    def remove(self, key: str, token: str) -> None:
        with self._own_transaction() as db:
            db.execute(delete(RateEvent).where(RateEvent.key_hash == key, RateEvent.token == token))

    def clear(self, key: str) -> None:
        with self._own_transaction() as db:
            db.execute(delete(RateEvent).where(RateEvent.key_hash == key))
