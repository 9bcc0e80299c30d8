"""The records envelope: one way to create, read, list, edit and delete what a client writes.

Every kind (entry, checkin, measure, dose, intention, art, safety_plan) is a row of `records` whose fields are
sealed in its payload; ordering metadata (kind, occurred_at) stays in clear. Every query is
scoped to the keyring's owner, so a row can only be found by the person who can open it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Iterator, Mapping

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import vault
from ..models import Record
from . import blobs, shares

KINDS = ("entry", "checkin", "measure", "dose", "intention", "art", "safety_plan")


@dataclass(frozen=True)
class RecordView:
    """A record opened for one request: plain values, never written back."""

    id: uuid.UUID
    kind: str
    occurred_at: datetime
    created_at: datetime
    updated_at: datetime
    version: int
    data: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class StaleVersion:
    """An update based on an older version: nothing was written; here is the current one."""

    current: RecordView


def create(db: Session, keyring: vault.Keyring, kind: str, client_key: str, payload: dict[str, Any],
           occurred_at: datetime, now: datetime, attachments: Mapping[str, bytes] | None = None
           ) -> tuple[uuid.UUID, bool]:
    """Create once per client-made id. Returns (id, created); a repeat returns the first record.

    Attachments (a photo's variants) are sealed under the record's data key and stored in the
    same transaction: either the record and all its blobs are written, or none of them.
    """
    existing = id_by_client_key(db, keyring, client_key)
    if existing is not None:
        return existing, False
    record = Record(id=uuid.uuid4(), owner_id=keyring.user_id, kind=kind, idempotency_key=client_key,
                    occurred_at=occurred_at, created_at=now, updated_at=now, version=1)
    sealed = vault.seal_payload(keyring, record, payload, attachments)
    try:
        with db.begin_nested():
            db.add(record)
            db.flush()
            for variant, ciphertext in sealed.items():
                blobs.STORE.put(db, record.id, record.owner_id, variant, ciphertext)
    except IntegrityError:  # the same create, arriving twice at once
        return id_by_client_key(db, keyring, client_key), False
    shares.auto_share(db, keyring, record, now)
    return record.id, True


def attachment(db: Session, keyring: vault.Keyring, kind: str, record_id: uuid.UUID, variant: str) -> bytes | None:
    """One attachment, decrypted; None when the record is not this keyring's or has no such variant."""
    row = owned_row(db, keyring, kind, record_id)
    sealed = blobs.STORE.get(db, row.id, variant) if row is not None else None
    return vault.open_attachment(keyring, row, variant, sealed) if sealed is not None else None


def get(db: Session, keyring: vault.Keyring, kind: str, record_id: uuid.UUID) -> RecordView | None:
    row = owned_row(db, keyring, kind, record_id)
    return open_row(keyring, row) if row is not None else None


def list_kind(db: Session, keyring: vault.Keyring, kind: str, *, since: datetime | None = None,
              newest_first: bool = True) -> list[RecordView]:
    """Every record of one kind (optionally since a time), opened."""
    query = select(Record).where(Record.owner_id == keyring.user_id, Record.kind == kind)
    if since is not None:
        query = query.where(Record.occurred_at >= since)
    order = (Record.occurred_at.desc(), Record.id.desc()) if newest_first else (Record.occurred_at, Record.id)
    return [open_row(keyring, row) for row in db.scalars(query.order_by(*order))]


def page(db: Session, keyring: vault.Keyring, kinds: Iterable[str], before: str | None,
         limit: int) -> tuple[list[RecordView], str | None]:
    """Newest first, a page at a time; the cursor names the last record shown. ValueError on a bad cursor."""
    query = select(Record).where(Record.owner_id == keyring.user_id, Record.kind.in_(list(kinds)))
    cursor = parse_cursor(before)
    if cursor is not None:
        at, last_id = cursor
        query = query.where(or_(Record.occurred_at < at, and_(Record.occurred_at == at, Record.id < last_id)))
    rows = db.scalars(query.order_by(Record.occurred_at.desc(), Record.id.desc()).limit(limit + 1)).all()
    views = [open_row(keyring, row) for row in rows[:limit]]
    more = len(rows) > limit
    return views, (make_cursor(views[-1]) if more and views else None)


def oldest_first(db: Session, keyring: vault.Keyring, kinds: Iterable[str], page_size: int = 50
                 ) -> Iterator[RecordView]:
    """Every record of these kinds, oldest first, opened one page at a time (for an export).

    Only one page of rows and opened payloads is held at once, whatever the number of records.
    """
    kinds = list(kinds)
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        query = select(Record).where(Record.owner_id == keyring.user_id, Record.kind.in_(kinds))
        if after is not None:
            at, last_id = after
            query = query.where(or_(Record.occurred_at > at, and_(Record.occurred_at == at, Record.id > last_id)))
        rows = db.scalars(query.order_by(Record.occurred_at, Record.id).limit(page_size)).all()
        views = [open_row(keyring, row) for row in rows]
        if rows:
            after = (rows[-1].occurred_at, rows[-1].id)
        del rows  # the session keeps no strong reference: only this page is held
        yield from views
        if len(views) < page_size:
            return


def times(db: Session, keyring: vault.Keyring, kind: str) -> list[tuple[uuid.UUID, datetime]]:
    """(id, occurred_at) of every record of a kind, oldest first, without opening any."""
    query = (select(Record.id, Record.occurred_at)
             .where(Record.owner_id == keyring.user_id, Record.kind == kind)
             .order_by(Record.occurred_at, Record.id))
    return [(row.id, row.occurred_at) for row in db.execute(query)]


def update(db: Session, keyring: vault.Keyring, kind: str, record_id: uuid.UUID, base_version: int,
           payload: dict[str, Any], now: datetime, occurred_at: datetime | None = None
           ) -> RecordView | StaleVersion | None:
    """Save a new version sealed under a new data key, if `base_version` is still the latest."""
    row = owned_row(db, keyring, kind, record_id)
    if row is None:
        return None
    if row.version != base_version:
        return StaleVersion(open_row(keyring, row))
    return _reseal(db, keyring, row, payload, now, occurred_at)


def rekey(db: Session, keyring: vault.Keyring, record_id: uuid.UUID, now: datetime) -> bool:
    """A new data key for the same content: an old wrap of the old key opens nothing written from now on."""
    row = db.scalar(select(Record).where(Record.id == record_id, Record.owner_id == keyring.user_id))
    if row is None:
        return False
    _reseal(db, keyring, row, vault.open_payload(keyring, row), now, None, touch=False)
    return True


def _reseal(db: Session, keyring: vault.Keyring, row: Record, payload: dict[str, Any], now: datetime,
            occurred_at: datetime | None, touch: bool = True) -> RecordView:
    """Seal a new version under a new data key: payload, attachments and every share's wrap."""
    # Attachments were sealed under the old data key: open them before the row gets a new one.
    attachments = {variant: vault.open_attachment(keyring, row, variant, blobs.STORE.get(db, row.id, variant))
                   for variant in blobs.STORE.variants(db, row.id)}
    row.version += 1
    if touch:
        row.updated_at = now
    if occurred_at is not None:
        row.occurred_at = occurred_at
    sealed = vault.seal_payload(keyring, row, payload, attachments)
    for variant, ciphertext in sealed.items():
        blobs.STORE.put(db, row.id, row.owner_id, variant, ciphertext)
    db.flush()
    shares.rewrap(db, keyring, row)
    return open_row(keyring, row)


def delete(db: Session, keyring: vault.Keyring, kind: str, record_id: uuid.UUID) -> bool:
    row = owned_row(db, keyring, kind, record_id)
    if row is None:
        return False
    db.delete(row)
    db.flush()
    return True


def owned_row(db: Session, keyring: vault.Keyring, kind: str, record_id: uuid.UUID) -> Record | None:
    return db.scalar(
        select(Record).where(Record.id == record_id, Record.owner_id == keyring.user_id, Record.kind == kind)
    )


def open_row(keyring: vault.Keyring, row: Record) -> RecordView:
    return RecordView(row.id, row.kind, row.occurred_at, row.created_at, row.updated_at, row.version,
                      vault.open_payload(keyring, row))


def make_cursor(view: RecordView) -> str:
    return f"{view.occurred_at.isoformat()}_{view.id}"


def parse_cursor(value: str | None) -> tuple[datetime, uuid.UUID] | None:
    if not value:
        return None
    try:
        at, _, raw_id = value.rpartition("_")
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed, uuid.UUID(raw_id)
    except ValueError:
        raise ValueError("bad cursor") from None


def id_by_client_key(db: Session, keyring: vault.Keyring, client_key: str) -> uuid.UUID | None:
    return db.scalar(
        select(Record.id).where(Record.owner_id == keyring.user_id, Record.idempotency_key == client_key)
    )
