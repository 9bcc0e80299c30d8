"""The client's course as a whole: numbered dosing sessions and where today sits among them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .. import vault
from ..records import service as records
from .days import Dose, Place, number_doses, place_of


def doses(db: Session, keyring: vault.Keyring) -> list[Dose]:
    """Every dosing session, oldest first, numbered; read from metadata without decrypting."""
    return number_doses(records.times(db, keyring, "dose"))


def place_now(db: Session, keyring: vault.Keyring, zone: str, now: datetime) -> Place:
    return place_of(now, doses(db, keyring), zone)
