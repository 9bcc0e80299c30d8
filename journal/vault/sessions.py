"""Server-side session rows: the unlocked keys between requests, wrapped under the cookie's token."""
from __future__ import annotations

import base64
import binascii
import os
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from ..models import AuthSession, User
from .keyring import Keyring
from .primitives import VaultError, context, hkdf, sha256, unwrap_key, wrap_key

TOKEN_BYTES = 32
# last_seen_at is written at most this often, so plain page views do not each write a row.
TOUCH_EVERY = timedelta(seconds=60)


def open_session(db: Session, user: User, keyring: Keyring, now: datetime, lifetime: timedelta) -> str:
    """A new session row; returns the token for the cookie. The database never sees the token."""
    token = os.urandom(TOKEN_BYTES)
    token_hash = _token_hash(token)
    kek = _session_kek(token, token_hash)
    db.add(
        AuthSession(
            token_hash=token_hash,
            user_id=user.id,
            uk_wrap=wrap_key(kek, keyring.user_key, _ctx("uk-sess", token_hash, keyring)),
            priv_wrap=wrap_key(kek, keyring.private_key, _ctx("priv-sess", token_hash, keyring)),
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    db.flush()
    return base64.urlsafe_b64encode(token).decode("ascii").rstrip("=")


def resume_session(
    db: Session, cookie_value: str | None, now: datetime, idle_limit: dict[str, timedelta]
) -> tuple[User, Keyring] | None:
    """The user and keys behind a cookie, or None. An idle or expired row is deleted on sight."""
    token = _decode(cookie_value)
    if token is None:
        return None
    token_hash = _token_hash(token)
    row = db.get(AuthSession, token_hash)
    if row is None:
        return None
    user = db.get(User, row.user_id)
    if user is None or now >= row.expires_at or now - row.last_seen_at >= idle_limit[user.role]:
        db.delete(row)
        db.flush()
        return None
    kek = _session_kek(token, token_hash)
    probe = Keyring(user.id, user.uk_version, b"", b"")
    try:
        user_key = unwrap_key(kek, row.uk_wrap, _ctx("uk-sess", token_hash, probe))
        private_key = unwrap_key(kek, row.priv_wrap, _ctx("priv-sess", token_hash, probe))
    except VaultError:
        db.delete(row)
        db.flush()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.flush()
    return user, Keyring(user.id, user.uk_version, user_key, private_key)


def end_session(db: Session, cookie_value: str | None) -> None:
    token = _decode(cookie_value)
    if token is not None:
        db.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))


def end_all_sessions(db: Session, user_id: uuid.UUID) -> None:
    """Signs the user out everywhere: every wrap of their key held for a browser is gone."""
    db.execute(delete(AuthSession).where(AuthSession.user_id == user_id))


def purge_stale_sessions(db: Session, now: datetime, longest_idle: timedelta) -> None:
    db.execute(
        delete(AuthSession).where(
            or_(AuthSession.expires_at <= now, AuthSession.last_seen_at <= now - longest_idle)
        )
    )


def _decode(cookie_value: str | None) -> bytes | None:
    if not cookie_value or len(cookie_value) > 64:
        return None
    try:
        token = base64.urlsafe_b64decode(cookie_value + "=" * (-len(cookie_value) % 4))
    except (binascii.Error, ValueError):
        return None
    return token if len(token) == TOKEN_BYTES else None


def _token_hash(token: bytes) -> bytes:
    return sha256(b"sid" + token)


def _session_kek(token: bytes, token_hash: bytes) -> bytes:
    return hkdf(token, context("session-kek", token_hash))


def _ctx(purpose: str, token_hash: bytes, keyring: Keyring) -> bytes:
    return context(purpose, token_hash, keyring.user_id, keyring.uk_version)
