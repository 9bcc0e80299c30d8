"""Holding a user key while a write that depends on it commits, so a key rotation cannot retire it meanwhile.

A rotation ends with one statement that moves the user's row to the new `uk_version` (records/rotation.py),
after checking that no row is left under the old one. A request that loaded its keys before that and
commits after it would leave a row sealed under a key that no longer exists. Each write takes the
user's row in the same transaction (a row lock on PostgreSQL, the write lock on SQLite), after the rows
it writes, so that either the rotation sees the write and re-keys it, or the write sees the rotation
and is refused with nothing saved.

Lock order, everywhere: records, blobs, shares, links, then the user's row.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from .. import vault
from ..db import changed_rows
from ..models import User


class KeyRetired(Exception):
    """The user key this request held was retired by a rotation that ended meanwhile: nothing was saved."""


def hold_sealing_key(db: Session, keyring: vault.Keyring) -> None:
    """Before commit of anything sealed under `keyring.user_key`: still a key the account can open."""
    if not _hold(db, keyring, User.uk_version <= keyring.uk_version):
        raise KeyRetired()


def hold_account_key(db: Session, user: User, keyring: vault.Keyring) -> vault.Keyring:
    """Before new wraps of the user key (password, recovery code, a rotation's start): the key the account names.

    Reads the user's row again under the hold, and returns the keyring as it must be now: with the new
    key of a rotation another request started meanwhile.
    """
    if not _hold(db, keyring, User.uk_version == keyring.account_version):
        raise KeyRetired()
    db.refresh(user)
    return vault.with_rotation(user, keyring)


def _hold(db: Session, keyring: vault.Keyring, condition) -> bool:
    return (
        changed_rows(
            db.execute(
                update(User)
                .where(User.id == keyring.user_id, condition)
                .values(uk_version=User.uk_version)
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )
