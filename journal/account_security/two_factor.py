"""Two-step sign-in with time-based one-time codes (RFC 6238: 6 digits, 30 seconds, SHA-1, as authenticator
apps expect). Rules only; the secret is sealed under the user key by the vault, never stored in clear.

- Set-up: a new secret is sealed into the user's row (off until confirmed); the page shows it as a QR
  code and as text; a right code turns it on.
- Sign-in: the password opens a session row marked `second_factor_pending`, which only the code form
  accepts; a right code replaces it with a real session. A code is accepted for the time step
  before, at, or after now, and only for a step later than the last one accepted, so a code (even
  one seen over a shoulder) works once.
- Wrong codes are counted per account and address in the shared rate counters (database or Redis): past a few,
  further codes wait, longer from the addresses that failed (security/throttle.py); a stranger cannot lock
  the owner out.
- Required for therapists before they see any client; optional for clients.
"""

from __future__ import annotations

import base64
import hmac
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from sqlalchemy import or_, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from .. import vault
from ..activity import service as activity
from ..db import changed_rows
from ..models import User
from ..records.key_hold import hold_sealing_key
from ..security import throttle
from ..security.ratelimit import RateLimited

ISSUER = "Integration journal"
INTERVAL = 30
DIGITS = 6
WINDOW = 1  # steps either side of now: clocks drift, and people type slowly


class CodeProblem(Exception):
    """The code was not accepted; the message is safe to show."""


def code_rules(config: Mapping) -> throttle.Rules:
    """Wrong codes slow further codes for the account, never lock the owner out (see security/throttle.py)."""
    return throttle.Rules(
        "totp",
        config["TOTP_FAILURES_BEFORE_WAIT"],
        timedelta(minutes=config["SIGNIN_LONGEST_WAIT_MINUTES"]),
        timedelta(seconds=config["SIGNIN_NEW_ADDRESS_WAIT_SECONDS"]),
    )


@dataclass(frozen=True)
class SetUp:
    secret: str  # base32, for the page only
    grouped: str  # the same in groups of four, for typing
    qr_data_uri: str  # data:image/svg+xml;base64,...


def is_on(user: User) -> bool:
    return user.totp_enabled_at is not None


def required(user: User) -> bool:
    """Therapists must use two-step sign-in before they can see anything a client shared."""
    return user.role == "therapist"


def blocks(user: User) -> bool:
    """True for an account that has to set up two-step sign-in before it may carry on (the desk)."""
    return required(user) and not is_on(user)


def start_set_up(user: User, keyring: vault.Keyring) -> SetUp:
    """The secret being set up: kept (sealed) until it is confirmed, so reloading shows the same one."""
    if is_on(user):
        raise CodeProblem("Two-step sign-in is already on.")
    secret = _secret(user, keyring)
    if secret is None:
        secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
        vault.seal_totp_secret(user, keyring, secret)
        db = object_session(user)
        if db is not None:
            hold_sealing_key(db, keyring)
    return SetUp(secret, group(secret), _qr(pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)))


def confirm_set_up(
    db: Session, user: User, keyring: vault.Keyring, code: str, now: datetime, *, device: str | None = None
) -> None:
    """Turn two-step sign-in on if the code fits the secret being set up; CodeProblem otherwise."""
    if is_on(user):
        raise CodeProblem("Two-step sign-in is already on.")
    secret = _secret(user, keyring)
    if secret is None:
        raise CodeProblem("Start again: the set-up had not begun.")
    step = _matching_step(secret, code, now)
    if step is None:
        raise CodeProblem(
            "That code is not right. Check the time on your phone is set automatically, "
            "then type the code your app shows now."
        )
    user.totp_enabled_at = now
    user.totp_last_step = step  # the code used to turn it on cannot sign anyone in
    activity.record(db, user.id, "two_factor_on", device=device, now=now)


def verify_sign_in_code(
    db: Session,
    config: Mapping,
    user: User,
    keyring: vault.Keyring,
    code: str,
    now: datetime,
    *,
    address: str,
    device: str | None = None,
) -> None:
    """Accept a one-time code at sign-in, once; CodeProblem for a wrong or used code, RateLimited for a code
    sent before its wait has passed."""
    try:
        turn = throttle.take_turn(code_rules(config), str(user.id), address, now)
    except throttle.Wait as wait:
        raise RateLimited(
            f"There have been several wrong codes for this account, so the code step is slowed down "
            f"for a while. Please wait {throttle.in_words(wait.seconds)}, then type the code your "
            f"app shows then. Lost your phone? Use your recovery code.",
            retry_after=wait.seconds,
        ) from None
    secret = _secret(user, keyring) if is_on(user) else None
    step = _matching_step(secret, code, now) if secret else None
    if step is not None:
        throttle.succeeded(turn)
        # Claim the step in one statement: two requests with the same code cannot both get in.
        claimed = db.execute(
            update(User)
            .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if changed_rows(claimed) == 1:
            set_committed_value(user, "totp_last_step", step)  # as the row now is; nothing more to write
            return
        activity.record(db, user.id, "code_failed", device=device, now=now)
        raise CodeProblem("That code was used already. Wait for your app to show a new one, then type it.")
    throttle.failed(turn, now)
    activity.record(db, user.id, "code_failed", device=device, now=now)
    raise CodeProblem("That code is not right. Type the 6 digits your authenticator app shows now.")


def turn_on_for_demo(db: Session, user: User, keyring: vault.Keyring, now: datetime) -> str:
    """`make demo` only: two-step sign-in on with a new secret, no code asked; returns the secret to print."""
    user.totp_secret_ciphertext = None
    user.totp_enabled_at = None
    secret = start_set_up(user, keyring).secret
    user.totp_enabled_at = now
    activity.record(db, user.id, "two_factor_on", now=now)
    return secret


def turn_off(db: Session, user: User, now: datetime, *, device: str | None = None, detail: str | None = None) -> None:
    """Two-step sign-in off, and the secret gone (a new set-up makes a new one)."""
    was_on = is_on(user)
    user.totp_secret_ciphertext = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    if was_on:
        activity.record(db, user.id, "two_factor_off", device=device, detail=detail, now=now)


def _secret(user: User, keyring: vault.Keyring) -> str | None:
    try:
        return vault.open_totp_secret(user, keyring)
    except vault.VaultError:
        return None  # never opens: no code can match (the recovery code still gets the owner in)


def group(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step the code belongs to (now, or one step either side), or None."""
    digits = "".join(ch for ch in (code or "")[:20] if not ch.isspace() and ch != "-")
    if len(digits) != DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = int(now.timestamp()) // INTERVAL
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        # Every step is compared, in constant time, whatever matched before.
        if hmac.compare_digest(totp.generate_otp(step), digits) and found is None:
            found = step
    return found


def _qr(uri: str) -> str:
    """The QR code as an SVG data URI for an <img>: dark modules on a white square, no style attributes."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", scale=5, border=4, dark="#000", light="#fff", xmldecl=False, svgclass=None, lineclass=None
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
