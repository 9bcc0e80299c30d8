"""The unlocked keys of one signed-in user, for one request."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False)
class Keyring:
    """Holds the user key, the X25519 private key and the Ed25519 signing key; never printed, stored or compared.

    `new_signing_key` is true in the one request that made the signing key of an account from before
    signing keys: what that account shared before is signed then (sharing/service.py).
    """

    user_id: uuid.UUID
    uk_version: int
    user_key: bytes = field(repr=False)
    private_key: bytes = field(repr=False)
    signing_key: bytes = field(repr=False, default=b"")
    new_signing_key: bool = field(default=False, kw_only=True)
