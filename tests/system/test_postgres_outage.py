"""PostgreSQL stopped mid-run: a quick 503 with Retry-After, and recovery without a restart."""

from __future__ import annotations

import time

import pytest

from journal import create_app
from journal.cli import upgrade_database

from ..postgres import PostgresServer
from ..support import FAST_KDF, WebClient, free_port, new_marker


@pytest.fixture
def own_server():
    """A PostgreSQL server of this test's own, so stopping it disturbs nothing else."""
    server = PostgresServer(free_port()).init()
    try:
        server.start()
        yield server
    finally:
        server.remove()


def test_outage_answers_503_quickly_and_recovers(own_server, tmp_path):
    name = own_server.create_database("journal")
    upgrade_database(own_server.url(name))
    app = create_app({"TESTING": True, "DATABASE_URL": own_server.url(name), "INSTANCE_PATH": tmp_path, **FAST_KDF})
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    marker = new_marker("OUTAGE")
    entry = web.new_entry("before the outage", marker)
    assert web.get("/healthz").get_json() == {"status": "ok", "database": "ok"}

    own_server.stop()
    for url in (f"/entries/{entry}", "/entries", "/healthz"):
        started = time.monotonic()
        response = web.get(url)
        elapsed = time.monotonic() - started
        assert response.status_code == 503, url
        assert elapsed < 5, (url, elapsed)
        assert response.headers["Retry-After"].isdigit()
        assert marker not in response.get_data(as_text=True)
    page = web.get("/entries").get_data(as_text=True)
    assert "Busy or unavailable" in page and "Need help now?" in page  # in the layout, help still one tap away
    started = time.monotonic()
    saving = web.post(f"/entries/{entry}/edit", {"version": "1", "title": "t", "body": "during the outage"})
    assert saving.status_code == 503 and time.monotonic() - started < 5

    own_server.start()
    assert web.get("/healthz").status_code == 200
    response = web.get(f"/entries/{entry}")
    assert response.status_code == 200 and marker in response.get_data(as_text=True)  # same session, no restart
    assert web.post(f"/entries/{entry}/edit", {"version": "1", "title": "t", "body": "after"}).status_code == 303
    app.extensions["db_engine"].dispose()
