"""Ended and idle sessions leave the database on a schedule, not only when someone signs in.

A session row holds a wrap of its user's key. One left idle past every idle lock unlocks nothing any
more, but its bytes would stay in the database (and in a copy of its files) until deleted.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from journal import create_app
from journal.cli import upgrade_database
from journal.db import get_db, utcnow
from journal.models import AuthSession

from ..support import FAST_KDF, WebClient


def _app(tmp_path, **config):
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    upgrade_database(url)
    return create_app(
        {"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": tmp_path / "instance", **FAST_KDF, **config}
    )


def _sessions(app) -> list[bytes]:
    with app.app_context():
        return [bytes(wrap) for wrap in get_db().scalars(select(AuthSession.uk_wrap))]


def _idle_for(app, hours: int) -> None:
    with app.app_context():
        db = get_db()
        db.execute(update(AuthSession).values(last_seen_at=utcnow() - timedelta(hours=hours)))
        db.commit()


def _walk_away(tmp_path, app, email: str) -> tuple[list[bytes], bytes]:
    """A client signs in, writes, and leaves the phone: the session goes idle for a day."""
    web = WebClient(app.test_client())
    web.sign_up(email)
    web.new_entry("evening", "left open on the phone")
    wraps = _sessions(app)
    _idle_for(app, 24)
    return wraps, (tmp_path / "journal.sqlite3").read_bytes()


def test_an_idle_session_is_removed_after_any_later_request_without_anyone_signing_in(tmp_path):
    app = _app(tmp_path, SWEEP_MINUTES=0)
    wraps, _ = _walk_away(tmp_path, app, "ana@example.org")
    assert len(wraps) == 1
    stranger = app.test_client()
    response = stranger.get("/signin")  # nobody signs in: a page is only looked at
    response.close()
    assert _sessions(app) == []
    files = b"".join(path.read_bytes() for path in tmp_path.glob("journal.sqlite3*"))
    assert wraps[0] not in files  # the key wrap left the files too, not only the table
    app.extensions["db_engine"].dispose()


def test_a_process_sweeps_at_most_every_sweep_minutes(tmp_path):
    app = _app(tmp_path, SWEEP_MINUTES=60)
    app.test_client().get("/signin").close()  # the first response of the process sweeps (nothing to remove yet)
    wraps, _ = _walk_away(tmp_path, app, "ben@example.org")
    app.test_client().get("/signin").close()
    assert _sessions(app) == wraps  # within the hour: left for the next sweep (the loader refuses it meanwhile)
    app.extensions["db_engine"].dispose()


def test_a_live_session_is_never_swept(tmp_path):
    app = _app(tmp_path, SWEEP_MINUTES=0)
    web = WebClient(app.test_client())
    web.sign_up("cai@example.org")
    app.test_client().get("/signin").close()
    assert len(_sessions(app)) == 1
    assert web.get("/entries").status_code == 200  # still signed in
    app.extensions["db_engine"].dispose()


def test_the_sweep_command_removes_idle_sessions_for_a_timer(tmp_path):
    app = _app(tmp_path, SWEEP_MINUTES=60 * 24)
    _walk_away(tmp_path, app, "dee@example.org")
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 ended or idle session" in result.output
    with app.app_context():
        assert get_db().scalar(select(func.count()).select_from(AuthSession)) == 0
    app.extensions["db_engine"].dispose()
