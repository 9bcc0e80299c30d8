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
from ..course import belongs
from ..course.days import Dose
from ..forms import clean_text
from ..records import service as records
from .audio import Sound, minutes

KIND = "voice"
SOUND = "audio"  # the attachment's variant
TITLE_MAX = 200


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


def clean_details(form: Mapping[str, str], choices: Sequence[Dose]) -> tuple[Details, dict[str, str]]:
    """Title and session from a form; a message per field that needs a change."""
    errors: dict[str, str] = {}
    title = clean_text(
        form.get("title"), label="The title", limit=TITLE_MAX, single_line=True, errors=errors, field="title"
    )
    return Details(title, belongs.chosen_in(form, choices, errors)), errors


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
        **belongs.to_payload(details.dose_id),
        "seconds": round(float(seconds), 3),
        "content_type": content_type,
    }


def view_of(view: records.RecordView) -> VoiceView:
    data = view.data
    return VoiceView(
        view.id,
        view.occurred_at,
        view.version,
        data.get("title", ""),
        belongs.in_payload(data),
        float(data.get("seconds", 0) or 0),
        data.get("content_type", "audio/webm"),
    )
