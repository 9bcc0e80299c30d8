"""Invite codes that bind both keys of a link, so neither side trusts the database's word for the other's key.

The code a clinician hands over is the one secret both sides share outside the app. It is never
stored in clear: only a keyed hash (to find the invite), a tag over the clinician's own X25519 key
(checked by the client's request at consent), and the code sealed under the clinician's user key
(so the clinician's next request can check the tag the client left over their signing key, and pin
that key). Every tag is keyed by the code *and* the server's secret: a copy of the database alone
gives no way to try the 2^40 possible codes against a tag.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .keyring import Keyring
from .primitives import VaultError, context, open_under_user_key, seal
from .signing import signing_public_key
from .user_key_seals import client_signing_pin_context, invite_code_context

TAG_BYTES = 32


def invite_code_hash(server_secret: str, code: str) -> str:
    """How an invite is found by its code: an HMAC under a key derived from the server's secret (hex)."""
    return hmac.new(_server_key(server_secret, b"invite-code-hash"), code.encode("ascii"), hashlib.sha256).hexdigest()


def seal_invite_code(keyring: Keyring, invite_id: uuid.UUID, code: str) -> bytes:
    """The code under the clinician's user key, until their next request pins the client's signing key."""
    return seal(keyring.user_key, code.encode("ascii"), invite_code_context(keyring.user_id, invite_id))


def open_invite_code(keyring: Keyring, invite_id: uuid.UUID, sealed: bytes) -> str:
    return open_under_user_key(keyring, bytes(sealed), invite_code_context(keyring.user_id, invite_id)).decode("ascii")


def own_public_key(keyring: Keyring) -> bytes:
    """The keyring owner's X25519 public key, from their private key: what the database says does not count."""
    return (
        X25519PrivateKey.from_private_bytes(keyring.private_key)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )


def therapist_key_tag(server_secret: str, code: str, therapist_id: uuid.UUID, public_key: bytes) -> bytes:
    """The tag an invite carries over its clinician's X25519 public key."""
    return _tag(server_secret, code, context("invite-key", therapist_id, bytes(public_key)))


def therapist_key_matches(
    server_secret: str, code: str, therapist_id: uuid.UUID, public_key: bytes, tag: bytes | None
) -> bool:
    """At consent: does the clinician's key in the database today match the one their invite was made with?"""
    if tag is None:
        return False
    return hmac.compare_digest(therapist_key_tag(server_secret, code, therapist_id, public_key), bytes(tag))


def client_signing_tag(server_secret: str, code: str, keyring: Keyring, link_id: uuid.UUID) -> bytes:
    """Left on the link by the client's request at consent: the code vouches for the client's signing key.

    The key is taken from the client's own private key, not from the database.
    """
    return _client_tag(server_secret, code, link_id, keyring.user_id, signing_public_key(keyring))


def client_signing_key_matches(
    server_secret: str, code: str, link_id: uuid.UUID, client_id: uuid.UUID, public_key: bytes, tag: bytes | None
) -> bool:
    if tag is None or len(public_key) != 32:
        return False
    return hmac.compare_digest(_client_tag(server_secret, code, link_id, client_id, bytes(public_key)), bytes(tag))


def pin_client_signing_key(keyring: Keyring, link_id: uuid.UUID, client_id: uuid.UUID, public_key: bytes) -> bytes:
    """The client's signing key, sealed under the clinician's user key.

    Empty (b"") seals "this link is from before signing keys: take the client's first key" (see
    sharing/signers.py); only the clinician's own request can write that, as any pin.
    """
    if len(public_key) not in (0, 32):
        raise VaultError("not a signing key")
    return seal(keyring.user_key, bytes(public_key), client_signing_pin_context(keyring.user_id, link_id, client_id))


def pinned_client_signing_key(keyring: Keyring, link_id: uuid.UUID, client_id: uuid.UUID, sealed: bytes) -> bytes:
    return open_under_user_key(keyring, bytes(sealed), client_signing_pin_context(keyring.user_id, link_id, client_id))


def _client_tag(server_secret: str, code: str, link_id: uuid.UUID, client_id: uuid.UUID, public_key: bytes) -> bytes:
    return _tag(server_secret, code, context("client-sign", link_id, client_id, public_key))


def _tag(server_secret: str, code: str, message: bytes) -> bytes:
    key = hmac.new(_server_key(server_secret, b"invite-tag-key"), code.encode("ascii"), hashlib.sha256).digest()
    return hmac.new(key, message, hashlib.sha256).digest()


def _server_key(server_secret: str, label: bytes) -> bytes:
    return hashlib.sha256(label + b"\0" + server_secret.encode("utf-8")).digest()
