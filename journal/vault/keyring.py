"""The unlocked keys of one signed-in user, for one request."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False)
class Keyring:
    """Holds the user key and X25519 private key; never printed, never stored, never compared."""

    user_id: uuid.UUID
    uk_version: int
    user_key: bytes = field(repr=False)
    private_key: bytes = field(repr=False)
