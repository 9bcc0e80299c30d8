"""What Today shows of the past, a few items at most: "On this day" (what the client wrote on this calendar day in
earlier years, once they have writing from a year ago or more); otherwise, on day N after the latest dosing session,
what they wrote on day N after the earlier ones ("Day 3 after session 1, what you wrote").

Two statements at most, whatever the length of the course: the date of the first writing (metadata), then the
few records of those days, opened. Only kinds that hold the client's words (those a search reads) count.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .. import vault
from ..models import Record
from ..records import kinds
from ..records import service as records
from .days import Dose, Place, local_date, place_of, start_of_day

ITEMS = 3  # at most, on Today
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class LookedBack:
    id: uuid.UUID
    when: str  # "1 year ago, 6 Dec 2025" or "Day 3 after session 1"
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class LookBack:
    heading: str  # "On this day" or "Day 3 after session 1, what you wrote"
    items: list[LookedBack]


def look_back(
    db: Session, keyring: vault.Keyring, zone: str, now: datetime, doses: Sequence[Dose], place: Place
) -> LookBack | None:
    """What Today shows of the past, or None when there is nothing to show."""
    names = [one.name for one in kinds.searchable()]
    today = local_date(now, zone)
    first = db.scalar(
        select(func.min(Record.occurred_at)).where(Record.owner_id == keyring.user_id, Record.kind.in_(names))
    )
    if first is None:
        return None
    if first <= now - YEAR:
        years = range(1, today.year - local_date(first, zone).year + 1)
        same_days = [_same_day(today, today.year - back) for back in years]
        found = _written_on(db, keyring, names, [day for day in same_days if day is not None], zone)
        if found:
            items = [_item(view, doses, _years_ago(today, local_date(view.occurred_at, zone))) for view in found]
            return LookBack("On this day", items)
    if place.dose is None or place.day is None or place.dose.number < 2:
        return None
    earlier = [dose for dose in doses if dose.number < place.dose.number]
    days = [local_date(dose.occurred_at, zone) + timedelta(days=place.day) for dose in earlier]
    # A later session may have come before day N of an earlier one: only day N of a session counts.
    found = [
        view
        for view in _written_on(db, keyring, names, days, zone)
        if place_of(view.occurred_at, doses, zone).day == place.day
    ]
    if not found:
        return None
    places = [place_of(view.occurred_at, doses, zone) for view in found]
    items = [_item(view, doses, where.label) for view, where in zip(found, places, strict=True)]
    sessions = sorted({where.dose.number for where in places if where.dose is not None})
    after = f"session {sessions[0]}" if len(sessions) == 1 else "earlier sessions"
    return LookBack(f"Day {place.day} after {after}, what you wrote", items)


def _written_on(
    db: Session, keyring: vault.Keyring, names: list[str], days: Sequence[date], zone: str
) -> list[records.RecordView]:
    """The newest few records written on any of these calendar days (in the client's zone), opened."""
    if not days:
        return []
    spans = [
        and_(
            Record.occurred_at >= start_of_day(day, zone),
            Record.occurred_at < start_of_day(day + timedelta(days=1), zone),
        )
        for day in days
    ]
    query = (
        select(Record)
        .where(Record.owner_id == keyring.user_id, Record.kind.in_(names), or_(*spans))
        .order_by(Record.occurred_at.desc(), Record.id.desc())
        .limit(ITEMS)
    )
    return [records.open_row(keyring, row) for row in db.scalars(query)]


def _item(view: records.RecordView, doses: Sequence[Dose], when: str) -> LookedBack:
    title, detail = kinds.summary(view, doses)
    return LookedBack(view.id, when, title, detail, kinds.kind(view.kind).owner_url(view))


def _same_day(today: date, year: int) -> date | None:
    """This calendar day in another year (29 February only in leap years)."""
    try:
        return today.replace(year=year)
    except ValueError:
        return None


def _years_ago(today: date, day: date) -> str:
    years = today.year - day.year
    return f"{years} year{'' if years == 1 else 's'} ago, {day.day} {day:%b %Y}"
