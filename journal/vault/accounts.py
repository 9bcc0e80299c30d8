"""Account keys: sign-up, unlocking by password or recovery code, new password, new recovery code."""

from __future__ import annotations

import base64
import hmac
import os
import re
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from flask import current_app

from ..models import User
from . import next_key
from .kdf import KdfParams, KdfPolicy, split_root
from .keyring import Keyring
from .next_key import with_rotation
from .primitives import VaultError, context, hkdf, random_key, sha256, unwrap_key, wrap_key
from .signing import new_signing_key, unlock_signing_key
from .user_key_seals import x25519_key_context

RECOVERY_CODE_BYTES = 20  # 160 bits, 32 base32 characters shown in groups of four
_BASE32_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def _policy() -> KdfPolicy:
    return current_app.extensions["vault_kdf_policy"]


@dataclass(frozen=True)
class NewAccount:
    keyring: Keyring
    recovery_code: str


def create_account_keys(user: User, password: str) -> NewAccount:
    """Fill a new user's key columns: verifier, wraps of a fresh user key, an X25519 keypair."""
    user_key = random_key()
    private = X25519PrivateKey.generate()
    private_raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    user.uk_version = 1
    user.x25519_pub = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    user.x25519_priv_wrap = wrap_key(user_key, private_raw, _priv_ctx(user))
    signing_raw = new_signing_key(user, user_key)
    keyring = Keyring(user.id, user.uk_version, user_key, private_raw, signing_raw)
    _set_password(user, keyring, password)
    code = _set_recovery_code(user, keyring)
    return NewAccount(keyring, code)


def unlock_with_password(user: User | None, password: str) -> Keyring | None:
    """The user's keys if the password is right; None otherwise, after the same Argon2id work."""
    policy = _policy()
    if user is None:
        # Unknown email: spend the same time as a real check, then fail.
        policy.derive_root(password, os.urandom(16), policy.target)
        return None
    try:
        params = policy.check(KdfParams(user.kdf_memory_kib, user.kdf_iterations, user.kdf_lanes))
        auth_key, kek = split_root(policy.derive_root(password, user.kdf_salt, params))
    except VaultError:
        return None
    if not hmac.compare_digest(sha256(auth_key), user.auth_verifier):
        return None
    try:
        user_key = unwrap_key(kek, user.uk_wrap_pw, _uk_pw_ctx(user))
        keyring = _keyring(user, user_key)
    except VaultError:
        return None
    target = policy.target
    if params.memory_kib < target.memory_kib or params.iterations < target.iterations:
        _set_password(user, keyring, password)  # stored params below policy: derive again, re-wrap
    return keyring


def unlock_with_recovery_code(user: User | None, code: str) -> Keyring | None:
    """The user's keys if the recovery code opens them; None otherwise."""
    raw = parse_recovery_code(code)
    if user is None or raw is None:
        return None
    try:
        return _keyring(user, unwrap_key(_recovery_kek(user, raw), user.uk_wrap_recovery, _uk_rc_ctx(user)))
    except VaultError:
        return None


def set_new_password(user: User, keyring: Keyring, new_password: str) -> None:
    """Re-wrap the user key under a new password. Records, keypair and recovery wrap are untouched.

    While a rotation is under way the new user key is wrapped under the new password too.
    """
    _require_owner(user, keyring)
    _set_password(user, keyring, new_password)


@dataclass(frozen=True, eq=False)
class PreparedRotation:
    """A rotation's new key and its wraps, made with the password before anything is written or held."""

    keyring: Keyring
    kdf_salt: bytes = field(repr=False)
    uk_wrap: bytes = field(repr=False)
    uk_wrap_pw: bytes = field(repr=False)


def prepare_rotation(user: User, keyring: Keyring, password: str) -> PreparedRotation | None:
    """A new user key wrapped under the current one and under the password (one Argon2id run, which checks it).

    None when the password is not right. Nothing is written: `begin_prepared_rotation` does that.
    """
    _require_owner(user, keyring)
    policy = _policy()
    try:
        params = policy.check(KdfParams(user.kdf_memory_kib, user.kdf_iterations, user.kdf_lanes))
        auth_key, kek = split_root(policy.derive_root(password, user.kdf_salt, params))
    except VaultError:
        return None
    if not hmac.compare_digest(sha256(auth_key), user.auth_verifier):
        return None
    rotating, wrap = next_key.make(user, keyring)
    return PreparedRotation(
        rotating,
        bytes(user.kdf_salt),
        wrap,
        wrap_key(kek, rotating.user_key, context("uk-pw", _uid(user), rotating.uk_version)),
    )


