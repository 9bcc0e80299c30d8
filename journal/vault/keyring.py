"""The unlocked keys of one signed-in user, for one request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from .primitives import VaultError


@dataclass(frozen=True, eq=False)
class PreviousKey:
    """The user key a rotation is replacing: it still opens what is not re-sealed yet, and seals nothing."""

    uk_version: int
    user_key: bytes = field(repr=False)


@dataclass(frozen=True, eq=False)
class Keyring:
    """Holds the user key, the X25519 private key and the Ed25519 signing key; never printed, stored or compared.

    `user_key` and `uk_version` are what new things are sealed under. While a rotation is under way
    (vault/rotation.py) they are the new key, and `previous` carries the key being replaced, which
    the account row and the session rows still wrap until the rotation ends.

    `new_signing_key` is true in the one request that made the signing key of an account from before
    signing keys: what that account shared before is signed then (sharing/service.py).
    """

    user_id: uuid.UUID
    uk_version: int
    user_key: bytes = field(repr=False)
    private_key: bytes = field(repr=False)
    signing_key: bytes = field(repr=False, default=b"")
    previous: PreviousKey | None = field(default=None, repr=False, kw_only=True)
    new_signing_key: bool = field(default=False, kw_only=True)

    @cached_property
    def x25519(self) -> X25519PrivateKey:
        """The X25519 private key as an object, made once per keyring (a desk page opens hundreds of shares)."""
        return X25519PrivateKey.from_private_bytes(self.private_key)

    @property
    def rotating(self) -> bool:
        return self.previous is not None

    @property
    def account_version(self) -> int:
        """The version the account row names: the key its password, recovery and session wraps hold."""
        return self.previous.uk_version if self.previous is not None else self.uk_version

    @property
    def account_key(self) -> bytes:
        return self.previous.user_key if self.previous is not None else self.user_key

    def key_for(self, uk_version: int) -> bytes:
        """The user key of that version, if this keyring holds it."""
        if uk_version == self.uk_version:
            return self.user_key
        if self.previous is not None and uk_version == self.previous.uk_version:
            return self.previous.user_key
        raise VaultError("no user key of that version in this keyring")

    def keys_newest_first(self) -> list[tuple[int, bytes]]:
        """(version, key) pairs to try on a value sealed without its version: the new key first."""
        keys = [(self.uk_version, self.user_key)]
        if self.previous is not None:
            keys.append((self.previous.uk_version, self.previous.user_key))
        return keys
