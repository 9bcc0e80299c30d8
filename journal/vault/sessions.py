"""Server-side session rows: the unlocked keys between requests, wrapped under the cookie's token."""

from __future__ import annotations

import base64
import binascii
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..db import changed_rows, forget_after_commit
from ..models import AuthSession, PushSubscription, User
from .keyring import Keyring
from .next_key import with_rotation
from .primitives import VaultError, context, hkdf, sha256, unwrap_key, wrap_key
from .signing import unlock_signing_key

TOKEN_BYTES = 32
# last_seen_at is written at most this often, so plain page views do not each write a row.
TOUCH_EVERY = timedelta(seconds=60)


# The session row and its user in one statement, built once: this runs before every signed-in page.
_RESUME = (
    select(AuthSession, User)
    .join(User, User.id == AuthSession.user_id)
    .where(AuthSession.token_hash == bindparam("token_hash"))
)


@dataclass(frozen=True)
class Resumed:
    """The user behind a cookie, their keys and their session row.

    A row still waiting for its one-time code comes back with `pending` set and no keys, unless
    the code form asked for it (`second_factor=True`).
    """

    user: User
    keyring: Keyring | None
    session: AuthSession
    pending: bool = False


def open_session(
    db: Session,
    user: User,
    keyring: Keyring,
    now: datetime,
    lifetime: timedelta,
    *,
    device: str | None = None,
    password_at: datetime | None = None,
    second_factor_pending: bool = False,
) -> str:
    """A new session row; returns the token for the cookie. The database never sees the token.

    `password_at` is when the password was entered (default: now); `second_factor_pending` makes
    a row that only the one-time code form accepts.
    """
    token = os.urandom(TOKEN_BYTES)
    token_hash = _token_hash(token)
    kek = _session_kek(token, token_hash)
    db.add(
        AuthSession(
            token_hash=token_hash,
            user_id=user.id,
            uk_wrap=wrap_key(kek, keyring.account_key, _ctx("uk-sess", token_hash, keyring)),
            priv_wrap=wrap_key(kek, keyring.private_key, _ctx("priv-sess", token_hash, keyring)),
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            device=device,
            password_at=now if password_at is None else password_at,
            second_factor_pending=second_factor_pending,
        )
    )
    db.flush()
    return base64.urlsafe_b64encode(token).decode("ascii").rstrip("=")


def resume_session(
    db: Session,
    cookie_value: str | None,
    now: datetime,
    idle_limit: dict[str, timedelta],
    *,
    second_factor: bool = False,
) -> Resumed | None:
    """The user and keys behind a cookie, or None. An idle or expired row is deleted on sight.

    A row waiting for its one-time code opens only for the code form (`second_factor=True`);
    everywhere else it comes back `pending`, without keys. The code form gets None for any other row.
    """
    token = _decode(cookie_value)
    if token is None:
        return None
    token_hash = _token_hash(token)
    found = db.execute(_RESUME, {"token_hash": token_hash}).one_or_none()
    if found is None:
        return None
    row, user = found
    if now >= row.expires_at or now - row.last_seen_at >= idle_limit[user.role]:
        db.delete(row)
        db.flush()
        return None
    if row.second_factor_pending != second_factor:
        return Resumed(user, None, row, pending=True) if row.second_factor_pending else None
    kek = _session_kek(token, token_hash)
    probe = Keyring(user.id, user.uk_version, b"", b"")
    try:
        user_key = unwrap_key(kek, row.uk_wrap, _ctx("uk-sess", token_hash, probe))
        private_key = unwrap_key(kek, row.priv_wrap, _ctx("priv-sess", token_hash, probe))
    except VaultError:
        db.delete(row)
        db.flush()
        return None
    # The signing key is sealed under the user key on the account row (made now for an older account).
    signing_key, made = unlock_signing_key(user, user_key, claim=True)
    try:
        keyring = with_rotation(
            user, Keyring(user.id, user.uk_version, user_key, private_key, signing_key, new_signing_key=made)
        )
    except VaultError:
        db.delete(row)
        db.flush()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY and not row.second_factor_pending:
        row.last_seen_at = now
        db.flush()
    return Resumed(user, keyring, row, pending=row.second_factor_pending)


