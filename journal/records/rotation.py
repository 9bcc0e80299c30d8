"""A key rotation's work on the rows: re-keying to the new user key in batches, then the check before the old key goes.

Each batch is its caller's transaction to commit. A record is re-keyed like a record whose share was
revoked (service.rekey): a new data key under the new user key, payload and attachments sealed again,
version bumped, every share re-made to the pinned key. An edit saved at the same moment claims the
version first and seals under the new key itself; the re-key then leaves it alone. See
vault/rotation.py for the whole rotation and the list of what is sealed under a user key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import vault
from ..db import changed_rows
from ..models import Draft, Link, Record, Share, User
from . import service
from .key_hold import hold_sealing_key
from .shares import not_shared_now

BATCH = 50
DRAFT_TRIES = 5


@dataclass(frozen=True)
class Progress:
    done: int
    total: int


class Incomplete(Exception):
    """The last check found rows under the old key or shares of an old version: the old key stays."""

    def __init__(self, rows_left: int, stale_shares: int):
        super().__init__(f"{rows_left} rows under the old key, {stale_shares} stale shares")
        self.rows_left = rows_left
        self.stale_shares = stale_shares


def progress(db: Session, keyring: vault.Keyring) -> Progress:
    """How many of the user's records are under the keyring's user key, of how many."""
    owner = Record.owner_id == keyring.user_id
    total = db.scalar(select(func.count()).select_from(Record).where(owner)) or 0
    done = (
        db.scalar(select(func.count()).select_from(Record).where(owner, Record.uk_version == keyring.uk_version)) or 0
    )
    return Progress(done, total)


def rekey_batch(db: Session, keyring: vault.Keyring, now: datetime, size: int = BATCH) -> int:
    """Up to `size` rows still under the old key get a data key under the new one; returns how many it found."""
    if not keyring.rotating:
        raise vault.VaultError("no rotation under way")
    ids = list(
        db.scalars(
            select(Record.id)
            .where(Record.owner_id == keyring.user_id, Record.uk_version != keyring.uk_version)
            .order_by(Record.id)
            .limit(size)
        )
    )
    # A share left at an old version of its record (none should be) is made again by a re-key of the record.
    stale = [] if ids else list(db.scalars(_stale_shares(keyring.user_id, Share.record_id).distinct().limit(size)))
    for record_id in ids:
        service.rekey(db, keyring, record_id, now, unless_current=True)
    for record_id in stale:
        service.rekey(db, keyring, record_id, now)
    ids += stale
    found = len(ids)
    if found < size:
        drafts = list(
            db.scalars(
                select(Draft.id)
                .where(Draft.owner_id == keyring.user_id, Draft.uk_version != keyring.uk_version)
                .order_by(Draft.id)
                .limit(size - found)
            )
        )
        for draft_id in drafts:
            _rekey_draft(db, keyring, draft_id)
        found += len(drafts)
    return found


def finish(db: Session, user: User, keyring: vault.Keyring) -> tuple[vault.Keyring, str | None]:
    """Drop the old key, in the caller's transaction, if nothing is left under it; Incomplete otherwise.

    The user's clinician links are taken first, then the user's row, which moves to the new version in
    the statement that takes it: a write holding the old key waits and is then refused (key_hold.py),
    one that committed before is counted here. Returns the plain keyring and a new recovery code (None
    when one was made during the rotation). The caller ends the other sessions and commits.
    """
    if not keyring.rotating:
        raise vault.VaultError("no rotation under way")
    uid, old, new = keyring.user_id, keyring.account_version, keyring.uk_version
    db.execute(
        select(Link.id).where((Link.client_id == uid) | (Link.therapist_id == uid)).order_by(Link.id).with_for_update()
    )
    moved = changed_rows(
        db.execute(
            update(User)
            .where(User.id == uid, User.uk_version == old, User.rotation_uk_wrap.is_not(None))
            .values(uk_version=new)
            .execution_options(synchronize_session=False)
        )
    )
    if moved != 1:
        raise vault.VaultError("this rotation is not under way any more")
    rows_left = sum(
        db.scalar(select(func.count()).select_from(model).where(model.owner_id == uid, model.uk_version != new)) or 0
        for model in vault.ENVELOPES
    )
    stale_shares = db.scalar(_stale_shares(uid, func.count())) or 0
    if rows_left or stale_shares:
        raise Incomplete(rows_left, stale_shares)
    db.refresh(user)
    row: Any  # a row of whichever model the column is on (User, Link, Invite); reseal takes it as such
    for sealed in vault.UNDER_USER_KEY:
        column = getattr(sealed.model, sealed.column)
        for row in db.scalars(
            select(sealed.model).where(getattr(sealed.model, sealed.owner) == uid, column.is_not(None))
        ):
            sealed.reseal(keyring, row)
    final, code = vault.finish_rotation(user, keyring)
    db.flush()
    return final, code


def _stale_shares(owner_id: uuid.UUID, what):
    return (
        select(what)
        .select_from(Share)
        .join(Record, Record.id == Share.record_id)
        .where(Share.owner_id == owner_id, not_shared_now())
    )


def _rekey_draft(db: Session, keyring: vault.Keyring, draft_id: uuid.UUID) -> None:
    """The draft's text under a new data key; an autosave arriving meanwhile wins (it seals under the new key)."""
    for _ in range(DRAFT_TRIES):
        draft = db.scalar(
            select(Draft)
            .where(Draft.id == draft_id, Draft.owner_id == keyring.user_id)
            .execution_options(populate_existing=True)
        )
        if draft is None or draft.uk_version == keyring.uk_version:
            return
        copy = Draft(id=draft.id, owner_id=draft.owner_id, kind=draft.kind)
        vault.seal_payload(keyring, copy, vault.open_payload(keyring, draft))
        saved = changed_rows(
            db.execute(
                update(Draft)
                .where(Draft.id == draft.id, Draft.dek_wrap == draft.dek_wrap)
                .values(uk_version=copy.uk_version, dek_wrap=copy.dek_wrap, payload_ciphertext=copy.payload_ciphertext)
                .execution_options(synchronize_session=False)
            )
        )
        if saved:
            hold_sealing_key(db, keyring)
            return
    raise RuntimeError("draft kept changing while being re-keyed")
