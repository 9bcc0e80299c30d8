"""SQLite: an online backup with the sign-ins taken out of the copy, and a restore that checks a file before it
takes the database's place.

Never copy the live file instead: the latest writes sit in the -wal file beside it (a copy without it is stale
or torn), and the copy would carry every signed-in browser's wrap of its user key.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from .files import PG_DUMP_HEADER, SQLITE_HEADER, BackupError, header, written_in_place
from .summary import LEFT_OUT, Summary, count_words, summarise

BUSY_SECONDS = 15


def database_file(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("DATABASE_URL names no SQLite file to back up or to restore into.")
    return Path(name)


def backup(database_url: str, path: Path) -> Summary:
    source = database_file(database_url)
    if not source.is_file():
        raise BackupError(f"No database at {source}: check DATABASE_URL.")
    if path.exists() and path.resolve() == source.resolve():
        raise BackupError(f"{path} is the live database itself: write the backup somewhere else.")
    try:
        with written_in_place(path) as temp:
            _copy_online(source, temp)
            summary = _scrub(temp, always_vacuum=True)
    except sqlite3.Error as exc:
        raise BackupError(f"The backup failed: {exc}.") from None
    return summary


def restore(database_url: str, path: Path, *, force: bool) -> Summary:
    target = database_file(database_url)
    kind = header(path)
    if kind.startswith(PG_DUMP_HEADER):
        raise BackupError(f"{path} is a PostgreSQL backup (pg_dump), and DATABASE_URL names an SQLite file.")
    if kind != SQLITE_HEADER:
        raise BackupError(f"{path} is not an SQLite database file.")
    if target.exists():
        if target.resolve() == path.resolve():
            raise BackupError(f"{path} is the database itself: nothing to restore.")
        accounts = _accounts_in(target, force)
        if accounts and not force:
            raise BackupError(
                f"The database at {target} already has {count_words(accounts, 'account')}: "
                "restoring would replace them. Restore into a new database, or add --force to replace "
                "this one."
            )
        _refuse_if_open(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with written_in_place(target) as temp:
            shutil.copyfile(path, temp)
            summary = _scrub(temp, always_vacuum=False)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be restored: {exc}.") from None
    return summary


def _copy_online(source: Path, temp: Path) -> None:
    """SQLite's online backup, all pages in one step: one read transaction on the live database, so the copy is
    one consistent moment while the app goes on writing (WAL). A few pages at a time would start over at every
    write the app makes meanwhile, and might never end under load."""
    live = sqlite3.connect(source, timeout=BUSY_SECONDS)
    copy = sqlite3.connect(temp)
    try:
        live.backup(copy)
    finally:
        copy.close()
        live.close()


def _scrub(file: Path, *, always_vacuum: bool) -> Summary:
    """On a copy: a rollback journal instead of WAL (no -wal file to travel with it), the left-out tables emptied
    and their bytes gone (VACUUM rewrites the file from the remaining rows), the whole file checked, then counted."""
    db = sqlite3.connect(file, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=DELETE")
        db.execute("PRAGMA secure_delete=ON")
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        db.execute("BEGIN IMMEDIATE")
        left_out = {table: db.execute(f'DELETE FROM "{table}"').rowcount for table in LEFT_OUT if table in tables}
        db.execute("COMMIT")
        if always_vacuum or any(left_out.values()):
            db.execute("VACUUM")
        problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"The database fails SQLite's integrity check: {problems[0][:200]}")
        return summarise(lambda sql: db.execute(sql).fetchall(), "sqlite", left_out)
    finally:
        db.close()


def _accounts_in(target: Path, force: bool) -> int:
    try:
        db = sqlite3.connect(target, timeout=BUSY_SECONDS)
        try:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return db.execute("SELECT count(*) FROM users").fetchone()[0] if "users" in tables else 0
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        if force:
            return 0
        raise BackupError(f"The database at {target} cannot be read ({exc}): add --force to replace it.") from None


def _refuse_if_open(target: Path) -> None:
    """The last connection to close removes the -wal file; if it is still there, another program has the database
    open (the app server), and a file put in place under it would be overwritten from its log."""
    if target.with_name(target.name + "-wal").exists():
        raise BackupError(
            f"The database at {target} is open in another program (the app server?): stop it, then restore."
        )
    target.with_name(target.name + "-shm").unlink(missing_ok=True)
