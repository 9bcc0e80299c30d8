"""Journal entries and their autosaved drafts: create, list, read, edit, delete. Scoped to the owner."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from .. import vault
from ..db import changed_rows
from ..forms import CONTROL_RE
from ..models import Draft
from ..records import service as records
from ..records.key_hold import hold_sealing_key
from . import photos
from .render import render_markdown

KIND = "entry"
TITLE_MAX = 200
BODY_MAX = 60_000
# A draft keeps a text too long to save as one entry (a long paste) while it is split, up to this: whatever the
# characters, it still fits in one request (MAX_CONTENT_LENGTH, 2 MiB, at 12 bytes a character sent).
DRAFT_BODY_MAX = 150_000
PAGE_SIZE = 20
ATTACH_TRIES = 5
# Today looks at most this many of the day's entries for the prompts they answer (the newest): a bounded read
# however much is written in a day, far more than the six prompts of a phase.
ANSWERED_LOOKBACK = 30


@dataclass(frozen=True)
class EntryInput:
    title: str
    body: str
    photo_ids: tuple[uuid.UUID, ...] | None = None  # None: the form did not show the photos (keep them as they are)


@dataclass(frozen=True)
class EntryView:
    id: uuid.UUID
    title: str
    body: str
    occurred_at: datetime
    updated_at: datetime
    version: int
    prompt_id: str | None = None
    photo_ids: tuple[uuid.UUID, ...] = ()

    @property
    def body_html(self) -> Markup:
        return render_markdown(self.body)

    @property
    def preview(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= 160 else text[:157].rstrip() + "…"


@dataclass(frozen=True)
class DraftView:
    id: uuid.UUID
    title: str
    body: str
    updated_at: datetime
    record_id: uuid.UUID | None
    client_key: str | None
    base_version: int | None
    prompt_id: str | None = None
    photo_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class Conflict:
    """A save based on an old version: both texts kept, nothing overwritten."""

    current: EntryView
    mine: EntryInput


def too_long(body: str) -> str | None:
    """What to say of a text too long for one entry (static/entries.js says the same words as it is typed)."""
    if len(body) <= BODY_MAX:
        return None
    return f"This is {len(body):,} characters; an entry can hold {BODY_MAX:,}. Split it in two?"


def clean_entry(title: str, body: str, *, draft: bool = False) -> tuple[EntryInput, dict[str, str]]:
    """Normalised input and a message per field that needs a change; nothing is ever cut.

    A `draft` may be longer than an entry (up to DRAFT_BODY_MAX), so a long paste is kept while it is split.
    """
    title = (title or "").replace("\r\n", "\n").strip()
    body = (body or "").replace("\r\n", "\n").rstrip()
    errors: dict[str, str] = {}
    if len(title) > TITLE_MAX:
        errors["title"] = f"The title can be up to {TITLE_MAX} characters; it has {len(title)}."
    elif CONTROL_RE.search(title) or "\n" in title:
        errors["title"] = "The title has characters that cannot be saved (control characters or line breaks)."
    if draft and len(body) > DRAFT_BODY_MAX:
        errors["body"] = (
            f"This is {len(body):,} characters; a draft can hold {DRAFT_BODY_MAX:,} and an entry {BODY_MAX:,}. "
            "Split it in two?"
        )
    elif not draft and (message := too_long(body)):
        errors["body"] = message
    elif CONTROL_RE.search(body):
        errors["body"] = "The text has invisible control characters that cannot be saved. Remove them and try again."
    elif not title and not body.strip():
        errors["body"] = "Write something first, even a few words."
    return EntryInput(title, body), errors


@dataclass(frozen=True)
class EditStart:
    """What the edit form opens with: the entry, or unsaved changes to it, or a conflict."""

    entry: EntryView
    title: str
    body: str
    restored: bool = False
    conflict: Conflict | None = None
    photo_ids: tuple[uuid.UUID, ...] = ()


def start_edit(db: Session, keyring: vault.Keyring, entry_id: uuid.UUID) -> EditStart | None:
    """Put unsaved changes back; if they were made on an older version, show both texts."""
    entry = get_entry(db, keyring, entry_id)
    if entry is None:
        return None
    draft = draft_for(db, keyring, entry_id=entry_id)
    if draft is None:
        return EditStart(entry, entry.title, entry.body, photo_ids=entry.photo_ids)
    if (draft.title, draft.body, draft.photo_ids) == (entry.title, entry.body, entry.photo_ids):
        discard_draft(db, keyring, draft.id)  # an autosave that arrived after the save: nothing new
        return EditStart(entry, entry.title, entry.body, photo_ids=entry.photo_ids)
    if draft.base_version == entry.version:
        return EditStart(entry, draft.title, draft.body, restored=True, photo_ids=draft.photo_ids)
    return EditStart(entry, draft.title, draft.body, conflict=Conflict(entry, EntryInput(draft.title, draft.body)))


def create_entry(
    db: Session, keyring: vault.Keyring, client_key: str, data: EntryInput, now: datetime, prompt_id: str | None = None
) -> uuid.UUID:
    """Create once per client-made id: sending the same create again returns the first entry. It holds the
    owner's photos among `data.photo_ids`, and those photos are told so in the same transaction."""
    held = photos.owned(db, keyring, data.photo_ids or ())
    entry_id, created = records.create(db, keyring, KIND, client_key, _payload(data, prompt_id, held), now, now)
    if created:
        _drop_draft(db, keyring, Draft.idempotency_key == client_key)
        photos.relink(db, keyring, entry_id, (), held, now)
    return entry_id


