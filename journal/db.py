"""The database: declarative base, engine per app, one session per request."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app, g
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, SessionTransaction, sessionmaker
from sqlalchemy.types import DateTime, TypeDecorator

from .web import storage_errors

log = logging.getLogger(__name__)

# Stable constraint names, so Alembic migrations name the same things on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every database (SQLite forgets the zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# How long a request may wait for PostgreSQL before it gets a 503: a connection from the pool,
# a new connection, or a statement. Short, so an outage answers quickly instead of hanging a worker.
POOL_WAIT_SECONDS = 3
CONNECT_TIMEOUT_SECONDS = 3
STATEMENT_TIMEOUT_MS = 15_000


BUSY_TIMEOUT_MS = 15000  # SQLite: a writer waits this long for the write lock


def make_engine(url: str) -> Engine:
    """An engine fitted to its database: SQLite in WAL mode with a busy timeout; PostgreSQL with short waits."""
    if url.startswith("sqlite"):
        engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 15})
        event.listen(engine, "connect", lambda connection, record: _sqlite_pragmas(url, connection, record))
        return engine
    return create_engine(
        url,
        hide_parameters=True,
        pool_pre_ping=True,  # a connection left over from before an outage is replaced, not used
        pool_size=10,
        max_overflow=10,
        pool_timeout=POOL_WAIT_SECONDS,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            "application_name": "integration-journal",
        },
    )


def _private_sqlite_files(url: str) -> None:
    """The database file (and its -wal and -shm, which SQLite creates with the file's mode) readable by
    this user only: put right on every connection, before the -wal file is first made."""
    name = url.split("///", 1)[1] if "///" in url else ""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists() and part.stat().st_mode & 0o077:
            part.chmod(0o600)


def _sqlite_pragmas(url: str, dbapi_connection, _record) -> None:
    _private_sqlite_files(url)
    cursor = dbapi_connection.cursor()
    # WAL lets readers and a writer overlap; busy_timeout makes writers wait instead of failing;
    # secure_delete overwrites deleted session wraps instead of leaving them in free pages.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def changed_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE statement changed (execute() is typed as returning a plain Result)."""
    return cast("CursorResult[Any]", result).rowcount


def commit_if_written(db: Session) -> None:
    """Commit when this transaction wrote anything; otherwise leave it open (a read-only page then costs no
    COMMIT and no new transaction on PostgreSQL)."""
    if db.info.get("statements_wrote") or db.new or db.dirty or db.deleted:
        db.commit()


def _note_write(session: Session) -> None:
    session.info["statements_wrote"] = True  # (web/storage_errors.py keeps its own "wrote": rows flushed)


def _note_statement(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info["statements_wrote"] = True


def _forget_writes(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction ended (not a savepoint inside it)
        session.info.pop("statements_wrote", None)


def forget_after_commit(db: Session) -> None:
    """What this transaction deletes (a session's key wraps, an account) must leave the files once it commits.

    SQLite in WAL mode keeps the pages a transaction changed, old rows included, in the -wal file until
    a checkpoint copies them over and the file is reused: a file copy of the folder would still find
    them. After commit, a TRUNCATE checkpoint moves every page into the database file (where
    secure_delete has zeroed the deleted rows) and empties the -wal file. PostgreSQL: see docs/deploy.md.
    """
    db.info["forget"] = True


class _Forgetting:
    """Checkpoints owed by this process: one that a reader kept busy is tried again after the next commit."""

    def __init__(self) -> None:
        self.owed = False
        self.last_try = 0.0
        self.lock = threading.Lock()


# Never hold a request up for long: a reader still on the old pages is done within moments, and the
# checkpoint is owed until it goes through.
CHECKPOINT_WAIT_MS = 100
OWED_RETRY_SECONDS = 1.0


def _checkpoint_after_forgetting(forgetting: _Forgetting, session: Session) -> None:
    if session.info.pop("forget", False):
        forgetting.owed = True
        session.info["forget_tried"] = True
    if not forgetting.owed:
        return
    if session.info.get("forget_tried") is None and time.monotonic() - forgetting.last_try < OWED_RETRY_SECONDS:
        return  # an owed checkpoint is tried at most once a second, not on every commit
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        forgetting.owed = False
        return
    if not forgetting.lock.acquire(blocking=False):
        return  # another thread of this process is checkpointing
    session.info.pop("forget_tried", None)
    forgetting.last_try = time.monotonic()
    try:
        if not isinstance(bind, Engine):  # the sessionmaker is bound to the engine, never to one connection
            raise TypeError("a session of this app is bound to its engine")
        with bind.connect() as connection:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
            try:
                busy, _log, _moved = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        forgetting.owed = bool(busy)
        if busy:
            log.info("checkpoint after a deletion was busy; owed until the next commit")
    except DBAPIError as error:
        log.warning("checkpoint after a deletion failed: %s", type(error).__name__)
    finally:
        forgetting.lock.release()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessions = sessionmaker(bind=engine, expire_on_commit=False)
    storage_errors.watch(sessions)
    forgetting = _Forgetting()  # one per database
    event.listen(sessions, "after_commit", lambda session: _checkpoint_after_forgetting(forgetting, session))
    event.listen(sessions, "after_flush", lambda session, _context: _note_write(session))
    event.listen(sessions, "do_orm_execute", _note_statement)
    event.listen(sessions, "after_transaction_end", _forget_writes)
    app.teardown_appcontext(_close_session)


def get_db() -> Session:
    """The session of this request (or app context), made on first use."""
    if "db" not in g:
        g.db = current_app.extensions["db_sessionmaker"]()
    return g.db


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is None:
        return
    try:
        session.rollback()
    except DBAPIError:
        pass  # the database went away mid-request; the pool replaces the connection
    finally:
        session.close()
