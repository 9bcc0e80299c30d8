"""The client's export: everything they wrote, decrypted into a zip that streams.

Rules only; no Flask request objects. The archive is read from its own database session, in one
transaction that sees one moment of the database (a snapshot), so every file in the zip agrees
with every other even if the client writes on another device meanwhile. Records are opened a page
at a time (records.oldest_first); the zip is handed on in chunks (zipstream.py).
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import vault
from ..course.days import Dose
from ..course.service import doses as course_doses
from ..entries import service as entries
from ..models import Blob, Draft, Record, User
from ..records import kinds
from ..records import service as records
from ..records.service import RecordView
from . import archive
from .formats import local, slug

log = logging.getLogger(__name__)

PAGE_SIZE = 50
# Text grows on its way out: Markdown, CSV, JSON and the HTML summary each carry it once.
TEXT_COPIES = 4
FIXED_BYTES = 40 * 1024  # README, headers, styles, the zip's own directory


class ExportFailed(Exception):
    """The export stopped part way; the download is cut off so the browser shows it failed."""


@dataclass(frozen=True)
class Overview:
    """What the export page says before anything is opened: from metadata only."""

    counts: dict[str, int]  # kind -> how many
    drafts: int
    approximate_bytes: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        """ "12 journal entries", ... for every kind there is at least one of."""
        return [
            f"{count} {kinds.kind(kind).words[0 if count == 1 else 1]}" for kind, count in self.counts.items() if count
        ]

    @property
    def approximate_size(self) -> str:
        return size_words(self.approximate_bytes)


def size_words(size: int) -> str:
    """About how big, in words a person reads at a glance: "under 1 MB", "about 14 MB"."""
    megabytes = size / (1024 * 1024)
    if megabytes < 1:
        return "under 1 MB"
    return f"about {megabytes:.0f} MB" if megabytes >= 10 else f"about {megabytes:.1f} MB"


def overview(db: Session, owner_id: uuid.UUID) -> Overview:
    """Counts per kind and an honest estimate of the zip's size, without decrypting anything."""
    counts = {kind: 0 for kind in kinds.names()}  # every kind, in order
    text_bytes = 0
    for kind, count, size in db.execute(
        select(Record.kind, func.count(), func.sum(func.length(Record.payload_ciphertext)))
        .where(Record.owner_id == owner_id)
        .group_by(Record.kind)
    ):
        if kind in counts:
            counts[kind] = int(count)
        text_bytes += int(size or 0)
    pictures = {
        variant: int(size or 0)
        for variant, size in db.execute(
            select(Blob.variant, func.sum(Blob.size)).where(Blob.owner_id == owner_id).group_by(Blob.variant)
        )
    }
    drafts = db.scalar(select(func.count()).select_from(Draft).where(Draft.owner_id == owner_id)) or 0
    # Display pictures as they are; thumbnails once, in the summary, as base64 (4/3 of their size).
    estimate = FIXED_BYTES + TEXT_COPIES * text_bytes + pictures.get("full", 0) + pictures.get("thumb", 0) * 4 // 3
    return Overview(counts, int(drafts), estimate)


# One moment of the database ----------------------------------------------------------------------------


@contextmanager
def snapshot(app: Flask) -> Iterator[Session]:
    """A session of its own whose reads all see the database as it was at the first one.

    PostgreSQL: a REPEATABLE READ transaction. SQLite (WAL): an explicit BEGIN, since Python's
    driver otherwise reads each statement outside a transaction. Always rolled back: it only reads.
    """
    session: Session = app.extensions["db_sessionmaker"]()
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        else:
            session.connection().exec_driver_sql("BEGIN")
        yield session
    finally:
        session.rollback()
        session.close()


def guarded(chunks: Callable[[], Iterator[bytes]]) -> Iterator[bytes]:
    """The archive's chunks; if anything fails part way, the stream is cut off with nothing in the log
    that a person wrote (the type and where, never the message)."""
    try:
        yield from chunks()
    except Exception as error:  # noqa: BLE001  (anything: the download must fail, not end as a broken zip)
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error("export stopped: %s\n%s", type(error).__name__, frames)
        raise ExportFailed("the export stopped part way") from None


# The client's own records ------------------------------------------------------------------------------


class OwnRecords:
    """Everything the keyring's owner wrote, read from `db` (a snapshot)."""

    def __init__(self, db: Session, keyring: vault.Keyring, zone: str):
        self._db = db
        self._keyring = keyring
        self.zone = zone

    def records(self, kinds: Sequence[str]) -> Iterator[RecordView]:
        return records.oldest_first(self._db, self._keyring, kinds, PAGE_SIZE)

    def picture(self, view: RecordView, variant: str) -> bytes | None:
        return records.attachment(self._db, self._keyring, view.kind, view.id, variant)

    def doses(self) -> list[Dose]:
        return course_doses(self._db, self._keyring)

    def drafts(self) -> list[dict[str, Any]]:
        return [
            {
                "id": draft.id,
                "updated_at": draft.updated_at,
                "title": draft.title,
                "body": draft.body,
                "prompt_id": draft.prompt_id,
            }
            for draft in sorted(entries.list_drafts(self._db, self._keyring), key=lambda one: one.updated_at)
        ]


def client_archive(app: Flask, keyring: vault.Keyring, user: User, now: datetime) -> Iterator[bytes]:
    """The client's whole journal as zip chunks. Nothing is read until the first chunk is asked for."""
    user_id, zone, email = user.id, user.time_zone, user.email

    def chunks() -> Iterator[bytes]:
        with snapshot(app) as db:
            about = archive.About(
                title="Your integration journal",
                scope="Everything you wrote in the journal, decrypted, as it was when this copy was made.",
                exported_at=now,
                people={"account": {"email": email, "time_zone": zone}},
                counts=overview(db, user_id).lines(),
            )
            yield from archive.build(OwnRecords(db, keyring, zone), about)

    return guarded(chunks)


def filename(prefix: str, now: datetime, zone: str) -> str:
    """An ASCII-only download name with the date: "journal-2025-03-14.zip"."""
    return f"{slug(prefix, 'export', 60)}-{local(now, zone):%Y-%m-%d}.zip"
