"""The instance folder and what it holds (the secret, the push key, the database, its -wal and -shm) are this user's only."""

from __future__ import annotations

import stat

from journal import create_app
from journal.cli import upgrade_database

from ..support import FAST_KDF, WebClient


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_instance_is_readable_by_its_owner_only(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"TESTING": True, "INSTANCE_PATH": instance, **FAST_KDF})  # the default database, in instance/
    upgrade_database(app.config["DATABASE_URL"])
    WebClient(app.test_client()).sign_up("ana@example.org")
    files = {path.name: _mode(path) for path in instance.iterdir()}
    assert {"secret_key", "vapid_private_key", "journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm"} <= set(
        files
    )
    assert _mode(instance) == 0o700
    assert {name: mode for name, mode in files.items() if mode != 0o600} == {}
    app.extensions["db_engine"].dispose()


def test_an_older_readable_database_is_made_private(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    database = instance / "journal.sqlite3"
    upgrade_database(f"sqlite:///{database}")
    database.chmod(0o644)
    app = create_app({"TESTING": True, "INSTANCE_PATH": instance, **FAST_KDF})
    WebClient(app.test_client()).sign_up("ana@example.org")
    assert _mode(instance) == 0o700 and _mode(database) == 0o600
    app.extensions["db_engine"].dispose()
