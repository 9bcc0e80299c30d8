"""The clinician's side of signed shares: whose signing key a client's shares must verify against.

At consent the client's request left on the link a tag, keyed by the invite code, over the client's
signing key. The clinician's next request (any desk page) opens the code it sealed at invite time,
checks the tag against the client's key as the server has it, and if it matches seals that key under
the clinician's own user key (`links.client_sign_pin`) and forgets the code. From then on the
database's word for the client's key no longer counts. Links made before signing keys have no tag:
the clinician's first request after the change pins their client's key (or, for a client who has
not signed in since, seals a note to take that client's first key: trust on first use).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from .. import vault
from ..activity import service as activity
from ..models import Invite, Link, User
from ..records.key_hold import hold_sealing_key

log = logging.getLogger(__name__)
# A failed check is a security event each time (the app log); the person's activity says it once a day.
TELL_AGAIN_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Signer:
    """The client's pinned signing key, or why nothing of theirs can be shown ("not yet", "refused")."""

    public_key: bytes | None
    withheld: str | None = None


def signer_for(
    db: Session, keyring: vault.Keyring, client_id: uuid.UUID, now: datetime, *, may_write: bool = True
) -> Signer:
    """The signing key the keyring owner pinned for this client, pinning it now when the code vouches for it.

    `may_write=False` (a read-only snapshot, such as an export's): only a pin already made counts.
    """
    found = db.execute(
        select(Link, User)
        .join(User, User.id == Link.client_id)
        .where(Link.therapist_id == keyring.user_id, Link.client_id == client_id)
    ).first()
    if found is None:
        return Signer(None, "not yet")
    return signer_of(db, keyring, found[0], found[1], now, may_write=may_write)


def signer_of(
    db: Session, keyring: vault.Keyring, link: Link, client: User, now: datetime, *, may_write: bool = True
) -> Signer:
    """As `signer_for`, for a link and its client already read (the keyring owner's link): no query once pinned."""
    if link.therapist_id != keyring.user_id or link.client_id != client.id:
        raise ValueError("the link is not the keyring owner's link with this client")
    if link.client_sign_refused_at is not None:
        return Signer(None, "refused")
    if not may_write:
        try:
            pinned = (
                vault.pinned_client_signing_key(keyring, link.id, client.id, link.client_sign_pin)
                if link.client_sign_pin is not None
                else b""
            )
        except vault.VaultError:
            pinned = b""
        return Signer(pinned) if pinned else Signer(None, "not yet")
    current = bytes(client.ed25519_pub) if client.ed25519_pub is not None else None
    if link.client_sign_pin is not None:
        try:
            pinned = vault.pinned_client_signing_key(keyring, link.id, client.id, link.client_sign_pin)
        except vault.VaultError:
            return _refuse(db, link, client, now, "the pinned signing key did not open")
        if pinned:
            return Signer(pinned)
        # A link from before signing keys: its client's first key is taken on first sight.
        return _pin(link, keyring, client, current) if current is not None else Signer(None, "not yet")
    if link.client_sign_tag is None:
        return _refuse(db, link, client, now, "a link without a tag nor a pin")
    invite = db.get(Invite, link.invite_id) if link.invite_id is not None else None
    if invite is None or invite.code_sealed is None or invite.therapist_id != keyring.user_id:
        return _refuse(db, link, client, now, "the invite code to check the tag with is gone")
    try:
        code = vault.open_invite_code(keyring, invite.id, invite.code_sealed)
    except vault.VaultError:
        return _refuse(db, link, client, now, "the sealed invite code did not open")
    invite.code_sealed = None  # checked once, then forgotten
    if current is None or not vault.client_signing_key_matches(
        _secret(), code, link.id, client.id, current, link.client_sign_tag
    ):
        return _refuse(db, link, client, now, "the client's signing key does not match the invite's tag")
    return _pin(link, keyring, client, current)


def adopt_earlier_links(db: Session, keyring: vault.Keyring) -> int:
    """In the request that made a clinician's signing key: their links from before signing keys get a pin.

    Such a link has no tag. Its client's signing key is pinned now if it exists, else a sealed empty pin
    says "take this client's first key". A link without tag or pin that turns up later is refused.
    """
    if not keyring.new_signing_key:
        return 0
    rows = db.execute(
        select(Link, User)
        .join(User, User.id == Link.client_id)
        .where(Link.therapist_id == keyring.user_id, Link.client_sign_tag.is_(None), Link.client_sign_pin.is_(None))
    ).all()
    for link, client in rows:
        _pin(link, keyring, client, bytes(client.ed25519_pub) if client.ed25519_pub is not None else b"")
    db.flush()
    return len(rows)


def tell_unverified(
    db: Session, therapist_id: uuid.UUID, client: User, record_id: uuid.UUID, now: datetime, *, may_write: bool = True
) -> None:
    """A share that did not verify: a security event in the app log (ids only), and once a day in the activity."""
    log.warning(
        "security: a share did not verify and was not shown: recipient=%s owner=%s record=%s",
        therapist_id,
        client.id,
        record_id,
    )
    if may_write:
        activity.record_unless_recent(
            db, therapist_id, "share_unverified", about=client.id, now=now, within=TELL_AGAIN_AFTER
        )


def _pin(link: Link, keyring: vault.Keyring, client: User, public_key: bytes) -> Signer:
    link.client_sign_pin = vault.pin_client_signing_key(keyring, link.id, client.id, public_key)
    db = object_session(link)
    if db is None:  # every link here was read through a session
        raise vault.VaultError("the link is in no session: its sealed pin cannot be held")
    hold_sealing_key(db, keyring)  # sealed under the clinician's key: held until the commit
    return Signer(public_key) if public_key else Signer(None, "not yet")


def _refuse(db: Session, link: Link, client: User, now: datetime, why: str) -> Signer:
    link.client_sign_refused_at = now
    log.warning(
        "security: a client's signing key was not pinned (%s): therapist=%s client=%s link=%s",
        why,
        link.therapist_id,
        client.id,
        link.id,
    )
    activity.record(db, link.therapist_id, "client_key_refused", about=client.id, now=now)
    db.flush()
    return Signer(None, "refused")


def _secret() -> str:
    from flask import current_app

    return current_app.config["SECRET_KEY"]
