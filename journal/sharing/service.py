"""Linking a client with a clinician, sharing records with them, and ending both.

Rules only; keys stay in the vault and the envelope (records/shares.py). Revoking deletes the
wrap and re-keys the record at once, so a copy of the old wrap opens nothing written after it.
"""

from __future__ import annotations

import base64
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .. import vault
from ..db import changed_rows
from ..models import Invite, Link, PendingRekey, Record, Share, User
from ..records import kinds
from ..records import service as records
from ..records import shares as envelope_shares
from ..records.key_hold import hold_sealing_key
from ..security import ratelimit
from . import access

INVITE_DAYS = 7
# Which kinds can be shared, and which as standing shares (the safety plan only by choice): each kind says.
SHAREABLE_KINDS = kinds.names(shareable=True)
AUTO_SHARE_CHOICES = kinds.standing_share_choices()
_CODE_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B"})


class SharingProblem(Exception):
    """Something the person can act on; the message is safe to show."""


class KeyMismatch(SharingProblem):
    """The clinician's key on the server is not the one their invite was made with: nothing is linked."""

    def __init__(self, therapist: User):
        super().__init__("This clinician's key does not match the invite. Nothing was linked. Ask them for a new code.")
        self.therapist = therapist


@dataclass(frozen=True)
class LinkView:
    link: Link
    other: User  # the clinician (for a client) or the client (for a clinician)

    @property
    def name(self) -> str:
        return self.other.display_name or self.other.email


# Invites -------------------------------------------------------------------------------------------


def create_invite(
    db: Session, config: Mapping, therapist: User, now: datetime, *, keyring: vault.Keyring
) -> tuple[str, Invite]:
    """A single-use code (shown once) that expires after a week and binds the therapist's own key.

    Kept: a keyed hash of the code (to find the invite), a tag keyed by the code over the therapist's
    X25519 public key as their private key says (not as the database says), and the code sealed under
    the therapist's user key (to check the client's signing key later). Never the code in clear.
    """
    if keyring.user_id != therapist.id:
        raise ValueError("an invite is made with its therapist's own keys")
    if (
        ratelimit.reserve(
            ratelimit.rate_key("invite-create", str(therapist.id)), config["INVITES_PER_THERAPIST_PER_HOUR"], now
        )
        is None
    ):
        raise SharingProblem("You have made many invites in the last hour. Please wait a while.")
    code = base64.b32encode(os.urandom(5)).decode("ascii")
    invite = Invite(
        id=uuid.uuid4(),
        therapist_id=therapist.id,
        code_hash=vault.invite_code_hash(_secret(), code),
        key_tag=vault.therapist_key_tag(_secret(), code, therapist.id, vault.own_public_key(keyring)),
        created_at=now,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    invite.code_sealed = vault.seal_invite_code(keyring, invite.id, code)
    db.add(invite)
    db.flush()
    hold_sealing_key(db, keyring)  # the code is sealed under the clinician's key
    return f"{code[:4]}-{code[4:]}", invite


def own_key_fingerprint(keyring: vault.Keyring) -> str:
    """The fingerprint of the signed-in user's X25519 key (from their private key), to compare by eye."""
    return vault.fingerprint(vault.own_public_key(keyring))


def key_fingerprint(user: User) -> str:
    """The fingerprint of a user's X25519 key as the server has it now."""
    return vault.fingerprint(bytes(user.x25519_pub))


def open_invites(db: Session, therapist: User, now: datetime) -> list[Invite]:
    return list(
        db.scalars(
            select(Invite)
            .where(Invite.therapist_id == therapist.id, Invite.used_at.is_(None), Invite.expires_at > now)
            .order_by(Invite.created_at.desc())
        )
    )


def cancel_invite(db: Session, therapist: User, invite_id: uuid.UUID) -> bool:
    result = db.execute(
        delete(Invite).where(Invite.id == invite_id, Invite.therapist_id == therapist.id, Invite.used_at.is_(None))
    )
    return changed_rows(result) > 0


def find_invite(db: Session, config: Mapping, client: User, code: str, now: datetime) -> tuple[Invite, User]:
    """The invite and its clinician, or a SharingProblem that says what is wrong with the code."""
    key = ratelimit.rate_key("invite-redeem", str(client.id))
    attempt = ratelimit.reserve(key, config["INVITE_FAILURES_PER_CLIENT_PER_HOUR"], now)
    if attempt is None:
        raise SharingProblem(
            "Too many codes tried in the last hour. Please wait a while, or ask your clinician for a new link."
        )
    cleaned = clean_code(code)
    invite = (
        db.scalar(select(Invite).where(Invite.code_hash == vault.invite_code_hash(_secret(), cleaned)))
        if len(cleaned) == 8
        else None
    )
    therapist = db.get(User, invite.therapist_id) if invite else None
    if invite is None or therapist is None or therapist.role != "therapist":
        raise SharingProblem("That code is not right. Check it against the one your clinician gave you.")
    ratelimit.release(attempt)
    if invite.used_at is not None:
        raise SharingProblem("That code has been used already. Each code works once: ask your clinician for a new one.")
    if invite.expires_at <= now:
        raise SharingProblem("That code has expired. Codes last a week: ask your clinician for a new one.")
    if not vault.therapist_key_matches(_secret(), cleaned, therapist.id, bytes(therapist.x25519_pub), invite.key_tag):
        raise KeyMismatch(therapist)
    return invite, therapist


def clean_code(code: str | None) -> str:
    """A code however it was typed: any case, spaces or dashes, 0/1/8 for O/I/B."""
    return re.sub(r"[^A-Za-z0-9]", "", code or "").upper().translate(_CODE_FIXES)


# Links ---------------------------------------------------------------------------------------------


def link_client(
    db: Session,
    keyring: vault.Keyring,
    client: User,
    invite: Invite,
    therapist: User,
    auto_share_kinds: list[str],
    now: datetime,
    *,
    code: str,
) -> Link:
    """Consent given: pin the clinician's public key under the client's key and make the link.

    The typed code must vouch for the clinician's key as it is now (KeyMismatch otherwise). The client
    leaves on the link a tag keyed by the same code over their own signing key, for the clinician's
    next request to check and pin. A link whose clinician's key had changed is linked again this way:
    the new key is pinned and every share on it is made again to that key.
    """
    if client.role != "client" or keyring.user_id != client.id:
        raise SharingProblem("Only a client account can link with a clinician.")
    cleaned = clean_code(code)
    if not vault.therapist_key_matches(_secret(), cleaned, therapist.id, bytes(therapist.x25519_pub), invite.key_tag):
        raise KeyMismatch(therapist)
    link = db.scalar(select(Link).where(Link.client_id == client.id, Link.therapist_id == therapist.id))
    if link is not None and link.key_changed_at is None:
        raise SharingProblem("You are already linked with this clinician.")
    # Use the code up first, and only if nobody else did a moment ago: single use even under a race.
    claimed = db.execute(update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None)).values(used_at=now))
    if changed_rows(claimed) != 1:
        raise SharingProblem("That code has been used already. Each code works once: ask your clinician for a new one.")
    pin = vault.pin_key(keyring, therapist.id, bytes(therapist.x25519_pub))
    if link is None:
        link = Link(
            id=uuid.uuid4(),
            client_id=client.id,
            therapist_id=therapist.id,
            created_at=now,
            pinned_key_ciphertext=pin,
            auto_share_kinds=_kinds(auto_share_kinds),
        )
        db.add(link)
    else:
        link.pinned_key_ciphertext, link.key_changed_at = pin, None
        link.auto_share_kinds = _kinds(auto_share_kinds)
        link.client_sign_pin, link.client_sign_refused_at = None, None  # the clinician checks the new tag
    link.invite_id = invite.id
    link.client_sign_tag = vault.client_signing_tag(_secret(), cleaned, keyring, link.id)
    db.flush()
    for record_id in list(db.scalars(select(Share.record_id).where(Share.link_id == link.id))):
        row = _own_row(db, keyring, record_id)
        if row is not None:
            envelope_shares.share_to(db, keyring, row, link, now)
    hold_sealing_key(db, keyring)  # the pin is sealed under the client's key
    return link


