"""Keyset paging over records: a page is the records just before (or after) the last one shown, in the
order of ix_records_owner_occurred_id. Equal times are told apart by id, so no record is skipped or shown
twice. A cursor travels in URLs as "<occurred_at ISO>_<id>"."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from sqlalchemy import and_, or_

from ..models import Record

Cursor = tuple[datetime, uuid.UUID]
NEWEST_FIRST = (Record.occurred_at.desc(), Record.id.desc())
OLDEST_FIRST = (Record.occurred_at, Record.id)


def older_than(cursor: Cursor):
    """Records before the cursor in (occurred_at, id) order. The plain bound on occurred_at lets every
    database start its index scan at the cursor rather than filter its way down from the newest row."""
    at, last_id = cursor
    return and_(
        Record.occurred_at <= at, or_(Record.occurred_at < at, and_(Record.occurred_at == at, Record.id < last_id))
    )


def newer_than(cursor: Cursor):
    """Records after the cursor in (occurred_at, id) order (see `older_than`)."""
    at, last_id = cursor
    return and_(
        Record.occurred_at >= at, or_(Record.occurred_at > at, and_(Record.occurred_at == at, Record.id > last_id))
    )


def at_or_after(cursor: Cursor):
    """Records from the cursor's on, in (occurred_at, id) order: what a newest-first list showed down to it."""
    at, last_id = cursor
    return and_(
        Record.occurred_at >= at, or_(Record.occurred_at > at, and_(Record.occurred_at == at, Record.id >= last_id))
    )


class Placed(Protocol):
    """Anything with a place in the order: a record row or a view of one."""

    @property
    def occurred_at(self) -> datetime: ...

    @property
    def id(self) -> uuid.UUID: ...


def cursor_of(view: Placed) -> Cursor:
    return view.occurred_at, view.id


def make_cursor(view: Placed | Cursor) -> str:
    at, record_id = view if isinstance(view, tuple) else cursor_of(view)
    return f"{at.isoformat()}_{record_id}"


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
