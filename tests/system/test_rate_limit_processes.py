"""The per-account sign-in waits hold across server processes: the counters live in the database (or Redis).

The app runs under gunicorn with three single-threaded workers; failed sign-ins are sent several at
a time so more than one worker answers them, and the access log (each line starts with the worker's
pid) shows which ones did.
"""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from ..support import CSRF_RE, DATABASES, LOGS, PASSWORD, database_for, live_server

FREE = 5  # SIGNIN_FAILURES_BEFORE_WAIT, the default in journal/config.py
WRONG_PASSWORD = "not the right password at all"
SERVER_ENV = {
    "SIGNIN_FAILURES_PER_ADDRESS_PER_HOUR": "10000",  # keep the per-address limit out of the way
    # The master imports the app before it listens, so live_server's 2-second readiness probe is not
    # left waiting on three workers each importing it at once on a busy machine (it would time out).
    # The workers are still separate processes, each with its own memory and database connections.
    "GUNICORN_CMD_ARGS": "--preload",
}
PARALLEL = 6  # requests in flight at once: more than the workers, so every worker is kept busy
TIMEOUT = 30
ACCESS_RE = re.compile(r"^pid=<?(\d+)>? (\S+) (\S+) (\d{3})$")  # gunicorn writes %(p)s as <pid>


@contextmanager
def multi_process_server(tmp_path: Path, name: str, served: tuple[str, dict]):
    """Three worker processes, one thread each; yields the base URL and this run's access lines.

    The lines are filled in once the server has stopped, when every worker has written its own.
    """
    lines: list[tuple[int, str, str, int]] = []
    start = f"/run-start-{uuid.uuid4().hex}"  # a request no other run makes: this run's lines follow it
    database_url, counters_env = served
    with live_server(
        tmp_path / name, name, workers=3, threads=1, env={**SERVER_ENV, **counters_env}, database_url=database_url
    ) as base:
        requests.get(base + start, timeout=TIMEOUT)
        yield base, lines
    text = (LOGS / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    seen_start = False
    for raw in text.splitlines():
        found = ACCESS_RE.match(raw.strip())
        if found and found.group(3) == start:
            seen_start = True
        elif found and seen_start:
            lines.append((int(found.group(1)), found.group(2), found.group(3), int(found.group(4))))
    assert seen_start, (f"this run's access lines are missing from {LOGS / name}.log", text[-1500:])


def form_session(base: str, path: str) -> tuple[requests.Session, str]:
    """A new browser: GET the form for the Flask cookie and the CSRF token in the page."""
    browser = requests.Session()
    page = browser.get(base + path, timeout=TIMEOUT)
    found = CSRF_RE.search(page.text)
    if page.status_code != 200 or not found:
        browser.close()
        raise AssertionError(f"GET {path}: {page.status_code}, csrf_token {'found' if found else 'missing'}")
    return browser, found.group(1)


def sign_up(base: str, email: str) -> None:
    browser, token = form_session(base, "/signup")
    with browser:
        response = browser.post(
            base + "/signup",
            data={"csrf_token": token, "email": email, "password": PASSWORD, "confirm": PASSWORD, "role": "client"},
            timeout=TIMEOUT,
        )
    assert response.status_code == 200, response.status_code
    assert "data-recovery-code" in response.text


def sign_in(base: str, email: str, password: str) -> requests.Response:
    """One attempt from a fresh browser, never following the redirect of a success."""
    browser, token = form_session(base, "/signin")
    with browser:
        return browser.post(
            base + "/signin",
            data={"csrf_token": token, "email": email, "password": password, "next": "/"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )


def fail_past_the_free_guesses(base: str, email: str) -> None:
    """Wrong passwords, several in flight at once, far more than are free: FREE are ordinary failures, and every
    other one is told to wait (none slips past while the others are in flight)."""
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        responses = list(pool.map(lambda _: sign_in(base, email, WRONG_PASSWORD), range(3 * FREE)))
    statuses = [response.status_code for response in responses]
    assert statuses.count(422) == FREE and statuses.count(429) == 2 * FREE, statuses
    for response in responses:
        assert "sid" not in response.cookies
        if response.status_code == 422:
            assert "do not match" in response.text


def assert_refused(response: requests.Response) -> None:
    assert response.status_code == 429, response.status_code
    assert "Please wait" in response.text and "then try again" in response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 5
    assert "sid" not in response.cookies
    assert "do not match" not in response.text


def assert_signed_in(response: requests.Response) -> None:
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == "/"
    assert response.cookies.get("sid")


def signin_pids(lines) -> set[int]:
    return {pid for pid, method, path, _status in lines if method == "POST" and path == "/signin"}


@pytest.fixture(params=[*DATABASES, "sqlite+redis"])
def served_database(request, tmp_path):
    """Each database holding the counters, and Redis holding them (the database then only for the rest)."""
    kind, _, counters = request.param.partition("+")
    url = database_for(kind, tmp_path / f"db-{kind}", request)
    return url, ({"REDIS_URL": request.getfixturevalue("redis_url")} if counters == "redis" else {})


def test_account_wait_is_shared_by_every_worker_process(tmp_path, served_database):
    email = f"slowed-{uuid.uuid4().hex[:12]}@example.com"
    with multi_process_server(tmp_path, "rate-limit-processes", served_database) as (base, lines):
        sign_up(base, email)
        fail_past_the_free_guesses(base, email)

        # From this address, which has failed, the right password waits too: no password is tried before the
        # wait is over, whichever process answers.
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            for response in pool.map(lambda _: sign_in(base, email, PASSWORD), range(PARALLEL)):
                assert_refused(response)

    posts = [(pid, status) for pid, method, path, status in lines if method == "POST" and path == "/signin"]
    assert sorted(status for _pid, status in posts) == [422] * FREE + [429] * (2 * FREE + PARALLEL)
    # More than one process answered these attempts, every one by the same count: it cannot be a per-worker one.
    assert len({pid for pid, _status in posts}) >= 2, posts
    assert len(signin_pids(lines)) >= 2


def test_a_slowed_account_does_not_slow_another_account(tmp_path, served_database):
    slowed = f"slowed-{uuid.uuid4().hex[:12]}@example.com"
    other = f"other-{uuid.uuid4().hex[:12]}@example.com"
    with multi_process_server(tmp_path, "rate-limit-processes-other", served_database) as (base, lines):
        sign_up(base, slowed)
        sign_up(base, other)
        fail_past_the_free_guesses(base, slowed)
        assert_refused(sign_in(base, slowed, PASSWORD))

        # The other account, from the same address at the same time: its own failures are ordinary
        # failures, and the right password still signs it in, whichever worker answers.
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            wrong = list(pool.map(lambda _: sign_in(base, other, WRONG_PASSWORD), range(3)))
        with ThreadPoolExecutor(max_workers=FREE - 3) as pool:  # as many at once as it has free guesses left
            right = list(pool.map(lambda _: sign_in(base, other, PASSWORD), range(PARALLEL)))
        for response in wrong:
            assert response.status_code == 422, response.status_code
            assert "do not match" in response.text
        for response in right:
            assert_signed_in(response)

    assert len(signin_pids(lines)) >= 2
