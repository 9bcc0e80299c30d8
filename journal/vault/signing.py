"""Each user's Ed25519 signing key, and the signature a record's owner puts on every share.

HPKE base mode does not say who sealed a wrap: anyone with the clinician's public key can make one.
So the owner signs every share: the signature binds the record, owner, recipient, kind and version,
the SHA-256 of the payload ciphertext and of each attachment ciphertext the recipient can fetch, and
the wrap itself. Someone who can only write to the database cannot make it (the private half is
sealed under the owner's user key), so the desk shows nothing that does not verify against the key
the clinician pinned.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from sqlalchemy import update
from sqlalchemy.orm import object_session
from sqlalchemy.orm.attributes import set_committed_value

from ..db import changed_rows
from ..models import User
from .envelope import Sealable
from .keyring import Keyring
from .primitives import VaultError, context, sha256, unwrap_key, wrap_key
from .user_key_seals import signing_key_context

SIGNATURE_BYTES = 64


def new_signing_key(user: User, user_key: bytes) -> bytes:
    """A fresh keypair on a user row that has none yet (sign-up); returns the raw private key."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    user.ed25519_pub = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    user.ed25519_priv_wrap = wrap_key(user_key, raw, signing_key_context(user.id, user.uk_version))
    return raw


def unlock_signing_key(user: User, user_key: bytes, *, claim: bool = False) -> tuple[bytes, bool]:
    """The user's signing key, opened with their user key; made now if the account has none (older accounts).

    Returns (raw private key, made now). With `claim` (a session being resumed), the key is written at
    once and only into an empty column: when two requests make one at the same moment, the first to
    write wins and the other opens the winner's. Without it (sign-in, recovery: rate counters still
    to release on their own connection), the new key is only set on the row, written with the request.
    """
    if user.ed25519_priv_wrap is None:
        session = object_session(user)
        if not claim or session is None or user.id is None:
            return new_signing_key(user, user_key), True
        private = Ed25519PrivateKey.generate()
        raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        wrap = wrap_key(user_key, raw, signing_key_context(user.id, user.uk_version))
        claimed = (
            changed_rows(
                session.execute(
                    update(User)
                    .where(User.id == user.id, User.ed25519_priv_wrap.is_(None))
                    .values(ed25519_pub=public, ed25519_priv_wrap=wrap)
                    .execution_options(synchronize_session=False)
                )
            )
            == 1
        )
        if claimed:
            set_committed_value(user, "ed25519_pub", public)
            set_committed_value(user, "ed25519_priv_wrap", wrap)
            return raw, True
        session.refresh(user, ["ed25519_pub", "ed25519_priv_wrap"])
        if user.ed25519_priv_wrap is None:
            raise VaultError("no signing key on the user row")
    raw = unwrap_key(user_key, bytes(user.ed25519_priv_wrap), signing_key_context(user.id, user.uk_version))
    return raw, False


def signing_public_key(keyring: Keyring) -> bytes:
    """The public half of the keyring's signing key, from the private key itself (not from the database)."""
    return _private(keyring).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign_share(
    keyring: Keyring, row: Sealable, recipient_id: uuid.UUID, wrap: bytes, attachments: Mapping[str, bytes]
) -> bytes:
    """The owner's signature over one share; `attachments` maps each variant to its ciphertext's SHA-256."""
    if row.owner_id != keyring.user_id:
        raise VaultError("a share is signed by the record's owner")
    return _private(keyring).sign(_share_message(row, recipient_id, wrap, attachments))


def share_verifies(
    public_key: bytes,
    row: Sealable,
    recipient_id: uuid.UUID,
    wrap: bytes,
    signature: bytes | None,
    attachments: Mapping[str, bytes],
) -> bool:
    """True only when `signature` is the pinned key's over exactly this row, recipient, wrap and attachments."""
    if signature is None or len(signature) != SIGNATURE_BYTES or len(public_key) != 32:
        return False
    message = _share_message(row, recipient_id, bytes(wrap), attachments)
    known = sha256(b"verified-share\0" + bytes(public_key) + bytes(signature) + sha256(message))
    if _VERIFIED.holds(known):
        return True
    try:
        Ed25519PublicKey.from_public_bytes(bytes(public_key)).verify(bytes(signature), message)
    except (InvalidSignature, ValueError):
        return False
    _VERIFIED.add(known)
    return True


class _Verified:
    """Digests of (public key, signature, message) found to verify in this process, the latest VERIFIED_KEPT.

    A desk page checks the same shares on every visit; a signature that verified once verifies again, so it is
    not checked again. Only digests of what is already public to the server are kept (keys, signatures, the
    digest of the signed message): nothing secret, nothing a client wrote. Anything changed is another digest.
    """

    def __init__(self, most: int) -> None:
        self._most, self._lock, self._known = most, threading.Lock(), OrderedDict[bytes, None]()

    def holds(self, digest: bytes) -> bool:
        with self._lock:
            if digest not in self._known:
                return False
            self._known.move_to_end(digest)
            return True

    def add(self, digest: bytes) -> None:
        with self._lock:
            self._known[digest] = None
            if len(self._known) > self._most:
                self._known.popitem(last=False)


VERIFIED_KEPT = 50_000  # about 5 MB
_VERIFIED = _Verified(VERIFIED_KEPT)


def fingerprint(public_key: bytes) -> str:
    """A short fingerprint people can compare by eye: 4 groups of 4 hex digits of the key's SHA-256."""
    digest = sha256(b"key-fingerprint\0" + bytes(public_key)).hex()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def _private(keyring: Keyring) -> Ed25519PrivateKey:
    if len(keyring.signing_key) != 32:
        raise VaultError("this keyring has no signing key")
    return Ed25519PrivateKey.from_private_bytes(keyring.signing_key)


def _share_message(row: Sealable, recipient_id: uuid.UUID, wrap: bytes, attachments: Mapping[str, bytes]) -> bytes:
    parts: list[str | bytes | int | uuid.UUID] = [
        "share-signature",
        row.id,
        row.owner_id,
        recipient_id,
        row.kind,
        getattr(row, "version", 0),
        sha256(bytes(row.payload_ciphertext)),
        sha256(bytes(wrap)),
        len(attachments),
    ]
    for variant in sorted(attachments):
        parts += [variant, bytes(attachments[variant])]
    return context(*parts)
