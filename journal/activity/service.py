"""The security activity log: what happened to an account, when, on which device. Never what anyone wrote.

Other features call `record()` in the same transaction as the change it describes, so the line
commits or rolls back with it:

    from journal.activity import service as activity
    activity.record(db, user.id, "export", device=current_user.device)

`kind` is one of KINDS (anything else is a programming error and raises ValueError); `detail` is a
short, non-content string (a count, a clinician's name), cut to 120 characters. No IP address is
kept. A line about a client names them by reference (`about=client.id`), never by copying their
name: the page looks the name up when it is shown, so once the client deletes their account no
line anywhere still names them ("a client who has since deleted their account").

The table is append-only for the app: an ORM update or delete of a SecurityEvent, or an
update()/delete() statement on the table, raises AppendOnly. Rows go only with their account
(ON DELETE CASCADE when the user row is deleted); account deletion needs nothing from here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Delete, Update, event, select, update
from sqlalchemy.orm import Session

from ..db import changed_rows, utcnow
from ..models import SecurityEvent, User

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
    "recovery_used": lambda d: (
        "Your recovery code was used to set a new password. Every device was signed out "
        "and a new recovery code was made."
    ),
    "recovery_code_replaced": lambda d: "You made a new recovery code. The old one no longer works.",
    "keys_rotation_started": lambda d: (
        "You started rotating your keys. Every other device was signed out."
        if d != "recovery"
        else "Your keys are being rotated after the recovery code was used."
    ),
    "keys_rotated": lambda d: (
        "Your keys were rotated: everything you wrote is under a new key, every other "
        "device was signed out" + (", and a new recovery code was made." if d == "new code" else ".")
    ),
    "two_factor_on": lambda d: "Two-step sign-in was turned on.",
    "two_factor_off": lambda d: f"Two-step sign-in was turned off{' ' + d if d else ''}.",
    "code_failed": lambda d: "A wrong or already used one-time code was entered when signing in.",
    "sessions_ended": lambda d: _count(d, "You signed out another device.", "You signed out {n} other devices."),
    "link_made": lambda d: f"You linked with {d or 'a clinician'}.",
    "client_linked": lambda d: f"{_capital(d) or 'A client'} linked with you.",
    "link_ended": lambda d: f"The link with {d or 'someone'} was ended.",
    "shared": lambda d: f"You shared {d or 'records'}.",
    "revoked": lambda d: f"You stopped sharing {d or 'records'}.",
    "standing_shares": lambda d: f"You changed what is shared automatically with {d or 'a clinician'}.",
    "export": lambda d: "You downloaded an export of your journal.",
    "therapist_export": lambda d: f"You exported the records {d or 'a client'} shared with you.",
    "practice_line_set": lambda d: f"You set your practice's after-hours line{' to ' + d if d else ''}.",
    "practice_line_removed": lambda d: "You removed your practice's after-hours line.",
    "clinician_key_changed": lambda d: (
        f"{d or 'A clinician'}'s key has changed since you linked. Nothing new is "
        "shared with them until you link again with a new code."
    ),
    "invite_key_refused": lambda d: (
        f"The key of {d or 'a clinician'} did not match their invite, so nothing was linked."
    ),
    "invite_key_mismatch": lambda d: (
        f"{_capital(d) or 'A client'} entered your invite code, but your key on the server did "
        "not match the invite. Nothing was linked."
    ),
    "client_key_refused": lambda d: (
        f"{_capital(d) or 'A client'}'s signing key did not match the invite they linked with. "
        "Nothing they share is shown."
    ),
    "share_unverified": lambda d: (
        f"An item from {d or 'a client'} could not be verified as coming from them. It was not shown."
    ),
}


# Kinds whose detail may name the person on the other side of a link.
NAMING_KINDS = (
    "client_linked",
    "link_ended",
    "therapist_export",
    "link_made",
    "standing_shares",
    "invite_key_mismatch",
    "client_key_refused",
    "share_unverified",
)
_PERSON = "user:"
DELETED_PERSON = "a client who has since deleted their account"


def _capital(text: str | None) -> str | None:
    """The deleted-client phrase opening a sentence; names and emails stay as written."""
    return "A" + text[1:] if text == DELETED_PERSON else text


class AppendOnly(Exception):
    """Security events are never changed or removed by the app."""


@dataclass(frozen=True)
class ActivityRow:
    id: int
    at: datetime
    sentence: str
    device: str | None


def record(
    db: Session,
    user_id: uuid.UUID,
    kind: str,
    *,
    device: str | None = None,
    detail: str | None = None,
    about: uuid.UUID | None = None,
    now: datetime | None = None,
) -> SecurityEvent:
    """Add one line to the user's security activity (flushed with the caller's transaction).

    `about`: the person the line names, kept as a reference and named when the page is shown.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown security event kind {kind!r}")
    if about is not None:
        if kind not in NAMING_KINDS or detail is not None:
            raise ValueError("a line names one person, by reference, in a kind that names someone")
        detail = _PERSON + str(about)
    row = SecurityEvent(
        user_id=user_id,
        kind=kind,
        created_at=now or utcnow(),
        device=_clean(device, 80),
        detail=_clean(detail, DETAIL_LENGTH),
    )
    db.add(row)
    db.flush()
    return row


