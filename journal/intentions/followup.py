"""After a dosing session, the app asks once about each intention: "How did this show up?"

When: from day 1 after the latest session to the end of the integration window (day 13). Day 0 is left to
what the session brought (the hours after a dose are for raw impressions, and the app stays out of the way);
after a night's rest the question fits, as the day-1 prompts already invite. After the window the question
is no longer asked; what was answered stays with the intention.

About which: the intentions the client carried into that session (ticked on the dosing form), if they ticked
any; otherwise every active intention. Each is asked once per session: an answer, or "Not now", counts as
asked, and it is never asked again for that session.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .. import vault
from ..course.days import INTEGRATION_DAYS, Dose, Place
from ..dosing import service as dosing
from .service import IntentionView

FIRST_DAY = 1
LAST_DAY = INTEGRATION_DAYS - 1


@dataclass(frozen=True)
class FollowUp:
    """The questions Today asks about one session: one card per intention."""

    dose: Dose
    intentions: list[IntentionView]
    carried: bool  # only those the client carried into the session (else every active intention)


def asking_on(place: Place) -> bool:
    """Whether the question is asked at this place in the course (after a session, within its window)."""
    return place.dose is not None and place.day is not None and FIRST_DAY <= place.day <= LAST_DAY


def to_ask(intentions: Sequence[IntentionView], dose: Dose, carried_ids: Collection[str]) -> FollowUp | None:
    """Of these intentions, those still to ask about after `dose`; None when there are none."""
    active = [one for one in intentions if one.active]
    chosen = [one for one in active if str(one.id) in carried_ids] if carried_ids else active
    waiting = [one for one in chosen if not one.asked_after(dose.id)]
    return FollowUp(dose, waiting, bool(carried_ids)) if waiting else None


def follow_up(db: Session, keyring: vault.Keyring, place: Place, active: Sequence[IntentionView]) -> FollowUp | None:
    """What Today asks now. Opens the latest session (which intentions it carried) only when some active
    intention has not been asked about it: at most one read, and none on most visits."""
    dose = place.dose
    if dose is None or not asking_on(place) or all(one.asked_after(dose.id) for one in active):
        return None
    return to_ask(active, dose, dosing.carried_intentions(db, keyring, dose.id))
