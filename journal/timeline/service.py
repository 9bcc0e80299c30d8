"""The timeline: everything the client wrote, newest first, grouped by the dosing session it follows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import vault
from ..course.service import own_doses_between
from ..records import kinds
from ..records import service as records
from .groups import TimelineGroup, TimelineItem, by_session

__all__ = ["PAGE_SIZE", "TimelineGroup", "TimelineItem", "timeline_page"]

PAGE_SIZE = 30


def timeline_page(
    db: Session, keyring: vault.Keyring, zone: str, before: str | None, limit: int = PAGE_SIZE
) -> tuple[list[TimelineGroup], str | None]:
    """One page of the timeline, in groups by session. ValueError on a bad cursor."""
    views, cursor = records.page(db, keyring, kinds.names(on_timeline=True), before, limit)
    # Only the sessions this page's items follow, numbered by a count of the earlier ones: a page costs the
    # same early or late in a long course.
    doses = own_doses_between(db, keyring, views[-1].occurred_at, views[0].occurred_at) if views else []
    return by_session(views, doses, zone, url=_owner_url), cursor


def _owner_url(view: records.RecordView) -> str:
    return kinds.kind(view.kind).owner_url(view)
