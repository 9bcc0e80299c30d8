"""Where to send someone after signing in (again): the page they were on, and only paths on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

from ..htmx import is_htmx


def return_path() -> str:
    """Where to come back to after signing in again: the page the user was on."""
    if is_htmx():
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        if current.netloc == request.host and current.path.startswith("/"):
            return current.path + (f"?{current.query}" if current.query else "")
        return "/"
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return "/"


def safe_next(target: str | None) -> str:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"
