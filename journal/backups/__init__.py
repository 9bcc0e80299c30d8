"""Backups that carry no sign-in: `flask backup PATH` and `flask restore PATH`, on SQLite or PostgreSQL.

A backup keeps every table's structure but leaves out the rows of LEFT_OUT: with them, a copy of the
database and a browser's old cookie would open that person's key. A restored copy has nobody signed in.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from .files import BackupError, size_in_words
from .summary import LEFT_OUT, Summary

__all__ = ["LEFT_OUT", "BackupError", "Summary", "backup", "restore", "size_in_words"]


def backup(database_url: str, path: Path, *, force: bool = False) -> Summary:
    """Write a backup of the database at `database_url` to `path`, all at once or not at all."""
    if path.is_dir():
        raise BackupError(f"{path} is a folder: give the name of the backup file to write.")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists: choose another name, or add --force to replace it.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    return _module(database_url).backup(database_url, path)


def restore(database_url: str, path: Path, *, force: bool = False) -> Summary:
    """Put the backup at `path` in place of the (empty, unless `force`) database at `database_url`."""
    if not path.exists():
        raise BackupError(f"No backup at {path}.")
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    return _module(database_url).restore(database_url, path, force=force)


def _module(database_url: str):
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        from . import sqlite

        return sqlite
    if backend == "postgresql":
        from . import postgres

        return postgres
    raise BackupError(f"Backups know SQLite and PostgreSQL, not {backend}.")
