"""Files written whole or not at all, and the one error every backup failure is told with."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in plain words (never any content)."""


@contextlib.contextmanager
def written_in_place(path: Path) -> Iterator[Path]:
    """Yield a temporary file next to `path` (mode 0600) to fill; on success it is flushed to disk and renamed
    to `path` in one step, so `path` is never half written. On failure the temporary file goes."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        _fsync(temp)
        os.replace(temp, path)
        _fsync_folder(path.parent)
    finally:
        for leftover in (temp, *(temp.with_name(temp.name + suffix) for suffix in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def header(path: Path) -> bytes:
    """The first bytes of a file, which tell an SQLite file and a pg_dump archive apart."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise BackupError(f"{path} cannot be read: {exc.strerror}.") from None


def size_in_words(path: Path) -> str:
    size = float(path.stat().st_size)
    if size < 1024:
        return f"{int(size)} bytes"
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1024:
            return f"{size:.1f} {unit}"
    return f"{size / 1024:.1f} GB"


def _fsync(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
