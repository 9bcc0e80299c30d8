"""Attempt counters every server process shares: in the database, or in Redis when REDIS_URL is set.

An attempt is counted before the slow work it guards and released if it turns out not to
count (a successful sign-in), so attempts in flight at once can be refused but never slip past.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from flask import Flask, current_app

WINDOW = timedelta(hours=1)


class RateLimited(Exception):
    """Too many attempts; the message is safe to show, `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: int = 3600):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    key: str
    token: str


class Counters(Protocol):
    def add(self, key: str, token: str, now: datetime, window: timedelta) -> int: ...
    def claim(self, key: str, token: str, now: datetime, window: timedelta) -> bool: ...
    def entries(self, key: str, now: datetime, window: timedelta) -> list[tuple[datetime, str]]: ...
    def remove(self, key: str, token: str) -> None: ...
    def clear(self, key: str) -> None: ...


def rate_key(scope: str, value: str) -> str:
    """Keyed with the server's secret, so the counters hold no email or IP address, nor a hash of one that
    could be reversed by trying every IPv4 address (a plain SHA-256 of one falls in seconds)."""
    key = hashlib.sha256(b"rate-keys\0" + current_app.config["SECRET_KEY"].encode("utf-8")).digest()
    return hmac.new(key, f"{scope}\0{value}".encode(), hashlib.sha256).hexdigest()


def reserve(key: str, limit: int, now: datetime, window: timedelta = WINDOW) -> Attempt | None:
    """Count this attempt, then look; None (and nothing counted) when it is over the limit."""
    attempt = Attempt(key, uuid.uuid4().hex)
    if _counters().add(key, attempt.token, now, window) > limit:
        release(attempt)
        return None
    return attempt


def record(key: str, token: str, now: datetime, window: timedelta = WINDOW) -> None:
    """Count one attempt under a token of the caller's choosing (at most 32 characters)."""
    _counters().add(key, token, now, window)


def claim(key: str, token: str, now: datetime, window: timedelta = WINDOW) -> bool:
    """Take a token under a key if nobody has it yet: one of several processes claiming the same token wins.
    Nothing is written for a claim that loses, so refused attempts leave no trace that could hold others up."""
    return _counters().claim(key, token, now, window)


def entries(key: str, now: datetime, window: timedelta = WINDOW) -> list[tuple[datetime, str]]:
    """The attempts counted under a key within the window: (time, token), oldest first."""
    return _counters().entries(key, now, window)


def release(attempt: Attempt) -> None:
    """This attempt does not count after all."""
    _counters().remove(attempt.key, attempt.token)


def clear(key: str) -> None:
    """Forget every attempt under a key (the account was just proven to be its owner's)."""
    _counters().clear(key)


def forget(key: str, token: str) -> None:
    """Forget one token under a key (a claim that is no longer needed)."""
    _counters().remove(key, token)


def _counters() -> Counters:
    return current_app.extensions["rate_counters"]


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        from .counters_redis import RedisCounters

        app.extensions["rate_counters"] = RedisCounters(app.config["REDIS_URL"])
    else:
        from .counters_db import DatabaseCounters

        app.extensions["rate_counters"] = DatabaseCounters(app)
