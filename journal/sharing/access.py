"""The access log a client reads: one line per deliberate open, at most one line per visit for summaries.

A deliberate open is a shared record's page, a photo at full size, the integration session brief
or an export; each is one line, covering the records it showed (access_event_records). The brief's older
items and the whole brief read just after it add their records to its line. What the
desk's list pages show (the clients list's mood line and flags, a client's page of titles and
previews, thumbnails) is a summary: one line per visit, a visit being summaries seen by the same
clinician with no more than VISIT between them, counting the most items seen at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..art.service import KIND as ART
from ..models import AccessEvent, AccessEventRecord, Record, User
from ..records.kinds import label as kind_label

VISIT = timedelta(minutes=30)
# Opening a record's page again this soon (a reload, coming back after marking a flag seen) is the same
# open; and the photo the page shows at full size belongs to it, not to a line of its own.
SAME_OPEN = timedelta(minutes=10)
OPENS = ("record", "picture", "brief", "export", "page", "image")  # what counts as "opened" ("page", "image": old rows)


# Writing ------------------------------------------------------------------------------------------


def log_open(
    db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID, record_id: uuid.UUID, kind: str, now: datetime
) -> None:
    """The clinician opened one shared record's page: a line, or the same line when opened again just now."""
    recent = _recent_open(db, therapist_id, client_id, record_id, now)
    if recent is not None:
        db.execute(update(AccessEvent).where(AccessEvent.id == recent).values(last_at=now))
        return
    _line(db, therapist_id, client_id, "record", now, [record_id], kind=kind)


def log_picture(
    db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID, record_id: uuid.UUID, now: datetime
) -> bool:
    """A shared photo at full size: a line of its own, unless it is the one the record's page just showed.

    Returns whether a line was written.
    """
    if _recent_open(db, therapist_id, client_id, record_id, now) is not None:
        return False
    _line(db, therapist_id, client_id, "picture", now, [record_id], kind=ART)
    return True


def _recent_open(
    db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID, record_id: uuid.UUID, now: datetime
) -> int | None:
    """The line of this clinician's open of this record's page, if it was (last) opened within SAME_OPEN."""
    last = func.coalesce(AccessEvent.last_at, AccessEvent.at)
    return db.scalar(
        select(AccessEvent.id)
        .join(AccessEventRecord, AccessEventRecord.event_id == AccessEvent.id)
        .where(
            AccessEvent.therapist_id == therapist_id,
            AccessEvent.owner_id == client_id,
            AccessEvent.what == "record",
            AccessEventRecord.record_id == record_id,
            last >= now - SAME_OPEN,
        )
        .order_by(AccessEvent.at.desc())
        .limit(1)
    )


def log_covering(
    db: Session,
    therapist_id: uuid.UUID,
    client_id: uuid.UUID,
    what: str,
    record_ids: Iterable[uuid.UUID],
    now: datetime,
) -> None:
    """One line for a brief read or an export made, covering every record in it."""
    ids = list(dict.fromkeys(record_ids))
    _line(db, therapist_id, client_id, what, now, ids, items=len(ids))


def log_more_brief(
    db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID, record_ids: Iterable[uuid.UUID], now: datetime
) -> None:
    """More of the brief read (its older items, or the whole brief to print): the records join the line of the
    brief this clinician opened within the last VISIT, which then says how many it covers; a line of its own
    otherwise."""
    ids = list(dict.fromkeys(record_ids))
    latest = db.execute(
        select(AccessEvent.id, AccessEvent.at, AccessEvent.last_at)
        .where(AccessEvent.owner_id == client_id, AccessEvent.therapist_id == therapist_id, AccessEvent.what == "brief")
        .order_by(AccessEvent.at.desc(), AccessEvent.id.desc())
        .limit(1)
    ).first()
    if latest is None or now - (latest.last_at or latest.at) > VISIT:
        log_covering(db, therapist_id, client_id, "brief", ids, now)
        return
    covered = set(db.scalars(select(AccessEventRecord.record_id).where(AccessEventRecord.event_id == latest.id)))
    added = [one for one in ids if one not in covered]
    if added:
        db.execute(insert(AccessEventRecord), [{"event_id": latest.id, "record_id": one} for one in added])
    db.execute(
        update(AccessEvent)
        .where(AccessEvent.id == latest.id)
        .values(last_at=max(now, latest.last_at or latest.at), items=len(covered) + len(added))
    )


def log_summaries(db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID, items: int, now: datetime) -> None:
    """Summaries of `items` shared records reached the clinician's screen: part of this visit's one line."""
    log_summaries_of(db, therapist_id, {client_id: items}, now)


