"""Rotate my keys: a new user key for everything, after the password (or a recovery code) is given.

Rules only; keys stay in the vault, rows in records/rotation.py. A rotation is started here and then
carried on a slice at a time by whichever request of the user comes next (web/access/login.py calls
`carry_on`; the progress on Me → Security asks for bigger slices), each batch committed on its own,
until the last transaction drops the old key. It survives a closed page, a killed worker or a lost
network: the state is on the user's row, and any session that opens the old key opens the new one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from .. import vault
from ..accounts import password_again
from ..activity import service as activity
from ..db import utcnow
from ..models import AuthSession, User
from ..records import rotation as rows
from ..records.key_hold import KeyRetired, hold_account_key
from . import protections

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Status:
    """Where a rotation is: `keyring` is the one to use for the rest of the request."""

    keyring: vault.Keyring
    done: int
    total: int
    finished: bool = False  # finished during this call

    @property
    def under_way(self) -> bool:
        return self.keyring.rotating


def start(
    db: Session, config: Mapping, user: User, keyring: vault.Keyring, session: AuthSession, password: str, now: datetime
) -> vault.Keyring | None:
    """The password right: a rotation begins, and every other session ends. None when the password is wrong.

    Counted with the account's passwords entered again (RateLimited when too many). A rotation
    already under way is carried on, not started again. The caller commits.
    """
    if keyring.rotating:
        return keyring
    # The slow part, holding nothing.
    prepared = password_again.check(
        config, user, password, now, lambda typed: vault.prepare_rotation(user, keyring, typed)
    )
    if prepared is None:
        return None
    keyring = hold_account_key(db, user, keyring)
    if keyring.rotating:
        return keyring  # another device of theirs started one a moment ago
    try:
        keyring = vault.begin_prepared_rotation(user, prepared)
    except vault.VaultError:
        raise KeyRetired() from None  # the password changed meanwhile
    user.rotation_started_at = now
    ended = vault.end_other_sessions(db, user.id, keep=session)
    protections.mark_password_entered(session, now)
    activity.record(db, user.id, "keys_rotation_started", device=session.device, detail=str(ended), now=now)
    return keyring


def start_after_recovery(db: Session, user: User, keyring: vault.Keyring, now: datetime) -> vault.Keyring:
    """Recovery: the old password may be known to someone, so the keys rotate too. Before the new password is set.

    The caller then sets the password and makes the recovery code with the returned keyring, so both
    open the new key as well; the rotation keeps that code instead of making another.
    """
    keyring = hold_account_key(db, user, keyring)
    if keyring.rotating:
        return keyring
    keyring = vault.begin_rotation(user, keyring)
    user.rotation_started_at = now
    activity.record(db, user.id, "keys_rotation_started", detail="recovery", now=now)
    return keyring


def status(db: Session, keyring: vault.Keyring) -> Status:
    found = rows.progress(db, keyring)
    return Status(keyring, found.done, found.total)


def advance(
    db: Session,
    user: User,
    keyring: vault.Keyring,
    cookie_value: str | None,
    seconds: float,
    *,
    device: str | None = None,
    batch: int = rows.BATCH,
    after_batch: Callable[[], None] | None = None,
) -> Status:
    """Re-key batches (each committed) for about `seconds`, at least one; finish when nothing is left.

    Finishing keeps the session of `cookie_value` (its wraps re-made under the new key) and ends every
    other one; without a cookie every session ends. `after_batch` runs after each commit.
    """
    deadline = time.monotonic() + seconds
    while keyring.rotating:
        found = rows.rekey_batch(db, keyring, utcnow(), size=batch)
        db.commit()
        if after_batch is not None:
            after_batch()
        if found == 0:
            finished = _finish(db, user, keyring, cookie_value, device)
            if finished is not None:
                total = rows.progress(db, finished).total
                return Status(finished, total, total, finished=True)
        if time.monotonic() >= deadline:
            break
    return status(db, keyring)


def carry_on(
    db: Session,
    config: Mapping,
    user: User,
    keyring: vault.Keyring,
    cookie_value: str | None,
    *,
    device: str | None = None,
    page: bool = False,
) -> vault.Keyring:
    """A request of a user whose rotation is under way does some of it; never fails the request.

    The progress page (`page`) works for KEY_ROTATION_PAGE_SECONDS, any other request for
    KEY_ROTATION_ANY_PAGE_SECONDS, each at least one batch of KEY_ROTATION_BATCH. Returns the keyring
    for the rest of the request (the plain new one if the rotation finished).
    """
    if not keyring.rotating:
        return keyring
    seconds = config["KEY_ROTATION_PAGE_SECONDS" if page else "KEY_ROTATION_ANY_PAGE_SECONDS"]
    try:
        return advance(
            db, user, keyring, cookie_value, seconds, device=device, batch=config["KEY_ROTATION_BATCH"]
        ).keyring
    except (OperationalError, InterfaceError):
        raise  # the database is down or full: the error pages say so
    except Exception as error:  # noqa: BLE001 - the page still opens; the next request tries again
        db.rollback()
        log.warning("key rotation step not taken: %s", type(error).__name__)
        return keyring


def unseen_code(user: User, keyring: vault.Keyring) -> str | None:
    """The recovery code a finished rotation made, if it has not been shown yet."""
    return vault.unseen_recovery_code(user, keyring)


def code_shown(user: User) -> None:
    """The code was shown once: it is not kept any longer."""
    user.unseen_recovery_code_ciphertext = None


def _finish(
    db: Session, user: User, keyring: vault.Keyring, cookie_value: str | None, device: str | None
) -> vault.Keyring | None:
    try:
        final, code = rows.finish(db, user, keyring)
    except rows.Incomplete as incomplete:
        db.rollback()  # the old key and every wrap of it stay; the next batch takes what is left
        log.info(
            "key rotation not finished yet: %d rows, %d shares left", incomplete.rows_left, incomplete.stale_shares
        )
        return None
    kept = vault.rewrap_session(db, cookie_value, final)
    if kept is not None:
        vault.end_other_sessions(db, user.id, keep=kept)
    else:
        vault.end_all_sessions(db, user.id)
    if code is not None:
        user.recovery_confirmed_at = None
    activity.record(db, user.id, "keys_rotated", device=device, detail="new code" if code else None)
    db.commit()
    return final
