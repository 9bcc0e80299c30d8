"""Fixtures shared by the browser test files: one live server per file, Chromium, contexts.

A test file imports them by name (`from .browser_fixtures import chromium, open_context, server`);
pytest then registers them for that file, so "module" scope means one server per file.

`server` runs on SQLite: what a browser sees is drawn the same from either database, and every test
that touches the database runs on both at the HTTP level. `server_on_each_database` runs the file on
SQLite and on PostgreSQL, for the journey that proves the whole stack (gunicorn, PostgreSQL, Chromium).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from ..support import DATABASES, database_for, live_server
from .browser_support import COMMON, launch


@pytest.fixture(scope="module", params=["sqlite"])
def server(request, tmp_path_factory):
    """One live server on SQLite for the requesting file; every test signs up its own account.

    Yields (base URL, database URL).
    """
    yield from _live(request, tmp_path_factory)


@pytest.fixture(scope="module", params=DATABASES)
def server_on_each_database(request, tmp_path_factory):
    """One live server per database for the requesting file. Yields (base URL, database URL)."""
    yield from _live(request, tmp_path_factory)


def _live(request, tmp_path_factory):
    label = f"{request.module.__name__.rsplit('.', 1)[-1].removeprefix('test_')}-{request.param}"
    workdir = tmp_path_factory.mktemp(label)
    url = database_for(request.param, workdir, request)
    with live_server(workdir, label, database_url=url, env={"SIGNUPS_PER_ADDRESS_PER_HOUR": "100"}) as base:
        yield base, url


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def open_context(chromium):
    """Fresh browser contexts (each its own cookie jar and storage), closed after the test."""
    contexts = []

    def make(**options):
        context = chromium.new_context(**{**COMMON, **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
