"""Account protections a signed-in person manages: password change, their sessions, entering the password again.

Rules only; keys stay in the vault. Every change is written to the security activity log.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from .. import vault
from ..accounts import password_again
from ..accounts.passwords import password_problem
from ..activity import service as activity
from ..models import AuthSession, User
from ..records.key_hold import hold_account_key


@dataclass(frozen=True)
class SessionView:
    handle: str
    device: str
    signed_in_at: datetime
    last_seen_at: datetime
    this_device: bool


# Entering the password again -----------------------------------------------------------------------------


def password_is_recent(session: AuthSession | None, now: datetime, within: timedelta) -> bool:
    return session is not None and session.password_at is not None and now - session.password_at < within


def mark_password_entered(session: AuthSession, now: datetime) -> None:
    session.password_at = now


def confirm_password(
    db: Session, config: Mapping, user: User, session: AuthSession, password: str, now: datetime
) -> bool:
    """The password entered again for a sensitive action: True (and the session counts as fresh) if right;
    RateLimited when too many were wrong."""
    if password_again.check(config, user, password, now) is None:
        return False
    mark_password_entered(session, now)
    db.flush()
    return True


# Password change -----------------------------------------------------------------------------------------


def password_change_problems(current: str, new: str, confirm: str) -> dict[str, str]:
    """What is wrong with the form before any password is checked: field name -> sentence."""
    problems: dict[str, str] = {}
    if not current:
        problems["current"] = "Enter the password you use now."
    problem = password_problem(new)
    if problem:
        problems["password"] = problem
    elif new != confirm:
        problems["confirm"] = "The two new passwords are not the same."
    return problems


def change_password(
    db: Session,
    config: Mapping,
    user: User,
    keyring: vault.Keyring,
    session: AuthSession,
    current: str,
    new: str,
    now: datetime,
) -> bool:
    """Re-wrap the user key under the new password; sign out every other session. False if `current` is wrong.

    Records, shares, the keypair and the recovery code are untouched: only the wrap of the user key
    and the verifier change. This session stays signed in (its wrap is under its own cookie).
    """
    if password_again.check(config, user, current, now) is None:
        return False
    keyring = hold_account_key(db, user, keyring)  # a key rotation cannot end between this and the commit
    vault.set_new_password(user, keyring, new)
    ended = vault.end_other_sessions(db, user.id, keep=session)
    mark_password_entered(session, now)
    activity.record(db, user.id, "password_changed", device=session.device, detail=str(ended), now=now)
    return True


# Sessions --------------------------------------------------------------------------------------------------


def sessions(db: Session, user_id: uuid.UUID, current: AuthSession) -> list[SessionView]:
    """Every signed-in browser of this user, this one first."""
    rows = [
        SessionView(
            vault.session_handle(row),
            row.device or "Unknown browser",
            row.created_at,
            row.last_seen_at,
            row.token_hash == current.token_hash,
        )
        for row in vault.user_sessions(db, user_id)
    ]
    return sorted(rows, key=lambda view: not view.this_device)


def end_one(db: Session, user_id: uuid.UUID, current: AuthSession, handle: str, now: datetime) -> bool:
    """Sign out one other session of this user; False if the handle names none of them (this one included)."""
    if vault.end_other_sessions(db, user_id, keep=current, handle=handle[:64]) == 0:
        return False
    activity.record(db, user_id, "sessions_ended", device=current.device, detail="1", now=now)
    return True


def end_others(db: Session, user_id: uuid.UUID, current: AuthSession, now: datetime) -> int:
    """Sign out every other session of this user; returns how many there were."""
    ended = vault.end_other_sessions(db, user_id, keep=current)
    if ended:
        activity.record(db, user_id, "sessions_ended", device=current.device, detail=str(ended), now=now)
    return ended
