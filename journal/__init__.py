"""The integration journal: an encrypted journal for clients in ketamine-assisted psychotherapy."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie carries the CSRF token only; Secure whenever the request came over HTTPS, and then named
    `__Host-...` (Path=/, no Domain): browsers then refuse it from a sibling subdomain or over plain HTTP."""

    def get_cookie_secure(self, app: Flask) -> bool:
        from flask import request

        return request.is_secure or bool(app.config["COOKIE_SECURE"])

    def get_cookie_name(self, app: Flask) -> str:
        name = app.config["SESSION_COOKIE_NAME"]
        return f"__Host-{name}" if self.get_cookie_secure(app) else name


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, database, vault, security, blueprints."""
    from . import cli, db, housekeeping, kinds, sharing, templating, vault  # noqa: F401  (kinds: every record kind registers itself, once)
    from .account_security.views import bp as account_security_bp
    from .accounts import after_unlock
    from .accounts.views import bp as auth_bp
    from .activity.views import bp as activity_bp
    from .art.views import bp as art_bp
    from .asks.views import bp as asks_bp
    from .charts.views import bp as charts_bp
    from .checkins.views import bp as checkins_bp
    from .config import load_config
    from .deletion.views import bp as deletion_bp
    from .desk.views import bp as desk_bp
    from .dosing.views import bp as dosing_bp
    from .entries.views import bp as entries_bp
    from .export.views import bp as export_bp
    from .health.views import bp as health_bp
    from .integration.views import bp as integration_bp
    from .intentions.views import bp as intentions_bp
    from .measures.views import bp as measures_bp
    from .pages.views import bp as pages_bp
    from .pwa.views import bp as pwa_bp
    from .reminders.views import bp as reminders_bp
    from .safety.practice_views import bp as practice_line_bp
    from .safety.views import bp as safety_bp
    from .search.views import bp as search_bp
    from .security import csrf, headers, ratelimit
    from .session_notes.views import bp as session_notes_bp
    from .sharing.views import bp as sharing_bp
    from .timeline.views import bp as timeline_bp
    from .voice.views import bp as voice_bp
    from .web import errors, static_files
    from .web.access import login
    from .web.body_deadline import BodyReadDeadline
    from .web.request_bodies import InMemoryRequest

    instance = (config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH")
    app = Flask(__name__, instance_path=str(instance) if instance else None, instance_relative_config=True)
    app.config.update(load_config(Path(app.instance_path), config))
    app.session_interface = _SessionInterface()
    app.request_class = InMemoryRequest  # an uploaded photo never touches the disk in clear
    # A body that has not arrived in time frees its thread with 408 (the proxy in front buffers bodies).
    # Wrapping wsgi_app is Flask's documented way to add middleware; mypy sees only a method there.
    app.wsgi_app = BodyReadDeadline(app.wsgi_app, app.config["BODY_READ_SECONDS"])  # type: ignore[method-assign]
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        # Behind exactly this many proxies: take the client address and scheme from their headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    logging.getLogger("journal").setLevel(app.config["LOG_LEVEL"])
    # Pillow's debug lines list an image's metadata (EXIF text included): never in our logs.
    logging.getLogger("PIL").setLevel(logging.INFO)

    db.init_app(app)
    vault.init_app(app)
    ratelimit.init_app(app)
    csrf.init_app(app)
    headers.init_app(app)
    errors.init_app(app)
    login.init_app(app)
    after_unlock.init_app(app)
    sharing.init_app(app)
    cli.init_app(app)
    housekeeping.init_app(app)
    static_files.init_app(app)
    templating.init_app(app)

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_security_bp)
    app.register_blueprint(activity_bp)
    app.register_blueprint(entries_bp)
    app.register_blueprint(checkins_bp)
    app.register_blueprint(charts_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(dosing_bp)
    app.register_blueprint(intentions_bp)
    app.register_blueprint(integration_bp)
    app.register_blueprint(safety_bp)
    app.register_blueprint(practice_line_bp)
    app.register_blueprint(timeline_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(measures_bp)
    app.register_blueprint(art_bp)
    app.register_blueprint(voice_bp)
    app.register_blueprint(sharing_bp)
    app.register_blueprint(desk_bp)
    app.register_blueprint(export_bp)
    app.register_blueprint(deletion_bp)
    app.register_blueprint(pwa_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(session_notes_bp)
    app.register_blueprint(asks_bp)
    return app
