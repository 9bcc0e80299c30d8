"""Which errors mean that storage is full or failing (the database's disk, or temporary space).

Each answers the same plain page: there is no space to save this right now, nothing was saved,
try again later (with Retry-After). The log names the storage and the code, never a message a
database may have filled with a value.
"""

from __future__ import annotations

import errno
import threading
import time

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

# SQLite's primary result codes: the disk is full; a read or write of the file failed.
SQLITE_FULL, SQLITE_IOERR = 13, 10
# PostgreSQL: class 53 (insufficient resources: disk full, out of memory, ...) and its I/O error.
POSTGRES_CLASSES, POSTGRES_CODES = ("53",), ("58030",)
OS_CODES = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def full_storage(error: BaseException) -> str | None:
    """A short name of what is full ('database 13', 'temporary space 28'), or None for any other error."""
    if isinstance(error, DBAPIError):
        original = error.orig
        code = getattr(original, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in (SQLITE_FULL, SQLITE_IOERR):
            return f"database sqlite {code}"
        state = getattr(original, "sqlstate", None) or ""
        if state.startswith(POSTGRES_CLASSES) or state in POSTGRES_CODES:
            return f"database postgresql {state}"
        return None
    if isinstance(error, OSError) and error.errno in OS_CODES:
        return f"file system {errno.errorcode.get(error.errno, error.errno)}"
    return None


class RecentFailures:
    """Whether this process saw a write fail for lack of space lately, until a write goes through again.

    A probe cannot always tell: PostgreSQL rewrites a small row in place even when its tablespace
    cannot grow, so /healthz also asks what the last real writes met.
    """

    def __init__(self, remember_seconds: float = 300):
        self._lock = threading.Lock()
        self._since: float | None = None
        self._remember = remember_seconds

    def failed(self) -> None:
        with self._lock:
            self._since = time.monotonic()

    def wrote(self) -> None:
        with self._lock:
            self._since = None

    def lately(self) -> bool:
        with self._lock:
            return self._since is not None and time.monotonic() - self._since < self._remember


FULL = RecentFailures()


def watch(sessions: sessionmaker) -> None:
    """A commit that wrote rows means storage takes writes again."""

    @event.listens_for(sessions, "after_flush")
    def _flushed(session, _context) -> None:
        session.info["wrote"] = True

    @event.listens_for(sessions, "after_commit")
    def _committed(session) -> None:
        if session.info.pop("wrote", False):
            FULL.wrote()
