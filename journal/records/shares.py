"""Shares belong to the envelope: made to a pinned key, signed by the owner, re-made whenever a record gets a new
data key.

A share whose clinician's key has changed since the client pinned it is never made: the link records
when that was found (`key_changed_at`), the client's security activity says so, and nothing new is
shared on that link until the client links again with a new code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, not_, select, update
from sqlalchemy.orm import Session

from .. import vault
from ..activity import service as activity
from ..db import changed_rows, utcnow
from ..models import Link, Record, Share, User
from . import blobs

HOLD_TRIES = 5


def shared_now():
    """The one rule of what is shared now, as a SQL condition on `Share` and `Record`: the share is of this
    record, made by its owner, and its wrap was made for the record's current version.

    A wrap left from an older version (before a revoke re-keyed the record, or an edit that could not
    re-wrap it) opens nothing written since, and counts for nothing: not on the desk, not in any count.
    Every query of what is shared now joins with this; no other code compares the versions (tests check).
    """
    return and_(Share.record_id == Record.id, Share.owner_id == Record.owner_id, Share.dek_version == Record.version)


def not_shared_now():
    """Shares left at an older version of their record (a key rotation waits until there are none)."""
    return and_(Share.record_id == Record.id, not_(shared_now()))


def current_shares(query, recipient_id, owner_id):
    """`query` (over `Record`) narrowed to the owner's records shared now with the recipient."""
    return query.join(Share, shared_now()).where(
        Share.recipient_id == recipient_id, Share.owner_id == owner_id, Record.owner_id == owner_id
    )


def share_to(db: Session, keyring: vault.Keyring, row: Record, link: Link, now: datetime) -> Share:
    """Seal the record's current data key to the clinician's pinned key and sign it (refused if their key changed).

    The record is held at its version first, so an edit saved at the same moment either comes
    before (and this shares what it saved) or after (and its re-wrap finds this share).
    """
    for _ in range(HOLD_TRIES):
        if hold_version(db, row):
            break
        db.refresh(row)
    else:
        raise RuntimeError("record kept changing while being shared")
    wrap, sig = _signed_wrap(db, keyring, row, link, now)
    share = db.scalar(select(Share).where(Share.record_id == row.id, Share.recipient_id == link.therapist_id))
    if share is None:
        share = Share(
            record_id=row.id,
            link_id=link.id,
            owner_id=row.owner_id,
            recipient_id=link.therapist_id,
            created_at=now,
            dek_version=row.version,
            wrap=wrap,
            sig=sig,
        )
        db.add(share)
    else:
        share.wrap, share.sig, share.dek_version = wrap, sig, row.version
    db.flush()
    return share


def hold_version(db: Session, row: Record) -> bool:
    """Lock the record's row for this transaction if it is still at the version held; false if not."""
    return (
        changed_rows(
            db.execute(
                update(Record)
                .where(Record.id == row.id, Record.version == row.version)
                .values(version=Record.version)
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )


def rewrap(db: Session, keyring: vault.Keyring, row: Record) -> None:
    """After a new data key: every current share gets a signed wrap of the new key, or ends if the key changed
    (and the link says so)."""
    now = utcnow()
    for share, link in db.execute(
        select(Share, Link).join(Link, Share.link_id == Link.id).where(Share.record_id == row.id)
    ):
        try:
            share.wrap, share.sig = _signed_wrap(db, keyring, row, link, now)
            share.dek_version = row.version
        except vault.KeyChanged:
            db.delete(share)  # never seal to a key the client did not pin
    db.flush()


def auto_share(db: Session, keyring: vault.Keyring, row: Record, now: datetime) -> None:
    """Standing shares: a new record of a kind the client chose is sealed to those clinicians at once."""
    for link in db.scalars(select(Link).where(Link.client_id == row.owner_id)):
        if row.kind in link.auto_share_kinds.split(",") and link.key_changed_at is None:
            try:
                share_to(db, keyring, row, link, now)
            except vault.KeyChanged:
                continue


def key_still_pinned(db: Session, keyring: vault.Keyring, link: Link, now: datetime) -> bool:
    """False (and the link marks when) if the clinician's key is not the one pinned when the client linked."""
    if link.key_changed_at is not None:
        return False
    try:
        pinned = vault.pinned_key(keyring, link.therapist_id, link.pinned_key_ciphertext)
    except vault.VaultError:
        pinned = b""  # a pin that does not open is no pin
    current = db.scalar(select(User.x25519_pub).where(User.id == link.therapist_id))
    if current is not None and len(pinned) == 32 and bytes(current) == pinned:
        return True
    link.key_changed_at = now
    therapist = db.get(User, link.therapist_id)
    activity.record(
        db,
        link.client_id,
        "clinician_key_changed",
        detail=(therapist.display_name or therapist.email) if therapist else None,
        now=now,
    )
    db.flush()
    return False


def _signed_wrap(db: Session, keyring: vault.Keyring, row: Record, link: Link, now: datetime) -> tuple[bytes, bytes]:
    if not key_still_pinned(db, keyring, link, now):
        raise vault.KeyChanged("the clinician's key is not the one pinned when you linked")
    pinned = vault.pinned_key(keyring, link.therapist_id, link.pinned_key_ciphertext)
    wrap = vault.wrap_for(keyring, row, link.therapist_id, pinned, pinned)
    attachments = blobs.STORE.digests(db, [row.id]).get(row.id, {})
    return wrap, vault.sign_share(keyring, row, link.therapist_id, wrap, attachments)
