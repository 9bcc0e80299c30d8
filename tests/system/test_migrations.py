"""Migrations build exactly the schema the models describe, and go down and up again, on both databases."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from journal.cli import alembic_config, upgrade_database
from journal.db import Base


def _differences(url: str):
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def _empty_database(kind: str, tmp_path, request) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    server = request.getfixturevalue("postgres")
    name = server.create_database()
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


def test_upgrade_head_on_an_empty_database_matches_the_models(database_kind, tmp_path, request):
    url = _empty_database(database_kind, tmp_path, request)
    upgrade_database(url)
    assert _differences(url) == []


def test_downgrade_to_base_and_up_again(database_kind, tmp_path, request):
    url = _empty_database(database_kind, tmp_path, request)
    upgrade_database(url)
    command.downgrade(alembic_config(url), "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade_database(url)
    assert _differences(url) == []


def test_old_access_lines_keep_their_record_and_kind(database_kind, tmp_path, request):
    """Lines written before 0006 named one record each: they cover that record afterwards, with its kind."""
    import uuid
    from datetime import datetime

    from sqlalchemy import text

    url = _empty_database(database_kind, tmp_path, request)
    upgrade_database(url, "0005")
    engine = create_engine(url)
    user, record = uuid.uuid4(), uuid.uuid4()
    at = datetime(2026, 11, 30, 9, 0)
    uid = (lambda value: value.hex) if database_kind == "sqlite" else (lambda value: value)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, role, time_zone, created_at, offline_capture, kdf_salt, kdf_memory_kib, "
                "kdf_iterations, kdf_lanes, auth_verifier, uk_version, uk_wrap_pw, recovery_salt, uk_wrap_recovery, "
                "x25519_pub, x25519_priv_wrap) VALUES (:id, 'old@example.org', 'client', 'UTC', :at, true, :b, 1, 1, 1, "
                ":b, 1, :b, :b, :b, :b, :b)"
            ),
            {"id": uid(user), "at": at, "b": b"x"},
        )
        connection.execute(
            text(
                "INSERT INTO records (id, owner_id, kind, idempotency_key, occurred_at, created_at, updated_at, version, "
                "uk_version, dek_wrap, payload_ciphertext) VALUES (:id, :owner, 'entry', 'k', :at, :at, :at, 1, 1, :b, :b)"
            ),
            {"id": uid(record), "owner": uid(user), "at": at, "b": b"x"},
        )
        connection.execute(
            text(
                "INSERT INTO access_events (record_id, owner_id, therapist_id, what, at) "
                "VALUES (:record, :owner, :owner, 'page', :at)"
            ),
            {"record": uid(record), "owner": uid(user), "at": at},
        )
    engine.dispose()
    upgrade_database(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        kind, what = connection.execute(text("SELECT kind, what FROM access_events")).one()
        covered = connection.execute(text("SELECT record_id FROM access_event_records")).scalars().all()
    engine.dispose()
    assert (kind, what) == ("entry", "page")
    assert [str(uuid.UUID(str(one))) for one in covered] == [str(record)]


def test_0012_adds_the_next_session_to_links_and_accounts_and_takes_it_away_again(database_kind, tmp_path, request):
    """A link made before 0012 keeps everything it had, with no next session noted; going down to 0011 keeps the
    link, the accounts and their records (nothing cascades away on SQLite) and drops only the dates."""
    from datetime import date

    from sqlalchemy import text

    url = _empty_database(database_kind, tmp_path, request)
    upgrade_database(url, "0011")
    engine = create_engine(url)
    _a_linked_client_with_a_record(engine, database_kind)
    engine.dispose()

    upgrade_database(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        row = connection.execute(
            text("SELECT auto_share_kinds, next_session_on, next_session_at, next_session_set_by FROM links")
        ).one()
        assert tuple(row) == ("checkin", None, None, None)
        assert connection.execute(text("SELECT next_integration_on, next_integration_at FROM users")).all() == [
            (None, None),
            (None, None),
        ]
        connection.execute(
            text("UPDATE links SET next_session_on = :day, next_session_set_by = 'therapist'"),
            {"day": date(2026, 12, 10)},
        )
        connection.execute(text("UPDATE users SET next_integration_on = :day"), {"day": date(2026, 12, 11)})
        day = connection.execute(text("SELECT next_session_on FROM links")).scalar_one()
        assert str(day)[:10] == "2026-12-10"
    engine.dispose()

    command.downgrade(alembic_config(url), "0011")
    engine = create_engine(url)
    columns = {column["name"] for column in inspect(engine).get_columns("links")}
    assert not columns & {"next_session_on", "next_session_at", "next_session_set_by"}
    assert not {column["name"] for column in inspect(engine).get_columns("users")} & {
        "next_integration_on",
        "next_integration_at",
    }
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM links")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 2
        assert connection.execute(text("SELECT count(*) FROM records")).scalar_one() == 1  # nothing cascaded away
    engine.dispose()


def _a_linked_client_with_a_record(engine, database_kind: str) -> None:
    """Two accounts, a link between them and one record, written as of 0011 (columns every later one keeps)."""
    import uuid
    from datetime import datetime

    from sqlalchemy import text

    client, therapist, link = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    at = datetime(2026, 12, 1, 9, 0)
    uid = (lambda value: value.hex) if database_kind == "sqlite" else (lambda value: value)
    with engine.begin() as connection:
        for user_id, email, role in ((client, "c@example.org", "client"), (therapist, "t@example.org", "therapist")):
            connection.execute(
                text(
                    "INSERT INTO users (id, email, role, time_zone, created_at, offline_capture, kdf_salt, "
                    "kdf_memory_kib, kdf_iterations, kdf_lanes, auth_verifier, uk_version, uk_wrap_pw, recovery_salt, "
                    "uk_wrap_recovery, x25519_pub, x25519_priv_wrap) VALUES (:id, :email, :role, 'UTC', :at, true, :b, "
                    "1, 1, 1, :b, 1, :b, :b, :b, :b, :b)"
                ),
                {"id": uid(user_id), "email": email, "role": role, "at": at, "b": b"x"},
            )
        connection.execute(
            text(
                "INSERT INTO links (id, client_id, therapist_id, pinned_key_ciphertext, auto_share_kinds, created_at, "
                "session_held_at) VALUES (:id, :client, :therapist, :b, 'checkin', :at, :at)"
            ),
            {"id": uid(link), "client": uid(client), "therapist": uid(therapist), "b": b"x", "at": at},
        )
        connection.execute(
            text(
                "INSERT INTO records (id, owner_id, kind, idempotency_key, occurred_at, created_at, updated_at, version, "
                "uk_version, dek_wrap, payload_ciphertext) VALUES (:id, :owner, 'entry', 'k', :at, :at, :at, 1, 1, :b, :b)"
            ),
            {"id": uid(uuid.uuid4()), "owner": uid(client), "at": at, "b": b"x"},
        )


def test_going_down_below_0008_keeps_accounts_links_and_records(database_kind, tmp_path, request):
    """0008's columns are dropped in place: rebuilding `users` on SQLite would cascade to every row pointing at it."""
    from sqlalchemy import text

    url = _empty_database(database_kind, tmp_path, request)
    upgrade_database(url, "0011")
    engine = create_engine(url)
    _a_linked_client_with_a_record(engine, database_kind)
    engine.dispose()
    command.downgrade(alembic_config(url), "0007")
    engine = create_engine(url)
    assert "rotation_uk_wrap" not in {column["name"] for column in inspect(engine).get_columns("users")}
    with engine.connect() as connection:
        counts = [
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("users", "links", "records")
        ]
    engine.dispose()
    assert counts == [2, 1, 1]


