"""Photos held by other records (journal entries), from the photo's side: which photos are the owner's, the
recent ones to choose from, and which records mention each photo.

Where the link lives. An entry keeps the ids of its photos in its own sealed payload (journal/entries/photos.py),
so what a photo is attached to is as private as the entry. A photo's page lists the entries that hold it; finding
them from the entries alone would mean opening every entry on every view of a photo, a cost that grows with the
journal (measured on SQLite: 30 ms at 1,000 one-line entries, more for real ones). So each photo keeps the reverse
link in its sealed payload too: "mentioned_in", the ids of the records that hold it, written in the same
transaction as the entry that changed, so after a commit the two sides agree. The photo's page then opens just
those few entries (5 ms for a photo held by 20). Nothing of the link is in clear: a link table or column would
tell a copy of the database which writing goes with which picture.

Costs and limits. A mention re-seals the photo (payload and both pictures under a new data key, like any edit;
measured: attaching a 2048 px photo to an entry takes 17 ms where an edit of the entry alone takes 3 to 6 ms) and
keeps its updated_at: the person did not edit the photo. A clinician a photo is shared with can read the ids in it,
as the entry's clinician reads the entry's: ids only, never content.
Deleting a photo does not rewrite the entries that held it: they show "photo deleted" and drop the id on their
next save (journal/entries/photos.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from .. import vault
from ..records import service as records
from .service import KIND, ArtView, get_art, view_of

MENTIONS = "mentioned_in"
RECENT = 12
TRIES = 5


def owned_photos(db: Session, keyring: vault.Keyring, ids: Iterable[uuid.UUID]) -> list[ArtView]:
    """The keyring owner's photos among `ids`, in that order, once each; anyone else's or deleted ones are left out
    (an id of another person's photo finds nothing: every read is scoped to the owner)."""
    found = (get_art(db, keyring, art_id) for art_id in dict.fromkeys(ids))
    return [art for art in found if art is not None]


def recent_photos(db: Session, keyring: vault.Keyring, limit: int = RECENT) -> list[ArtView]:
    """The newest photos, to choose from when writing."""
    views, _cursor = records.page(db, keyring, [KIND], None, limit)
    return [view_of(view) for view in views]


def mentioned_in(db: Session, keyring: vault.Keyring, art_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids of the records that hold this photo, as the photo keeps them (oldest link first)."""
    view = records.get(db, keyring, KIND, art_id)
    return _ids(view.data.get(MENTIONS)) if view is not None else []


def mention(
    db: Session,
    keyring: vault.Keyring,
    art_ids: Iterable[uuid.UUID],
    record_id: uuid.UUID,
    now: datetime,
    *,
    present: bool,
) -> None:
    """Note on each photo that `record_id` holds it (`present`) or no longer does, in the caller's transaction.
    A photo that is gone, or not the owner's, is passed over."""
    for art_id in dict.fromkeys(art_ids):
        _set_mention(db, keyring, art_id, record_id, now, present)


def _set_mention(
    db: Session, keyring: vault.Keyring, art_id: uuid.UUID, record_id: uuid.UUID, now: datetime, present: bool
) -> None:
    for _ in range(TRIES):
        current = records.get(db, keyring, KIND, art_id)
        if current is None:
            return
        before = [str(one) for one in _ids(current.data.get(MENTIONS))]
        after = [one for one in before if one != str(record_id)] + ([str(record_id)] if present else [])
        if after == before:
            return
        payload = {**current.data, MENTIONS: after}
        result = records.update(db, keyring, KIND, art_id, current.version, payload, now, touch=False)
        if not isinstance(result, records.StaleVersion):
            return
    raise RuntimeError("photo kept changing while its links were written")


def _ids(raw) -> list[uuid.UUID]:
    found = []
    for one in raw if isinstance(raw, list) else []:
        try:
            found.append(uuid.UUID(str(one)))
        except ValueError:
            continue
    return found
