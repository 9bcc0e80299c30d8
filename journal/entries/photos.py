"""Photos of art in journal entries: an entry holds the ids of some of its owner's photos in its sealed payload
("photo_ids"), and shows their thumbnails.

Only the owner's own photos can be held: every id sent with a form is looked up among the owner's photos
(journal/art/links.py) and anything else is dropped, so an entry can never point at another person's picture. Each
photo keeps the reverse link, written in the same transaction (why: journal/art/links.py). A photo deleted later
stays listed in the entries that held it until their next save; their pages say "photo deleted" meanwhile.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import vault
from ..art import links
from ..art.service import ArtView

FIELD = "photo_ids"  # the payload's key, and the form's checkboxes
SHOWN = "photo_field"  # sent by forms that show the photos: without it, a save leaves the photos as they were
MAX_PHOTOS = 12


@dataclass(frozen=True)
class Choice:
    art: ArtView
    chosen: bool


@dataclass(frozen=True)
class Held:
    """What an entry's page shows: the photos it holds, and how many it held that have been deleted since."""

    photos: list[ArtView]
    missing: int


def parse(values: Iterable[str]) -> tuple[uuid.UUID, ...]:
    """Photo ids as a form or an address sends them: well-formed ones only, once each, at most MAX_PHOTOS."""
    found: dict[uuid.UUID, None] = {}
    for value in values:
        try:
            found[uuid.UUID(str(value))] = None
        except ValueError:
            continue
        if len(found) == MAX_PHOTOS:
            break
    return tuple(found)


def of_payload(data: dict[str, Any]) -> tuple[uuid.UUID, ...]:
    raw = data.get(FIELD)
    return parse(raw) if isinstance(raw, list) else ()


def to_payload(ids: Sequence[uuid.UUID]) -> dict[str, Any]:
    return {FIELD: [str(one) for one in ids]} if ids else {}


def owned(db: Session, keyring: vault.Keyring, ids: Iterable[uuid.UUID]) -> tuple[uuid.UUID, ...]:
    """The ids among `ids` of photos the keyring's owner has; any other id is dropped."""
    return tuple(art.id for art in links.owned_photos(db, keyring, ids))


def relink(
    db: Session,
    keyring: vault.Keyring,
    entry_id: uuid.UUID,
    before: Sequence[uuid.UUID],
    after: Sequence[uuid.UUID],
    now: datetime,
) -> None:
    """Tell the photos the entry now holds, and those it let go of, in the caller's transaction."""
    links.mention(db, keyring, [one for one in after if one not in before], entry_id, now, present=True)
    links.mention(db, keyring, [one for one in before if one not in after], entry_id, now, present=False)


def held(db: Session, keyring: vault.Keyring, ids: Sequence[uuid.UUID]) -> Held:
    photos = links.owned_photos(db, keyring, ids)
    return Held(photos, len(ids) - len(photos))


def choices(db: Session, keyring: vault.Keyring, chosen: Sequence[uuid.UUID]) -> list[Choice]:
    """What the form offers: the chosen photos first (ticked), then the latest others."""
    picked = links.owned_photos(db, keyring, chosen)
    ids = {art.id for art in picked}
    others = [art for art in links.recent_photos(db, keyring) if art.id not in ids]
    return [Choice(art, True) for art in picked] + [Choice(art, False) for art in others]


def mentioning(db: Session, keyring: vault.Keyring, art_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids of the records that hold this photo, as the photo keeps them."""
    return links.mentioned_in(db, keyring, art_id)


def photo(db: Session, keyring: vault.Keyring, art_id: uuid.UUID) -> ArtView | None:
    """One of the owner's photos (None for anyone else's)."""
    found = links.owned_photos(db, keyring, [art_id])
    return found[0] if found else None