def begin_prepared_rotation(user: User, prepared: PreparedRotation) -> Keyring:
    """Write a prepared rotation into the user's row, if the row is still as it was prepared against."""
    if (
        user.rotation_uk_wrap is not None
        or user.uk_version != prepared.keyring.account_version
        or bytes(user.kdf_salt) != prepared.kdf_salt
    ):
        raise VaultError("the account changed since the rotation was prepared")
    user.rotation_uk_wrap = prepared.uk_wrap
    user.rotation_uk_wrap_pw = prepared.uk_wrap_pw
    user.rotation_uk_wrap_recovery = None
    return prepared.keyring


def replace_recovery_code(user: User, keyring: Keyring) -> str:
    """A new recovery code; the old one stops opening anything (the new key of a rotation too)."""
    _require_owner(user, keyring)
    return _set_recovery_code(user, keyring)


def parse_recovery_code(code: str) -> bytes | None:
    """Accepts the code however it was copied: any case, spaces or dashes, 0/1/8 for O/I/B."""
    cleaned = re.sub(r"[^A-Za-z0-9]", "", code or "").upper().translate(_BASE32_FIXES)
    if len(cleaned) != 32 or not re.fullmatch(r"[A-Z2-7]{32}", cleaned):
        return None
    return base64.b32decode(cleaned)


def format_recovery_code(raw: bytes) -> str:
    text = base64.b32encode(raw).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _set_password(user: User, keyring: Keyring, password: str) -> None:
    _require_account_key(user, keyring)
    policy = _policy()
    user.kdf_salt = os.urandom(16)
    params = policy.target
    user.kdf_memory_kib, user.kdf_iterations, user.kdf_lanes = params.memory_kib, params.iterations, params.lanes
    auth_key, kek = split_root(policy.derive_root(password, user.kdf_salt, params))
    user.auth_verifier = sha256(auth_key)
    user.uk_wrap_pw = wrap_key(kek, keyring.account_key, _uk_pw_ctx(user))
    if keyring.rotating:  # the new key of the rotation under way opens with the same password
        user.rotation_uk_wrap_pw = wrap_key(kek, keyring.user_key, context("uk-pw", _uid(user), keyring.uk_version))


def _set_recovery_code(user: User, keyring: Keyring) -> str:
    _require_account_key(user, keyring)
    raw = os.urandom(RECOVERY_CODE_BYTES)
    user.recovery_salt = os.urandom(16)
    kek = _recovery_kek(user, raw)
    user.uk_wrap_recovery = wrap_key(kek, keyring.account_key, _uk_rc_ctx(user))
    if keyring.rotating:
        user.rotation_uk_wrap_recovery = wrap_key(
            kek, keyring.user_key, context("uk-rc", _uid(user), keyring.uk_version)
        )
    return format_recovery_code(raw)


def _keyring(user: User, user_key: bytes) -> Keyring:
    """Every key the user key opens; an account from before signing keys gets its signing key now."""
    private_raw = unwrap_key(user_key, user.x25519_priv_wrap, _priv_ctx(user))
    signing_raw, made = unlock_signing_key(user, user_key)
    return with_rotation(
        user, Keyring(user.id, user.uk_version, user_key, private_raw, signing_raw, new_signing_key=made)
    )


def _require_account_key(user: User, keyring: Keyring) -> None:
    """Wraps of the user key are of the key the account row names, and of a rotation's new key only while it runs."""
    _require_owner(user, keyring)
    if keyring.account_version != user.uk_version or (keyring.rotating and user.rotation_uk_wrap is None):
        raise VaultError("keyring does not hold the account's current key")


def _require_owner(user: User, keyring: Keyring) -> None:
    if keyring.user_id != user.id:
        raise VaultError("keyring belongs to another user")


def _recovery_kek(user: User, raw: bytes) -> bytes:
    # 160 random bits need no slow KDF; the per-user salt keeps codes from being tried across accounts.
    return hkdf(raw, context("recovery-kek", _uid(user)), salt=user.recovery_salt)


def _uid(user: User) -> uuid.UUID:
    if user.id is None:
        raise VaultError("user needs an id before keys are made")
    return user.id


def _uk_pw_ctx(user: User) -> bytes:
    return context("uk-pw", _uid(user), user.uk_version)


def _uk_rc_ctx(user: User) -> bytes:
    return context("uk-rc", _uid(user), user.uk_version)


def _priv_ctx(user: User) -> bytes:
    return x25519_key_context(_uid(user), user.uk_version)
