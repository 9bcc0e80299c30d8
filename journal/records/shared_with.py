"""Records of one kind, each with the clinicians it is shared with now, read in one statement.

For a page that shows the records and says who sees each (Today's "How did this show up?" cards, whose
answers are kept in the intention and seen by whoever the intention is shared with).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import vault
from ..models import Record, Share
from .service import _READ, _T, RecordView, _open_read
from .shares import shared_now


def list_kind(db: Session, keyring: vault.Keyring, kind: str) -> list[tuple[RecordView, tuple[uuid.UUID, ...]]]:
    """Every record of the keyring owner's of one kind, oldest first, opened, with the ids of the clinicians
    holding a share of its current version (in the order shared)."""
    query = (
        select(*_READ, Share.recipient_id)
        .select_from(Record)
        .outerjoin(Share, shared_now())
        .where(_T.owner_id == keyring.user_id, _T.kind == kind)
        .order_by(_T.occurred_at, _T.id, Share.created_at)
    )
    found: dict[uuid.UUID, tuple[RecordView, list[uuid.UUID]]] = {}
    for row in db.execute(query):
        if row.id not in found:
            found[row.id] = (_open_read(keyring, row), [])
        if row.recipient_id is not None:
            found[row.id][1].append(row.recipient_id)
    return [(view, tuple(recipients)) for view, recipients in found.values()]
