"""Command-line: migrate the database, make demo accounts."""
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


def init_app(app: Flask) -> None:
    app.cli.add_command(db_upgrade_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(icons_command)
