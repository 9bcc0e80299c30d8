"""Sharing's work while a person's keys are open (registered in sharing/__init__.py, run by accounts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .. import vault
from ..models import User
from .service import rekey_pending, sign_earlier_shares
from .signers import adopt_earlier_links


def earlier_shares_and_links(db: Session, user: User, keyring: vault.Keyring, now: datetime) -> None:
    """In the one request that made the signing key of an account from before signing keys: a client's
    earlier shares are signed, a clinician's earlier links are pinned (service.py, signers.py)."""
    if not keyring.new_signing_key:
        return
    if user.role == "client":
        sign_earlier_shares(db, keyring, now)
    else:
        adopt_earlier_links(db, keyring)


def ended_links(db: Session, user: User, keyring: vault.Keyring, now: datetime) -> None:
    """A client signing in: the shares a clinician ended while they were away are re-keyed."""
    if user.role == "client":
        rekey_pending(db, keyring, now)
