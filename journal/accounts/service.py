"""Accounts: sign-up, sign-in, sessions and recovery. Rules here; keys stay in the vault."""

from __future__ import annotations

import re
import unicodedata
import uuid
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import vault
from ..account_security import rotation, two_factor
from ..activity import service as activity
from ..models import ROLES, User
from ..records.key_hold import hold_account_key
from ..security import ratelimit, throttle
from ..security.ratelimit import RateLimited
from . import after_unlock, password_again
from .passwords import MAX_BYTES, password_problem

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def signin_rules(config: Mapping) -> throttle.Rules:
    """Wrong passwords slow further tries for the account, never lock the owner out (see security/throttle.py)."""
    return throttle.Rules(
        "signin",
        config["SIGNIN_FAILURES_BEFORE_WAIT"],
        timedelta(minutes=config["SIGNIN_LONGEST_WAIT_MINUTES"]),
        timedelta(seconds=config["SIGNIN_NEW_ADDRESS_WAIT_SECONDS"]),
    )


@dataclass(frozen=True)
class SignedIn:
    user: User
    keyring: vault.Keyring
    token: str
    # True: the password was right, and the session waits for the one-time code (two-step sign-in).
    second_factor_pending: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class SignedUp(SignedIn):
    recovery_code: str


def normalise_email(raw: str) -> str | None:
    email = unicodedata.normalize("NFKC", (raw or "").strip()).lower()
    if len(email) > 254 or not EMAIL_RE.match(email) or not email.isprintable():
        return None
    return email


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def clean_time_zone(raw: str | None) -> str:
    return raw if raw in _zones() else "UTC"


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """Every zone a person can choose, sorted: the names the time zone database knows."""
    return tuple(sorted(_zones()))


def change_time_zone(user: User, raw: str | None) -> bool:
    """Set the zone dates are shown and days counted in; False (nothing changed) for a name not in the database."""
    zone = (raw or "").strip()
    if zone not in _zones():
        return False
    user.time_zone = zone
    return True


