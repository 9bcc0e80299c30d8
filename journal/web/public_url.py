"""Absolute links (the therapist's invite link) come from the configured public address, never from the Host
header a request happens to carry.

- PUBLIC_URL set (https://journal.example.org): every absolute link starts with it, and the app answers only
  requests for that host (TRUSTED_HOSTS defaults to it; any other Host gets 400).
- TRUSTED_HOSTS set alone: the Host header is checked against it (400 otherwise), so the request's host can
  be used.
- Neither (development): links are made for a loopback host (localhost, 127.0.0.1, [::1]) only; for any other
  host there is no absolute link, and the page shows what it can without one (the invite code).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for

LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def check_public_url(value: str | None) -> str | None:
    """PUBLIC_URL as given, without a trailing slash; ValueError for anything but http(s)://host[:port]."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.path.strip("/")
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
    ):
        raise ValueError("PUBLIC_URL must look like https://journal.example.org (scheme and host, nothing else)")
    return f"{parts.scheme}://{parts.netloc}"


def trusted_hosts(config: dict) -> list[str] | None:
    """TRUSTED_HOSTS as configured (a list, or a comma-separated string), else PUBLIC_URL's host, else None."""
    hosts = config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [host.strip() for host in hosts.split(",") if host.strip()]
    if hosts:
        return list(hosts)
    if config.get("PUBLIC_URL"):
        return [urlsplit(config["PUBLIC_URL"]).hostname]
    return None


def external_url(endpoint: str, **values) -> str | None:
    """An absolute URL for a page of the app, or None when no trustworthy address is known."""
    path = url_for(endpoint, **values)
    public = current_app.config.get("PUBLIC_URL")
    if public:
        return public + path
    # With TRUSTED_HOSTS set, Flask has refused any request for another host before this runs.
    if current_app.config.get("TRUSTED_HOSTS") or urlsplit(request.host_url).hostname in LOOPBACK:
        return request.host_url.rstrip("/") + path
    return None
