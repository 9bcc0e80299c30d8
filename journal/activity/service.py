"""The security activity log: what happened to an account, when, on which device. Never what anyone wrote.

Other features call `record()` in the same transaction as the change it describes, so the line
commits or rolls back with it:

    from journal.activity import service as activity
    activity.record(db, user.id, "export", device=current_user.device)

`kind` is one of KINDS (anything else is a programming error and raises ValueError); `detail` is a
short, non-content string (a count, a clinician's name), cut to 120 characters. No IP address is
kept.

The table is append-only for the app: an ORM update or delete of a SecurityEvent, or an
update()/delete() statement on the table, raises AppendOnly. Rows go only with their account
(ON DELETE CASCADE when the user row is deleted); account deletion needs nothing from here.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Delete, Update, event, select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..models import SecurityEvent

PAGE_SIZE = 50
DETAIL_LENGTH = 120


def _count(detail: str | None, one: str, many: str) -> str:
    number = int(detail) if detail and detail.isdigit() else 0
    return one if number == 1 else many.format(n=number)


# kind -> sentence for the activity page, given the detail (which may be None).
KINDS: dict[str, Callable[[str | None], str]] = {
    "account_created": lambda d: "Your account was made.",
    "signin": lambda d: f"You signed in{' ' + d if d else ''}.",
    "signin_failed": lambda d: "Someone tried to sign in to your account with a wrong password.",
    "signout": lambda d: "You signed out.",
    "password_changed": lambda d: "Your password was changed. Every other device was signed out.",
    "recovery_used": lambda d: ("Your recovery code was used to set a new password. Every device was signed out "
                                "and a new recovery code was made."),
    "recovery_code_replaced": lambda d: "You made a new recovery code. The old one no longer works.",
    "two_factor_on": lambda d: "Two-step sign-in was turned on.",
    "two_factor_off": lambda d: f"Two-step sign-in was turned off{' ' + d if d else ''}.",
    "code_failed": lambda d: "A wrong or already used one-time code was entered when signing in.",
    "sessions_ended": lambda d: _count(d, "You signed out another device.", "You signed out {n} other devices."),
    "link_made": lambda d: f"You linked with {d or 'a clinician'}.",
    "client_linked": lambda d: f"{d or 'A client'} linked with you.",
    "link_ended": lambda d: f"The link with {d or 'someone'} was ended.",
    "shared": lambda d: f"You shared {d or 'records'}.",
    "revoked": lambda d: f"You stopped sharing {d or 'records'}.",
    "standing_shares": lambda d: f"You changed what is shared automatically with {d or 'a clinician'}.",
    "export": lambda d: "You downloaded an export of your journal.",
    "therapist_export": lambda d: f"You exported the records {d or 'a client'} shared with you.",
    "practice_line_set": lambda d: f"You set your practice's after-hours line{' to ' + d if d else ''}.",
    "practice_line_removed": lambda d: "You removed your practice's after-hours line.",
    "clinician_key_changed": lambda d: (f"{d or 'A clinician'}'s key has changed since you linked. Nothing new is "
                                        "shared with them until you link again with a new code."),
    "invite_key_refused": lambda d: (f"The key of {d or 'a clinician'} did not match their invite, so nothing was "
                                     "linked."),
    "invite_key_mismatch": lambda d: (f"{d or 'A client'} entered your invite code, but your key on the server did "
                                      "not match the invite. Nothing was linked."),
    "client_key_refused": lambda d: (f"{d or 'A client'}'s signing key did not match the invite they linked with. "
                                     "Nothing they share is shown."),
    "share_unverified": lambda d: (f"An item from {d or 'a client'} could not be verified as coming from them. "
                                   "It was not shown."),
}


class AppendOnly(Exception):
    """Security events are never changed or removed by the app."""


@dataclass(frozen=True)
class ActivityRow:
    id: int
    at: datetime
    sentence: str
    device: str | None


def record(db: Session, user_id: uuid.UUID, kind: str, *, device: str | None = None, detail: str | None = None,
           now: datetime | None = None) -> SecurityEvent:
    """Add one line to the user's security activity (flushed with the caller's transaction)."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event kind {kind!r}")
    row = SecurityEvent(user_id=user_id, kind=kind, created_at=now or utcnow(),
                        device=_clean(device, 80), detail=_clean(detail, DETAIL_LENGTH))
    db.add(row)
    db.flush()
    return row


def record_unless_recent(db: Session, user_id: uuid.UUID, kind: str, *, detail: str | None, now: datetime,
                         within: timedelta) -> SecurityEvent | None:
    """`record()`, unless the same line (kind and detail) was written for the user in the last `within`."""
    since = now - within
    seen = db.scalar(select(SecurityEvent.id).where(
        SecurityEvent.user_id == user_id, SecurityEvent.kind == kind, SecurityEvent.detail == _clean(detail, DETAIL_LENGTH),
        SecurityEvent.created_at >= since).limit(1))
    return None if seen is not None else record(db, user_id, kind, detail=detail, now=now)


def describe(kind: str, detail: str | None = None) -> str:
    """The plain sentence for an event."""
    sentence = KINDS.get(kind)
    return sentence(detail) if sentence else "Something changed in your account's security."


def page(db: Session, user_id: uuid.UUID, before: int | None = None,
         limit: int = PAGE_SIZE) -> tuple[list[ActivityRow], int | None]:
    """One page of the user's activity, newest first, and the cursor of the next page (None at the end)."""
    query = select(SecurityEvent).where(SecurityEvent.user_id == user_id)
    if before is not None:
        query = query.where(SecurityEvent.id < before)
    found = list(db.scalars(query.order_by(SecurityEvent.id.desc()).limit(limit + 1)))
    rows = [ActivityRow(e.id, e.created_at, describe(e.kind, e.detail), e.device) for e in found[:limit]]
    return rows, (rows[-1].id if len(found) > limit else None)


def _clean(text: str | None, length: int) -> str | None:
    if text is None:
        return None
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return cleaned[:length] or None


# Append-only, enforced for every session of the app ----------------------------------------------------

@event.listens_for(Session, "before_flush")
def _no_changed_events(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, SecurityEvent):
            raise AppendOnly("security events are append-only")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes(state) -> None:
    statement = state.statement
    if isinstance(statement, (Update, Delete)) and getattr(statement.table, "name", None) == SecurityEvent.__tablename__:
        raise AppendOnly("security events are append-only")
