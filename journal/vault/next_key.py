"""The new user key of a rotation under way: made, wrapped under the key it replaces, unwrapped at every unlock.

While `users.rotation_uk_wrap` is set, whoever unlocks the current user key (a password, the recovery
code, a session row) also gets the new one: their keyring seals under the new key and opens under
either. That is how any session of the user, or the next sign-in, carries a rotation on.
"""

from __future__ import annotations

import uuid

from ..models import User
from .keyring import Keyring, PreviousKey
from .primitives import VaultError, context, random_key, unwrap_key, wrap_key


def begin(user: User, keyring: Keyring) -> Keyring:
    """A fresh user key for the next version, kept wrapped under the current one; the keyring that carries both."""
    if user.rotation_uk_wrap is not None:
        raise VaultError("a rotation is already under way")
    rotating, wrap = make(user, keyring)
    user.rotation_uk_wrap = wrap
    user.rotation_uk_wrap_pw = None
    user.rotation_uk_wrap_recovery = None
    return rotating


def make(user: User, keyring: Keyring) -> tuple[Keyring, bytes]:
    """A new key for the next version and its wrap under the current key, not yet written anywhere."""
    if keyring.user_id != user.id or keyring.rotating or keyring.uk_version != user.uk_version:
        raise VaultError("a rotation starts from the account's current key")
    new_key, new_version = random_key(), user.uk_version + 1
    wrap = wrap_key(keyring.user_key, new_key, _ctx(user.id, user.uk_version, new_version))
    return Keyring(
        user.id,
        new_version,
        new_key,
        keyring.private_key,
        keyring.signing_key,
        previous=PreviousKey(keyring.uk_version, keyring.user_key),
        new_signing_key=keyring.new_signing_key,
    ), wrap


def with_rotation(user: User, keyring: Keyring) -> Keyring:
    """The keyring as it is while a rotation is under way (both keys), or unchanged when none is."""
    if user.rotation_uk_wrap is None or keyring.rotating:
        return keyring
    if keyring.uk_version != user.uk_version:
        raise VaultError("keyring is not the account's current key")
    new_version = user.uk_version + 1
    new_key = unwrap_key(keyring.user_key, user.rotation_uk_wrap, _ctx(user.id, user.uk_version, new_version))
    return Keyring(
        user.id,
        new_version,
        new_key,
        keyring.private_key,
        keyring.signing_key,
        previous=PreviousKey(keyring.uk_version, keyring.user_key),
        new_signing_key=keyring.new_signing_key,
    )


def _ctx(user_id: uuid.UUID, old_version: int, new_version: int) -> bytes:
    return context("uk-next", user_id, old_version, new_version)
