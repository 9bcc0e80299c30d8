"""Answers for items sent from the device's outbox (static/outbox.js) rather than by a plain form post.

The outbox marks its requests `X-Outbox: now` (the writer is waiting on the page) or `X-Outbox: later`
(an item kept on the device while offline, sent in the background). It needs to know the item was
saved and where it lives, not a redirect it cannot read: a 201 with the item's address.
"""

from __future__ import annotations

from flask import flash, redirect, request
from werkzeug.wrappers import Response


def saved(location: str, message: str) -> Response:
    """After a create: 303 to `location` for a form post, 201 naming it for the outbox."""
    mode = request.headers.get("X-Outbox")
    if mode is None:
        flash(message, "info")
        return redirect(location, 303)
    if mode == "now":
        flash(message, "info")  # shown on the page the outbox opens next
    response = Response(status=201)
    response.headers["Location"] = location
    return response
