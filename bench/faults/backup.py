"""Backup under writers, restore into a fresh database, a new server on it.

Everything acknowledged before the backup started must be in the restored database and open with the
password; the session cookie from before must open nothing (sessions are not in a backup).

The backup uses `flask backup PATH` and `flask restore PATH` when the app has them (restore into the
database DATABASE_URL names: for SQLite a file not made yet, for PostgreSQL a new empty database); else
SQLite's online backup API with the session rows deleted from the copy, or pg_dump -Fc
--exclude-table-data=auth_sessions and pg_restore, as docs/deploy.md says.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from .base import Context, check_entries, running, signed_up
from .ledger import Ledger, Row, Writers
from .servers import SqliteDatabases, flask_command
from .web import Browser


def backup_restore(ctx: Context) -> list[Row]:
    row = Row("backup and restore", ctx.kind)
    folder = ctx.workdir / "backup"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o777)  # pg_dump runs as the postgres user
    url = ctx.database("backup")
    server = ctx.server("backup", url)
    ledger = Ledger("backup")
    with running(server):
        email = ctx.email("backup")
        client = signed_up(server, email)
        cookies = client.http.cookies.copy()
        with Writers(client, ledger, 6, give_up=10):
            time.sleep(3)
            ledger.phase = "backup"
            backup_started = time.monotonic()
            method, backup_file = take_backup(ctx, url, folder)
            took = time.monotonic() - backup_started
            ledger.phase = "after"
            time.sleep(1)
        control = client.get("/entries").status_code  # the same cookie opens the journal on the original server
    restored_url = restore(ctx, method, backup_file, folder)
    restored = ctx.server("restored", restored_url)
    with running(restored):
        stale = Browser(restored.base)
        stale.http.cookies.update(cookies)
        before = [write.location for write in ledger.acknowledged(backup_started) if "/entries/" in write.location]
        opened = [path for path in ("/entries", *before[:1]) if stale.get(path).status_code == 200]
        if opened:
            row.problems.append(f"the session cookie from before the backup opened {', '.join(opened)}")
        check_entries(restored, email, ledger, row, acknowledged_before=backup_started)
    during = [write for write in ledger.acknowledged() if write.acknowledged >= backup_started]
    row.notes.append(
        f"{method}; backup took {took:.1f} s under 6 writers, {backup_file.stat().st_size // 1024} KB; "
        f"counted: acknowledged before it started; {len(during)} acknowledged during or after it"
    )
    seen = ", ".join(opened) + " opened" if opened else "opens nothing (sign-in page)"
    row.notes.append(f"old session cookie: {seen} (on the original server /entries answered it {control})")
    return [row]


def has_commands(url: str, ctx: Context) -> bool:
    """Does this checkout's app have `flask backup` and `flask restore`?"""
    instance = ctx.workdir / "backup" / "instance"
    return all(
        flask_command(name, "--help", database_url=url, instance=instance, check=False).returncode == 0
        for name in ("backup", "restore")
    )


def take_backup(ctx: Context, url: str, folder: Path) -> tuple[str, Path]:
    if has_commands(url, ctx):
        path = folder / ("journal.backup" if ctx.kind == "sqlite" else "journal.dump")
        flask_command("backup", str(path), database_url=url, instance=folder / "instance")
        return "flask backup / flask restore", path
    if ctx.kind == "sqlite":
        path = folder / "journal-backup.sqlite3"
        source = sqlite3.connect(SqliteDatabases.path(url), timeout=30)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
            target.execute("PRAGMA secure_delete=ON")
            target.execute("DELETE FROM auth_sessions")
            target.commit()
        finally:
            source.close()
            target.close()
        return "sqlite3 online backup API, session rows deleted (no flask backup)", path
    path = folder / "journal.dump"
    ctx.databases.server.dump(url.rsplit("/", 1)[1], path, "--exclude-table-data=auth_sessions")
    return "pg_dump -Fc --exclude-table-data=auth_sessions, pg_restore (no flask backup)", path


def restore(ctx: Context, method: str, backup_file: Path, folder: Path) -> str:
    if ctx.kind == "sqlite":
        target = folder / "restored" / "journal.sqlite3"
        target.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{target}"
        if method.startswith("flask"):
            flask_command("restore", str(backup_file), database_url=url, instance=folder / "instance")
        else:
            target.write_bytes(backup_file.read_bytes())
        return url
    postgres = ctx.databases.server
    name = postgres.create_database(f"restored_{int(time.time())}")
    url = postgres.url(name)
    if method.startswith("flask"):
        flask_command("restore", str(backup_file), database_url=url, instance=folder / "instance")
    else:
        postgres.restore(name, backup_file)
    return url