def check_clinician_keys(
    db: Session, keyring: vault.Keyring, now: datetime, links: list[LinkView] | None = None
) -> list[LinkView]:
    """The client's links (`links`, read here when not given) whose clinician's key changed since the client
    pinned it (each marked on its link).

    Looked at where the client looks (Today, their clinicians): nothing new is shared on those links.
    """
    changed = []
    for linked in links if links is not None else links_for_client(db, keyring.user_id):
        if not envelope_shares.key_still_pinned(db, keyring, linked.link, now):
            changed.append(linked)
    return changed


def sign_earlier_shares(db: Session, keyring: vault.Keyring, now: datetime) -> int:
    """Shares made before signing keys existed, made again and signed, in the request that made the key.

    Only then: a share row without a signature that turns up later is never signed (the desk keeps
    refusing it). Returns how many were signed.
    """
    if not keyring.new_signing_key:
        return 0
    signed = 0
    rows = db.execute(
        select(Share.record_id, Link)
        .join(Link, Link.id == Share.link_id)
        .where(Share.owner_id == keyring.user_id, Link.client_id == keyring.user_id, Share.sig.is_(None))
    ).all()
    for record_id, link in rows:
        row = _own_row(db, keyring, record_id)
        if row is None:
            continue
        try:
            vault.open_payload(keyring, row)  # the client's own record, sealed by them
            envelope_shares.share_to(db, keyring, row, link, now)
            signed += 1
        except (vault.VaultError, vault.KeyChanged):
            continue
    return signed


def links_for_client(db: Session, client_id: uuid.UUID) -> list[LinkView]:
    rows = db.execute(
        select(Link, User)
        .join(User, User.id == Link.therapist_id)
        .where(Link.client_id == client_id)
        .order_by(Link.created_at)
    )
    return [LinkView(link, user) for link, user in rows]


