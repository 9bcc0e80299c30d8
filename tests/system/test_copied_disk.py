"""A copy of the instance folder's files (database, -wal, -shm) taken after a sign-out or an account
deletion holds no byte of what was removed: no session key wrap, no password wrap, salt, verifier or email.

SQLite keeps the pages a transaction changed in its -wal file until a checkpoint: this is what a file
copy of a live server would find.
"""

from __future__ import annotations

import shutil

from sqlalchemy import select

from journal import create_app
from journal.cli import upgrade_database
from journal.db import get_db
from journal.models import AuthSession, User

from ..support import FAST_KDF, PASSWORD, WebClient


def _app(tmp_path):
    url = f"sqlite:///{tmp_path / 'db' / 'journal.sqlite3'}"
    (tmp_path / "db").mkdir()
    upgrade_database(url)
    return create_app({"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": tmp_path / "instance", **FAST_KDF})


def _copy_of_the_files(tmp_path, name: str) -> bytes:
    """Every file of the database folder, copied as a file-level backup would, joined."""
    copy = tmp_path / name
    shutil.copytree(tmp_path / "db", copy)
    files = sorted(copy.iterdir())
    assert any(path.name.endswith("-wal") for path in files) or len(files) == 1
    return b"".join(path.read_bytes() for path in files)


def _secrets(app, email: str) -> dict[str, bytes]:
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == email))
        found = {
            "email": email.encode(),
            "kdf salt": bytes(user.kdf_salt),
            "verifier": bytes(user.auth_verifier),
            "password wrap": bytes(user.uk_wrap_pw),
            "recovery wrap": bytes(user.uk_wrap_recovery),
            "private key wrap": bytes(user.x25519_priv_wrap),
        }
        for number, row in enumerate(db.scalars(select(AuthSession).where(AuthSession.user_id == user.id))):
            found[f"session {number} key wrap"] = bytes(row.uk_wrap)
            found[f"session {number} token hash"] = bytes(row.token_hash)
        return found


def test_a_signed_out_session_leaves_no_wrap_in_a_copy_of_the_files(tmp_path):
    app = _app(tmp_path)
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    web.new_entry("a day", "kept")
    sessions = {name: value for name, value in _secrets(app, "ana@example.org").items() if name.startswith("session")}
    before = _copy_of_the_files(tmp_path, "before")
    assert sessions and all(value in before for value in sessions.values())  # a live session is in the files
    web.sign_out()
    copied = _copy_of_the_files(tmp_path, "after")
    assert [name for name, value in sessions.items() if value in copied] == []
    app.extensions["db_engine"].dispose()


def test_a_deleted_account_leaves_nothing_that_opens_it_in_a_copy_of_the_files(tmp_path):
    app = _app(tmp_path)
    web, other = WebClient(app.test_client()), WebClient(app.test_client())
    web.sign_up("ana@example.org")
    other.sign_up("ben@example.org")  # someone else stays, and keeps using the database
    web.new_entry("a day", "to be deleted")
    secrets = _secrets(app, "ana@example.org")
    page = web.get("/account/delete").get_data(as_text=True)
    phrase = page.split('<label for="phrase">Type <strong>', 1)[1].split("</strong>", 1)[0]
    assert web.post("/account/delete", {"phrase": phrase, "password": PASSWORD}).status_code == 303
    other.new_entry("after", "the deletion")
    copied = _copy_of_the_files(tmp_path, "after")
    assert [name for name, value in secrets.items() if value in copied] == []
    app.extensions["db_engine"].dispose()


def _wal_bytes(postgres) -> bytes:
    postgres.execute("SELECT pg_switch_wal()")  # the current segment written out: what was logged is in pg_wal
    return b"".join(path.read_bytes() for path in sorted((postgres.data / "pg_wal").glob("0*")) if path.is_file())


def test_postgresql_never_writes_a_session_wrap_into_its_write_ahead_log(postgres, tmp_path):
    """WAL archives and replicas keep what the write-ahead log held: a session's key wrap is never in it."""
    name = postgres.create_database(template="journal_template")
    app = create_app(
        {"TESTING": True, "DATABASE_URL": postgres.url(name), "INSTANCE_PATH": tmp_path / "instance", **FAST_KDF}
    )
    try:
        web = WebClient(app.test_client())
        web.sign_up("ana@example.org")
        web.new_entry("a day", "kept")
        found = _secrets(app, "ana@example.org")
        sessions = {key: value for key, value in found.items() if key.startswith("session")}
        wal = _wal_bytes(postgres)
        assert found["private key wrap"] in wal  # the scan finds what a logged table wrote
        assert sessions and [key for key, value in sessions.items() if value in wal] == []
    finally:
        app.extensions["db_engine"].dispose()
        postgres.drop_database(name)