def get_entry(db: Session, keyring: vault.Keyring, entry_id: uuid.UUID) -> EntryView | None:
    view = records.get(db, keyring, KIND, entry_id)
    return _view(view) if view else None


def prompts_answered_since(db: Session, keyring: vault.Keyring, since: datetime) -> set[str]:
    """The prompts answered by entries written since `since`, newest first (one statement, only those opened)."""
    views = records.list_kind(db, keyring, KIND, since=since, limit=ANSWERED_LOOKBACK)
    return {view.data["prompt_id"] for view in views if view.data.get("prompt_id")}


def list_entries(
    db: Session, keyring: vault.Keyring, before: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[EntryView], str | None]:
    """Newest first, a page at a time; the cursor names the last entry shown."""
    views, cursor = records.page(db, keyring, [KIND], before, limit)
    return [_view(view) for view in views], cursor


def update_entry(
    db: Session,
    keyring: vault.Keyring,
    entry_id: uuid.UUID,
    base_version: int,
    data: EntryInput,
    now: datetime,
    edit_key: str | None = None,
) -> EntryView | Conflict | None:
    """Save an edit made on version `base_version`; a newer saved version means a conflict.

    The draft autosaved by this same form (`edit_key`) is done with; a draft another device
    autosaved is someone's unsaved writing and stays.
    """
    current = records.get(db, keyring, KIND, entry_id)
    if current is None:
        return None
    before = photos.of_payload(current.data)
    # A photo deleted since is let go of here; a form that did not show the photos keeps them as they were.
    after = photos.owned(db, keyring, before if data.photo_ids is None else data.photo_ids)
    payload = _payload(data, current.data.get("prompt_id"), after)
    result = records.update(db, keyring, KIND, entry_id, base_version, payload, now)
    if result is None:  # deleted elsewhere since it was read: not found, as above
        return None
    if isinstance(result, records.StaleVersion):
        return Conflict(_view(result.current), data)
    photos.relink(db, keyring, entry_id, before, after, now)
    if edit_key is not None:
        _drop_draft(db, keyring, and_(Draft.record_id == entry_id, Draft.idempotency_key == edit_key))
    return _view(result)


def delete_entry(db: Session, keyring: vault.Keyring, entry_id: uuid.UUID, now: datetime) -> bool:
    """Delete for good; the photos it held no longer list it."""
    current = records.get(db, keyring, KIND, entry_id)
    if current is None:
        return False
    _drop_draft(db, keyring, Draft.record_id == entry_id)
    photos.relink(db, keyring, entry_id, photos.of_payload(current.data), (), now)
    return records.delete(db, keyring, KIND, entry_id)


def attach_photo(db: Session, keyring: vault.Keyring, entry_id: uuid.UUID, art_id: uuid.UUID, now: datetime) -> bool:
    """Add one of the owner's photos to one of their entries ("Link to an entry" on the photo's page). False when
    either is not theirs; true, changing nothing, when the entry holds it already."""
    for _ in range(ATTACH_TRIES):
        current = records.get(db, keyring, KIND, entry_id)
        if current is None or not photos.owned(db, keyring, [art_id]):
            return False
        before = photos.of_payload(current.data)
        if art_id in before:
            return True
        if len(before) >= photos.MAX_PHOTOS:
            return False
        after = (*before, art_id)
        payload = {**current.data, **photos.to_payload(after)}
        result = records.update(db, keyring, KIND, entry_id, current.version, payload, now)
        if isinstance(result, records.RecordView):
            photos.relink(db, keyring, entry_id, before, after, now)
            return True
    raise RuntimeError("entry kept changing while a photo was added to it")


def forget_photo(db: Session, keyring: vault.Keyring, art_id: uuid.UUID, now: datetime) -> int:
    """Before a photo is deleted: take it out of every entry that holds it (their words stay; not shown as edited).
    Returns how many entries held it."""
    count = 0
    for entry_id in photos.mentioning(db, keyring, art_id):
        for _ in range(ATTACH_TRIES):
            current = records.get(db, keyring, KIND, entry_id)
            held = photos.of_payload(current.data) if current is not None else ()
            if current is None or art_id not in held:
                break
            payload = {**current.data, **photos.to_payload([one for one in held if one != art_id])}
            if len(held) == 1:
                payload.pop(photos.FIELD)
            result = records.update(db, keyring, KIND, entry_id, current.version, payload, now, touch=False)
            if isinstance(result, records.RecordView):
                count += 1
                break
        else:
            raise RuntimeError("entry kept changing while a deleted photo was taken out of it")
    return count


