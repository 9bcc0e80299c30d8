"""Space runs out: the database's disk, or the server's temporary space while photos are uploaded.

Disk full: the database lives on a small tmpfs (SQLite: its file, WAL and shared memory; PostgreSQL: the
database's tablespace; the WAL stays on the main disk, so the server keeps running) that writers of ~40 KB
entries fill; it stays full for a while, then is made larger and writing goes on. Answers while full must be
errors, and nothing acknowledged may go missing.

Temporary space full: the server's TMPDIR is a tmpfs, filled with a file while photos of 1 to 3 MB are
uploaded (the form parser keeps large files there), then emptied.
"""

from __future__ import annotations

import time
from pathlib import Path

from .base import Context, check_entries, describe_answers, running, signed_in, signed_up, wait_until
from .ledger import SAVED, Ledger, Row, Writers
from .photos import Uploaders, verify_photos
from .servers import Tmpfs, kept_full

ROOM_BYTES = 3 * 1024 * 1024  # left on the database's tmpfs before writers start
FULL_SECONDS = 5
AFTER_SECONDS = 5
TMP_FULL_SECONDS = 6


def disk_full(ctx: Context) -> list[Row]:
    row = Row("disk full", ctx.kind)
    mount = ctx.workdir / "disk-full"
    owner = ctx.databases.server.owner_ids() if ctx.kind == "postgresql" else None
    ledger = Ledger("diskfull")
    with Tmpfs(mount, "96m", owner) as disk:
        tablespace = None
        if ctx.kind == "postgresql":
            tablespace = f"small_{int(time.time())}"
            ctx.databases.server.execute(f"CREATE TABLESPACE {tablespace} LOCATION '{mount}'")
        url = ctx.database("diskfull", directory=mount, tablespace=tablespace)
        server = ctx.server("diskfull", url)
        try:
            with running(server):
                email = ctx.email("diskfull")
                client = signed_up(server, email)
                disk.resize(f"{(disk.used_bytes() + ROOM_BYTES) // 1024}k")
                size = disk.size
                with Writers(client, ledger, 6, body_words=(5000, 9000), pause=0.1, give_up=FULL_SECONDS + 25):
                    ledger.phase = "filling"
                    filled = wait_until(lambda: _refused_in(ledger, "filling") or disk.free_bytes() < 64 * 1024, 60)
                    ledger.phase = "full"
                    time.sleep(FULL_SECONDS)
                    disk.resize("96m")
                    ledger.phase = "grown"
                    time.sleep(AFTER_SECONDS)
                check_entries(server, email, ledger, row)
        finally:
            if tablespace:
                ctx.databases.drop(url.rsplit("/", 1)[1])
                ctx.databases.server.execute(f"DROP TABLESPACE IF EXISTS {tablespace}")
    where = "SQLite file, WAL and -shm" if ctx.kind == "sqlite" else "the database's tablespace (WAL on the main disk)"
    row.notes.append(
        f"{where} on a {size} tmpfs{'' if filled else ' (never filled up!)'}, full {FULL_SECONDS} s, then 96m"
    )
    _judge_full_answers(ledger, row, "full")
    if not filled:
        row.problems.append("the disk never filled")
    return [row]


def tmp_full(ctx: Context) -> list[Row]:
    row = Row("temporary space full", ctx.kind)
    mount = ctx.workdir / "tmp-full"
    ledger = Ledger("tmpfull")
    with Tmpfs(mount, "48m") as tmp:
        # TMPDIR must have room when the server starts: Python skips a temporary folder it cannot write to.
        server = ctx.server("tmpfull", ctx.database("tmpfull"), env={"TMPDIR": str(mount)})
        with running(server):
            email = ctx.email("tmpfull")
            client = signed_up(server, email)
            with Uploaders(client, ledger, 3, give_up=5, pause=0.5):
                ledger.phase = "room"
                time.sleep(3)
                ledger.phase = "full"
                with kept_full(Path(mount) / "filler"):
                    time.sleep(TMP_FULL_SECONDS)
                ledger.phase = "emptied"
                time.sleep(5)
            verify_photos(signed_in(server, email), ledger, row)
            describe_answers(ledger, row)
        row.notes.append(f"TMPDIR on a {tmp.size} tmpfs, kept full for {TMP_FULL_SECONDS} s")
    _judge_full_answers(ledger, row, "full")
    return [row]


def _refused_in(ledger: Ledger, phase: str) -> bool:
    return any(p == phase and label not in {str(status) for status in SAVED} for p, label in ledger.answers)


def _judge_full_answers(ledger: Ledger, row: Row, phase: str) -> None:
    """While full, errors are right; a plain 503 or 507 is what a person (and the outbox) can act on."""
    seen = {label for p, label in ledger.answers if p == phase}
    errors = seen - {str(status) for status in SAVED}
    if not errors:
        row.notes.append("no error answered while full")
    elif errors - {"503", "507"}:
        row.notes.append(f"while full also {', '.join(sorted(errors - {'503', '507'}))} (not a plain 503/507)")