def log_summaries_of(db: Session, therapist_id: uuid.UUID, items: dict[uuid.UUID, int], now: datetime) -> None:
    """As `log_summaries`, for several clients at once (client id -> items) in at most three statements: the
    latest summary line of each, one update of those still in this visit, one insert of the others."""
    items = {client_id: count for client_id, count in items.items() if count > 0}
    if not items:
        return
    newest = func.row_number().over(
        partition_by=AccessEvent.owner_id, order_by=(AccessEvent.at.desc(), AccessEvent.id.desc())
    )
    ranked = (
        select(AccessEvent.id, AccessEvent.owner_id, AccessEvent.at, AccessEvent.last_at, AccessEvent.items)
        .add_columns(newest.label("rank"))
        .where(
            AccessEvent.owner_id.in_(list(items)),
            AccessEvent.therapist_id == therapist_id,
            AccessEvent.what == "summary",
        )
        .subquery()
    )
    latest = {row.owner_id: row for row in db.execute(select(ranked).where(ranked.c.rank == 1))}
    updates, inserts = [], []
    for client_id, count in items.items():
        line = latest.get(client_id)
        if line is not None and now - (line.last_at or line.at) <= VISIT:
            last_at = max(now, line.last_at or line.at)
            updates.append({"id": line.id, "last_at": last_at, "items": max(count, line.items or 0)})
        else:
            inserts.append(
                {
                    "owner_id": client_id,
                    "therapist_id": therapist_id,
                    "what": "summary",
                    "at": now,
                    "last_at": now,
                    "items": count,
                }
            )
    if updates:
        db.execute(update(AccessEvent), updates)
    if inserts:
        db.execute(insert(AccessEvent), inserts)


def _line(
    db: Session,
    therapist_id: uuid.UUID,
    client_id: uuid.UUID,
    what: str,
    now: datetime,
    record_ids: list[uuid.UUID],
    *,
    kind: str | None = None,
    items: int | None = None,
) -> None:
    event = AccessEvent(owner_id=client_id, therapist_id=therapist_id, what=what, at=now, kind=kind, items=items)
    db.add(event)
    db.flush()
    if record_ids:
        db.execute(insert(AccessEventRecord), [{"event_id": event.id, "record_id": one} for one in record_ids])


# Reading ------------------------------------------------------------------------------------------


def last_opened(db: Session, record_id: uuid.UUID, therapist_id: uuid.UUID) -> datetime | None:
    """When this clinician last opened the record: its page, its picture, a brief or an export with it."""
    return db.scalar(
        select(func.max(AccessEvent.at))
        .join(AccessEventRecord, AccessEventRecord.event_id == AccessEvent.id)
        .where(
            AccessEventRecord.record_id == record_id,
            AccessEvent.therapist_id == therapist_id,
            AccessEvent.what.in_(OPENS),
        )
    )


@dataclass(frozen=True)
class Covered:
    """A record an access line covers, as the client's history names it (never what it says)."""

    id: uuid.UUID
    kind: str
    occurred_at: datetime


@dataclass(frozen=True)
class AccessLine:
    at: datetime
    until: datetime | None  # a summary visit's last moment, when later than `at`
    who: str
    what: str  # "record", "picture", ...
    words: str  # "Opened your journal entry", "Read the integration session brief (14 items)"
    records: list[Covered] = field(default_factory=list)


@dataclass(frozen=True)
class AccessDay:
    day: date
    lines: list[AccessLine]


def lines(db: Session, owner_id: uuid.UUID, limit: int = 200) -> list[AccessLine]:
    """The client's access history, newest first: who, what, when, and the records each line covered."""
    rows = db.execute(
        select(AccessEvent, User.display_name, User.email)
        .join(User, User.id == AccessEvent.therapist_id)
        .where(AccessEvent.owner_id == owner_id)
        .order_by(AccessEvent.at.desc(), AccessEvent.id.desc())
        .limit(limit)
    ).all()
    covered: dict[int, list[Covered]] = {}
    if rows:
        for event_id, record_id, kind, occurred_at in db.execute(
            select(AccessEventRecord.event_id, Record.id, Record.kind, Record.occurred_at)
            .join(Record, Record.id == AccessEventRecord.record_id)
            .where(AccessEventRecord.event_id.in_([event.id for event, _name, _email in rows]))
            .order_by(Record.occurred_at.desc())
        ):
            covered.setdefault(event_id, []).append(Covered(record_id, kind, occurred_at))
    result = []
    for event, name, email in rows:
        records = covered.get(event.id, [])
        until = event.last_at if event.last_at and event.last_at > event.at else None
        result.append(AccessLine(event.at, until, name or email, event.what, describe(event, records), records))
    return result


def by_day(access_lines: Iterable[AccessLine], zone: str) -> list[AccessDay]:
    """Lines grouped by the day they happened in the reader's zone, in the order given (newest first)."""
    days: list[AccessDay] = []
    tz = ZoneInfo(zone)
    for line in access_lines:
        day = line.at.astimezone(tz).date()
        if not days or days[-1].day != day:
            days.append(AccessDay(day, []))
        days[-1].lines.append(line)
    return days


def describe(event: AccessEvent, records: list[Covered]) -> str:
    """The line's words, from what kind of reading it was; never anything the records say."""
    kind = event.kind or (records[0].kind if records else None)
    thing = kind_label(kind).lower() if kind else "record"
    gone = "" if records else " (since deleted)"
    if event.what in ("record", "page"):
        return f"Opened your {thing}{gone}"
    if event.what in ("picture", "image"):
        return f"Viewed your photo of art at full size{gone}"
    count = event.items if event.items is not None else len(records)
    items = f"{count} item{'' if count == 1 else 's'}"
    if event.what == "brief":
        return f"Read the integration session brief ({items})"
    if event.what == "export":
        return f"Saved a copy of what you share in an export ({items})"
    if event.what == "summary":
        return f"Saw the summaries of what you share on their desk ({items})"
    return f"Opened your {thing}{gone}"
