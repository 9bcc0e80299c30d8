"""Who sees what a client writes: the one rule every form, result page and message tells the client.

A new record goes at once to each clinician with a standing share for its kind (records/shares.py
`auto_share`); a saved record is seen by each clinician holding a wrap of its current version (the
rule of reads.py `_shared_now`: a wrap of an older version opens nothing new).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Link, Record, Share, User
from ..records.shares import shared_now
from .service import AUTO_SHARE_CHOICES


@dataclass(frozen=True)
class Audience:
    names: tuple[str, ...]  # the clinicians who will see it (a new record) or see it now (a saved one)
    linked: bool  # whether the client is linked with any clinician

    @property
    def words(self) -> str:
        return join_names(self.names)


def standing_audience(db: Session, client_id: uuid.UUID, kind: str) -> list[str]:
    """Names of the clinicians a new record of `kind` is shared with as it is saved, in the order linked."""
    rows = db.execute(
        select(Link.auto_share_kinds, User.display_name, User.email)
        .join(User, User.id == Link.therapist_id)
        .where(Link.client_id == client_id)
        .order_by(Link.created_at)
    )
    return [name or email for kinds, name, email in rows if kind in kinds.split(",")]


def record_audience(db: Session, owner_id: uuid.UUID, record_id: uuid.UUID) -> list[str]:
    """Names of the clinicians this record is shared with now, in the order it was shared."""
    rows = db.execute(
        select(User.display_name, User.email)
        .select_from(Share)
        .join(Record, shared_now())
        .join(User, User.id == Share.recipient_id)
        .where(Share.record_id == record_id, Share.owner_id == owner_id, Record.owner_id == owner_id)
        .order_by(Share.created_at)
    )
    return [name or email for name, email in rows]


def audience_of(
    db: Session, client_id: uuid.UUID, *, kind: str | None = None, record_id: uuid.UUID | None = None
) -> Audience:
    """Who sees the saved record `record_id`, or else a new record of `kind`; and whether anyone could."""
    names = (
        record_audience(db, client_id, record_id)
        if record_id is not None
        else standing_audience(db, client_id, kind or "")
    )
    linked = bool(names) or db.scalar(select(Link.id).where(Link.client_id == client_id).limit(1)) is not None
    return Audience(tuple(names), linked)


def words_among(recipients: Iterable[uuid.UUID], links: Iterable) -> str:
    """ "Dr Rivera and Dr Chen": these clinicians, named as among the client's links (LinkViews the page read
    already); empty when none of them."""
    names = {link.link.therapist_id: link.name for link in links}
    return join_names([names[one] for one in recipients if one in names])


def saved_message(what: str, names: Sequence[str]) -> str:
    """ "Check-in saved. Shared with Dr Rivera automatically." or "... Only you can see it unless you share it."""
    if names:
        return f"{what} saved. Shared with {join_names(names)} automatically."
    return f"{what} saved. Only you can see it unless you share it."


def linked_message(name: str, kinds: Iterable[str]) -> str:
    """What consenting just did: the link, and the standing shares turned on with it, if any."""
    labels = [label.lower() for kind, label in AUTO_SHARE_CHOICES.items() if kind in set(kinds)]
    if not labels:
        return f"You are linked with {name}. Nothing is shared until you choose to share it."
    return (
        f"You are linked with {name}. Shared with them automatically from now on: {join_names(labels)}. "
        "Anything else is shared only when you choose."
    )


def join_names(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}" if names else ""
