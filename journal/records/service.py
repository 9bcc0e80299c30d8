"""The records envelope: one way to create, read, list, edit and delete what a client writes.

Every kind (each described once in its own package, journal/records/kinds.py) is a row of `records` whose
fields are sealed in its payload; ordering metadata (kind, occurred_at) stays in clear. Every query is
scoped to the keyring's owner, so a row can only be found by the person who can open it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .. import vault
from ..db import changed_rows
from ..models import Record
from . import blobs, shares
from .cursors import OLDEST_FIRST, make_cursor, newer_than, older_than, parse_cursor
from .key_hold import hold_sealing_key


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


ViewT = TypeVar("ViewT")


@dataclass(frozen=True)
class StaleVersion(Generic[ViewT]):
    """An update based on an older version: nothing was written; here is the current one."""

    current: ViewT  # a RecordView, or the view a kind makes of it


def create(
    db: Session,
    keyring: vault.Keyring,
    kind: str,
    client_key: str,
    payload: dict[str, Any],
    occurred_at: datetime,
    now: datetime,
    attachments: Mapping[str, bytes] | None = None,
) -> tuple[uuid.UUID, bool]:
    """Create once per client-made id. Returns (id, created); a repeat returns the first record.

    Attachments (a photo's variants) are sealed under the record's data key and stored in the
    same transaction: either the record and all its blobs are written, or none of them.
    """
    existing = id_by_client_key(db, keyring, client_key)
    if existing is not None:
        return existing, False
    record = Record(
        id=uuid.uuid4(),
        owner_id=keyring.user_id,
        kind=kind,
        idempotency_key=client_key,
        occurred_at=occurred_at,
        created_at=now,
        updated_at=now,
        version=1,
    )
    sealed = vault.seal_payload(keyring, record, payload, attachments)
    try:
        with db.begin_nested():
            db.add(record)
            db.flush()
            for variant, ciphertext in sealed.items():
                blobs.STORE.put(db, record.id, record.owner_id, variant, ciphertext)
    except IntegrityError:  # the same create, arriving twice at once
        created = id_by_client_key(db, keyring, client_key)
        if created is None:  # not that: some other constraint refused the row
            raise
        return created, False
    shares.auto_share(db, keyring, record, now)
    hold_sealing_key(db, keyring)
    return record.id, True


def attachment(db: Session, keyring: vault.Keyring, kind: str, record_id: uuid.UUID, variant: str) -> bytes | None:
    """One attachment, decrypted; None when the record is not this keyring's or has no such variant."""
    row = owned_row(db, keyring, kind, record_id)
    if row is None:
        return None
    sealed = blobs.STORE.get(db, row.id, variant)
    return vault.open_attachment(keyring, row, variant, sealed) if sealed is not None else None


# Reading to show: plain rows of the columns a view needs (Core, no ORM objects to build and track), opened
# into RecordViews. Writing goes through the ORM rows (owned_row) as before.
_T = Record.__table__.c
# Not owner_id: every read is filtered by the keyring's owner, which the vault binds (and converting a
# second id per row costs as much as the rest of the row).
_READ = (
    _T.id,
    _T.kind,
    _T.occurred_at,
    _T.created_at,
    _T.updated_at,
    _T.version,
    _T.uk_version,
    _T.dek_wrap,
    _T.payload_ciphertext,
)


class _Sealed:
    """A read row as the vault opens it: the same fields, and the table name its contexts bind."""

    __slots__ = ("id", "owner_id", "kind", "version", "uk_version", "dek_wrap", "payload_ciphertext")
    __tablename__ = Record.__tablename__

    def __init__(self, row: Any, owner_id: uuid.UUID) -> None:
        self.id, self.owner_id, self.kind, self.version = row.id, owner_id, row.kind, row.version
        self.uk_version, self.dek_wrap, self.payload_ciphertext = row.uk_version, row.dek_wrap, row.payload_ciphertext


def _open_read(keyring: vault.Keyring, row: Any) -> RecordView:
    """A row read with `owner_id == keyring.user_id` in its query, opened."""
    return RecordView(
        row.id,
        row.kind,
        row.occurred_at,
        row.created_at,
        row.updated_at,
        row.version,
        vault.open_payload(keyring, _Sealed(row, keyring.user_id)),
    )


# The timeline's and the lists' page, newest first: built once, the values bound at each call.
_PAGE = (
    select(*_READ)
    .where(_T.owner_id == bindparam("owner"), _T.kind.in_(bindparam("kinds", expanding=True)))
    .order_by(_T.occurred_at.desc(), _T.id.desc())
    .limit(bindparam("limit"))
)
# The plain bound on occurred_at lets every database start its index scan at the cursor (see older_than).
_PAGE_AFTER = _PAGE.where(
    _T.occurred_at <= bindparam("at"),
    or_(_T.occurred_at < bindparam("at"), and_(_T.occurred_at == bindparam("at"), _T.id < bindparam("last_id"))),
)


def get(db: Session, keyring: vault.Keyring, kind: str, record_id: uuid.UUID) -> RecordView | None:
    row = db.execute(
        select(*_READ).where(_T.id == record_id, _T.owner_id == keyring.user_id, _T.kind == kind)
    ).one_or_none()
    return _open_read(keyring, row) if row is not None else None


def list_kind(
    db: Session,
    keyring: vault.Keyring,
    kind: str,
    *,
    since: datetime | None = None,
    newest_first: bool = True,
    limit: int | None = None,
) -> list[RecordView]:
    """Every record of one kind (optionally since a time, at most `limit` of them), opened."""
    query = select(*_READ).where(_T.owner_id == keyring.user_id, _T.kind == kind)
    if since is not None:
        query = query.where(_T.occurred_at >= since)
    order = (_T.occurred_at.desc(), _T.id.desc()) if newest_first else (_T.occurred_at, _T.id)
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return [_open_read(keyring, row) for row in db.execute(query)]


def page(
    db: Session, keyring: vault.Keyring, kinds: Iterable[str], before: str | None, limit: int
) -> tuple[list[RecordView], str | None]:
    """Newest first, a page at a time; the cursor names the last record shown. ValueError on a bad cursor."""
    cursor = parse_cursor(before)
    values: dict[str, Any] = {"owner": keyring.user_id, "kinds": list(kinds), "limit": limit + 1}
    if cursor is not None:
        values["at"], values["last_id"] = cursor
    rows = db.execute(_PAGE_AFTER if cursor is not None else _PAGE, values).all()
    views = [_open_read(keyring, row) for row in rows[:limit]]
    more = len(rows) > limit
    return views, (make_cursor(views[-1]) if more and views else None)


def newest_batches(
    db: Session,
    keyring: vault.Keyring,
    kinds: Iterable[str],
    *,
    before: tuple[datetime, uuid.UUID] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    batch: int = 200,
) -> Iterator[list[RecordView]]:
    """The records of these kinds from `start` until before `end`, newest first below the cursor, opened `batch`
    rows at a time (a search, a filtered timeline): the caller stops reading when it has what it needs, so no
    more than one batch of opened payloads is held at once."""
    query = select(*_READ).where(_T.owner_id == keyring.user_id, _T.kind.in_(list(kinds)))
    if start is not None:
        query = query.where(_T.occurred_at >= start)
    if end is not None:
        query = query.where(_T.occurred_at < end)
    while True:
        at = query if before is None else query.where(older_than(before))
        rows = db.execute(at.order_by(_T.occurred_at.desc(), _T.id.desc()).limit(batch)).all()
        if not rows:
            return
        before = (rows[-1].occurred_at, rows[-1].id)
        yield [_open_read(keyring, row) for row in rows]
        if len(rows) < batch:
            return


def oldest_first(
    db: Session, keyring: vault.Keyring, kinds: Iterable[str], page_size: int = 50
) -> Iterator[RecordView]:
    """Every record of these kinds, oldest first, opened one page at a time (for an export).

    Only one page of rows and opened payloads is held at once, whatever the number of records.
    """
    kinds = list(kinds)
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        query = select(Record).where(Record.owner_id == keyring.user_id, Record.kind.in_(kinds))
        if after is not None:
            query = query.where(newer_than(after))
        rows = db.scalars(query.order_by(*OLDEST_FIRST).limit(page_size)).all()
        views = [open_row(keyring, row) for row in rows]
        if rows:
            after = (rows[-1].occurred_at, rows[-1].id)
        del rows  # the session keeps no strong reference: only this page is held
        yield from views
        if len(views) < page_size:
            return


def times(db: Session, keyring: vault.Keyring, kind: str) -> list[tuple[uuid.UUID, datetime]]:
    """(id, occurred_at) of every record of a kind, oldest first, without opening any."""
    query = (
        select(_T.id, _T.occurred_at)
        .where(_T.owner_id == keyring.user_id, _T.kind == kind)
        .order_by(_T.occurred_at, _T.id)
    )
    return [(row.id, row.occurred_at) for row in db.execute(query)]


def update(
    db: Session,
    keyring: vault.Keyring,
    kind: str,
    record_id: uuid.UUID,
    base_version: int,
    payload: dict[str, Any],
    now: datetime,
    occurred_at: datetime | None = None,
    *,
    touch: bool = True,
) -> RecordView | StaleVersion[RecordView] | None:
    """Save a new version sealed under a new data key, if `base_version` is still the latest.

    Two edits sent at once on the same version: the first to claim the next version saves, the
    other gets StaleVersion with what the first saved (never two "saved" with one text gone).
    `touch=False` keeps updated_at: a change the person did not make to this record (a link kept
    in it for another record's sake) does not show it as edited.
    """
    row = owned_row(db, keyring, kind, record_id)
    if row is None:
        return None
    saved = _reseal(db, keyring, row, payload, now, occurred_at, touch) if row.version == base_version else None
    if saved is not None:
        return saved
    row = owned_row(db, keyring, kind, record_id, fresh=True)
    return StaleVersion(open_row(keyring, row)) if row is not None else None


REKEY_TRIES = 5


def rekey(
    db: Session, keyring: vault.Keyring, record_id: uuid.UUID, now: datetime, *, unless_current: bool = False
) -> bool:
    """A new data key for the same content: an old wrap of the old key opens nothing written from now on.

    If an edit takes the next version first, re-key on top of it: the newest version always ends
    under a key made after the share was gone. `unless_current` (a key rotation): a row already under
    the keyring's user key (an edit saved it there first) is left as it is.
    """
    for _ in range(REKEY_TRIES):
        row = db.scalar(
            select(Record)
            .where(Record.id == record_id, Record.owner_id == keyring.user_id)
            .execution_options(populate_existing=True)
        )
        if row is None:
            return False
        if unless_current and row.uk_version == keyring.uk_version:
            return True
        if _reseal(db, keyring, row, vault.open_payload(keyring, row), now, None, touch=False) is not None:
            return True
    raise RuntimeError("record kept changing while being re-keyed")


def _reseal(
    db: Session,
    keyring: vault.Keyring,
    row: Record,
    payload: dict[str, Any],
    now: datetime,
    occurred_at: datetime | None,
    touch: bool = True,
) -> RecordView | None:
    """Seal the next version under a new data key (payload, attachments, every share's wrap).

    None, with nothing written, when another request took the next version first.
    """
    # Attachments were sealed under the old data key and version: open them before claiming the next.
    attachments: dict[str, bytes] = {}
    for variant in blobs.STORE.variants(db, row.id):
        stored = blobs.STORE.get(db, row.id, variant)
        if stored is None:  # listed just now, in this same transaction
            raise LookupError(f"attachment {variant!r} of record {row.id} is missing")
        attachments[variant] = vault.open_attachment(keyring, row, variant, stored)
    if not _claim_next_version(db, row):
        return None
    if touch:
        row.updated_at = now
    if occurred_at is not None:
        row.occurred_at = occurred_at
    sealed = vault.seal_payload(keyring, row, payload, attachments)
    for variant, ciphertext in sealed.items():
        blobs.STORE.put(db, row.id, row.owner_id, variant, ciphertext)
    db.flush()
    shares.rewrap(db, keyring, row)
    hold_sealing_key(db, keyring)
    return open_row(keyring, row)


def _claim_next_version(db: Session, row: Record) -> bool:
    """Check the version and take the next one in one statement: false if someone else took it first.

    On PostgreSQL the row stays locked until commit (a concurrent claim waits, then finds the new
    version and fails); on SQLite the statement takes the database's write lock.
    """
    claimed = (
        changed_rows(
            db.execute(
                sql_update(Record)
                .where(Record.id == row.id, Record.version == row.version)
                .values(version=row.version + 1)
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )
    if claimed:
        set_committed_value(row, "version", row.version + 1)
    return claimed


def delete(db: Session, keyring: vault.Keyring, kind: str, record_id: uuid.UUID) -> bool:
    row = owned_row(db, keyring, kind, record_id)
    if row is None:
        return False
    db.delete(row)
    db.flush()
    return True


def owned_row(
    db: Session, keyring: vault.Keyring, kind: str, record_id: uuid.UUID, *, fresh: bool = False
) -> Record | None:
    """The keyring owner's row of this kind; `fresh` reads it again over what this session holds."""
    query = select(Record).where(Record.id == record_id, Record.owner_id == keyring.user_id, Record.kind == kind)
    return db.scalar(query.execution_options(populate_existing=True) if fresh else query)


def open_row(keyring: vault.Keyring, row: Record) -> RecordView:
    return RecordView(
        row.id, row.kind, row.occurred_at, row.created_at, row.updated_at, row.version, vault.open_payload(keyring, row)
    )


def id_by_client_key(db: Session, keyring: vault.Keyring, client_key: str) -> uuid.UUID | None:
    return db.scalar(select(Record.id).where(Record.owner_id == keyring.user_id, Record.idempotency_key == client_key))
