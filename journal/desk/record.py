"""One shared record, or one shared picture, opened for the therapist: read only while shared now, checked against
the client's signature, and written to the client's access log (a deliberate open is one line)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from .. import vault
from ..course.days import place_of
from ..dosing.kind import number as dose_number
from ..flags import marks as flag_marks
from ..flags.rules import Flag, with_marks
from ..models import Link, User
from ..records import kinds
from ..records.service import RecordView
from ..sharing import access, reads, signers
from . import recent
from .course import shared_doses_between
from .service import Unshown

IMAGE_VARIANTS = ("full", "thumb")


@dataclass(frozen=True)
class SharedRecord:
    view: RecordView
    label: str  # "Day 3 after session 2", counted among shared sessions
    dose_number: int | None  # for a dosing session: its number among the shared ones
    flags: list[Flag]  # the flags this record carries


def shared_record(
    db: Session, keyring: vault.Keyring, link: Link, client: User, record_id: uuid.UUID, zone: str, now: datetime
) -> SharedRecord | Unshown | None:
    """One record shared with the therapist now, opened and logged; Unshown when it does not verify (nothing
    of it is shown, nothing logged for the client); None otherwise (revoked, never shared)."""
    view = reads.shared_record(db, keyring, client.id, record_id)
    if view is None:
        return None
    if isinstance(view, reads.Unverified):
        return Unshown(0 if view.withheld else 1, view.withheld)
    doses = shared_doses_between(db, keyring.user_id, client.id, view.occurred_at, view.occurred_at)
    place = place_of(view.occurred_at, doses, client.time_zone)
    # Its own flags, read with the few shared records before it that the rules look back on.
    flags = with_marks(
        recent.flags_of(reads.Reader(db, keyring, client.id), view, zone), flag_marks.seen(keyring, link)
    )
    access.log_open(db, keyring.user_id, client.id, view.id, view.kind, now)
    return SharedRecord(view, place.label, dose_number(view, doses), flags)


def confirm_signer(db: Session, keyring: vault.Keyring, client: User, now: datetime) -> None:
    """Pin the client's signing key now if it is due (before an export, whose snapshot writes nothing)."""
    signers.signer_for(db, keyring, client.id, now)


def sound(
    db: Session, keyring: vault.Keyring, client_id: uuid.UUID, record_id: uuid.UUID, now: datetime
) -> tuple[bytes, str] | None:
    """A shared record's sound and its type, decrypted for this request; None when not shared now (or it has none).

    Listening is opening the record: one line, or the line of its page just opened (each part a player asks for
    falls within it).
    """
    view = reads.shared_record(db, keyring, client_id, record_id)
    found = kinds.find(view.kind) if isinstance(view, RecordView) else None
    if found is None or found.sound is None or not isinstance(view, RecordView):
        return None
    data = reads.shared_attachment(db, keyring, client_id, record_id, found.sound)
    if data is None:
        return None
    access.log_open(db, keyring.user_id, client_id, record_id, view.kind, now)
    return data, str(view.data.get("content_type") or "application/octet-stream")


def image(
    db: Session, keyring: vault.Keyring, client_id: uuid.UUID, record_id: uuid.UUID, variant: str, now: datetime
) -> bytes | None:
    """A shared photo's picture, decrypted for this request; None when not shared now.

    The full-size picture is a deliberate open (logged, unless its record's page was just opened); a
    thumbnail belongs to the page that shows it, whose summary or brief line covers it.
    """
    if variant not in IMAGE_VARIANTS:
        return None
    data = reads.shared_attachment(db, keyring, client_id, record_id, variant)
    if data is not None and variant == "full":
        access.log_picture(db, keyring.user_id, client_id, record_id, now)
    return data
