"""Sealing and opening what a client writes: a fresh data key per version, bound to its row."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from .keyring import Keyring
from .padding import pad_json
from .primitives import VaultError, context, open_sealed, random_key, seal, unwrap_key, wrap_key
from .user_key_seals import record_key_context


class Sealable(Protocol):
    __tablename__: str
    id: uuid.UUID
    owner_id: uuid.UUID
    kind: str
    uk_version: int
    dek_wrap: bytes
    payload_ciphertext: bytes


def seal_payload(
    keyring: Keyring, row: Sealable, payload: dict[str, Any], attachments: Mapping[str, bytes] | None = None
) -> dict[str, bytes]:
    """Encrypt the payload into the row under a new data key, wrapped under the owner's user key.

    Attachments (a photo's variants) are sealed under the same data key, each with its own
    associated data; their ciphertexts are returned for the blob store. Every call makes a new
    data key, so a row's attachments are sealed again whenever the row is.
    """
    if row.owner_id != keyring.user_id or row.id is None:
        raise VaultError("a row is sealed by its owner, after it has an id")
    dek = random_key()
    row.uk_version = keyring.uk_version
    row.dek_wrap = wrap_key(keyring.user_key, dek, record_key_context(row))
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    row.payload_ciphertext = seal(dek, pad_json(data), _ctx("payload", row))
    return {
        variant: seal(dek, content, _ctx(f"attachment:{variant}", row))
        for variant, content in (attachments or {}).items()
    }


def open_attachment(keyring: Keyring, row: Sealable, variant: str, sealed: bytes) -> bytes:
    """One attachment of a row, if it was sealed for this row, this variant and this version."""
    return open_sealed(_dek(keyring, row), sealed, _ctx(f"attachment:{variant}", row))


def open_payload(keyring: Keyring, row: Sealable) -> dict[str, Any]:
    """The payload, if this keyring owns the row and the ciphertext belongs to this row; else VaultError."""
    return json.loads(open_sealed(_dek(keyring, row), row.payload_ciphertext, _ctx("payload", row)))


def _dek(keyring: Keyring, row: Sealable) -> bytes:
    # During a rotation a row may still be under the key being replaced: the keyring holds both.
    if row.owner_id != keyring.user_id:
        raise VaultError("not this keyring's row")
    return unwrap_key(keyring.key_for(row.uk_version), row.dek_wrap, record_key_context(row))


def _ctx(part: str, row: Sealable) -> bytes:
    # Record id, owner, kind and version in the associated data: a ciphertext copied to
    # another row, owner or kind, or an old version replayed, does not open.
    return context(part, row.__tablename__, row.id, row.owner_id, row.kind, getattr(row, "version", 0))
