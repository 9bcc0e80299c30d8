"""What every scenario gets: a fresh migrated database of its kind, a server on it, a signed-up client."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

from .ledger import Ledger, Row, verify_entries
from .servers import Databases, Gunicorn
from .web import Browser


@dataclass
class Context:
    kind: str  # "sqlite" or "postgresql"
    databases: Databases
    workdir: Path
    logs: Path
    secret_key: str

    def database(self, name: str, **kwargs) -> str:
        return self.databases.fresh(f"{name.replace('-', '_')}_{int(time.time() * 1000) % 10**9}", **kwargs)

    def server(self, name: str, database_url: str, env: dict[str, str] | None = None) -> Gunicorn:
        """A gunicorn on `database_url` (not started): the same secret key for every server of the run."""
        return Gunicorn(
            f"{name}-{self.kind}", database_url, self.workdir / name / "instance", self.logs, self.secret_key, env
        )

    def email(self, name: str, who: str = "client") -> str:
        return f"{who}.{name}.{self.kind}@example.org"


def signed_up(server: Gunicorn, email: str) -> Browser:
    browser = Browser(server.base)
    browser.sign_up(email)
    return browser


def signed_in(server: Gunicorn, email: str) -> Browser:
    browser = Browser(server.base)
    browser.sign_in(email)
    return browser


@contextlib.contextmanager
def running(server: Gunicorn):
    """Started, and stopped on leaving whatever happened."""
    try:
        yield server.start()
    finally:
        server.stop()


def check_entries(server: Gunicorn, email: str, ledger: Ledger, row: Row, **kwargs) -> Row:
    """Sign in anew and count what came through (see ledger.verify_entries); the answers go in the notes."""
    verify_entries(signed_in(server, email), ledger, row, **kwargs)
    describe_answers(ledger, row)
    return row


def describe_answers(ledger: Ledger, row: Row) -> None:
    """The answers by phase first in the notes, and what the error pages said."""
    row.notes.insert(0, ledger.answer_summary())
    if ledger.samples:
        row.notes.insert(1, "error pages: " + ledger.sample_summary())


def wait_until(condition, seconds: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False
