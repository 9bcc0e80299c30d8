"""Test helpers: a form-filling client, markers for leak checks, a real server in a subprocess."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"
# Each run keeps its own logs and markers, so two runs in one checkout never clear each other's. The processes
# of one run share its folder: parallel workers (and the log canary run after them, see the Makefile) get the
# run's id from JOURNAL_TEST_RUN, which conftest.py sets for the workers it starts.
RUN_ID = os.environ.get("JOURNAL_TEST_RUN") or str(os.getpid())
RUN = OUTPUT / "runs" / f"run-{RUN_ID}"
LOGS = RUN / "logs"
MARKERS = RUN / "markers.txt"
# This process's own log of the in-process app (one per parallel worker).
IN_PROCESS_LOG = LOGS / f"in-process-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
PASSWORD = "a calm lake at dawn"
# Every test that touches the database runs on each of these.
DATABASES = ["sqlite", "postgresql"]

# Cheap Argon2id for tests that are not about its cost (production default: 64 MiB, 3 passes).
FAST_KDF = {
    "VAULT_KDF_MEMORY_KIB": 1024,
    "VAULT_KDF_ITERATIONS": 1,
    "VAULT_KDF_MIN_MEMORY_KIB": 1024,
    "VAULT_KDF_MIN_ITERATIONS": 1,
}

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE_RE = re.compile(r"data-recovery-code>([^<]+)<")
TOTP_SECRET_RE = re.compile(r'data-totp-secret="([A-Z2-7]+)"')
TWO_STEP_PATH = "/account/two-step"

# Test accounts with two-step sign-in on: email -> the authenticator secret (set by `enable_two_factor`),
# so signing in again can give a code. And per secret, the last 30-second step a code was made for.
TOTP_SECRETS: dict[str, str] = {}
_USED_STEPS: dict[str, int] = {}


def one_time_code(secret: str) -> str:
    """A code the server accepts, once. The server takes the 30-second step before, at or after now, each step
    once: this gives the earliest step not given yet (the one before now only when it is not about to age out),
    so three sign-ins in a step need no waiting; a fourth waits for the next step."""
    import pyotp

    totp = pyotp.TOTP(secret)
    while True:
        now = time.time()
        current = int(now) // 30
        earliest = current - 1 if now % 30 < 25 else current
        step = max(earliest, _USED_STEPS.get(secret, earliest - 1) + 1)
        if step <= current + 1:
            _USED_STEPS[secret] = step
            return totp.generate_otp(step)
        time.sleep((current + 1) * 30 - now + 0.05)


def enable_two_factor(get_page, post_form, email: str) -> str:
    """Turn two-step sign-in on for the signed-in account through its set-up page, as a person would: read the
    text secret shown, type a code computed from it. Returns the secret (also kept in TOTP_SECRETS[email]).

    `get_page(path) -> html` and `post_form(path, fields) -> status` come from the client driving the app
    (WebClient here; a Playwright request context in browser_support). Every therapist a test signs up goes
    through this one helper: the desk stays closed to therapists without two-step sign-in.
    """
    html = get_page(TWO_STEP_PATH)
    secret = TOTP_SECRET_RE.search(html).group(1)
    csrf = CSRF_RE.search(html).group(1)
    status = post_form(TWO_STEP_PATH, {"csrf_token": csrf, "code": one_time_code(secret)})
    assert status in (302, 303), status
    TOTP_SECRETS[email.strip().lower()] = remember_secret(secret)
    return secret


def new_marker(label: str = "MARK") -> str:
    """A unique string to write into the journal; the log canary later looks for every one of them."""
    return remember_secret(f"{label}-{uuid.uuid4().hex}")


def remember_secret(value: str) -> str:
    """Add a string that must never reach a log (a marker, an authenticator key) to the log canary's list."""
    MARKERS.parent.mkdir(parents=True, exist_ok=True)
    with MARKERS.open("a", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


class WebClient:
    """Drives the app through its forms, the way a browser would, CSRF token included."""

    def __init__(self, flask_client):
        self.raw = flask_client
        self.token: str | None = None

    def get(self, url: str, htmx: bool = False, **kwargs):
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        response = self.raw.get(url, headers=headers, **kwargs)
        found = CSRF_RE.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, url: str, data: dict | None = None, htmx: bool = False, csrf: bool = True, **kwargs):
        if csrf and self.token is None:
            self.get("/signin")
        data = dict(data or {})
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
            if csrf:
                headers["X-CSRF-Token"] = self.token
        elif csrf:
            data.setdefault("csrf_token", self.token)
        response = self.raw.post(url, data=data, headers=headers, **kwargs)
        if any(cookie.split("=", 1)[0].endswith("journal_csrf") for cookie in response.headers.getlist("Set-Cookie")):
            self.token = self.browser_csrf_token() or self.token
        return response

    def browser_csrf_token(self) -> str | None:
        """The token in this browser's CSRF cookie now (it changes at sign-in, sign-out and recovery), as the
        next page would show it."""
        app = self.raw.application
        domain = getattr(self.raw, "host", "localhost")  # a test client that asks for another host says which
        cookie = self.raw.get_cookie("journal_csrf", domain=domain) or self.raw.get_cookie(
            "__Host-journal_csrf", domain=domain
        )
        if cookie is None:
            return None
        return app.session_interface.get_signing_serializer(app).loads(cookie.value).get("csrf")

    def sign_up(
        self, email: str, password: str = PASSWORD, role: str = "client", name: str = "", two_factor: bool | None = None
    ) -> str:
        """Returns the recovery code shown once. Therapists get two-step sign-in (unless two_factor=False)."""
        if role == "therapist" and not name:
            name = "Dr " + email.split("@")[0].title()
        response = self.post(
            "/signup", {"email": email, "password": password, "confirm": password, "role": role, "display_name": name}
        )
        assert response.status_code == 200, response.status_code
        code = CODE_RE.search(response.get_data(as_text=True)).group(1)
        assert self.post("/recovery-code/saved", {"saved": "yes"}).status_code == 302
        if two_factor or (two_factor is None and role == "therapist"):
            self.enable_two_factor(email)
        return code

    def enable_two_factor(self, email: str) -> str:
        """Two-step sign-in on for this signed-in account (see `enable_two_factor`); returns the secret."""
        return enable_two_factor(
            lambda path: self.get(path).get_data(as_text=True),
            lambda path, fields: self.post(path, fields).status_code,
            email,
        )

    def sign_in(self, email: str, password: str = PASSWORD, next_url: str = "/", code: str | None = None):
        """The sign-in form; for an account with two-step sign-in, then the code step too (a fresh code from the
        remembered secret, unless `code` is given). Returns the last response."""
        response = self.post("/signin", {"email": email, "password": password, "next": next_url})
        secret = TOTP_SECRETS.get(email.strip().lower())
        if (
            response.status_code == 303
            and response.headers["Location"].startswith("/signin/code")
            and (code is not None or secret)
        ):
            response = self.post("/signin/code", {"code": code or one_time_code(secret), "next": next_url})
        return response

    def sign_out(self):
        return self.post("/signout")

    def new_entry(self, title: str, body: str) -> str:
        page = self.get("/entries/new").get_data(as_text=True)
        client_key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
        response = self.post("/entries", {"client_key": client_key, "title": title, "body": body})
        assert response.status_code == 303, response.status_code
        return response.headers["Location"].rsplit("/", 1)[1]

    def answer(self, instrument: str, answers: dict[int, int]):
        """Send a questionnaire through its form (item number -> value); returns the answer (303 when saved)."""
        page = self.get(f"/questionnaires/{instrument}/new").get_data(as_text=True)
        client_key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
        fields = {f"q{number}": str(value) for number, value in answers.items()}
        return self.post(f"/questionnaires/{instrument}", {"client_key": client_key, **fields})

    def cookie(self, name: str) -> str | None:
        found = self.raw.get_cookie(name)
        return found.value if found else None


