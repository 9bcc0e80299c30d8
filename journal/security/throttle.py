"""Guessing slowed per account, without a stranger being able to lock the owner out.

Failures are counted under the account: one key (an HMAC of the email or id, see ratelimit.rate_key), each
failure's token starting with a tag of the address it came from (an HMAC too), so the counters hold no email
and no address, and deleting the account's keys deletes every failure. Every attempt needs a turn first:

- While the account has had fewer than `free` failures in the last day, attempts go ahead, as long as
  failures and attempts in flight together stay within `free`.
- Past that, one at a time, and only once a wait has passed since the account's latest failure: 5 seconds,
  doubled with each further failure, up to `longest` (15 minutes: about four guesses an hour).
- An address with no failure for this account waits at most `new_address` (30 seconds) after the latest
  failure, in a lane of its own: the owner at home is not held up by a stranger's failing addresses. A
  stranger needs a new address (a new /64 for IPv6) for each guess in that lane.

A turn is a token claimed under the account's turn key, derived from what the attempt saw (how many failures,
the latest one, the lane and which wait has passed): of the attempts in flight at once that saw the same,
one gets it, in whichever server process. A refused attempt writes nothing, so a flood of them cannot hold
anyone else up. A turn is given back after a success; after a failure the state it came from has moved on.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import ratelimit

MEMORY = timedelta(days=1)  # failures remembered per account
FIRST_WAIT = timedelta(seconds=5)
IN_FLIGHT_WAIT = timedelta(seconds=1)
TAG_LENGTH = 12  # hex characters of the address tag in a failure's token (32 in all)


@dataclass(frozen=True)
class Rules:
    scope: str  # "signin" (by email) or "totp" (by account id)
    free: int  # failures (any address) before waits begin
    longest: timedelta  # the longest wait
    new_address: timedelta  # the longest an address with no failure for the account waits


class Wait(Exception):
    """Not this attempt's turn; `seconds` until one may be."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = max(1, seconds)


@dataclass(frozen=True)
class Turn:
    account_key: str
    turn_key: str
    token: str
    tag: str


def address_group(address: str) -> str:
    """The address an attempt is counted under: IPv4 as it is, IPv6 by its /64 (one subscriber's block)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def account_keys(scope: str, account: str) -> list[str]:
    """Every counter key of one account under these rules (for clearing, and for deleting the account)."""
    return [ratelimit.rate_key(f"{scope}-account", account), ratelimit.rate_key(f"{scope}-turns", account)]


def take_turn(rules: Rules, account: str, address: str, now: datetime) -> Turn:
    """A turn for one attempt at this account from this address, or Wait."""
    account_key, turn_key = account_keys(rules.scope, account)
    tag = ratelimit.rate_key(f"{rules.scope}-address", address_group(address))[:TAG_LENGTH]
    failures = ratelimit.entries(account_key, now, MEMORY)
    count = len(failures)
    latest = failures[-1][0] if failures else None
    state = f"{count}:{latest.isoformat() if latest else '-'}"

    if count < rules.free:
        # The first guesses are places 0 .. free-1, each taken once: a failure keeps its place (for as long as
        # failures are remembered), a success gives it back. So failures and attempts in flight together never
        # pass `free`, however many arrive at once (and an attempt that never finished counts as a failure).
        for place in range(rules.free):
            token = _turn_token(rules.scope, "first", "free", place)
            if ratelimit.claim(turn_key, token, now, MEMORY):
                return Turn(account_key, turn_key, token, tag)
        # Every place is taken, by attempts in flight (they end in a moment, most as failures) or ones that never
        # finished: one more attempt a second, after the latest of them began.
        began = max((at for at, _token in ratelimit.entries(turn_key, now, MEMORY)), default=None)
        elapsed = now - began if began is not None else timedelta(0)  # none: one was given back just now
        if elapsed < IN_FLIGHT_WAIT:
            raise Wait(1)
        token = _turn_token(rules.scope, state, "in-flight", int(elapsed / IN_FLIGHT_WAIT))
        if not ratelimit.claim(turn_key, token, now, MEMORY):
            raise Wait(1)
        return Turn(account_key, turn_key, token, tag)

    if latest is None:  # count >= rules.free, so with free >= 1 there is a latest failure
        raise ValueError(f"throttle rules {rules.scope!r}: free must be at least 1")
    wait = min(FIRST_WAIT * 2 ** min(count - rules.free, 30), rules.longest)
    new_here = not any(token.startswith(tag) for _at, token in failures)
    lane = "new" if new_here else "failing"
    if new_here:
        wait = min(wait, rules.new_address)
    elapsed = now - latest
    if elapsed < wait:
        raise Wait(math.ceil((wait - elapsed).total_seconds()))
    slot = int(elapsed / wait)  # each wait that has passed since the latest failure opens one turn
    token = _turn_token(rules.scope, state, lane, slot)
    if not ratelimit.claim(turn_key, token, now, MEMORY):
        raise Wait(math.ceil(((slot + 1) * wait - elapsed).total_seconds()))
    return Turn(account_key, turn_key, token, tag)


def failed(turn: Turn, now: datetime) -> None:
    """The attempt was wrong: a failure of the account, tagged with the address it came from."""
    ratelimit.record(turn.account_key, turn.tag + secrets.token_hex(10), now, MEMORY)


def succeeded(turn: Turn) -> None:
    """The attempt was right: its turn goes back, and nothing is counted."""
    ratelimit.forget(turn.turn_key, turn.token)


def forget_account(scope: str, account: str) -> None:
    """The owner proved who they are some other way (the recovery code): their failures are forgotten."""
    for key in account_keys(scope, account):
        ratelimit.clear(key)


def in_words(seconds: int) -> str:
    """How long to wait, as a person would say it."""
    if seconds < 60:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _turn_token(scope: str, state: str, lane: str, place: int) -> str:
    return hashlib.sha256(f"{scope}\0{state}\0{lane}\0{place}".encode("ascii")).hexdigest()[:32]
