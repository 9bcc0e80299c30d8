"""Command-line: migrate the database, make demo accounts, back up and restore, send reminders."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import with_appcontext

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


@click.command("db-upgrade")
@with_appcontext
def db_upgrade_command() -> None:
    """Bring the database schema up to date."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Make a demo therapist and a demo client with a few entries, and print how to sign in."""
    from .demo import make_demo

    accounts = make_demo(password_for=lambda _email: "demo-" + secrets.token_urlsafe(9))
    click.echo("Demo accounts, linked, one entry shared (made anew each run; sign in at /signin):")
    for role, email, password, totp_secret in accounts:
        click.echo(f"  {role:<9}  email: {email:<24}  password: {password}")
        if totp_secret:
            click.echo(f"  {'':<9}  two-step sign-in key (add it to an authenticator app): {totp_secret}")


@click.command("icons")
@with_appcontext
def icons_command() -> None:
    """Draw the app's icons (home screen, maskable, shortcuts, favicon) into static/icons/."""
    from pathlib import Path

    from .pwa.icons import write_all

    for path in write_all(Path(current_app.static_folder or "") / "icons"):
        click.echo(f"  {path.name}")


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH when it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a backup of the database (DATABASE_URL) to PATH, without sign-in sessions.

    SQLite: an online backup, safe while the app serves; never copy the live file instead. PostgreSQL:
    pg_dump's custom format. Sign-in sessions and attempt counters are left out, so no cookie opens anything
    in a restored copy. The file is written whole or not at all.
    """
    from . import backups

    try:
        summary = backups.backup(current_app.config["DATABASE_URL"], path, force=force)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {path} ({backups.size_in_words(path)}): {summary.contents()}.")
    click.echo(f"Left out: {summary.left_out_words()}. Nobody is signed in on a restored copy.")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already has accounts.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Restore the backup at PATH (made by `flask backup`) into the database (DATABASE_URL).

    Stop the app server first. The database must be new or empty (no accounts) unless --force is given.
    The backup is checked before it goes in place: SQLite's integrity check, a schema revision this version
    knows. Nobody is signed in afterwards: everyone signs in again with their password.
    """
    from . import backups

    current_app.extensions["db_engine"].dispose()
    try:
        summary = backups.restore(current_app.config["DATABASE_URL"], path, force=force)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        current_app.extensions["db_engine"].dispose()
    click.echo(f"Restored {path}: {summary.contents()}.")
    if any(summary.left_out.values()):
        click.echo(f"The backup held {summary.left_out_words(only_some=True)}; they were not restored.")
    click.echo("Nobody is signed in: everyone signs in again with their password.")
    note = summary.upgrade_note()
    if note:
        click.echo(note)


@click.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Remove ended and idle sessions now (each server process also does it every SWEEP_MINUTES)."""
    from .db import get_db, utcnow
    from .housekeeping import sweep

    db = get_db()
    removed = sweep(db, current_app.config, utcnow())
    db.commit()
    click.echo(f"Removed {removed} ended or idle session(s).")


@click.command("reminders-send")
@click.option("--once", is_flag=True, help="Send what is due now, then stop (tests, a timer).")
@with_appcontext
def reminders_send_command(once: bool) -> None:
    """Send due reminders by Web Push; without --once, look again every REMINDERS_INTERVAL_SECONDS until stopped.

    Several may run at once on PostgreSQL (each reminder is sent by one of them); on SQLite run one. SIGTERM or
    Ctrl-C ends it after the batch under way. It logs counts only.
    """
    import logging
    import signal
    import threading

    from .reminders.sender import Sender

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    sender = Sender(current_app.extensions["db_sessionmaker"], current_app.config)
    if once:
        click.echo(f"Reminders: {sender.run_once().words()}.")
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    click.echo(f"Sending reminders every {current_app.config['REMINDERS_INTERVAL_SECONDS']:g} s (Ctrl-C stops).")
    sender.run_forever(stop)


def init_app(app: Flask) -> None:
    app.cli.add_command(reminders_send_command)
    app.cli.add_command(sweep_command)
    app.cli.add_command(db_upgrade_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(icons_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
