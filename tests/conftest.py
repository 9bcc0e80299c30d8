"""Fixtures: a fresh app on a migrated database for every test, and clients that sign up like users."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import flask
import pytest
import redis

from journal import create_app
from journal.cli import upgrade_database

from .postgres import PostgresServer
from .support import DATABASES, FAST_KDF, IN_PROCESS_LOG, LOGS, OUTPUT, RUN, RUN_ID, WebClient, free_port

# Every log record of the in-process app goes to a file, which the log canary reads at the end.
LOGS.mkdir(parents=True, exist_ok=True)
_handler = logging.FileHandler(IN_PROCESS_LOG, encoding="utf-8")
_handler.setLevel(logging.DEBUG)
_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
logging.getLogger().addHandler(_handler)
logging.getLogger().setLevel(logging.DEBUG)


def pytest_configure(config):
    # Parallel workers (pytest-xdist) inherit this: they write into this run's folder, not one of their own.
    os.environ.setdefault("JOURNAL_TEST_RUN", RUN_ID)


def pytest_collection_modifyitems(config, items):
    """Tests that need the PostgreSQL server are marked `postgres` (`make check` leaves them out); the log
    canary, which reads the logs every other test wrote, goes last."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "postgres" in item.fixturenames or "postgresql" in str(params.values()) or "[postgresql" in item.nodeid:
            item.add_marker(pytest.mark.postgres)
    items.sort(key=lambda item: item.get_closest_marker("canary") is not None)


def pytest_sessionstart(session):
    # Runs that have ended leave their folders behind; clear those, never a live run's.
    for folder in (OUTPUT / "runs").glob("run-*"):
        pid = folder.name.removeprefix("run-")
        if folder != RUN and pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for the whole run, stopped at the end whatever happened.

    If it cannot start, every PostgreSQL test errors loudly: nothing is skipped.
    """
    server = PostgresServer(free_port()).init()
    try:
        server.start()
        template = server.create_database("journal_template")
        upgrade_database(server.url(template))
        yield server
    finally:
        server.remove(keep_log=LOGS / f"postgresql-{server.port}.log")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A Redis server for the run (rate counters can live there), stopped at the end."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    with (LOGS / "redis.log").open("ab") as log:
        process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start (make test installs it)") from None
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """One migrated SQLite file; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path, migrated_sqlite):
    """A fresh, migrated database of each kind: every test that touches the database runs on both."""
    if request.param == "sqlite":
        path = tmp_path / "journal.sqlite3"
        shutil.copy(migrated_sqlite, path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres")
    name = server.create_database(template="journal_template")
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def database_kind(database_url) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


HX_REQUEST = re.compile(rb"\shx-(?:get|post|put|patch|delete|trigger|boost|swap-oob)\b")


def _htmx_where_asked_for(response):
    """Every page the tests draw: one that asks htmx for something loads it (htmx is left off the others,
    journal/templates/_head.html; tests/unit/test_first_load.py checks the templates it can follow)."""
    if response.mimetype == "text/html" and not response.is_streamed and not response.direct_passthrough:
        body = response.get_data()
        if body.lstrip()[:15].lower() == b"<!doctype html>" and HX_REQUEST.search(body):
            assert b"/static/htmx-" in body, f"{flask.request.path} asks htmx for something but does not load it"
    return response


@pytest.fixture
def make_app(tmp_path, database_url):
    built = []

    def build(**overrides):
        config = {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": tmp_path / "instance",
            **FAST_KDF,
            **overrides,
        }
        built.append(create_app(config))
        built[-1].after_request(_htmx_where_asked_for)
        return built[-1]

    yield build
    for application in built:
        application.extensions["db_engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def web(app):
    return WebClient(app.test_client())


@pytest.fixture
def other_web(app):
    return WebClient(app.test_client())
