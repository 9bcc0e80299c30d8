"""Argon2id: one run per sign-in, parameters stored per user and bounded when read."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from .primitives import VaultError, context, hkdf

# Hard ceilings, whatever a stored row says: a row edited to ask for gigabytes cannot exhaust memory.
MAX_MEMORY_KIB = 1024 * 1024
MAX_ITERATIONS = 10
MAX_LANES = 4
MAX_PASSWORD_BYTES = 1024


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    iterations: int
    lanes: int


class KdfPolicy:
    """What new passwords are derived with, the weakest stored params accepted, and a concurrency cap."""

    def __init__(self, config: Mapping):
        self.target = KdfParams(config["VAULT_KDF_MEMORY_KIB"], config["VAULT_KDF_ITERATIONS"], 1)
        self.floor = KdfParams(config["VAULT_KDF_MIN_MEMORY_KIB"], config["VAULT_KDF_MIN_ITERATIONS"], 1)
        self._slots = threading.BoundedSemaphore(max(1, config["VAULT_KDF_CONCURRENCY"]))

    def check(self, params: KdfParams) -> KdfParams:
        if not (self.floor.memory_kib <= params.memory_kib <= MAX_MEMORY_KIB):
            raise VaultError("stored KDF memory out of range")
        if not (self.floor.iterations <= params.iterations <= MAX_ITERATIONS):
            raise VaultError("stored KDF iterations out of range")
        if not (1 <= params.lanes <= MAX_LANES):
            raise VaultError("stored KDF lanes out of range")
        return params

    def derive_root(self, password: str, salt: bytes, params: KdfParams) -> bytes:
        secret = password_bytes(password)
        with self._slots:
            return Argon2id(
                salt=salt,
                length=32,
                iterations=params.iterations,
                lanes=params.lanes,
                memory_cost=params.memory_kib,
            ).derive(secret)


def password_bytes(password: str) -> bytes:
    """NFKC-normalised UTF-8: the same password typed on any keyboard gives the same bytes."""
    data = unicodedata.normalize("NFKC", password).encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        raise VaultError("password too long")
    return data


def split_root(root: bytes) -> tuple[bytes, bytes]:
    """The root gives an auth key (whose hash is the stored verifier) and the key-encryption key."""
    return hkdf(root, context("auth")), hkdf(root, context("kek"))
