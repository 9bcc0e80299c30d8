"""Intentions in the client's own words: a few active at a time, archived when done.

After each dosing session the client is asked once how each intention showed up (followup.py says which and
when); the answer, or that they skipped it, is kept with the intention in its sealed payload as a reflection
{dose_id, dose_at, at, text, skipped}, and travels with it wherever it is shared.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import vault
from ..forms import clean_text
from ..records import service as records
from ..records import shared_with

KIND = "intention"
TEXT_MAX = 500
MAX_ACTIVE = 5
REFLECTION_MAX = 2000
WRITE_TRIES = 5


@dataclass(frozen=True)
class Reflection:
    """How the intention showed up after one dosing session, in the client's words (empty when skipped)."""

    dose_id: str
    dose_at: datetime | None  # when that session was: the session's number depends on the reader's sessions
    at: datetime  # when the client answered
    text: str
    skipped: bool


@dataclass(frozen=True)
class IntentionView:
    id: uuid.UUID
    text: str
    active: bool
    occurred_at: datetime
    version: int
    reflections: tuple[Reflection, ...] = ()
    shared_with: tuple[uuid.UUID, ...] = ()  # the clinicians it is shared with now, when read with them

    def asked_after(self, dose_id: uuid.UUID | str) -> bool:
        """Whether the client answered, or skipped, the question about this session."""
        return any(one.dose_id == str(dose_id) for one in self.reflections)

    @property
    def answers(self) -> list[Reflection]:
        return [one for one in self.reflections if not one.skipped]


@dataclass(frozen=True)
class AlreadyAsked:
    """The question about this session was answered (or skipped) already, on this device or another."""

    intention: IntentionView


class TooManyActive(Exception):
    """The message is safe to show."""


def clean_intention(text: str | None) -> tuple[str, dict[str, str]]:
    errors: dict[str, str] = {}
    cleaned = clean_text(text, label="An intention", limit=TEXT_MAX, errors=errors, field="text")
    if not errors and not cleaned:
        errors["text"] = "Write your intention in a few words of your own."
    return cleaned, errors


def list_intentions(db: Session, keyring: vault.Keyring) -> list[IntentionView]:
    """Active ones first (oldest first, as they were set), then archived ones, newest first."""
    views = [_view(view) for view in records.list_kind(db, keyring, KIND, newest_first=False)]
    active = [view for view in views if view.active]
    archived = [view for view in reversed(views) if not view.active]
    return active + archived


def active_intentions(db: Session, keyring: vault.Keyring) -> list[IntentionView]:
    return [view for view in list_intentions(db, keyring) if view.active]


def active_with_audience(db: Session, keyring: vault.Keyring) -> list[IntentionView]:
    """Active intentions, oldest first, each with who sees it now (`shared_with`), in one statement."""
    views = [
        replace(_view(view), shared_with=recipients) for view, recipients in shared_with.list_kind(db, keyring, KIND)
    ]
    return [view for view in views if view.active]


def get_intention(db: Session, keyring: vault.Keyring, intention_id: uuid.UUID) -> IntentionView | None:
    view = records.get(db, keyring, KIND, intention_id)
    return _view(view) if view else None


def create_intention(db: Session, keyring: vault.Keyring, client_key: str, text: str, now: datetime) -> uuid.UUID:
    if records.id_by_client_key(db, keyring, client_key) is None and len(active_intentions(db, keyring)) >= MAX_ACTIVE:
        raise TooManyActive(f"You have {MAX_ACTIVE} active intentions. Archive one before adding another.")
    intention_id, _created = records.create(db, keyring, KIND, client_key, {"text": text, "active": True}, now, now)
    return intention_id


def update_intention(
    db: Session, keyring: vault.Keyring, intention_id: uuid.UUID, base_version: int, text: str, now: datetime
):
    """New words; everything else the intention holds (active or not, its reflections) stays as it is."""
    current = records.get(db, keyring, KIND, intention_id)
    if current is None:
        return None
    return records.update(db, keyring, KIND, intention_id, base_version, {**current.data, "text": text}, now)


def set_active(db: Session, keyring: vault.Keyring, intention_id: uuid.UUID, active: bool, now: datetime) -> bool:
    """Archive, or bring back from the archive (within the limit of active ones)."""
    current = records.get(db, keyring, KIND, intention_id)
    if current is None:
        return False
    if active and not _view(current).active and len(active_intentions(db, keyring)) >= MAX_ACTIVE:
        raise TooManyActive(f"You have {MAX_ACTIVE} active intentions. Archive one before bringing this back.")
    records.update(db, keyring, KIND, intention_id, current.version, {**current.data, "active": active}, now)
    return True


def clean_reflection(text: str | None, skipped: bool) -> tuple[str, dict[str, str]]:
    errors: dict[str, str] = {}
    if skipped:
        return "", errors
    cleaned = clean_text(text, label="Your answer", limit=REFLECTION_MAX, errors=errors, field="text")
    if not errors and not cleaned:
        errors["text"] = "Write a few words, or choose “Not now” to leave this one."
    return cleaned, errors


def reflect(
    db: Session,
    keyring: vault.Keyring,
    intention_id: uuid.UUID,
    dose_id: uuid.UUID,
    dose_at: datetime,
    text: str,
    now: datetime,
) -> IntentionView | AlreadyAsked | None:
    """Keep how the intention showed up after a session (an empty text: skipped), once per session.

    Adding a reflection changes nothing the client sees elsewhere, so an edit saved meanwhile on another
    device is kept: the reflection is added on top of the newest version. If that version already has an
    answer for this session (sent twice, or from two devices), the first one stays and nothing is written.
    """
    for _ in range(WRITE_TRIES):
        current = records.get(db, keyring, KIND, intention_id)
        if current is None:
            return None
        shown = _view(current)
        if shown.asked_after(dose_id):
            return AlreadyAsked(shown)
        reflection = {
            "dose_id": str(dose_id),
            "dose_at": dose_at.isoformat(),
            "at": now.isoformat(),
            "text": text,
            "skipped": not text,
        }
        payload = {**current.data, "reflections": [*current.data.get("reflections", []), reflection]}
        saved = records.update(db, keyring, KIND, intention_id, current.version, payload, now)
        if isinstance(saved, records.RecordView):
            return _view(saved)
        if saved is None:
            return None
    raise RuntimeError("intention kept changing while a reflection was added")


def delete_intention(db: Session, keyring: vault.Keyring, intention_id: uuid.UUID) -> bool:
    return records.delete(db, keyring, KIND, intention_id)


def _view(view: records.RecordView) -> IntentionView:
    return IntentionView(
        view.id,
        view.data.get("text", ""),
        bool(view.data.get("active", True)),
        view.occurred_at,
        view.version,
        reflections_of(view.data),
    )


def reflections_of(data: dict[str, Any]) -> tuple[Reflection, ...]:
    """The reflections a payload holds, oldest first; an entry that does not read is left out."""
    found = []
    for one in data.get("reflections", ()):
        try:
            found.append(
                Reflection(
                    str(one["dose_id"]),
                    datetime.fromisoformat(one["dose_at"]) if one.get("dose_at") else None,
                    datetime.fromisoformat(one["at"]),
                    str(one.get("text", "")),
                    bool(one.get("skipped", not one.get("text"))),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(found)