def clean_display_name(raw: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", raw or "").split())


def signup_problems(
    email: str | None, password: str, confirm: str, role: str, display_name: str = ""
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if len(display_name) > 100 or not display_name.isprintable():
        problems["display_name"] = "A name can be up to 100 characters, without control characters."
    elif role == "therapist" and not display_name:
        problems["display_name"] = "Enter your name as clients know you: they see it before they link with you."
    if email is None:
        problems["email"] = "Enter an email address like name@example.com."
    problem = password_problem(password)
    if problem:
        problems["password"] = problem
    elif password != confirm:
        problems["confirm"] = "The two passwords are not the same."
    if role not in ROLES:
        problems["role"] = "Choose whether you are a client or a therapist."
    return problems


def sign_up(
    db: Session,
    config: Mapping,
    *,
    email: str,
    password: str,
    role: str,
    time_zone: str,
    address: str,
    now: datetime,
    display_name: str = "",
    device: str | None = None,
) -> SignedUp | None:
    """A new account with its keys and first session, or None when the email cannot be used."""
    if (
        ratelimit.reserve(ratelimit.rate_key("signup-address", address), config["SIGNUPS_PER_ADDRESS_PER_HOUR"], now)
        is None
    ):
        raise RateLimited("Too many new accounts from this network. Please try again in an hour.")
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        vault.unlock_with_password(None, password)  # the same work as a real sign-up
        return None
    user = User(
        id=uuid.uuid4(), email=email, role=role, time_zone=time_zone, created_at=now, display_name=display_name or None
    )
    account = vault.create_account_keys(user, password)
    db.add(user)
    try:
        db.flush()
    except IntegrityError:  # the same email signed up a moment ago, in another request
        db.rollback()
        return None
    token = vault.open_session(db, user, account.keyring, now, session_lifetime(config), device=device)
    activity.record(db, user.id, "account_created", device=device, now=now)
    return SignedUp(user, account.keyring, token, account.recovery_code)


def sign_in(
    db: Session,
    config: Mapping,
    *,
    email: str | None,
    password: str,
    address: str,
    now: datetime,
    device: str | None = None,
) -> SignedIn | None:
    """A session for the right email and password; None for anything else, in the same time.

    With two-step sign-in on, the session waits for the one-time code (`second_factor_pending`):
    only `complete_second_factor` accepts it.
    """
    # The address is counted before the slow check and un-counted if it succeeds, so attempts in flight at
    # once in several processes cannot slip past its limit; the account's turn is taken the same way.
    network = throttle.address_group(address)
    address_attempt = ratelimit.reserve(
        ratelimit.rate_key("signin-address", network), config["SIGNIN_FAILURES_PER_ADDRESS_PER_HOUR"], now
    )
    if address_attempt is None:
        raise RateLimited("Too many sign-in attempts from this network. Please wait an hour and try again.")
    try:
        turn = throttle.take_turn(signin_rules(config), email or "", network, now)
    except throttle.Wait as wait:
        ratelimit.release(address_attempt)  # no password was tried
        raise RateLimited(
            f"There have been several wrong passwords for this account, so sign-in is slowed "
            f"down for a while. Please wait {throttle.in_words(wait.seconds)}, then try again. "
            f"Your recovery code works at any time.",
            retry_after=wait.seconds,
        ) from None
    user = db.scalar(select(User).where(User.email == email)) if email else None
    if len(password.encode("utf-8")) > MAX_BYTES:
        password = ""
    keyring = vault.unlock_with_password(user, password)
    if keyring is None or user is None:
        throttle.failed(turn, now)
        if user is not None:
            activity.record(db, user.id, "signin_failed", device=device, now=now)
        return None
    throttle.succeeded(turn)
    ratelimit.release(address_attempt)
    if user in db.dirty:  # the password was derived again with stronger parameters: its wrap is new
        keyring = hold_account_key(db, user, keyring)
    vault.purge_stale_sessions(db, now, longest_idle(config))
    after_unlock.unlocked(db, user, keyring, now)
    after_unlock.signed_in(db, user, keyring, now)  # e.g. shares a clinician ended while this client was away
    if two_factor.is_on(user):
        token = vault.open_session(
            db,
            user,
            keyring,
            now,
            timedelta(minutes=config["SECOND_FACTOR_MINUTES"]),
            device=device,
            second_factor_pending=True,
        )
        return SignedIn(user, keyring, token, second_factor_pending=True)
    token = vault.open_session(db, user, keyring, now, session_lifetime(config), device=device)
    activity.record(db, user.id, "signin", device=device, now=now)
    return SignedIn(user, keyring, token)


def pending_second_factor(db: Session, config: Mapping, cookie_value: str | None, now: datetime):
    """The session waiting for its one-time code (a vault.Resumed), or None."""
    return vault.resume_session(db, cookie_value, now, idle_limits(config), second_factor=True)


def complete_second_factor(
    db: Session,
    config: Mapping,
    cookie_value: str | None,
    code: str,
    now: datetime,
    *,
    address: str,
    device: str | None = None,
) -> SignedIn | None:
    """The one-time code step: a right code replaces the waiting session with a real one (a new token).

    None when there is no waiting session (it expired: sign in again); two_factor.CodeProblem for a
    wrong or used code; RateLimited for too many.
    """
    pending = pending_second_factor(db, config, cookie_value, now)
    if pending is None:
        return None
    two_factor.verify_sign_in_code(
        db, config, pending.user, pending.keyring, code, now, address=address, device=device or pending.session.device
    )
    password_at = pending.session.password_at
    vault.end_session(db, cookie_value)
    token = vault.open_session(
        db,
        pending.user,
        pending.keyring,
        now,
        session_lifetime(config),
        device=device or pending.session.device,
        password_at=password_at,
    )
    activity.record(
        db, pending.user.id, "signin", device=device or pending.session.device, detail="with a one-time code", now=now
    )
    return SignedIn(pending.user, pending.keyring, token)


def recover_account(
    db: Session,
    config: Mapping,
    *,
    email: str | None,
    code: str,
    new_password: str,
    address: str,
    now: datetime,
    device: str | None = None,
) -> SignedUp | None:
    """Recovery code + email: a new password, a new recovery code, every old session ended, the keys rotating.

    This is also the way back in after losing the authenticator: two-step sign-in is turned off
    (set it up again from Me; a therapist has to before the desk opens).
    """
    # A recovery code has 128 bits: guessing one is hopeless, so wrong codes are limited per address only,
    # and no stranger's wrong codes (or wrong passwords) stand in the way of the owner's right one.
    key = ratelimit.rate_key("recovery-address", throttle.address_group(address))
    attempt = ratelimit.reserve(key, config["RECOVERY_FAILURES_PER_ADDRESS_PER_HOUR"], now)
    if attempt is None:
        raise RateLimited("Too many recovery codes tried from this network. Please wait an hour and try again.")
    user = db.scalar(select(User).where(User.email == email)) if email else None
    keyring = vault.unlock_with_recovery_code(user, code)
    if keyring is None or user is None or email is None:  # no email: no user was looked up
        return None
    ratelimit.release(attempt)
    after_unlock.unlocked(db, user, keyring, now)
    # The owner is proven: the failures counted against the old password and codes are forgotten.
    throttle.forget_account("signin", email)
    throttle.forget_account("totp", str(user.id))
    # The old password may be known to someone else: the keys rotate too. The new password and the new
    # code open the new key as well as the old one until the rotation finishes (it keeps this code).
    keyring = rotation.start_after_recovery(db, user, keyring, now)
    vault.set_new_password(user, keyring, new_password)
    new_code = vault.replace_recovery_code(user, keyring)
    user.recovery_confirmed_at = None
    vault.end_all_sessions(db, user.id)
    activity.record(db, user.id, "recovery_used", device=device, now=now)
    two_factor.turn_off(db, user, now, device=device, detail="with the recovery code")
    token = vault.open_session(db, user, keyring, now, session_lifetime(config), device=device)
    return SignedUp(user, keyring, token, new_code)


def new_recovery_code(
    config: Mapping,
    user: User,
    keyring: vault.Keyring,
    password: str,
    now: datetime,
    *,
    db: Session | None = None,
    device: str | None = None,
) -> str | None:
    """A fresh recovery code after the password is entered again; None if the password is wrong."""
    if password_again.check(config, user, password, now) is None:
        return None
    if db is not None:
        keyring = hold_account_key(db, user, keyring)  # a key rotation cannot end between this and the commit
    user.recovery_confirmed_at = None
    code = vault.replace_recovery_code(user, keyring)
    if db is not None:
        activity.record(db, user.id, "recovery_code_replaced", device=device, now=now)
    return code


def confirm_recovery_saved(user: User, now: datetime) -> None:
    user.recovery_confirmed_at = now


def resume(db: Session, config: Mapping, cookie_value: str | None, now: datetime):
    resumed = vault.resume_session(db, cookie_value, now, idle_limits(config))
    if resumed is not None and resumed.keyring is not None:
        after_unlock.unlocked(db, resumed.user, resumed.keyring, now)
    return resumed


def sign_out(db: Session, cookie_value: str | None) -> None:
    ended = vault.end_session(db, cookie_value)
    if ended is not None and not ended.second_factor_pending:
        activity.record(db, ended.user_id, "signout", device=ended.device)


def session_lifetime(config: Mapping) -> timedelta:
    return timedelta(hours=config["SESSION_MAX_HOURS"])


def idle_limits(config: Mapping) -> dict[str, timedelta]:
    return {
        "client": timedelta(minutes=config["IDLE_LOCK_CLIENT_MINUTES"]),
        "therapist": timedelta(minutes=config["IDLE_LOCK_THERAPIST_MINUTES"]),
    }


def longest_idle(config: Mapping) -> timedelta:
    return max(idle_limits(config).values())
