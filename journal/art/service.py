"""Photos of art: check the form, process and keep each photo once, the gallery by session, edit, delete.

A photo is a record of kind "art". Its payload holds the caption, the dosing session it belongs
to (chosen by the client; the latest one by default) and the pixel sizes of its two variants.
The pictures themselves ("full", at most 2048 px, and "thumb", about 400 px) are attachments:
sealed under the record's data key and stored as blobs in the same transaction as the record.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlalchemy.orm import Session

from .. import vault
from ..course import belongs
from ..course.belongs import NO_SESSION
from ..course.days import Dose
from ..forms import clean_text
from ..records import service as records
from . import processing
from .processing import ImageRefused, Processed

KIND = "art"
VARIANTS = ("full", "thumb")
CAPTION_MAX = 2000
RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True)
class ArtView:
    id: uuid.UUID
    occurred_at: datetime
    version: int
    caption: str
    dose_id: uuid.UUID | None
    width: int
    height: int
    thumb_width: int
    thumb_height: int

    @property
    def alt(self) -> str:
        """Words for a screen reader: the caption's start, or plainly what it is."""
        return alt_text(self.caption, "Photo of your art")


def alt_text(caption: str, empty: str) -> str:
    """Words for a screen reader: the caption's start, or `empty` when there is no caption."""
    words = " ".join(caption.split())
    if not words:
        return empty
    return words if len(words) <= 120 else words[:117].rstrip() + "…"


@dataclass
class ArtGroup:
    """The photos of one dosing session (or of none), newest first."""

    dose: Dose | None
    items: list[ArtView] = field(default_factory=list)


@dataclass(frozen=True)
class Refusal:
    name: str
    reason: str


@dataclass(frozen=True)
class Details:
    caption: str
    dose_id: uuid.UUID | None


class Busy(Exception):
    """Every photo slot of this process stayed taken for as long as an upload may wait for one."""

    retry_after = RETRY_AFTER_SECONDS


class ProcessingSlots:
    """At most `count` uploads decode images at once (one image at a time each): bounds memory.

    An upload that finds every slot taken waits up to `wait_seconds` for one, in a short queue: three times as
    many uploads as there are slots, about as many as the slots can take on within the wait. A further one
    is refused at once, so that its phone tries again soon instead of waiting for a slot it would not get.
    """

    def __init__(self, count: int, wait_seconds: float = 0):
        count = max(1, count)
        self._slots = threading.BoundedSemaphore(count)
        self._wait = max(0.0, float(wait_seconds))
        self._queue = threading.BoundedSemaphore(3 * count)

    @contextmanager
    def hold(self) -> Iterator[None]:
        if not self._acquire():
            raise Busy()
        try:
            yield
        finally:
            self._slots.release()

    def _acquire(self) -> bool:
        if self._slots.acquire(blocking=False):
            return True
        if not self._wait or not self._queue.acquire(blocking=False):
            return False
        try:
            return self._slots.acquire(timeout=self._wait)
        finally:
            self._queue.release()


def clean_details(form: Mapping[str, str], choices: Sequence[Dose]) -> tuple[Details, dict[str, str]]:
    """Caption and session from a form; a message per field that needs a change."""
    errors: dict[str, str] = {}
    caption = clean_text(form.get("caption"), label="The caption", limit=CAPTION_MAX, errors=errors, field="caption")
    return Details(caption, belongs.chosen_in(form, choices, errors)), errors


def process_files(
    files: Sequence[tuple[str, IO[bytes]]], skip: set[int] | frozenset[int] = frozenset()
) -> tuple[list[tuple[int, Processed]], list[Refusal]]:
    """Each file processed on its own, one at a time: (position, result) for the good ones, a reason for
    each refused one. Positions in `skip` (saved by an earlier send of the same upload) are not read."""
    done: list[tuple[int, Processed]] = []
    refused: list[Refusal] = []
    for position, (name, stream) in enumerate(files):
        if position in skip:
            continue
        try:
            done.append((position, processing.process(stream.read())))
        except ImageRefused as refusal:
            refused.append(Refusal(name, refusal.reason))
    return done, refused


def photo_key(client_key: str, position: int) -> str:
    """One client-made id per photo of an upload, so sending the same upload again adds nothing twice."""
    return f"{client_key[:56]}-{position}"


