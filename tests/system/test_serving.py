"""Serving: one trusted proxy hop, /healthz, and the production gunicorn settings."""

from __future__ import annotations

import os
import subprocess
import sys

from ..support import ROOT, WebClient


def test_healthz_reports_the_database(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_one_trusted_proxy_hop_gives_client_address_and_scheme(make_app):
    app = make_app(TRUSTED_PROXY_HOPS=1, SIGNIN_FAILURES_PER_ADDRESS_PER_HOUR=2)
    web = WebClient(app.test_client())
    # The proxy appends the address it saw; anything before it came from the client and is not trusted.
    forged = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto": "https"}
    page = web.raw.get("/signin", headers=forged)
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    assert "Secure" in page.headers["Set-Cookie"]  # the scheme came from the proxy

    def attempt(headers):
        return web.raw.post(
            "/signin",
            headers=headers,
            data={"csrf_token": token, "email": "a@example.org", "password": "wrong password"},
        )

    assert attempt(forged).status_code == 422
    assert attempt({**forged, "X-Forwarded-For": "192.0.2.1, 198.51.100.7"}).status_code == 422
    # Same last hop, whatever the client claims before it: this address has used its two attempts.
    assert attempt({**forged, "X-Forwarded-For": "192.0.2.55, 198.51.100.7"}).status_code == 429
    assert attempt({**forged, "X-Forwarded-For": "198.51.100.8"}).status_code == 422


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(make_app):
    app = make_app(SIGNIN_FAILURES_PER_ADDRESS_PER_HOUR=2)
    web = WebClient(app.test_client())
    page = web.raw.get("/signin", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in page.headers["Set-Cookie"]
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    for n, status in enumerate((422, 422, 429)):
        response = web.raw.post(
            "/signin",
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
            data={"csrf_token": token, "email": "a@example.org", "password": "wrong password"},
        )
        assert response.status_code == status


def test_production_gunicorn_settings():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--print-config", "wsgi:app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "BIND": "127.0.0.1:8123", "TRUSTED_PROXY_HOPS": ""},
    )
    settings = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition("=")
        settings[key.strip()] = value.strip()
    assert settings["worker_class"] == "gthread" and int(settings["threads"]) >= 4
    assert int(settings["keepalive"]) >= 65  # outlives a phone's idle connection reuse
    assert int(settings["graceful_timeout"]) >= 300 > int(settings["timeout"]) - 1
    assert settings["bind"] == "['127.0.0.1:8123']"
    assert settings["raw_env"] == "['TRUSTED_PROXY_HOPS=1']"
