"""A clinician's request to a client ("Would you fill in the PHQ-9?", a prompt they wrote), sealed to the client.

The reverse direction of a share: the request (the questionnaire or the prompt's words, its cadence, its days)
is sealed with HPKE to the client's X25519 public key, its `info` binding the request, the link, the client and
the clinician, so only the client's private key opens it and it opens nowhere else. The clinician keeps their
own copy sealed under their user key (`seal_own_note`), to list what they asked.

HPKE base mode does not say who sealed it. The client pins the clinician's X25519 key at consent (not a signing
key), so the request carries a tag that only the holder of the pinned key's private half can make: an HMAC
under a key both sides derive from their static X25519 keys (the clinician's private key and the client's
public key, or the client's private key and the pinned clinician's key), the sender authentication of HPKE's
Auth mode. A database writer, without the clinician's private key, can make neither: a request whose tag does
not verify against the pinned key is not shown.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from .keyring import Keyring
from .notes import _pad, _unpad
from .primitives import FORMAT_VERSION, VaultError, context, hkdf, sha256

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
TAG_BYTES = 32


def seal_ask(
    keyring: Keyring, ask_id: uuid.UUID, link_id: uuid.UUID, client_id: uuid.UUID, client_key: bytes, data: Any
) -> tuple[bytes, bytes]:
    """(sealed, tag): `data` sealed to the client's public key, and the clinician's tag over it."""
    client_key = bytes(client_key)
    if len(client_key) != 32:
        raise VaultError("not a public key")
    info = _info(ask_id, link_id, client_id, keyring.user_id)
    sealed = FORMAT_VERSION + _SUITE.encrypt(_pad(data), X25519PublicKey.from_public_bytes(client_key), info=info)
    private = keyring.x25519
    key = _tag_key(private.exchange(X25519PublicKey.from_public_bytes(client_key)), keyring.user_id, client_id)
    return sealed, _tag(key, sealed, info)


def open_ask(
    keyring: Keyring,
    ask_id: uuid.UUID,
    link_id: uuid.UUID,
    therapist_id: uuid.UUID,
    pinned_key: bytes,
    sealed: bytes,
    tag: bytes | None,
) -> Any:
    """The request, when the tag is the pinned clinician's and it was sealed to this keyring; else VaultError."""
    sealed, pinned_key = bytes(sealed), bytes(pinned_key)
    if tag is None or len(tag) != TAG_BYTES or len(pinned_key) != 32 or sealed[:1] != FORMAT_VERSION:
        raise VaultError("request is malformed")
    info = _info(ask_id, link_id, keyring.user_id, therapist_id)
    private = keyring.x25519
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(pinned_key))
    except ValueError:
        raise VaultError("request did not verify") from None
    if not hmac.compare_digest(_tag(_tag_key(shared, therapist_id, keyring.user_id), sealed, info), bytes(tag)):
        raise VaultError("request did not verify")
    try:
        return _unpad(_SUITE.decrypt(sealed[1:], private, info=info))
    except (InvalidTag, ValueError):
        raise VaultError("request did not open") from None


def _info(ask_id: uuid.UUID, link_id: uuid.UUID, client_id: uuid.UUID, therapist_id: uuid.UUID) -> bytes:
    return context("ask", ask_id, link_id, client_id, therapist_id)


def _tag_key(shared: bytes, therapist_id: uuid.UUID, client_id: uuid.UUID) -> bytes:
    return hkdf(shared, context("ask-sender", therapist_id, client_id))


def _tag(key: bytes, sealed: bytes, info: bytes) -> bytes:
    return hmac.new(key, context("ask-tag", info, sha256(sealed)), "sha256").digest()
