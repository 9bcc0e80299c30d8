"""The password entered again by someone signed in: before a sensitive action, a new recovery code, rotating the keys.

One Argon2id run, counted in the shared counters per account apart from sign-in: only someone signed in to
this account gets here, so no stranger's wrong passwords use up the owner's tries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar, overload

from .. import vault
from ..models import User
from ..security import ratelimit
from ..security.ratelimit import RateLimited
from .passwords import MAX_BYTES

TOO_MANY = "Too many password attempts for this account. Please wait an hour and try again."

Opened = TypeVar("Opened")


@overload
def check(config: Mapping, user: User, password: str, now: datetime, unlock: None = None) -> vault.Keyring | None: ...


@overload
def check(
    config: Mapping, user: User, password: str, now: datetime, unlock: Callable[[str], Opened | None]
) -> Opened | None: ...


def check(
    config: Mapping, user: User, password: str, now: datetime, unlock: Callable[[str], Opened | None] | None = None
) -> Opened | vault.Keyring | None:
    """What `unlock(password)` opens (by default the user's keyring) when the password is right, else None.

    RateLimited past REAUTH_FAILURES_PER_ACCOUNT_PER_HOUR wrong passwords in an hour. A password longer than
    any a person may choose is tried as an empty one, so its size cannot make the slow check slower.
    """
    attempt = ratelimit.reserve(
        ratelimit.rate_key("password-again", str(user.id)), config["REAUTH_FAILURES_PER_ACCOUNT_PER_HOUR"], now
    )
    if attempt is None:
        raise RateLimited(TOO_MANY)
    if len(password.encode("utf-8")) > MAX_BYTES:
        password = ""
    opened = unlock(password) if unlock is not None else vault.unlock_with_password(user, password)
    if opened is not None:
        ratelimit.release(attempt)
    return opened
