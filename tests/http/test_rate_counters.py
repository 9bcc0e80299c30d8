"""The shared counters behave the same in the database and in Redis."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from journal.db import get_db, utcnow
from journal.models import RateEvent
from journal.security import ratelimit

from ..support import WebClient


@pytest.fixture(params=["database", "redis"])
def counting_app(request, make_app):
    if request.param == "redis":
        return make_app(REDIS_URL=request.getfixturevalue("redis_url"))
    return make_app()


def test_reserve_up_to_the_limit_then_refuse(counting_app):
    now = utcnow()
    with counting_app.app_context():
        key = ratelimit.rate_key("test", uuid.uuid4().hex)
        attempts = [ratelimit.reserve(key, 3, now) for _ in range(3)]
        assert all(attempts)
        assert ratelimit.reserve(key, 3, now) is None  # the fourth, refused, is not counted either
        ratelimit.release(attempts[0])
        assert ratelimit.reserve(key, 3, now) is not None
        assert ratelimit.reserve(key, 3, now) is None
        # An hour later the old attempts are forgotten.
        assert ratelimit.reserve(key, 3, now + timedelta(hours=1, seconds=1)) is not None
        ratelimit.clear(key)
        assert all(ratelimit.reserve(key, 3, now + timedelta(hours=1, seconds=2)) for _ in range(3))


def test_a_token_is_claimed_once_and_entries_list_what_is_counted(counting_app):
    now = utcnow()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # Redis keeps milliseconds
    with counting_app.app_context():
        key = ratelimit.rate_key("test", uuid.uuid4().hex)
        assert ratelimit.claim(key, "turn-1", now) is True
        assert ratelimit.claim(key, "turn-1", now) is False  # taken: nothing more is written
        ratelimit.record(key, "failure-a", now + timedelta(seconds=1))
        assert ratelimit.entries(key, now + timedelta(seconds=2)) == [
            (now, "turn-1"),
            (now + timedelta(seconds=1), "failure-a"),
        ]
        ratelimit.forget(key, "turn-1")
        assert ratelimit.claim(key, "turn-1", now + timedelta(seconds=2)) is True
        # Out of the window, a token is gone: it can be claimed again.
        assert ratelimit.claim(key, "failure-a", now + timedelta(hours=1, seconds=2)) is True
        assert [token for _at, token in ratelimit.entries(key, now + timedelta(hours=1, seconds=2))] == ["failure-a"]


def test_sign_in_limit_with_counters_in_redis_keeps_them_out_of_the_database(make_app, redis_url):
    app = make_app(REDIS_URL=redis_url, SIGNIN_FAILURES_BEFORE_WAIT=3)
    web = WebClient(app.test_client())
    email = f"limited-{uuid.uuid4().hex[:8]}@example.org"  # Redis is shared by the whole run
    web.sign_up(email)
    web.sign_out()
    for _ in range(3):
        assert web.sign_in(email, "wrong password").status_code == 422
    assert web.sign_in(email).status_code == 429
    with app.app_context():
        assert get_db().scalar(select(func.count()).select_from(RateEvent)) == 0


def test_redis_down_is_a_quick_503(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    web = WebClient(app.test_client())
    response = web.sign_in("a@example.org", "wrong password")
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
