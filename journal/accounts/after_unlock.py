"""Work other packages do while a person's keys are open, registered at app start; accounts run it.

Accounts import no feature package: a feature says what it needs done in its own `init_app`
(sharing/__init__.py), and accounts/service.py runs it at these moments:

- `unlocked`: every time the keys are opened: a sign-in with the password, recovery, each request's session;
- `signed_in`: a sign-in with the password, after `unlocked`, before any one-time code step.

A hook is called as hook(db, user, keyring, now) and writes in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy.orm import Session

from .. import vault
from ..models import User

Hook = Callable[[Session, User, vault.Keyring, datetime], None]
EXTENSION = "after_unlock"


@dataclass
class Hooks:
    unlocked: list[Hook] = field(default_factory=list)
    signed_in: list[Hook] = field(default_factory=list)


def init_app(app: Flask) -> None:
    """Before any package registers: an app starts with no hooks."""
    app.extensions[EXTENSION] = Hooks()


def on_unlock(app: Flask, hook: Hook) -> None:
    app.extensions[EXTENSION].unlocked.append(hook)


def on_sign_in(app: Flask, hook: Hook) -> None:
    app.extensions[EXTENSION].signed_in.append(hook)


def unlocked(db: Session, user: User, keyring: vault.Keyring, now: datetime) -> None:
    for hook in current_app.extensions[EXTENSION].unlocked:
        hook(db, user, keyring, now)


def signed_in(db: Session, user: User, keyring: vault.Keyring, now: datetime) -> None:
    for hook in current_app.extensions[EXTENSION].signed_in:
        hook(db, user, keyring, now)
