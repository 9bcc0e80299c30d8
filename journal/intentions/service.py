"""Intentions in the client's own words: a few active at a time, archived when done."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from .. import vault
from ..forms import clean_text
from ..records import service as records

KIND = "intention"
TEXT_MAX = 500
MAX_ACTIVE = 5


@dataclass(frozen=True)
class IntentionView:
    id: uuid.UUID
    text: str
    active: bool
    occurred_at: datetime
    version: int


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
    current = get_intention(db, keyring, intention_id)
    if current is None:
        return None
    return records.update(db, keyring, KIND, intention_id, base_version, {"text": text, "active": current.active}, now)


def set_active(db: Session, keyring: vault.Keyring, intention_id: uuid.UUID, active: bool, now: datetime) -> bool:
    """Archive, or bring back from the archive (within the limit of active ones)."""
    current = get_intention(db, keyring, intention_id)
    if current is None:
        return False
    if active and not current.active and len(active_intentions(db, keyring)) >= MAX_ACTIVE:
        raise TooManyActive(f"You have {MAX_ACTIVE} active intentions. Archive one before bringing this back.")
    records.update(db, keyring, KIND, intention_id, current.version, {"text": current.text, "active": active}, now)
    return True


def delete_intention(db: Session, keyring: vault.Keyring, intention_id: uuid.UUID) -> bool:
    return records.delete(db, keyring, KIND, intention_id)


def _view(view: records.RecordView) -> IntentionView:
    return IntentionView(
        view.id, view.data.get("text", ""), bool(view.data.get("active", True)), view.occurred_at, view.version
    )