def record_unless_recent(
    db: Session, user_id: uuid.UUID, kind: str, *, about: uuid.UUID, now: datetime, within: timedelta
) -> SecurityEvent | None:
    """`record()`, unless the same line (kind, about the same person) was written for the user in the last `within`."""
    since = now - within
    seen = db.scalar(
        select(SecurityEvent.id)
        .where(
            SecurityEvent.user_id == user_id,
            SecurityEvent.kind == kind,
            SecurityEvent.detail == _PERSON + str(about),
            SecurityEvent.created_at >= since,
        )
        .limit(1)
    )
    return None if seen is not None else record(db, user_id, kind, about=about, now=now)


def describe(kind: str, detail: str | None = None) -> str:
    """The plain sentence for an event."""
    sentence = KINDS.get(kind)
    return sentence(detail) if sentence else "Something changed in your account's security."


def page(
    db: Session, user_id: uuid.UUID, before: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[ActivityRow], int | None]:
    """One page of the user's activity, newest first, and the cursor of the next page (None at the end)."""
    query = select(SecurityEvent).where(SecurityEvent.user_id == user_id)
    if before is not None:
        query = query.where(SecurityEvent.id < before)
    found = list(db.scalars(query.order_by(SecurityEvent.id.desc()).limit(limit + 1)))
    names = _names(db, [e.detail for e in found[:limit]])
    rows = [ActivityRow(e.id, e.created_at, describe(e.kind, _named(e.detail, names)), e.device) for e in found[:limit]]
    return rows, (rows[-1].id if len(found) > limit else None)


def _person(detail: str | None) -> uuid.UUID | None:
    if not detail or not detail.startswith(_PERSON):
        return None
    try:
        return uuid.UUID(detail[len(_PERSON) :])
    except ValueError:
        return None


def _names(db: Session, details: list[str | None]) -> dict[uuid.UUID, str]:
    ids = {person for person in map(_person, details) if person is not None}
    if not ids:
        return {}
    return {
        row.id: row.display_name or row.email
        for row in db.execute(select(User.id, User.display_name, User.email).where(User.id.in_(ids)))
    }


def _named(detail: str | None, names: dict[uuid.UUID, str]) -> str | None:
    person = _person(detail)
    return detail if person is None else names.get(person, DELETED_PERSON)


def forget_names(db: Session, user_ids: list[uuid.UUID], names: list[str]) -> int:
    """Lines written before names were kept by reference: the deleted person's name is taken out of the
    security activity of the people they were linked with. The one change the app makes to these lines."""
    names = [name for name in names if name]
    if not user_ids or not names:
        return 0
    statement = (
        update(SecurityEvent)
        .where(
            SecurityEvent.user_id.in_(user_ids), SecurityEvent.kind.in_(NAMING_KINDS), SecurityEvent.detail.in_(names)
        )
        .values(detail=DELETED_PERSON)
        .execution_options(forgetting_a_name=True)
    )
    return changed_rows(db.execute(statement)) or 0


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
    if isinstance(statement, Update) and state.execution_options.get("forgetting_a_name"):
        return  # forget_names: a deleted person's name out of old lines
    if (
        isinstance(statement, (Update, Delete))
        and getattr(statement.table, "name", None) == SecurityEvent.__tablename__
    ):
        raise AppendOnly("security events are append-only")