def entries_holding(db: Session, keyring: vault.Keyring, art_id: uuid.UUID) -> list[EntryView]:
    """The owner's entries that hold this photo, newest first: the few the photo names, opened (never every entry)."""
    found = (get_entry(db, keyring, entry_id) for entry_id in photos.mentioning(db, keyring, art_id))
    held = [entry for entry in found if entry is not None and art_id in entry.photo_ids]
    return sorted(held, key=lambda entry: (entry.occurred_at, entry.id), reverse=True)


def save_draft(
    db: Session,
    keyring: vault.Keyring,
    data: EntryInput,
    now: datetime,
    *,
    client_key: str | None = None,
    entry_id: uuid.UUID | None = None,
    base_version: int | None = None,
    prompt_id: str | None = None,
) -> DraftView | None:
    """Autosave: one draft per new entry (by its client-made id) or per entry being edited.

    For an edit, `client_key` names the form the draft came from.
    """
    if entry_id is not None:
        if records.owned_row(db, keyring, KIND, entry_id) is None:
            return None
        match = Draft.record_id == entry_id
    elif client_key is not None:
        if records.id_by_client_key(db, keyring, client_key) is not None:
            return None  # already saved as an entry: nothing left to draft
        match = Draft.idempotency_key == client_key
    else:
        return None
    held = photos.owned(db, keyring, data.photo_ids or ())  # (read before a new row is added: nothing to flush)
    draft = db.scalar(select(Draft).where(Draft.owner_id == keyring.user_id, match))
    if draft is None:
        draft = Draft(
            id=uuid.uuid4(), owner_id=keyring.user_id, kind=KIND, idempotency_key=client_key, record_id=entry_id
        )
        db.add(draft)
    draft.idempotency_key = client_key
    draft.base_version = base_version
    draft.updated_at = now
    vault.seal_payload(keyring, draft, _payload(data, prompt_id, held))
    db.flush()
    hold_sealing_key(db, keyring)
    return _draft_view(keyring, draft)


def draft_for(
    db: Session, keyring: vault.Keyring, *, client_key: str | None = None, entry_id: uuid.UUID | None = None
) -> DraftView | None:
    if entry_id is not None:
        match = Draft.record_id == entry_id
    elif client_key is not None:
        match = Draft.idempotency_key == client_key
    else:
        return None
    draft = db.scalar(select(Draft).where(Draft.owner_id == keyring.user_id, match))
    return _draft_view(keyring, draft) if draft else None


def list_drafts(db: Session, keyring: vault.Keyring) -> list[DraftView]:
    rows = db.scalars(
        select(Draft).where(Draft.owner_id == keyring.user_id, Draft.kind == KIND).order_by(Draft.updated_at.desc())
    ).all()
    return [_draft_view(keyring, row) for row in rows]


def count_drafts(db: Session, keyring: vault.Keyring) -> int:
    """How many entries wait as drafts (Today says so), without opening any."""
    return (
        db.scalar(select(func.count()).select_from(Draft).where(Draft.owner_id == keyring.user_id, Draft.kind == KIND))
        or 0
    )


def discard_draft(db: Session, keyring: vault.Keyring, draft_id: uuid.UUID) -> bool:
    result = db.execute(delete(Draft).where(Draft.owner_id == keyring.user_id, Draft.id == draft_id))
    return changed_rows(result) > 0


def _drop_draft(db: Session, keyring: vault.Keyring, match) -> None:
    db.execute(delete(Draft).where(Draft.owner_id == keyring.user_id, match))


def _payload(data: EntryInput, prompt_id: str | None, photo_ids: tuple[uuid.UUID, ...] = ()) -> dict:
    payload = {"title": data.title, "body": data.body, **photos.to_payload(photo_ids)}
    if prompt_id:
        payload["prompt_id"] = prompt_id
    return payload


def _view(view: records.RecordView) -> EntryView:
    return EntryView(
        view.id,
        view.data.get("title", ""),
        view.data.get("body", ""),
        view.occurred_at,
        view.updated_at,
        view.version,
        view.data.get("prompt_id"),
        photos.of_payload(view.data),
    )


def _draft_view(keyring: vault.Keyring, draft: Draft) -> DraftView:
    payload = vault.open_payload(keyring, draft)
    return DraftView(
        draft.id,
        payload.get("title", ""),
        payload.get("body", ""),
        draft.updated_at,
        draft.record_id,
        draft.idempotency_key,
        draft.base_version,
        payload.get("prompt_id"),
        photos.of_payload(payload),
    )
