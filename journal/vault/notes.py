"""Small sealed notes about a link: one kept under the writer's own user key, one sent to the other side.

A therapist's marks ("this flag seen, then") are derived from what a client wrote, so they never sit
in clear: the therapist's copy is sealed under the therapist's user key, and the client's copy is
sealed with HPKE to the client's public key. Both are padded to a bucket (padding.py), so their length
says little about how many marks they hold.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from .keyring import Keyring
from .padding import bucket
from .primitives import FORMAT_VERSION, VaultError, context, open_under_user_key, seal
from .user_key_seals import own_note_context

# What a clinician's marks on a link are sealed as (flags/marks.py); named here so a rotation finds them.
FLAG_MARKS = "flag-marks"

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


def seal_own_note(keyring: Keyring, purpose: str, subject: uuid.UUID, data: Any) -> bytes:
    """`data` (JSON) sealed under the keyring owner's user key, bound to the purpose and subject."""
    return seal(keyring.user_key, _pad(data), own_note_context(purpose, subject, keyring.user_id))


def open_own_note(keyring: Keyring, purpose: str, subject: uuid.UUID, sealed: bytes) -> Any:
    return _unpad(open_under_user_key(keyring, sealed, own_note_context(purpose, subject, keyring.user_id)))


def reseal_own_note(keyring: Keyring, purpose: str, subject: uuid.UUID, sealed: bytes) -> bytes:
    """The same note sealed again under the keyring's (new) user key: for a key rotation."""
    return seal(
        keyring.user_key,
        _pad(open_own_note(keyring, purpose, subject, sealed)),
        own_note_context(purpose, subject, keyring.user_id),
    )


def seal_note_to(recipient_id: uuid.UUID, public_key: bytes, purpose: str, subject: uuid.UUID, data: Any) -> bytes:
    """`data` sealed to the recipient's X25519 public key: only their private key opens it."""
    info = _context("sent", purpose, subject, recipient_id)
    return FORMAT_VERSION + _SUITE.encrypt(_pad(data), X25519PublicKey.from_public_bytes(bytes(public_key)), info=info)


def open_note_sent_to_me(keyring: Keyring, purpose: str, subject: uuid.UUID, sealed: bytes) -> Any:
    sealed = bytes(sealed)
    if sealed[:1] != FORMAT_VERSION:
        raise VaultError("sealed note is malformed")
    private = keyring.x25519
    try:
        plain = _SUITE.decrypt(sealed[1:], private, info=_context("sent", purpose, subject, keyring.user_id))
    except (InvalidTag, ValueError):
        raise VaultError("sealed note did not open") from None
    return _unpad(plain)


def _context(way: str, purpose: str, subject: uuid.UUID, owner: uuid.UUID) -> bytes:
    return context("note", way, purpose, subject, owner)


def _pad(data: Any) -> bytes:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = len(raw).to_bytes(4, "big") + raw
    return body + b"\0" * (bucket(len(body)) - len(body))


def _unpad(plain: bytes) -> Any:
    size = int.from_bytes(plain[:4], "big")
    if size > len(plain) - 4:
        raise VaultError("sealed note is malformed")
    return json.loads(plain[4 : 4 + size])
