"""`flask backup` and `flask restore` (the restore drill of docs/deploy.md), on SQLite and PostgreSQL, through the
real commands: a restored copy opens no old cookie, holds no sign-in, and opens every record with the password."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from journal import create_app
from journal.backups import postgres as postgres_backups
from journal.db import get_db
from journal.models import AuthSession

from .. import art_images
from ..http.test_art import art_ids, upload
from ..http.test_checkins import _check_in
from ..support import FAST_KDF, PASSWORD, TOTP_SECRETS, WebClient, new_marker, one_time_code


@pytest.fixture
def fresh_url(database_kind, tmp_path, request):
    """A database to restore into that nothing has touched: a new SQLite file, or a PostgreSQL database with no
    tables (the app's server would be pointed at it after the restore)."""
    if database_kind == "sqlite":
        (tmp_path / "restored").mkdir()
        return f"sqlite:///{tmp_path / 'restored' / 'journal.sqlite3'}"
    server = request.getfixturevalue("postgres")
    name = server.create_database()
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


@pytest.fixture
def app_on(tmp_path):
    """Apps on a database URL of the test's choosing (for the tests about one kind of database only)."""
    built = []

    def build(database_url: str):
        built.append(
            create_app(
                {"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": tmp_path / "instance", **FAST_KDF}
            )
        )
        return built[-1]

    yield build
    for application in built:
        application.extensions["db_engine"].dispose()


def flask(app, *args: str):
    """Run `flask <args>` against this app's configuration, as an operator would."""
    return app.test_cli_runner().invoke(args=list(args))


def session_secrets(app) -> list[bytes]:
    """What the live database holds of every signed-in browser: the token hashes and the key wraps."""
    with app.app_context():
        rows = get_db().scalars(select(AuthSession)).all()
        return [bytes(value) for row in rows for value in (row.token_hash, row.uk_wrap, row.priv_wrap)]


def dump_as_sql(postgres, dump: Path) -> str:
    """A custom-format dump written out as the SQL it would run (its table rows included), to read."""
    return subprocess.run(
        [str(postgres.bin / "pg_restore"), "--file=-", str(dump)], check=True, capture_output=True, text=True
    ).stdout


def signed_out(web: WebClient, path: str = "/entries") -> bool:
    response = web.get(path)
    return response.status_code == 302 and response.headers["Location"].startswith("/signin")


def with_cookie(app, value: str) -> WebClient:
    browser = WebClient(app.test_client())
    browser.raw.set_cookie("sid", value)
    return browser


def test_a_restored_copy_opens_no_old_cookie_and_every_record_with_the_password(
    make_app, fresh_url, database_kind, tmp_path, request
):
    app = make_app()
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    entries = {
        web.new_entry(f"entry {n}", marker): marker
        for n, marker in enumerate(new_marker("BACKUPENTRY") for _ in range(3))
    }
    note = new_marker("BACKUPCHECKIN")
    assert _check_in(web, note=note).status_code == 303
    caption = new_marker("BACKUPART")
    assert upload(web, [("art.jpg", art_images.jpeg())], caption=caption).status_code == 303
    (art_id,) = art_ids(web)
    picture = web.raw.get(f"/art/{art_id}/full.jpg").data
    # A second account with two-step sign-in, half signed in: password given, code not yet.
    ben = WebClient(app.test_client())
    ben.sign_up("ben@example.org", two_factor=True)
    ben.sign_out()
    half = WebClient(app.test_client())
    response = half.post("/signin", {"email": "ben@example.org", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"].startswith("/signin/code")
    cookies = {"signed in": web.cookie("sid"), "waiting for a code": half.cookie("sid")}
    live_secrets = session_secrets(app)
    assert len(live_secrets) == 3 * 2

    backup = tmp_path / "backups" / "journal.backup"
    backup.parent.mkdir()
    result = flask(app, "backup", str(backup))
    assert result.exit_code == 0, result.output
    assert "2 accounts (2 clients, 0 therapists), 5 records (1 photo)" in result.output
    assert "Left out: 2 sign-in sessions" in result.output
    for marker in [*entries.values(), note, caption]:
        assert marker not in result.output
    assert sorted(p.name for p in backup.parent.iterdir()) == ["journal.backup"]  # no -wal, no leftovers
    assert backup.stat().st_mode & 0o077 == 0

    # What the backup holds of those sessions: the empty table, no row, not a byte of them.
    if database_kind == "sqlite":
        raw = backup.read_bytes()
        assert b"ana@example.org" in raw  # the bytes are readable as they are: the check below means something
        for secret in live_secrets:
            assert secret not in raw
        with sqlite3.connect(backup) as copy:
            assert copy.execute("SELECT count(*) FROM auth_sessions").fetchone() == (0,)
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        copy.close()
    else:
        postgres = request.getfixturevalue("postgres")
        script = dump_as_sql(postgres, backup)
        assert "CREATE UNLOGGED TABLE public.auth_sessions" in script and "COPY public.users" in script
        assert "COPY public.auth_sessions" not in script
        for secret in live_secrets:
            assert secret.hex() not in script

    # The original goes on: those cookies were live.
    assert web.get("/entries").status_code == 200
    assert half.get("/signin/code").status_code == 200

    app.extensions["db_engine"].dispose()
    restored = make_app(DATABASE_URL=fresh_url)
    result = flask(restored, "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert "2 accounts (2 clients, 0 therapists), 5 records (1 photo)" in result.output
    assert "Nobody is signed in" in result.output

    # (a) No old cookie opens anything: the signed-in one, nor the one waiting for its code (even with a right code).
    assert signed_out(with_cookie(restored, cookies["signed in"]))
    assert signed_out(with_cookie(restored, cookies["signed in"]), f"/art/{art_id}/full.jpg")
    waiting = with_cookie(restored, cookies["waiting for a code"])
    assert signed_out(waiting, "/signin/code")
    response = waiting.post("/signin/code", {"code": one_time_code(TOTP_SECRETS["ben@example.org"])})
    assert response.status_code == 303 and response.headers["Location"].startswith("/signin")
    assert signed_out(waiting)
    # (b) The restored database holds no sign-in but the ones made on it.
    engine = create_engine(fresh_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM auth_sessions")).scalar_one() == 0
    engine.dispose()
    # (c) The password opens every record.
    reader = WebClient(restored.test_client())
    assert reader.sign_in("ana@example.org").status_code == 302
    listing = reader.get("/entries").get_data(as_text=True)
    assert len(re.findall(r'class="entry-item"', listing)) == len(entries)
    for entry, marker in entries.items():
        assert marker in reader.get(f"/entries/{entry}").get_data(as_text=True)
    assert note in reader.get("/checkins").get_data(as_text=True)
    assert caption in reader.get(f"/art/{art_id}").get_data(as_text=True)
    assert reader.raw.get(f"/art/{art_id}/full.jpg").data == picture
    assert WebClient(restored.test_client()).sign_in("ben@example.org").status_code == 302


def test_a_backup_taken_while_the_app_writes_is_whole(app_on, tmp_path):
    """SQLite's online backup while entries are being saved: the copy is one moment, checked, every entry opens."""
    app = app_on(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    assert flask(app, "db-upgrade").exit_code == 0
    writer = WebClient(app.test_client())
    writer.sign_up("ana@example.org")
    saved: list[str] = []
    stop = threading.Event()

    def keep_writing():
        while not stop.is_set() or len(saved) < 5:
            saved.append(writer.new_entry("busy", "written during the backup"))

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        results = [flask(app, "backup", str(tmp_path / f"copy-{n}.sqlite3")) for n in range(3)]
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not thread.is_alive()
    assert [result.exit_code for result in results] == [0, 0, 0], [result.output for result in results]
    counts = [int(re.search(r"(\d+) records? ", result.output).group(1)) for result in results]
    assert counts == sorted(counts) and counts[-1] <= len(saved)
    app.extensions["db_engine"].dispose()
    restored = app_on(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    assert flask(restored, "restore", str(tmp_path / "copy-2.sqlite3")).exit_code == 0
    reader = WebClient(restored.test_client())
    assert reader.sign_in("ana@example.org").status_code == 302
    opened = [
        entry
        for entry in saved[: counts[-1]]
        if "written during the backup" in reader.get(f"/entries/{entry}").get_data(as_text=True)
    ]
    assert len(opened) == counts[-1]


def test_a_copy_made_by_hand_with_sessions_in_it_is_restored_without_them(
    make_app, database_url, fresh_url, database_kind, tmp_path, request
):
    """SQLite's `.backup` and a plain pg_dump copy every session row; restore leaves them out all the same."""
    app = make_app()
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    marker = new_marker("BACKUPBYHAND")
    entry = web.new_entry("by hand", marker)
    copy = tmp_path / "by-hand.backup"
    if database_kind == "sqlite":
        live, made = sqlite3.connect(make_url(database_url).database), sqlite3.connect(copy)
        live.backup(made)  # what the sqlite3 shell's .backup does
        made.close()
        live.close()
    else:
        postgres = request.getfixturevalue("postgres")
        copy = postgres.root / f"{make_url(database_url).database}.dump"  # where the server's user may write
        request.addfinalizer(lambda: copy.unlink(missing_ok=True))
        postgres.dump(make_url(database_url).database, copy)
        assert "COPY public.auth_sessions" in dump_as_sql(postgres, copy)
    restored = make_app(DATABASE_URL=fresh_url)
    result = flask(restored, "restore", str(copy))
    assert result.exit_code == 0, result.output
    if database_kind == "sqlite":
        assert "The backup held 1 sign-in session, 1 attempt counter; they were not restored." in result.output
    assert signed_out(with_cookie(restored, web.cookie("sid")))
    reader = WebClient(restored.test_client())
    assert reader.sign_in("ana@example.org").status_code == 302
    assert marker in reader.get(f"/entries/{entry}").get_data(as_text=True)


def test_backup_refuses_to_overwrite_a_file_unless_forced(make_app, tmp_path):
    app = make_app()
    WebClient(app.test_client()).sign_up("ana@example.org")
    existing = tmp_path / "journal.backup"
    existing.write_bytes(b"last week's backup")
    result = flask(app, "backup", str(existing))
    assert result.exit_code == 1
    assert f"{existing} already exists: choose another name, or add --force to replace it." in result.output
    assert existing.read_bytes() == b"last week's backup"
    result = flask(app, "backup", "--force", str(existing))
    assert result.exit_code == 0, result.output
    assert "1 account (1 client, 0 therapists)" in result.output and existing.read_bytes() != b"last week's backup"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".journal.backup")) == []
    result = flask(app, "backup", str(tmp_path / "no such folder" / "journal.backup"))
    assert result.exit_code == 1 and "does not exist" in result.output


def test_restore_refuses_a_database_with_accounts_unless_forced(make_app, fresh_url, database_kind, tmp_path):
    source = make_app()
    ana = WebClient(source.test_client())
    ana.sign_up("ana@example.org")
    marker = new_marker("BACKUPFORCED")
    entry = ana.new_entry("kept", marker)
    backup = tmp_path / "ana.backup"
    assert flask(source, "backup", str(backup)).exit_code == 0

    # Restoring over the live database itself, with its accounts: refused, nothing changes.
    result = flask(source, "restore", str(backup))
    assert result.exit_code == 1
    assert "already has 1 account: restoring would replace them" in result.output
    assert marker in ana.get(f"/entries/{entry}").get_data(as_text=True)

    # A migrated database that a server (one app) serves, where someone signed up; the operator runs the commands
    # in a process of their own (another app on the same configuration).
    server = make_app(DATABASE_URL=fresh_url)
    operator = make_app(DATABASE_URL=fresh_url)
    assert flask(operator, "db-upgrade").exit_code == 0
    result = flask(operator, "restore", str(backup))  # migrated, no account yet: nothing to lose
    assert result.exit_code == 0, result.output
    ben = WebClient(server.test_client())
    ben.sign_up("ben@example.org")
    result = flask(operator, "restore", str(backup))
    assert result.exit_code == 1 and "already has 2 accounts" in result.output
    assert ben.get("/entries").status_code == 200
    if database_kind == "sqlite":
        result = flask(operator, "restore", "--force", str(backup))  # the server still has it open
        assert result.exit_code == 1 and "is open in another program (the app server?)" in result.output
        assert ben.get("/entries").status_code == 200
    server.extensions["db_engine"].dispose()  # the server is stopped

    result = flask(operator, "restore", "--force", str(backup))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and "1 account (1 client, 0 therapists), 1 record" in result.output
    reader = WebClient(server.test_client())  # the server started again
    assert reader.sign_in("ana@example.org").status_code == 302
    assert marker in reader.get(f"/entries/{entry}").get_data(as_text=True)
    assert WebClient(server.test_client()).sign_in("ben@example.org").status_code != 302  # not there any more
    assert signed_out(ben)


def test_restore_says_what_is_wrong_with_a_file(make_app, fresh_url, database_kind, tmp_path):
    app = make_app(DATABASE_URL=fresh_url)
    result = flask(app, "restore", str(tmp_path / "missing.backup"))
    assert result.exit_code == 1 and f"No backup at {tmp_path / 'missing.backup'}." in result.output
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup")
    result = flask(app, "restore", str(notes))
    assert result.exit_code == 1
    assert (
        "is not an SQLite database file"
        if database_kind == "sqlite"
        else "is not a PostgreSQL backup (pg_dump's custom format)"
    ) in result.output
    other = tmp_path / "other-kind.backup"
    if database_kind == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0f\x00" + bytes(200))
        expected = "is a PostgreSQL backup (pg_dump), and DATABASE_URL names an SQLite file"
    else:
        with sqlite3.connect(other) as made:
            made.execute("CREATE TABLE t (x)")
        made.close()
        expected = "is an SQLite backup, and DATABASE_URL names a PostgreSQL database"
    result = flask(app, "restore", str(other))
    assert result.exit_code == 1 and expected in result.output


def test_an_sqlite_file_of_another_app_a_newer_schema_or_torn_is_refused(app_on, tmp_path):
    app = app_on(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    stranger = tmp_path / "stranger.sqlite3"
    with sqlite3.connect(stranger) as made:
        made.execute("CREATE TABLE notes (body TEXT)")
    made.close()
    result = flask(app, "restore", str(stranger))
    assert result.exit_code == 1 and "not a database of the integration journal" in result.output
    newer = tmp_path / "newer.sqlite3"
    assert flask(app_on(f"sqlite:///{newer}"), "db-upgrade").exit_code == 0
    with sqlite3.connect(newer) as made:
        made.execute("UPDATE alembic_version SET version_num = '9999'")
    made.close()
    result = flask(app, "restore", str(newer))
    assert result.exit_code == 1 and "schema revision 9999 is not one this version of the app knows" in result.output
    torn = tmp_path / "torn.sqlite3"
    torn.write_bytes(newer.read_bytes()[:20_000])  # a copy that stopped half way
    result = flask(app, "restore", str(torn))
    assert result.exit_code == 1 and result.output.startswith(f"Error: {torn} cannot be restored: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "instance",
        "newer.sqlite3",
        "stranger.sqlite3",
        "torn.sqlite3",
    ]


def test_a_backup_of_an_older_schema_is_restored_with_a_word_to_upgrade(app_on, tmp_path):
    from journal.backups.summary import head_revision
    from journal.cli import upgrade_database

    older = tmp_path / "older.sqlite3"
    upgrade_database(f"sqlite:///{older}", "0005")
    result = flask(app_on(f"sqlite:///{tmp_path / 'target.sqlite3'}"), "restore", str(older))
    assert result.exit_code == 0, result.output
    assert "schema revision 0005" in result.output
    assert (
        f"The backup's schema is at revision 0005, this version's at {head_revision()}: run `flask db-upgrade`"
        in result.output
    )


def test_without_the_postgresql_tools_the_backup_says_so(app_on, tmp_path, monkeypatch, postgres):
    app = app_on(postgres.url("journal_template"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(postgres_backups, "TOOL_FOLDERS", str(tmp_path / "no postgresql"))
    result = flask(app, "backup", str(tmp_path / "journal.dump"))
    assert result.exit_code == 1
    assert "pg_dump was not found on PATH" in result.output and "install the PostgreSQL client tools" in result.output
    assert not (tmp_path / "journal.dump").exists()


def test_the_password_goes_to_the_tools_in_the_environment_not_the_command_line():
    target, env = postgres_backups.libpq(
        "postgresql+psycopg://journal:s3cret%2Fx@db.internal:6432/journal?sslmode=require"
    )
    assert target == "postgresql://journal@db.internal:6432/journal?sslmode=require"
    assert env["PGPASSWORD"] == "s3cret/x"