def test_0014_adds_session_notes_that_outlive_the_client_and_go_down_again(database_kind, tmp_path, request):
    """0014 makes the notes' table: a note stays when its client's account goes (client_id emptied) and goes with
    its therapist's; going down to 0013 drops only that table, keeping accounts, links and records."""
    import uuid
    from datetime import date, datetime

    from sqlalchemy import text

    url = _empty_database(database_kind, tmp_path, request)
    upgrade_database(url, "0013")
    engine = create_engine(url)
    _a_linked_client_with_a_record(engine, database_kind)
    engine.dispose()
    upgrade_database(url, "0014")
    engine = create_engine(url)
    uid = (lambda value: value.hex) if database_kind == "sqlite" else (lambda value: value)
    with engine.begin() as connection:
        if database_kind == "sqlite":
            connection.execute(text("PRAGMA foreign_keys = ON"))
        people = dict(connection.execute(text("SELECT role, id FROM users")).all())
        connection.execute(
            text(
                "INSERT INTO session_notes (id, therapist_id, client_id, about_ciphertext, session_on, created_at, "
                "updated_at, version, ciphertext) VALUES (:id, :therapist, :client, :b, :day, :at, :at, 1, :b)"
            ),
            {
                "id": uid(uuid.uuid4()),
                "therapist": people["therapist"],
                "client": people["client"],
                "b": b"sealed",
                "day": date(2026, 12, 3),
                "at": datetime(2026, 12, 4, 9, 0),
            },
        )
        connection.execute(text("DELETE FROM records"))
        connection.execute(text("DELETE FROM links"))
        connection.execute(text("DELETE FROM users WHERE role = 'client'"))
        assert connection.execute(text("SELECT client_id, version FROM session_notes")).all() == [(None, 1)]
    engine.dispose()

    command.downgrade(alembic_config(url), "0013")
    engine = create_engine(url)
    assert "session_notes" not in inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
    engine.dispose()
    upgrade_database(url)
    assert _differences(url) == []


