"""A share's signature, checked once and then known good in this process: what was checked once is never
mistaken for anything else (another row, wrap, attachment, signature or key)."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from journal import vault
from journal.vault.keyring import Keyring


@dataclass(frozen=True)
class Row:
    id: uuid.UUID
    owner_id: uuid.UUID
    kind: str
    version: int
    payload_ciphertext: bytes
    __tablename__: str = "records"
    uk_version: int = 1
    dek_wrap: bytes = b""


def _owner() -> Keyring:
    signing = Ed25519PrivateKey.generate().private_bytes_raw()
    return Keyring(uuid.uuid4(), 1, os.urandom(32), os.urandom(32), signing)


def test_a_signature_checked_once_stays_bound_to_exactly_what_was_signed():
    owner, recipient = _owner(), uuid.uuid4()
    row = Row(uuid.uuid4(), owner.user_id, "entry", 3, os.urandom(80))
    wrap, files = os.urandom(97), {"thumb": os.urandom(32)}
    signature = vault.sign_share(owner, row, recipient, wrap, files)
    public = vault.signing_public_key(owner)
    for _ in range(2):  # checked, then known: the same answer
        assert vault.share_verifies(public, row, recipient, wrap, signature, files)
    assert not vault.share_verifies(
        public, replace(row, payload_ciphertext=os.urandom(80)), recipient, wrap, signature, files
    )
    assert not vault.share_verifies(public, replace(row, version=4), recipient, wrap, signature, files)
    assert not vault.share_verifies(public, row, uuid.uuid4(), wrap, signature, files)
    assert not vault.share_verifies(public, row, recipient, os.urandom(97), signature, files)
    assert not vault.share_verifies(public, row, recipient, wrap, signature, {"thumb": os.urandom(32)})
    assert not vault.share_verifies(public, row, recipient, wrap, bytes(64), files)
    assert not vault.share_verifies(vault.signing_public_key(_owner()), row, recipient, wrap, signature, files)
    assert vault.share_verifies(public, row, recipient, wrap, signature, files)
