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
