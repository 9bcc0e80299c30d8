"""What a brief's period holds, read from metadata with bounded cost: what was shared in the period though
it happened before it (a page at a time), how many items the period holds (counted no further than
COUNT_CAP), and the first questionnaires shared (the baselines the summaries compare with)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select

from ..checkins.service import KIND as CHECKIN
from ..dosing.service import KIND as DOSE
from ..measures.service import KIND as MEASURE
from ..models import Record, Share
from ..records import cursors, kinds
from ..records.service import RecordView
from ..safety.service import KIND as SAFETY_PLAN
from ..sharing import reads
from . import readings, recent
from .service import COUNT_CAP

# Read over the whole course by the whole brief: baselines, session numbers, what the flag rules look at, and
# the safety plan (one living document, shown whenever it is shared, whatever the period).
HISTORY_KINDS = (MEASURE, DOSE, CHECKIN, SAFETY_PLAN)

LATE_PREFIX = "shared-"  # a cursor among what was shared in the period though it happened before it
PERIOD_KINDS = tuple(kind for kind in kinds.names(shareable=True) if kind != SAFETY_PLAN)
OTHER_KINDS = tuple(kind for kind in kinds.names(shareable=True) if kind not in HISTORY_KINDS)


def late(
    reader: reads.Reader, start: datetime, before: cursors.Cursor | None, room: int
) -> tuple[list[RecordView], str | None]:
    """Up to `room` of what was shared from `start` on though it happened before it (the latest shared first,
    below the cursor), and the cursor of the next ones."""
    if room > 0:
        found, more = reader.shared_since(start, kinds=PERIOD_KINDS, happened_before=start, before=before, limit=room)
        return found, LATE_PREFIX + cursors.make_cursor(more) if more else None
    # No room left on this page: only whether there are any, from metadata.
    query = late_ids(reader, start)
    if before is not None:
        at, last_id = before
        query = query.where(
            Share.created_at <= at, or_(Share.created_at < at, and_(Share.created_at == at, Share.id < last_id))
        )
    _none, more_rows = reader.count(query, 0)
    return [], LATE_PREFIX + cursors.make_cursor(before or LATEST) if more_rows else None


LATEST = (datetime.max.replace(tzinfo=UTC), uuid.UUID(int=(1 << 128) - 1))  # above every share


def late_ids(reader: reads.Reader, start: datetime):
    return reader.shared(select(Record.id)).where(
        Record.kind.in_(PERIOD_KINDS), Share.created_at >= start, Record.occurred_at < start
    )


def total(reader: reads.Reader, start: datetime) -> tuple[int, bool]:
    """Items of the period from SQL, counting no further than COUNT_CAP: what happened since `start`, then
    (while under the cap) what was shared since then from before it."""
    happened, more = reader.count(
        reader.shared(select(Record.id)).where(Record.kind.in_(PERIOD_KINDS), Record.occurred_at >= start), COUNT_CAP
    )
    if more:
        return happened, True
    found, more = reader.count(late_ids(reader, start), COUNT_CAP - happened)
    return happened + found, more


def first_measures(reader: reads.Reader, wanted: set[str | None]) -> list[RecordView]:
    """The first questionnaires shared, oldest first, until the first of each of `wanted` is among them."""
    found: list[RecordView] = []
    missing = set(wanted) - {None}
    after: cursors.Cursor | None = None
    for _ in range(recent.LEAD_ROUNDS):
        views = reader.oldest(kinds=[MEASURE], after=after, limit=recent.MEASURE_BATCH)
        found += views
        missing -= {instrument(view) for view in views}
        if not missing or len(views) < recent.MEASURE_BATCH:
            break
        after = cursors.cursor_of(views[-1])
    return found


def instrument(view: RecordView) -> str | None:
    measured = readings.measure(view)
    return measured.instrument.id if measured is not None else None