def database_for(kind: str, workdir: Path, request) -> str:
    """A migrated database of the given kind for a live server: SQLite under workdir, or PostgreSQL."""
    if kind == "sqlite":
        from journal.cli import upgrade_database

        workdir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{workdir / 'journal.sqlite3'}"
        upgrade_database(url)
        return url
    server = request.getfixturevalue("postgres")
    name = server.create_database(template="journal_template")
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def live_server(
    workdir: Path,
    name: str,
    *,
    workers: int = 1,
    threads: int = 4,
    env: dict | None = None,
    database_url: str | None = None,
    app: str = "wsgi:app",
):
    """The real app under gunicorn on a free port; yields its base URL.

    The database is `database_url` (already migrated), or a migrated SQLite file under `workdir`; `app` is the
    WSGI app gunicorn loads (a test may wrap the real one, see app_with_held_slot.py).
    Access lines carry the worker pid, so a test can see which process answered.
    """
    from journal.cli import upgrade_database

    workdir.mkdir(parents=True, exist_ok=True)
    database = database_url
    if database is None:
        database = f"sqlite:///{workdir / 'journal.sqlite3'}"
        upgrade_database(database)
    LOGS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server_env = {
        **os.environ,
        **{k: str(v) for k, v in FAST_KDF.items()},
        "DATABASE_URL": database,
        "INSTANCE_PATH": str(workdir / "instance"),
        "LOG_LEVEL": "DEBUG",
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "--access-logformat",
        "pid=%(p)s %(m)s %(U)s %(s)s",
        "--log-level",
        "debug",
        app,
    ]
    with (LOGS / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    with running(process, base + "/help", f"server {name} did not start; see {LOGS / (name + '.log')}"):
        yield base


@contextlib.contextmanager
def running(process: subprocess.Popen, probe: str, failure: str, seconds: float = 30, verify: bool | str = True):
    """Wait until `probe` answers 200 (RuntimeError(failure) if the process dies or time runs out);
    stop the process on leaving, killing it if it will not end. `verify`: a certificate for an HTTPS probe."""
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if requests.get(probe, timeout=2, verify=verify).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(failure)
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def statements(app):
    """The SQL statements and COMMITs sent while the block runs."""
    engine = app.extensions["db_engine"]
    seen: list[str] = []
    commits: list[int] = []

    def on_execute(_conn, _cursor, statement, _params, _context, _many):
        seen.append(statement)

    def on_commit(_conn):
        commits.append(1)

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        yield seen, commits
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)


def earlier_today(before: timedelta) -> datetime:
    """`before` ago, but not before this UTC day began (UTC is the test users' zone): a dosing session logged then
    is on day 0 however close to midnight the test runs."""
    now = datetime.now(UTC)
    return max(now - before, now.replace(hour=0, minute=0, second=0, microsecond=0))
