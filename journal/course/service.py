"""The client's course as a whole: numbered dosing sessions and where today sits among them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session

from .. import vault
from ..dosing.service import KIND as DOSE
from ..models import Record
from ..records import service as records
from .days import PHASES, Dose, Place, days_left, local_date, number_doses, place_of, places_for, start_of_day
from .looking_back import LookBack, look_back
from .prompts import Prompt, prompt_of_the_day, prompts_for

if TYPE_CHECKING:
    from ..intentions.followup import FollowUp

# Intentions stay in sight through the whole course: while preparing, on every day of the integration window
# (days 0-13, when they are revisited) and before the next dose (when they are set, kept or let go).
INTENTION_PHASES = frozenset({"preparation", *(phase for _first, _last, phase, _words in PHASES)})


def shows_intentions(place: Place) -> bool:
    """Whether Today shows the active intentions at this place in the course."""
    return place.phase in INTENTION_PHASES


# The day of a dose and the day after: Today opens with "Photograph what you made" and "Write".
CAPTURE_DAYS = (0, 1)


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


def places_of(
    db: Session, keyring: vault.Keyring, zone: str, items: Sequence[tuple[uuid.UUID, datetime]]
) -> dict[uuid.UUID, Place]:
    """{id: place in the course} of a page of the owner's items, (id, occurred_at) each: "Day 3 after session 2".

    One statement for the whole page (the sessions from the one the oldest item follows to the newest item,
    numbered among all), none when there is no item: a page costs the same early or late in a long course.
    """
    if not items:
        return {}
    moments = [moment for _id, moment in items]
    return places_for(items, own_doses_between(db, keyring, min(moments), max(moments)), zone)


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
    prompt: Prompt | None  # None: every prompt of the phase was answered today
    intentions: list  # active intentions (see INTENTION_PHASES)
    drafts: int
    followup: FollowUp | None = None  # "How did this show up?" after the latest session
    answered: int = 0  # prompts of the phase answered today
    waiting: int = 0  # prompts of the phase not answered today ("Another prompt" has one to show when 2 or more)
    looking_back: LookBack | None = None  # "On this day", or what was written on this day after earlier sessions

    @property
    def capture_first(self) -> bool:
        """Right after a dose, capturing comes before anything else on the screen."""
        return self.place.dose is not None and self.place.day in CAPTURE_DAYS


def today(
    db: Session,
    keyring: vault.Keyring,
    zone: str,
    now: datetime,
    prompt_offset: int = 0,
    asked: Sequence[Prompt] = (),
    place: Place | None = None,
    every_dose: Sequence[Dose] | None = None,
) -> Today:
    """What the Today screen shows: where the client is, the day's prompt (not one answered today: those are
    found among the day's few entries; `asked`, prompts clinicians wrote for today, first), intentions and what
    is asked about them after a session, unsent drafts. `place` and `every_dose`: when the caller read them."""
    from ..entries.service import count_drafts, prompts_answered_since
    from ..intentions.followup import follow_up
    from ..intentions.service import active_with_audience

    every_dose = list(every_dose) if every_dose is not None else doses(db, keyring)
    place = place if place is not None else place_of(now, every_dose, zone)
    day = local_date(now, zone)
    phase_prompts = {prompt.id for prompt in prompts_for(place.phase)}
    answered = prompts_answered_since(db, keyring, start_of_day(day, zone)) & phase_prompts
    prompt = prompt_of_the_day(place.phase, day, prompt_offset, answered, asked)
    active = active_with_audience(db, keyring) if shows_intentions(place) else []
    return Today(
        place,
        days_left(place.day),
        prompt,
        active,
        count_drafts(db, keyring),
        follow_up(db, keyring, place, active),
        len(answered),
        len(phase_prompts) - len(answered) + len(asked),
        look_back(db, keyring, zone, now, every_dose, place),
    )
