"""The authenticator's secret for two-step sign-in, sealed under the user key: never in clear at rest."""

from __future__ import annotations

import base64
import binascii

from ..models import User
from .keyring import Keyring
from .primitives import VaultError, open_sealed, seal
from .user_key_seals import totp_secret_context


def seal_totp_secret(user: User, keyring: Keyring, secret: str) -> None:
    """Keep the base32 secret in the user's row, sealed under their user key (bound to them and the key version)."""
    if keyring.user_id != user.id:
        raise VaultError("keyring belongs to another user")
    try:
        raw = base64.b32decode(secret, casefold=False)
    except (binascii.Error, ValueError):
        raise VaultError("not a base32 secret") from None
    user.totp_secret_ciphertext = seal(keyring.user_key, raw, _ctx(user, keyring.uk_version))


def open_totp_secret(user: User, keyring: Keyring) -> str | None:
    """The base32 secret, or None when there is none; VaultError when it does not open."""
    if user.totp_secret_ciphertext is None:
        return None
    return base64.b32encode(_open_raw(user, keyring)).decode("ascii")


def reseal_totp_secret(user: User, keyring: Keyring) -> None:
    """The secret sealed again under the keyring's (new) user key: for a key rotation. None stays None."""
    if user.totp_secret_ciphertext is not None:
        user.totp_secret_ciphertext = seal(keyring.user_key, _open_raw(user, keyring), _ctx(user, keyring.uk_version))


def _open_raw(user: User, keyring: Keyring) -> bytes:
    if keyring.user_id != user.id:
        raise VaultError("keyring belongs to another user")
    if user.totp_secret_ciphertext is None:
        raise VaultError("no sealed secret to open")
    # While a rotation is under way the secret is under the new key or the one being replaced.
    for version, key in keyring.keys_newest_first():
        try:
            return open_sealed(key, bytes(user.totp_secret_ciphertext), _ctx(user, version))
        except VaultError:
            continue
    raise VaultError("sealed value did not open")


def _ctx(user: User, uk_version: int) -> bytes:
    return totp_secret_context(user.id, uk_version)
