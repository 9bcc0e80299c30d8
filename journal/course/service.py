"""The client's course as a whole: numbered dosing sessions and where today sits among them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from .. import vault
from ..dosing.service import KIND as DOSE
from ..records import service as records
from .days import Dose, Place, days_left, local_date, number_doses, place_of
from .prompts import Prompt, prompt_of_the_day

# Intentions come back before a session and with the first prompts after one.
INTENTION_PHASES = {"preparation", "before-next", "day0", "day1"}


def doses(db: Session, keyring: vault.Keyring) -> list[Dose]:
    """Every dosing session, oldest first, numbered; read from metadata without decrypting."""
    return number_doses(records.times(db, keyring, DOSE))


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
