"""Where attachment ciphertext lives: the database by default, behind a small interface.

The database store writes in the request's own session, so a record and its blobs commit or roll
back together. An object store (S3-compatible) can replace it by implementing the same methods;
it would then need its own cleanup for blobs whose record never committed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Blob


class BlobStore(Protocol):
    def put(self, db: Session, record_id: uuid.UUID, owner_id: uuid.UUID, variant: str, ciphertext: bytes) -> None: ...
    def get(self, db: Session, record_id: uuid.UUID, variant: str) -> bytes | None: ...
    def variants(self, db: Session, record_id: uuid.UUID) -> list[str]: ...
    def digests(self, db: Session, record_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, bytes]]:
        """{record id: {variant: SHA-256 of its ciphertext}} for these records, in one look-up."""

    def discard(self, blob_ids: list[uuid.UUID]) -> None:
        """After an account deletion has committed: drop these objects (their rows are gone already)."""


class DatabaseBlobStore:
    def put(self, db: Session, record_id: uuid.UUID, owner_id: uuid.UUID, variant: str, ciphertext: bytes) -> None:
        """Write (or replace) one variant's ciphertext under a fresh random object name."""
        db.execute(delete(Blob).where(Blob.record_id == record_id, Blob.variant == variant))
        db.add(
            Blob(
                id=uuid.uuid4(),
                record_id=record_id,
                owner_id=owner_id,
                variant=variant,
                size=len(ciphertext),
                ciphertext=ciphertext,
                sha256=hashlib.sha256(ciphertext).digest(),
            )
        )
        db.flush()

    def get(self, db: Session, record_id: uuid.UUID, variant: str) -> bytes | None:
        return db.scalar(select(Blob.ciphertext).where(Blob.record_id == record_id, Blob.variant == variant))

    def variants(self, db: Session, record_id: uuid.UUID) -> list[str]:
        return list(db.scalars(select(Blob.variant).where(Blob.record_id == record_id).order_by(Blob.variant)))

    def digests(self, db: Session, record_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, bytes]]:
        ids = list(record_ids)
        found: dict[uuid.UUID, dict[str, bytes]] = {}
        if ids:
            for record_id, variant, digest in db.execute(
                select(Blob.record_id, Blob.variant, Blob.sha256).where(Blob.record_id.in_(ids))
            ):
                found.setdefault(record_id, {})[variant] = bytes(digest)
        return found

    def discard(self, blob_ids: list[uuid.UUID]) -> None:
        """Nothing to do: in the database, the bytes went with their rows, in the deletion's own transaction."""


STORE: BlobStore = DatabaseBlobStore()
