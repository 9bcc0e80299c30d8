"""The timeline: everything the client wrote, newest first, grouped by the dosing session it follows; narrowed,
when asked, to one kind, one session's stretch of time or one emotion word (filters.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .. import vault
from ..course.service import doses as all_doses
from ..course.service import own_doses_between
from ..records import kinds
from ..records import service as records
from ..records.cursors import make_cursor, parse_cursor
from ..records.service import RecordView
from .filters import BEFORE_FIRST, Filters
from .groups import TimelineGroup, TimelineItem, by_session

__all__ = ["PAGE_SIZE", "TimelineGroup", "TimelineItem", "session_count", "timeline_page"]

PAGE_SIZE = 30
EMOTION_BATCH = 200  # check-ins opened at once when looking for an emotion word
READ_CAP = 2000  # records one filtered page reads at most: the "Older" link goes on from where it stopped


def timeline_page(
    db: Session,
    keyring: vault.Keyring,
    zone: str,
    before: str | None,
    limit: int = PAGE_SIZE,
    filters: Filters | None = None,
) -> tuple[list[TimelineGroup], str | None]:
    """One page of the timeline, in groups by session. ValueError on a bad cursor."""
    if filters is not None and filters.active:
        views, cursor = _filtered(db, keyring, before, limit, filters)
    else:
        views, cursor = records.page(db, keyring, kinds.names(on_timeline=True), before, limit)
    # Only the sessions this page's items follow, numbered by a count of the earlier ones: a page costs the
    # same early or late in a long course.
    doses = own_doses_between(db, keyring, views[-1].occurred_at, views[0].occurred_at) if views else []
    return by_session(views, doses, zone, url=_owner_url), cursor


def session_count(db: Session, keyring: vault.Keyring) -> int:
    """How many dosing sessions the owner logged (the filter's choices), from metadata."""
    return len(all_doses(db, keyring))


def _filtered(
    db: Session, keyring: vault.Keyring, before: str | None, limit: int, filters: Filters
) -> tuple[list[RecordView], str | None]:
    """A page of the records that pass the filters, below the cursor: kind and session narrow the query itself;
    an emotion word is looked for in the check-ins opened a batch at a time. At most READ_CAP records are read:
    a page that is not full by then ends where the reading stopped, and its "Older" link goes on from there."""
    cursor = parse_cursor(before)
    names = filters.kinds()
    span = _session_span(db, keyring, filters.session) if filters.session is not None else (None, None)
    if not names or span is None:
        return [], None
    start, end = span
    batch = EMOTION_BATCH if filters.emotion is not None else limit + 1
    found: list[RecordView] = []
    read = 0
    last: RecordView | None = None
    for views in records.newest_batches(db, keyring, names, before=cursor, start=start, end=end, batch=batch):
        for view in views:
            read, last = read + 1, view
            if filters.emotion is None or filters.emotion in kinds.emotions(view):
                found.append(view)
                if len(found) > limit:
                    return found[:limit], make_cursor(found[limit - 1])
            if read >= READ_CAP:
                return found, make_cursor(last)
    return found, None


def _session_span(db: Session, keyring: vault.Keyring, session: int) -> tuple[datetime | None, datetime | None] | None:
    """From the session's time until the next one's (before the first: until the first); None: no such session."""
    doses = all_doses(db, keyring)
    if session == BEFORE_FIRST:
        return None, (doses[0].occurred_at if doses else None)
    if not 1 <= session <= len(doses):
        return None
    return doses[session - 1].occurred_at, (doses[session].occurred_at if session < len(doses) else None)


def _owner_url(view: records.RecordView) -> str:
    return kinds.kind(view.kind).owner_url(view)
