"""One URL per resource: htmx asks for the fragment, everything else gets the whole page."""
from __future__ import annotations

from flask import make_response, render_template, request
from werkzeug.wrappers import Response


def wants_fragment() -> bool:
    """A plain htmx request; boosted navigations and history restores need the full page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **context) -> Response:
    template = fragment if wants_fragment() else page
    return make_response(render_template(template, **context), status)
