"""Fixtures: a fresh app on a migrated database for every test, and clients that sign up like users."""
from __future__ import annotations

import logging
import shutil

import pytest

from journal import create_app
from journal.cli import upgrade_database

from .support import FAST_KDF, LOGS, OUTPUT, WebClient

# Every log record of the in-process app goes to a file, which the log canary reads at the end.
LOGS.mkdir(parents=True, exist_ok=True)
_handler = logging.FileHandler(LOGS / "in-process.log", encoding="utf-8")
_handler.setLevel(logging.DEBUG)
_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
logging.getLogger().addHandler(_handler)
logging.getLogger().setLevel(logging.DEBUG)


def pytest_sessionstart(session):
    # A fresh run starts with no markers and no logs from an earlier run.
    for path in OUTPUT.glob("markers.txt"):
        path.unlink()
    for path in LOGS.glob("*.log"):
        if path.name != "in-process.log":
            path.unlink()
    (LOGS / "in-process.log").write_text("", encoding="utf-8")


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """One migrated SQLite file; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_path(tmp_path, migrated_database):
    path = tmp_path / "journal.sqlite3"
    shutil.copy(migrated_database, path)
    return path


@pytest.fixture
def make_app(tmp_path, database_path):
    def build(**overrides):
        config = {"TESTING": True, "DATABASE_URL": f"sqlite:///{database_path}", "INSTANCE_PATH": tmp_path / "instance",
                  **FAST_KDF, **overrides}
        return create_app(config)

    return build


@pytest.fixture
def app(make_app):
    application = make_app()
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def web(app):
    return WebClient(app.test_client())


@pytest.fixture
def other_web(app):
    return WebClient(app.test_client())
