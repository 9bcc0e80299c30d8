"""Voice notes: check what was sent, keep it once under the record's key, read it back, edit and delete.

A voice note is a record of kind "voice". Its payload holds its title, the dosing session it belongs to
(the latest one by default, as for a photo), how long it lasts and the type of its sound. The sound itself,
checked and stripped of its container's tags (audio.py), is one attachment, "audio": sealed under the
record's data key and stored as a blob in the same transaction as the record, as a photo's pictures are.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import vault
from ..course.days import Dose
from ..course.service import doses as course_doses
from ..forms import clean_text
from ..records import service as records
from .audio import Sound, minutes

KIND = "voice"
SOUND = "audio"  # the attachment's variant
TITLE_MAX = 200
NO_SESSION = "none"


@dataclass(frozen=True)
class VoiceView:
    id: uuid.UUID
    occurred_at: datetime
    version: int
    title: str
    dose_id: uuid.UUID | None
    seconds: float
    content_type: str

    @property
    def length(self) -> str:
        return minutes(self.seconds)

    @property
    def heading(self) -> str:
        return self.title or "Voice note"


@dataclass(frozen=True)
class Details:
    title: str
    dose_id: uuid.UUID | None


def session_choices(db: Session, keyring: vault.Keyring) -> list[Dose]:
    """Dosing sessions a voice note can belong to, newest first (numbered as in the course)."""
    return list(reversed(course_doses(db, keyring)))


def default_choice(choices: Sequence[Dose]) -> str:
    return str(choices[0].id) if choices else NO_SESSION


def clean_details(form: Mapping[str, str], choices: Sequence[Dose]) -> tuple[Details, dict[str, str]]:
    """Title and session from a form; a message per field that needs a change."""
    errors: dict[str, str] = {}
    title = clean_text(
        form.get("title"), label="The title", limit=TITLE_MAX, single_line=True, errors=errors, field="title"
    )
    raw = (form.get("dose_id") or NO_SESSION).strip()
    dose_id = None
    if raw != NO_SESSION:
        dose_id = next((dose.id for dose in choices if str(dose.id) == raw), None)
        if dose_id is None:
            errors["dose_id"] = "That session is no longer there. Choose one from the list."
    return Details(title, dose_id), errors


def saved_before(db: Session, keyring: vault.Keyring, client_key: str) -> uuid.UUID | None:
    """The note an earlier send of the same recording made, if any (its sound is not read again)."""
    return records.id_by_client_key(db, keyring, client_key)


def add_note(
    db: Session, keyring: vault.Keyring, client_key: str, sound: Sound, details: Details, now: datetime
) -> uuid.UUID:
    """Keep the checked sound as a record with its one attachment, in the caller's transaction; once per id."""
    payload = _payload(details, sound.seconds, sound.content_type)
    note_id, _created = records.create(
        db, keyring, KIND, client_key, payload, now, now, attachments={SOUND: sound.data}
    )
    return note_id


def get_note(db: Session, keyring: vault.Keyring, note_id: uuid.UUID) -> VoiceView | None:
    view = records.get(db, keyring, KIND, note_id)
    return view_of(view) if view else None


def sound(db: Session, keyring: vault.Keyring, note_id: uuid.UUID) -> tuple[bytes, str] | None:
    """The sound, decrypted for its owner, with its type; None for anyone else."""
    note = get_note(db, keyring, note_id)
    data = records.attachment(db, keyring, KIND, note_id, SOUND) if note else None
    return (data, note.content_type) if note and data is not None else None


def update_note(
    db: Session, keyring: vault.Keyring, note_id: uuid.UUID, base_version: int, details: Details, now: datetime
) -> VoiceView | records.StaleVersion[VoiceView] | None:
    """A new title or session; the sound is sealed again under the new data key."""
    current = records.get(db, keyring, KIND, note_id)
    if current is None:
        return None
    payload = current.data | _payload(details, current.data.get("seconds", 0), current.data.get("content_type", ""))
    result = records.update(db, keyring, KIND, note_id, base_version, payload, now)
    if isinstance(result, records.RecordView):
        return view_of(result)
    if isinstance(result, records.StaleVersion):
        return records.StaleVersion(view_of(result.current))
    return result


def delete_note(db: Session, keyring: vault.Keyring, note_id: uuid.UUID) -> bool:
    """The record and, with it, its sound."""
    return records.delete(db, keyring, KIND, note_id)


def _payload(details: Details, seconds: float, content_type: str) -> dict[str, Any]:
    return {
        "title": details.title,
        "dose_id": str(details.dose_id) if details.dose_id else None,
        "seconds": round(float(seconds), 3),
        "content_type": content_type,
    }


def view_of(view: records.RecordView) -> VoiceView:
    data = view.data
    try:
        dose_id = uuid.UUID(data["dose_id"]) if data.get("dose_id") else None
    except ValueError:
        dose_id = None
    return VoiceView(
        view.id,
        view.occurred_at,
        view.version,
        data.get("title", ""),
        dose_id,
        float(data.get("seconds", 0) or 0),
        data.get("content_type", "audio/webm"),
    )
