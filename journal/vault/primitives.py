"""Sealing with AES-256-GCM, length-prefixed contexts, HKDF. The vault's only cipher code."""

from __future__ import annotations

import hashlib
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32
TAG_BYTES = 16
OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES
WRAPPED_KEY_BYTES = KEY_BYTES + OVERHEAD


class VaultError(Exception):
    """A sealed value did not open: wrong key, wrong context, or damaged bytes. Says nothing more."""


def context(*parts: str | bytes | int | uuid.UUID) -> bytes:
    """Length-prefixed fields, so that no two contexts can run together into the same bytes."""
    # Every record opened builds two of these: the common types are tested first, by exact type.
    chunks = [b"jrnl:v1"]
    for part in parts:
        if type(part) is uuid.UUID:
            data = part.bytes
        elif type(part) is str:
            data = part.encode("utf-8")
        elif isinstance(part, int):  # bool as well, as an integer
            data = part.to_bytes(8, "big", signed=False)
        elif isinstance(part, uuid.UUID):
            data = part.bytes
        elif isinstance(part, str):
            data = part.encode("utf-8")
        else:
            data = bytes(part)
        chunks.append(len(data).to_bytes(4, "big"))
        chunks.append(data)
    return b"".join(chunks)


def seal(key: bytes, plaintext: bytes, ctx: bytes) -> bytes:
    """version || nonce || AES-256-GCM(plaintext) with the version and context as associated data."""
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, FORMAT_VERSION + ctx)


def open_sealed(key: bytes, blob: bytes, ctx: bytes) -> bytes:
    blob = bytes(blob)
    if len(blob) < OVERHEAD or blob[:1] != FORMAT_VERSION:
        raise VaultError("sealed value is malformed")
    nonce = blob[1 : 1 + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[1 + NONCE_BYTES :], FORMAT_VERSION + ctx)
    except InvalidTag:
        raise VaultError("sealed value did not open") from None


def open_under_user_key(keyring, blob: bytes, ctx: bytes) -> bytes:
    """A value sealed under the user key with a context that does not name the key's version (a pin, a note).

    While a rotation is under way it may be under the new key or the one being replaced: the new
    one is tried first. AES-GCM authenticates, so a wrong key fails and never opens garbage.
    """
    for _version, key in keyring.keys_newest_first():
        try:
            return open_sealed(key, blob, ctx)
        except VaultError:
            continue
    raise VaultError("sealed value did not open")


def wrap_key(kek: bytes, key: bytes, ctx: bytes) -> bytes:
    return seal(kek, key, ctx)


def unwrap_key(kek: bytes, blob: bytes, ctx: bytes) -> bytes:
    # Exact length first: a wrap of any other size is refused before decryption is tried.
    if len(blob) != WRAPPED_KEY_BYTES:
        raise VaultError("wrapped key has the wrong length")
    return open_sealed(kek, blob, ctx)


def hkdf(ikm: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(ikm)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def random_key() -> bytes:
    return os.urandom(KEY_BYTES)
