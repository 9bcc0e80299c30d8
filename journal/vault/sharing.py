"""Sharing a record = sealing its data key to a clinician's pinned X25519 public key with HPKE.

The client pins the clinician's public key when linking (sealed under the client's user key), and
every share is sealed to the pinned key, never to whatever the database says today: a database
writer cannot swap in a key of their own. The HPKE `info` binds record, owner, recipient and
version, so a wrap opens nothing but the one version of the one record it was made for.
"""

from __future__ import annotations

import hmac
import json
import uuid
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from .envelope import Sealable, _ctx, _dek
from .keyring import Keyring
from .primitives import FORMAT_VERSION, KEY_BYTES, VaultError, context, open_sealed, open_under_user_key, seal
from .user_key_seals import therapist_key_pin_context

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
WRAP_BYTES = 1 + 32 + KEY_BYTES + 16  # version, encapsulated key, sealed data key, tag: 81


class KeyChanged(VaultError):
    """The clinician's public key is not the one the client pinned when linking."""


def pin_key(keyring: Keyring, therapist_id: uuid.UUID, public_key: bytes) -> bytes:
    """The clinician's public key, sealed under the client's user key at the moment of consent."""
    return seal(keyring.user_key, public_key, therapist_key_pin_context(keyring.user_id, therapist_id))


def pinned_key(keyring: Keyring, therapist_id: uuid.UUID, sealed: bytes) -> bytes:
    return open_under_user_key(keyring, sealed, therapist_key_pin_context(keyring.user_id, therapist_id))


def reseal_pin(keyring: Keyring, therapist_id: uuid.UUID, sealed: bytes) -> bytes:
    """The pinned key sealed again under the keyring's (new) user key: for a key rotation."""
    return pin_key(keyring, therapist_id, pinned_key(keyring, therapist_id, sealed))


def wrap_for(keyring: Keyring, row: Sealable, recipient_id: uuid.UUID, pinned: bytes, current: bytes) -> bytes:
    """Seal the row's current data key to the pinned key; refuse if the stored key has changed."""
    if len(pinned) != 32 or not hmac.compare_digest(pinned, current):
        raise KeyChanged("the clinician's key is not the one pinned when you linked")
    info = _share_info(row, recipient_id)
    return FORMAT_VERSION + _SUITE.encrypt(_dek(keyring, row), X25519PublicKey.from_public_bytes(pinned), info=info)


def open_shared(keyring: Keyring, row: Sealable, wrap: bytes) -> dict[str, Any]:
    """A record shared with this keyring's owner, opened with their private key."""
    dek = _shared_dek(keyring, row, wrap)
    return json.loads(open_sealed(dek, row.payload_ciphertext, _ctx("payload", row)))


def open_shared_attachment(keyring: Keyring, row: Sealable, wrap: bytes, variant: str, sealed: bytes) -> bytes:
    return open_sealed(_shared_dek(keyring, row, wrap), sealed, _ctx(f"attachment:{variant}", row))


def _shared_dek(keyring: Keyring, row: Sealable, wrap: bytes) -> bytes:
    wrap = bytes(wrap)
    if len(wrap) != WRAP_BYTES or wrap[:1] != FORMAT_VERSION:
        raise VaultError("share wrap is malformed")
    private = keyring.x25519
    try:
        return _SUITE.decrypt(wrap[1:], private, info=_share_info(row, keyring.user_id))
    except (InvalidTag, ValueError):
        raise VaultError("share wrap did not open") from None


def _share_info(row: Sealable, recipient_id: uuid.UUID) -> bytes:
    return context("share", row.id, row.owner_id, recipient_id, row.kind, getattr(row, "version", 0))
