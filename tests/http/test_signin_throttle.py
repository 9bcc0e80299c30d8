"""The throttle's rules, in the shared counters (database and Redis): waits grow per account, an address that
has not failed waits little, attempts in flight at once never slip past, and a refused attempt leaves no trace."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from journal.db import get_db, utcnow
from journal.models import RateEvent
from journal.security import throttle

RULES = throttle.Rules("signin", free=3, longest=timedelta(minutes=15), new_address=timedelta(seconds=30))
ATTACKER, OWNER, FRESH = "203.0.113.9", "198.51.100.7", "192.0.2.44"


@pytest.fixture(params=["database", "redis"])
def counters_app(request, make_app):
    if request.param == "redis":
        return make_app(REDIS_URL=request.getfixturevalue("redis_url"))
    return make_app()


def _fail(account, address, now):
    throttle.failed(throttle.take_turn(RULES, account, address, now), now)


def _waits(account, address, now) -> int | None:
    try:
        throttle.succeeded(throttle.take_turn(RULES, account, address, now))
    except throttle.Wait as wait:
        return wait.seconds
    return None


def test_waits_double_per_account_and_an_address_that_has_not_failed_waits_at_most_the_short_wait(counters_app):
    account = f"ana-{uuid.uuid4().hex[:8]}@example.org"  # Redis is shared by the whole run
    now = utcnow()
    with counters_app.app_context():
        for _ in range(3):
            _fail(account, ATTACKER, now)
        assert _waits(account, ATTACKER, now) == 5
        expected = [5, 10, 20, 40, 80, 160, 320, 640, 900, 900]
        for wait in expected:
            assert _waits(account, ATTACKER, now + timedelta(seconds=wait - 1)) == 1  # not yet
            now += timedelta(seconds=wait)
            _fail(account, ATTACKER, now)  # its turn came: another wrong password
        # Fifteen minutes for the failing address, from any of the attacker's failing addresses...
        assert _waits(account, ATTACKER, now) == 900
        # ...but thirty seconds at most for an address with no failure for this account.
        assert _waits(account, OWNER, now) == 30
        assert _waits(account, OWNER, now + timedelta(seconds=30)) is None
        # Another account is not slowed at all.
        assert _waits(f"ben-{uuid.uuid4().hex[:8]}@example.org", ATTACKER, now) is None


def test_a_new_address_gets_one_guess_per_short_wait_then_it_is_a_failing_address(counters_app):
    account = f"ana-{uuid.uuid4().hex[:8]}@example.org"
    now = utcnow()
    with counters_app.app_context():
        for n in range(12):
            _fail(account, f"203.0.113.{n}", now + timedelta(hours=n / 10))
        now += timedelta(hours=1.2)
        _fail(account, FRESH, now)  # a new address guesses once, in the short lane
        assert _waits(account, FRESH, now + timedelta(seconds=30)) > 30  # then it waits as a failing one
        assert _waits(account, OWNER, now + timedelta(seconds=30)) is None


def _fail_times(account, address, now, times):
    """`times` wrong guesses from one address, each as soon as its turn comes; returns the time of the last."""
    for _ in range(times):
        while True:
            try:
                turn = throttle.take_turn(RULES, account, address, now)
                break
            except throttle.Wait as wait:
                now += timedelta(seconds=wait.seconds)
        throttle.failed(turn, now)
    return now


def test_ipv6_addresses_count_by_their_64_block(counters_app):
    account = f"ana-{uuid.uuid4().hex[:8]}@example.org"
    with counters_app.app_context():
        last = _fail_times(account, "2001:db8:1:2::1", utcnow(), 8)  # the wait is 160 seconds now
        later = last + timedelta(seconds=40)
        # Another address in the same /64 is the same failing address: it waits the whole wait...
        assert _waits(account, "2001:db8:1:2:ffff::9", later) == 120
        # ...while another /64 has not failed, and waits 30 seconds at most.
        assert _waits(account, "2001:db8:1:3::1", later) is None


def test_attempts_in_flight_at_once_never_pass_the_free_guesses(counters_app):
    account = f"ana-{uuid.uuid4().hex[:8]}@example.org"
    now = utcnow()
    with counters_app.app_context():
        app = counters_app

        def attempt(_):
            with app.app_context():
                try:
                    return throttle.take_turn(RULES, account, ATTACKER, now)
                except throttle.Wait:
                    return None

        with ThreadPoolExecutor(max_workers=8) as pool:
            turns = [turn for turn in pool.map(attempt, range(24)) if turn is not None]
        assert len(turns) == RULES.free
        for turn in turns:
            throttle.failed(turn, now)
        # Past the free guesses, one turn per wait, whoever asks at once.
        later = now + timedelta(seconds=5)

        def late(_):
            with app.app_context():
                try:
                    return throttle.take_turn(RULES, account, ATTACKER, later)
                except throttle.Wait:
                    return None

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert len([turn for turn in pool.map(late, range(16)) if turn is not None]) == 1


def test_a_refused_attempt_writes_nothing(make_app):
    app = make_app()
    account = "ana@example.org"
    now = utcnow()
    with app.app_context():
        for _ in range(3):
            _fail(account, ATTACKER, now)
        rows = get_db().scalar(select(func.count()).select_from(RateEvent))
        for _ in range(50):
            assert _waits(account, ATTACKER, now) == 5
            assert _waits(account, OWNER, now) == 5
        assert get_db().scalar(select(func.count()).select_from(RateEvent)) == rows
