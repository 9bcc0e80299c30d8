"""A clinician reading what a client shared: one query for the rows, then the crypto per row.

What reaches the clinician's screen is written to the client's access log by the caller (sharing/access.py).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Iterable, Iterator

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from .. import vault
from ..models import Record, Share
from ..records.blobs import STORE
from ..records.service import RecordView


def shared_records(db: Session, keyring: vault.Keyring, client_id: uuid.UUID, *,
                   kinds: Iterable[str] | None = None, since: datetime | None = None) -> list[RecordView]:
    """Everything this client shares with the keyring's owner now, newest first, opened.

    A wrap made for an older version of a record (before a revoke or an edit) does not count.
    """
    query = _shared_now(select(Record, Share.wrap), keyring.user_id, client_id)
    if kinds is not None:
        query = query.where(Record.kind.in_(list(kinds)))
    if since is not None:
        query = query.where(Record.occurred_at >= since)
    rows = db.execute(query.order_by(Record.occurred_at.desc(), Record.id.desc())).all()
    return [_open(keyring, row, wrap) for row, wrap in rows]


def shared_oldest_first(db: Session, keyring: vault.Keyring, client_id: uuid.UUID, kinds: Iterable[str],
                        page_size: int = 50) -> Iterator[RecordView]:
    """What this client shares with the keyring's owner now, oldest first, opened one page at a time.

    The same rule as `shared_records`; for an export, which must not hold every record at once.
    """
    kinds = list(kinds)
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        query = _shared_now(select(Record, Share.wrap), keyring.user_id, client_id).where(Record.kind.in_(kinds))
        if after is not None:
            at, last_id = after
            query = query.where(or_(Record.occurred_at > at, and_(Record.occurred_at == at, Record.id > last_id)))
        rows = db.execute(query.order_by(Record.occurred_at, Record.id).limit(page_size)).all()
        views = [_open(keyring, row, wrap) for row, wrap in rows]
        if rows:
            after = (rows[-1][0].occurred_at, rows[-1][0].id)
        del rows  # the session keeps no strong reference: only this page is held
        yield from views
        if len(views) < page_size:
            return


def shared_ids(db: Session, recipient_id: uuid.UUID, client_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids of everything this client shares with the recipient now, from metadata, nothing opened."""
    return list(db.scalars(_shared_now(select(Record.id), recipient_id, client_id)))


def shared_record(db: Session, keyring: vault.Keyring, client_id: uuid.UUID, record_id: uuid.UUID) -> RecordView | None:
    found = _row_and_wrap(db, keyring, client_id, record_id)
    return _open(keyring, *found) if found else None


def shared_attachment(db: Session, keyring: vault.Keyring, client_id: uuid.UUID, record_id: uuid.UUID,
                      variant: str) -> bytes | None:
    found = _row_and_wrap(db, keyring, client_id, record_id)
    if found is None:
        return None
    row, wrap = found
    sealed = STORE.get(db, row.id, variant)
    return vault.open_shared_attachment(keyring, row, wrap, variant, sealed) if sealed is not None else None


def _row_and_wrap(db: Session, keyring: vault.Keyring, client_id: uuid.UUID, record_id: uuid.UUID):
    found = db.execute(select(Record, Share.wrap).join(Share, Share.record_id == Record.id)
                       .where(Record.id == record_id, Record.owner_id == client_id,
                              Share.recipient_id == keyring.user_id, Share.dek_version == Record.version)).first()
    return (found[0], found[1]) if found else None


def _shared_now(query, recipient_id: uuid.UUID, client_id: uuid.UUID):
    """Records of this client with a wrap for the recipient made for their current version."""
    return (query.join(Share, Share.record_id == Record.id)
            .where(Share.recipient_id == recipient_id, Share.owner_id == client_id,
                   Record.owner_id == client_id, Share.dek_version == Record.version))


def _open(keyring: vault.Keyring, row: Record, wrap: bytes) -> RecordView:
    return RecordView(row.id, row.kind, row.occurred_at, row.created_at, row.updated_at, row.version,
                      vault.open_shared(keyring, row, wrap))