def test_0015_adds_asks_that_go_with_the_link_and_go_down_again(database_kind, tmp_path, request):
    """0015 makes the requests' table: a request goes when its link ends, and its answer's record is emptied when
    the client deletes it; going down to 0014 drops only that table, keeping accounts, links and records."""
    import uuid
    from datetime import datetime

    from sqlalchemy import text

    url = _empty_database(database_kind, tmp_path, request)
    upgrade_database(url, "0014")
    engine = create_engine(url)
    _a_linked_client_with_a_record(engine, database_kind)
    engine.dispose()
    upgrade_database(url, "0015")
    engine = create_engine(url)
    uid = (lambda value: value.hex) if database_kind == "sqlite" else (lambda value: value)
    with engine.begin() as connection:
        if database_kind == "sqlite":
            connection.execute(text("PRAGMA foreign_keys = ON"))
        people = dict(connection.execute(text("SELECT role, id FROM users")).all())
        link = connection.execute(text("SELECT id FROM links")).scalar_one()
        record = connection.execute(text("SELECT id FROM records")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO asks (id, link_id, therapist_id, client_id, sealed, tag, own_ciphertext, created_at, "
                "answered_at, answer_id) VALUES (:id, :link, :therapist, :client, :b, :t, :b, :at, :at, :record)"
            ),
            {
                "id": uid(uuid.uuid4()),
                "link": link,
                "therapist": people["therapist"],
                "client": people["client"],
                "record": record,
                "b": b"sealed",
                "t": b"t" * 32,
                "at": datetime(2026, 12, 4, 9, 0),
            },
        )
        connection.execute(text("DELETE FROM records"))
        assert connection.execute(text("SELECT answer_id FROM asks")).all() == [(None,)]
        connection.execute(text("DELETE FROM links"))
        assert connection.execute(text("SELECT count(*) FROM asks")).scalar_one() == 0
    engine.dispose()

    command.downgrade(alembic_config(url), "0014")
    engine = create_engine(url)
    assert "asks" not in inspect(engine).get_table_names()
    assert "session_notes" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 2
    engine.dispose()
    upgrade_database(url)
    assert _differences(url) == []
