"""One URL per resource: htmx asks for the fragment, everything else gets the whole page."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request
from werkzeug.wrappers import Response


def is_htmx() -> bool:
    """The request came from htmx (a fragment, a boosted link, an autosave)."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """A plain htmx request; boosted navigations and history restores need the full page."""
    headers = request.headers
    return is_htmx() and headers.get("HX-Boosted") != "true" and headers.get("HX-History-Restore-Request") != "true"


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **context) -> Response:
    template = fragment if wants_fragment() else page
    return make_response(render_template(template, **context), status)


def redirect_page(target: str, status: int = 303) -> Response:
    """Send the browser to `target` as a whole page: htmx would swap a redirect's answer into a fragment,
    so it gets an empty 200 with HX-Redirect; anything else a plain redirect with `status`."""
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, status)