def already_saved(db: Session, keyring: vault.Keyring, client_key: str, count: int) -> set[int]:
    """Positions of an upload that an earlier send of it already saved."""
    return {
        position
        for position in range(count)
        if records.id_by_client_key(db, keyring, photo_key(client_key, position)) is not None
    }


def add_photos(
    db: Session,
    keyring: vault.Keyring,
    client_key: str,
    photos: Sequence[tuple[int, Processed]],
    details: Details,
    now: datetime,
) -> list[uuid.UUID]:
    """Keep each processed photo as a record with its two pictures, all in the caller's transaction."""
    added = []
    for position, photo in photos:
        payload = _payload(details, photo.width, photo.height, photo.thumb_width, photo.thumb_height)
        art_id, _created = records.create(
            db,
            keyring,
            KIND,
            photo_key(client_key, position),
            payload,
            now,
            now,
            attachments={"full": photo.full, "thumb": photo.thumb},
        )
        added.append(art_id)
    return added


def get_art(db: Session, keyring: vault.Keyring, art_id: uuid.UUID) -> ArtView | None:
    view = records.get(db, keyring, KIND, art_id)
    return view_of(view) if view else None


def list_art(db: Session, keyring: vault.Keyring) -> list[ArtView]:
    """Every photo, newest first."""
    return [view_of(view) for view in records.list_kind(db, keyring, KIND)]


def gallery(db: Session, keyring: vault.Keyring) -> list[ArtGroup]:
    """Photos grouped by their session, the newest session first; photos tied to none come last."""
    numbered = belongs.session_choices(db, keyring)
    groups: dict[uuid.UUID | None, ArtGroup] = {dose.id: ArtGroup(dose) for dose in numbered}
    loose = ArtGroup(None)
    for art in list_art(db, keyring):
        groups.get(art.dose_id, loose).items.append(art)
    ordered = [group for group in groups.values() if group.items]
    return ordered + ([loose] if loose.items else [])


def group_for(groups: Sequence[ArtGroup], key: str | None) -> ArtGroup | None:
    """The group a compare-page choice names: a session id, or "none" for photos tied to no session."""
    for group in groups:
        if (group.dose is None and key == NO_SESSION) or (group.dose is not None and str(group.dose.id) == key):
            return group
    return None


def group_key(group: ArtGroup) -> str:
    return str(group.dose.id) if group.dose is not None else NO_SESSION


def image(db: Session, keyring: vault.Keyring, art_id: uuid.UUID, variant: str) -> bytes | None:
    """One picture, decrypted for its owner; None for anyone else, or an unknown variant."""
    if variant not in VARIANTS:
        return None
    return records.attachment(db, keyring, KIND, art_id, variant)


def update_art(
    db: Session, keyring: vault.Keyring, art_id: uuid.UUID, base_version: int, details: Details, now: datetime
) -> ArtView | records.StaleVersion[ArtView] | None:
    """A new caption or session; the pictures are sealed again under the new data key."""
    current = records.get(db, keyring, KIND, art_id)
    if current is None:
        return None
    data = current.data
    # Whatever else the photo keeps (the records that hold it, art/links.py) stays as it was.
    payload = data | _payload(
        details, data.get("width", 0), data.get("height", 0), data.get("thumb_width", 0), data.get("thumb_height", 0)
    )
    result = records.update(db, keyring, KIND, art_id, base_version, payload, now)
    if isinstance(result, records.RecordView):
        return view_of(result)
    if isinstance(result, records.StaleVersion):
        return records.StaleVersion(view_of(result.current))
    return result


def delete_art(db: Session, keyring: vault.Keyring, art_id: uuid.UUID) -> bool:
    """The record and, with it, both pictures."""
    return records.delete(db, keyring, KIND, art_id)


def _payload(details: Details, width: int, height: int, thumb_width: int, thumb_height: int) -> dict[str, Any]:
    return {
        "caption": details.caption,
        **belongs.to_payload(details.dose_id),
        "width": width,
        "height": height,
        "thumb_width": thumb_width,
        "thumb_height": thumb_height,
        "content_type": "image/jpeg",
    }


def view_of(view: records.RecordView) -> ArtView:
    data = view.data
    return ArtView(
        view.id,
        view.occurred_at,
        view.version,
        data.get("caption", ""),
        belongs.in_payload(data),
        int(data.get("width", 0)),
        int(data.get("height", 0)),
        int(data.get("thumb_width", 0)),
        int(data.get("thumb_height", 0)),
    )
