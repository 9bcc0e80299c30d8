"""PostgreSQL: pg_dump's custom format without the left-out tables' rows, and pg_restore into an empty database.

The tools run with a libpq URL that carries no password: the password goes in PGPASSWORD, never on a
command line that other users of the machine can read.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from .files import PG_DUMP_HEADER, SQLITE_HEADER, BackupError, header, written_in_place
from .summary import LEFT_OUT, Summary, check_revision, count_words, summarise

TOOL_FOLDERS = "/usr/lib/postgresql/*/bin"
LEFT_OUT_ENTRY = re.compile(r"\bTABLE DATA \S+ ({}) ".format("|".join(LEFT_OUT)))


def backup(database_url: str, path: Path) -> Summary:
    pg_dump = tool("pg_dump")
    target, env = libpq(database_url)
    engine = create_engine(database_url, poolclass=NullPool, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection:
            # Counted in one snapshot, and pg_dump dumps that same snapshot: the summary is what the file holds.
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            query = lambda sql: connection.execute(text(sql)).all()  # noqa: E731
            left_out = {table: query(f'SELECT count(*) FROM "{table}"')[0][0] for table in LEFT_OUT}
            summary = summarise(query, "postgresql", left_out)
            with written_in_place(path) as temp:
                _run(
                    [
                        pg_dump,
                        "--format=custom",
                        f"--file={temp}",
                        f"--snapshot={snapshot}",
                        *(f"--exclude-table-data={table}" for table in LEFT_OUT),
                        f"--dbname={target}",
                    ],
                    env,
                )
    except SQLAlchemyError as exc:
        raise BackupError(f"Could not read the database: {_first_line(exc)}") from None
    finally:
        engine.dispose()
    return summary


def restore(database_url: str, path: Path, *, force: bool) -> Summary:
    kind = header(path)
    if kind == SQLITE_HEADER:
        raise BackupError(f"{path} is an SQLite backup, and DATABASE_URL names a PostgreSQL database.")
    if not kind.startswith(PG_DUMP_HEADER):
        raise BackupError(f"{path} is not a PostgreSQL backup (pg_dump's custom format).")
    pg_restore = tool("pg_restore")
    target, env = libpq(database_url)
    contents = _run([pg_restore, "--list", str(path)], env)
    check_revision(_revision_in(pg_restore, path, env))
    tables, accounts = _target_state(database_url)
    if accounts and not force:
        raise BackupError(
            f"The database {make_url(database_url).database} already has "
            f"{count_words(accounts, 'account')}: restoring would replace them. "
            "Restore into a new, empty database, or add --force to replace this one."
        )
    with tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as listing:
        # Every entry but the left-out tables' rows, even in a dump made by hand that has them.
        listing.write(
            "".join(";" + line if LEFT_OUT_ENTRY.search(line) else line for line in contents.splitlines(keepends=True))
        )
        listing.flush()
        _run(
            [
                pg_restore,
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                *(["--clean", "--if-exists"] if tables else []),
                f"--use-list={listing.name}",
                f"--dbname={target}",
                str(path),
            ],
            env,
        )
    return _summary_of(database_url)


def _summary_of(database_url: str) -> Summary:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return summarise(lambda sql: connection.execute(text(sql)).all(), "postgresql")
    except SQLAlchemyError as exc:
        raise BackupError(f"Restored, but the database cannot be read now: {_first_line(exc)}") from None
    finally:
        engine.dispose()


def tool(name: str) -> str:
    """The PostgreSQL client program `name`: on PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"{TOOL_FOLDERS}/{name}"), key=_major_version)
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} was not found on PATH or in {TOOL_FOLDERS}: install the PostgreSQL client tools "
        "(the server's major version or newer)."
    )


def libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as a libpq URL without its password, and an environment carrying the password."""
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create(
        "postgresql", username=url.username, host=url.host, port=url.port, database=url.database, query=url.query
    )
    return plain.render_as_string(hide_password=False), env


def _revision_in(pg_restore: str, path: Path, env: dict[str, str]) -> str:
    """The schema revision the dump holds, read from it before anything is restored."""
    script = _run([pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(path)], env)
    rows = script.split("FROM stdin;\n", 1)[1].split("\n\\.", 1)[0].split() if "FROM stdin;\n" in script else []
    if len(rows) != 1:
        raise BackupError(f"{path} is not a backup of the integration journal (it has no schema revision).")
    return rows[0]


def _target_state(database_url: str) -> tuple[list[str], int]:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tables = list(
                connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                ).scalars()
            )
            accounts = connection.execute(text("SELECT count(*) FROM users")).scalar_one() if "users" in tables else 0
    except SQLAlchemyError as exc:
        raise BackupError(f"Could not open the database to restore into: {_first_line(exc)}") from None
    finally:
        engine.dispose()
    return tables, accounts


def _run(command: list[str], env: dict[str, str]) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{Path(command[0]).name} could not run: {exc.strerror}.") from None
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {_tool_errors(done.stderr)}")
    return done.stdout


def _tool_errors(stderr: str) -> str:
    """The tool's error lines, without the statements or values that follow them (those could hold data)."""
    lines = [
        re.sub(r':\s*"[^"]*"', ': "…"', line.split(" error: ", 1)[1])[:200]
        for line in stderr.splitlines()
        if " error: " in line
    ]
    return "; ".join(lines[:3]) or "no reason given."


def _first_line(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]


def _major_version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0