def rewrap_session(db: Session, cookie_value: str | None, keyring: Keyring) -> AuthSession | None:
    """After a rotation: the cookie's session row wraps the new key (the old wraps are overwritten)."""
    token = _decode(cookie_value)
    if token is None:
        return None
    token_hash = _token_hash(token)
    row = db.get(AuthSession, token_hash)
    if row is None or row.user_id != keyring.user_id:
        return None
    kek = _session_kek(token, token_hash)
    row.uk_wrap = wrap_key(kek, keyring.account_key, _ctx("uk-sess", token_hash, keyring))
    row.priv_wrap = wrap_key(kek, keyring.private_key, _ctx("priv-sess", token_hash, keyring))
    db.flush()
    forget_after_commit(db)
    return row


def end_session(db: Session, cookie_value: str | None) -> AuthSession | None:
    """Deletes the cookie's session row; returns it (ended), or None if there was none."""
    token = _decode(cookie_value)
    if token is None:
        return None
    row = db.get(AuthSession, _token_hash(token))
    if row is not None:
        _end_devices(db, PushSubscription.session_handle == session_handle(row))
        db.delete(row)
        db.flush()
        forget_after_commit(db)
    return row


def user_sessions(db: Session, user_id: uuid.UUID) -> list[AuthSession]:
    """The user's signed-in sessions (not those waiting for a one-time code), newest first."""
    return list(
        db.scalars(
            select(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.second_factor_pending.is_(False))
            .order_by(AuthSession.created_at.desc(), AuthSession.token_hash)
        )
    )


def session_handle(row: AuthSession) -> str:
    """A name for a session row that pages may show: not the row's key, and nothing that opens it."""
    return sha256(b"handle" + bytes(row.token_hash)).hex()[:32]


def end_other_sessions(db: Session, user_id: uuid.UUID, keep: AuthSession, handle: str | None = None) -> int:
    """Ends the user's sessions other than `keep`: all of them, or the one named by `handle`. Returns how many."""
    others = [
        row
        for row in db.scalars(select(AuthSession).where(AuthSession.user_id == user_id))
        if row.token_hash != keep.token_hash and (handle is None or session_handle(row) == handle)
    ]
    if others:
        _end_devices(db, PushSubscription.session_handle.in_([session_handle(row) for row in others]))
    for row in others:
        db.delete(row)
    db.flush()
    if others:
        forget_after_commit(db)
    return len(others)


def end_all_sessions(db: Session, user_id: uuid.UUID) -> None:
    """Signs the user out everywhere: every wrap of their key held for a browser is gone."""
    _end_devices(db, PushSubscription.user_id == user_id)
    db.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
    forget_after_commit(db)


def _end_devices(db: Session, which: ColumnElement[bool]) -> None:
    """Signing out of a browser ends what it registered under that sign-in: its push subscription, so reminders
    stop reaching a device signed out of. The idle lock and the sweep of stale sessions leave it: a locked phone
    still gets its reminders (which say nothing private)."""
    db.execute(delete(PushSubscription).where(which))


def purge_stale_sessions(db: Session, now: datetime, longest_idle: timedelta) -> int:
    """Sessions past their end or idle longer than any idle lock allows: their key wraps go. Returns how many."""
    purged = changed_rows(
        db.execute(
            delete(AuthSession).where(
                or_(AuthSession.expires_at <= now, AuthSession.last_seen_at <= now - longest_idle)
            )
        )
    )
    if purged:
        forget_after_commit(db)
    return purged or 0


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
    return context(purpose, token_hash, keyring.user_id, keyring.account_version)
