"""Shares belong to the envelope: made to a pinned key, re-made whenever a record gets a new data key."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import vault
from ..models import Link, Record, Share, User


HOLD_TRIES = 5


def share_to(db: Session, keyring: vault.Keyring, row: Record, link: Link, now: datetime) -> Share:
    """Seal the record's current data key to the clinician's pinned key (refused if their key changed).

    The record is held at its version first, so an edit saved at the same moment either comes
    before (and this shares what it saved) or after (and its re-wrap finds this share).
    """
    for _ in range(HOLD_TRIES):
        if hold_version(db, row):
            break
        db.refresh(row)
    else:
        raise RuntimeError("record kept changing while being shared")
    wrap = _wrap(db, keyring, row, link)
    share = db.scalar(select(Share).where(Share.record_id == row.id, Share.recipient_id == link.therapist_id))
    if share is None:
        share = Share(record_id=row.id, link_id=link.id, owner_id=row.owner_id, recipient_id=link.therapist_id,
                      created_at=now, dek_version=row.version, wrap=wrap)
        db.add(share)
    else:
        share.wrap, share.dek_version = wrap, row.version
    db.flush()
    return share


def hold_version(db: Session, row: Record) -> bool:
    """Lock the record's row for this transaction if it is still at the version held; false if not."""
    return db.execute(update(Record).where(Record.id == row.id, Record.version == row.version)
                      .values(version=Record.version).execution_options(synchronize_session=False)).rowcount == 1


def rewrap(db: Session, keyring: vault.Keyring, row: Record) -> None:
    """After a new data key: every current share gets a wrap of the new key, or ends if the key changed."""
    for share, link in db.execute(select(Share, Link).join(Link, Share.link_id == Link.id)
                                  .where(Share.record_id == row.id)):
        try:
            share.wrap, share.dek_version = _wrap(db, keyring, row, link), row.version
        except vault.KeyChanged:
            db.delete(share)  # never seal to a key the client did not pin
    db.flush()


def auto_share(db: Session, keyring: vault.Keyring, row: Record, now: datetime) -> None:
    """Standing shares: a new record of a kind the client chose is sealed to those clinicians at once."""
    for link in db.scalars(select(Link).where(Link.client_id == row.owner_id)):
        if row.kind in link.auto_share_kinds.split(","):
            try:
                share_to(db, keyring, row, link, now)
            except vault.KeyChanged:
                continue


def _wrap(db: Session, keyring: vault.Keyring, row: Record, link: Link) -> bytes:
    pinned = vault.pinned_key(keyring, link.therapist_id, link.pinned_key_ciphertext)
    current = db.scalar(select(User.x25519_pub).where(User.id == link.therapist_id))
    return vault.wrap_for(keyring, row, link.therapist_id, pinned, bytes(current or b""))