def links_for_therapist(db: Session, therapist_id: uuid.UUID) -> list[LinkView]:
    rows = db.execute(
        select(Link, User)
        .join(User, User.id == Link.client_id)
        .where(Link.therapist_id == therapist_id)
        .order_by(Link.created_at)
    )
    return [LinkView(link, user) for link, user in rows]


def client_link(db: Session, client_id: uuid.UUID, link_id: uuid.UUID) -> Link | None:
    return db.scalar(select(Link).where(Link.id == link_id, Link.client_id == client_id))


def therapist_link(db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID) -> Link | None:
    return db.scalar(select(Link).where(Link.therapist_id == therapist_id, Link.client_id == client_id))


def set_auto_share(link: Link, kinds: list[str]) -> None:
    link.auto_share_kinds = _kinds(kinds)


def end_link(db: Session, link: Link, now: datetime, client_keyring: vault.Keyring | None = None) -> None:
    """Either side ends the link; every share goes with it and each shared record is re-keyed.

    The client's key is needed to re-key. When the clinician ends the link, the records are
    re-keyed at the client's next sign-in (`rekey_pending`).
    """
    shared = list(db.scalars(select(Share.record_id).where(Share.link_id == link.id)))
    _lock_records(db, shared)
    db.delete(link)  # shares cascade
    db.flush()
    for record_id in shared:
        if client_keyring is not None:
            records.rekey(db, client_keyring, record_id, now)
        elif db.get(PendingRekey, record_id) is None:
            db.add(PendingRekey(record_id=record_id, owner_id=link.client_id))
    db.flush()


def rekey_pending(db: Session, keyring: vault.Keyring, now: datetime) -> int:
    """Re-key what a clinician's ended link left behind; returns how many records."""
    pending = list(db.scalars(select(PendingRekey.record_id).where(PendingRekey.owner_id == keyring.user_id)))
    for record_id in pending:
        records.rekey(db, keyring, record_id, now)
    db.execute(delete(PendingRekey).where(PendingRekey.owner_id == keyring.user_id))
    return len(pending)


def _lock_records(db: Session, record_ids: list[uuid.UUID]) -> None:
    """Records before their shares, as an edit takes them: two requests never wait on each other in a circle.

    (PostgreSQL row locks; SQLite has one write lock for the whole database and needs none.)
    """
    if record_ids:
        db.execute(select(Record.id).where(Record.id.in_(record_ids)).order_by(Record.id).with_for_update())


# Shares --------------------------------------------------------------------------------------------


def share(db: Session, keyring: vault.Keyring, record_id: uuid.UUID, link: Link, now: datetime) -> None:
    row = _own_row(db, keyring, record_id)
    if row is None or link.client_id != keyring.user_id:
        raise LookupError(record_id)
    try:
        envelope_shares.share_to(db, keyring, row, link, now)
    except vault.KeyChanged:
        raise SharingProblem(key_changed_words(_therapist_name(db, link))) from None


def revoke(db: Session, keyring: vault.Keyring, record_id: uuid.UUID, link: Link, now: datetime) -> bool:
    """Delete the wrap, then re-key: what the clinician already read stays read, nothing more opens."""
    _lock_records(db, [record_id])
    result = db.execute(
        delete(Share).where(Share.record_id == record_id, Share.link_id == link.id, Share.owner_id == keyring.user_id)
    )
    if changed_rows(result) == 0:
        return False
    records.rekey(db, keyring, record_id, now)
    return True


def revoke_all(db: Session, keyring: vault.Keyring, link: Link, now: datetime) -> int:
    shared = list(
        db.scalars(select(Share.record_id).where(Share.link_id == link.id, Share.owner_id == keyring.user_id))
    )
    for record_id in shared:
        revoke(db, keyring, record_id, link, now)
    return len(shared)


@dataclass(frozen=True)
class ShareState:
    link: LinkView
    shared_at: datetime | None
    last_opened_at: datetime | None


def share_states(db: Session, owner_id: uuid.UUID, record_id: uuid.UUID) -> list[ShareState]:
    """For one record: each linked clinician, whether it is shared with them and when they last opened it."""
    states = []
    for link in links_for_client(db, owner_id):
        shared_at = db.scalar(
            select(Share.created_at).where(Share.record_id == record_id, Share.link_id == link.link.id)
        )
        opened = access.last_opened(db, record_id, link.other.id) if shared_at else None
        states.append(ShareState(link, shared_at, opened))
    return states


def _own_row(db: Session, keyring: vault.Keyring, record_id: uuid.UUID) -> Record | None:
    return db.scalar(
        select(Record).where(
            Record.id == record_id, Record.owner_id == keyring.user_id, Record.kind.in_(SHAREABLE_KINDS)
        )
    )


def _kinds(kinds: list[str]) -> str:
    return ",".join(sorted({kind for kind in kinds if kind in AUTO_SHARE_CHOICES}))


def key_changed_words(name: str) -> str:
    return f"{name}'s key has changed since you linked. Nothing new is shared with them until you link again with a new code."


def _therapist_name(db: Session, link: Link) -> str:
    therapist = db.get(User, link.therapist_id)
    return (therapist.display_name or therapist.email) if therapist else "This clinician"


def _secret() -> str:
    return current_app.config["SECRET_KEY"]
