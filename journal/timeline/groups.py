"""Records grouped by the dosing session they follow, each with its one line: the client's timeline and the
clinician's timeline of what a client shares are built the same way. Pure: the views come opened."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..course.days import Dose, place_of
from ..records import kinds
from ..records.service import RecordView


@dataclass(frozen=True)
class TimelineItem:
    id: uuid.UUID
    kind: str
    occurred_at: datetime
    title: str
    detail: str
    day: int | None
    url: str | None = None  # the owner's page of it (the clinician's timeline links by id)
    new: bool = False  # shared since the clinician last marked the client reviewed


@dataclass
class TimelineGroup:
    dose: Dose | None
    items: list[TimelineItem] = field(default_factory=list)


def by_session(
    views: Iterable[RecordView],
    doses: Sequence[Dose],
    zone: str,
    *,
    url: Callable[[RecordView], str] | None = None,
    new: Collection[uuid.UUID] = frozenset(),
) -> list[TimelineGroup]:
    """The views (newest first) in groups by the session they follow, day labels in `zone`."""
    groups: list[TimelineGroup] = []
    for view in views:
        place = place_of(view.occurred_at, doses, zone)
        if not groups or groups[-1].dose != place.dose:
            groups.append(TimelineGroup(place.dose))
        title, detail = kinds.summary(view, doses)
        groups[-1].items.append(
            TimelineItem(
                view.id,
                view.kind,
                view.occurred_at,
                title,
                detail,
                place.day,
                url(view) if url else None,
                view.id in new,
            )
        )
    return groups
