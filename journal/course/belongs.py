"""The dosing session a record belongs to (a photo, a voice note): chosen on its form, the latest one by default,
kept as an id in the record's sealed payload. Forms show `templates/course/_session_field.html`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from .. import vault
from .days import Dose
from .service import doses

NO_SESSION = "none"  # the form's value for "Not tied to a session"
LATEST = "latest"  # the offline form's value (it knows no sessions): the latest one when it is saved
GONE = "That session is no longer there. Choose one from the list."


def session_choices(db: Session, keyring: vault.Keyring) -> list[Dose]:
    """Dosing sessions a record can belong to, newest first (numbered as in the course)."""
    return list(reversed(doses(db, keyring)))


def default_choice(choices: Sequence[Dose]) -> str:
    """The form's first choice: the latest session, once there is one."""
    return str(choices[0].id) if choices else NO_SESSION


def chosen_in(form: Mapping[str, str], choices: Sequence[Dose], errors: dict[str, str]) -> uuid.UUID | None:
    """The session a form chose among `choices`; None for none (or one no longer there, said in `errors`)."""
    raw = (form.get("dose_id") or NO_SESSION).strip()
    if raw == NO_SESSION:
        return None
    if raw == LATEST:
        return choices[0].id if choices else None
    found = next((dose.id for dose in choices if str(dose.id) == raw), None)
    if found is None:
        errors["dose_id"] = GONE
    return found


def form_value(dose_id: uuid.UUID | None) -> str:
    """What the form shows as chosen for a record kept with `dose_id`."""
    return str(dose_id) if dose_id else NO_SESSION


def to_payload(dose_id: uuid.UUID | None) -> dict[str, Any]:
    return {"dose_id": str(dose_id) if dose_id else None}


def in_payload(data: Mapping[str, Any]) -> uuid.UUID | None:
    """The session id a payload holds; None when none (or not an id)."""
    try:
        return uuid.UUID(data["dose_id"]) if data.get("dose_id") else None
    except (ValueError, TypeError, AttributeError):
        return None
