"""The client's course as a whole: numbered dosing sessions and where today sits among them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session

from .. import vault
from ..dosing.service import KIND as DOSE
from ..models import Record
from ..records import service as records
from .days import Dose, Place, days_left, local_date, number_doses, place_of
from .prompts import Prompt, prompt_of_the_day

# Intentions come back before a session and with the first prompts after one.
INTENTION_PHASES = {"preparation", "before-next", "day0", "day1"}


def doses(db: Session, keyring: vault.Keyring) -> list[Dose]:
    """Every dosing session, oldest first, numbered; read from metadata without decrypting."""
    return number_doses(records.times(db, keyring, DOSE))


def doses_between(db: Session, times: Select, start: datetime, end: datetime) -> list[Dose]:
    """The dosing sessions a stretch of time needs, numbered as among all of them: the last one at or before
    `start` (the one what happens at `start` follows) and every one after it up to `end`.

    `times` selects (Record.id, Record.occurred_at) of the dosing sessions that count (the owner's, or the
    ones shared now). From metadata, nothing opened, in one statement: the sessions from that last one to
    `end`, each with the count of the ones before it (index reads, whatever the length of the course).
    """
    at = literal(start, type_=Record.occurred_at.type)
    # correlate(None): these read the same table as the outer statement, and must not be tied to its row.
    anchor = (
        times.with_only_columns(func.max(Record.occurred_at)).where(Record.occurred_at <= at).correlate(None)
    ).scalar_subquery()
    lower = func.coalesce(anchor, at)
    earlier = (
        select(func.count())
        .select_from(times.where(Record.occurred_at < lower).correlate(None).subquery())
        .correlate(None)
        .scalar_subquery()
    )
    rows = db.execute(times.add_columns(earlier.label("earlier")).where(Record.occurred_at.between(lower, end))).all()
    before = rows[0].earlier if rows else 0
    return [
        Dose(dose.id, dose.occurred_at, dose.number + before)
        for dose in number_doses([(row.id, row.occurred_at) for row in rows])
    ]


def own_doses_between(db: Session, keyring: vault.Keyring, start: datetime, end: datetime) -> list[Dose]:
    """`doses_between` over the keyring owner's own dosing sessions."""
    times = select(Record.id, Record.occurred_at).where(Record.owner_id == keyring.user_id, Record.kind == DOSE)
    return doses_between(db, times, start, end)


def dose_times_of(
    db: Session, owners: Sequence[uuid.UUID], start: datetime, end: datetime
) -> dict[uuid.UUID, list[datetime]]:
    """When each of these clients' dosing sessions from `start` to `end` happened, from metadata, nothing opened:
    for work done while nobody is signed in (the reminders' prompts on the days after a session)."""
    found: dict[uuid.UUID, list[datetime]] = {owner: [] for owner in owners}
    rows = db.execute(
        select(Record.owner_id, Record.occurred_at).where(
            Record.owner_id.in_(list(owners)), Record.kind == DOSE, Record.occurred_at.between(start, end)
        )
    )
    for owner, occurred_at in rows:
        found[owner].append(occurred_at)
    return found


def place_now(db: Session, keyring: vault.Keyring, zone: str, now: datetime) -> Place:
    return place_of(now, doses(db, keyring), zone)


@dataclass(frozen=True)
class Today:
    place: Place
    days_left: int | None
    prompt: Prompt
    intentions: list  # active intentions, shown before a session and in the first days after one
    drafts: int


def today(db: Session, keyring: vault.Keyring, zone: str, now: datetime, prompt_offset: int = 0) -> Today:
    """What the Today screen shows: where the client is, the day's prompt, intentions, unsent drafts."""
    from ..entries.service import count_drafts
    from ..intentions.service import active_intentions

    place = place_now(db, keyring, zone, now)
    prompt = prompt_of_the_day(place.phase, local_date(now, zone), prompt_offset)
    shown = place.phase in INTENTION_PHASES
    return Today(
        place,
        days_left(place.day),
        prompt,
        active_intentions(db, keyring) if shown else [],
        count_drafts(db, keyring),
    )
