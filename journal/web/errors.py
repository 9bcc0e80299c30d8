"""Error pages in the app's layout: a plain sentence, never a trace or anything the user wrote."""

from __future__ import annotations

import logging
import traceback

from flask import Flask, g, render_template, request
from flask_login import AnonymousUserMixin
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from ..records.key_hold import KeyRetired
from .storage_errors import FULL, full_storage

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something in that request was not right", "Please go back and try again."),
    401: ("Please sign in", "Your session has ended. Sign in to carry on."),
    403: (
        "That did not go through",
        "The page may have been open too long, or the request came from "
        "somewhere else. Go back, reload the page and try again.",
    ),
    404: ("Not found", "There is nothing here, or it is not yours to see."),
    405: ("Not allowed", "That action is not available here."),
    408: (
        "That took too long to arrive",
        "The connection was too slow to send everything in time. Nothing was "
        "saved; please try again, on a better connection if you can.",
    ),
    409: ("Changed elsewhere", "This was changed on another device. Reload to see the latest."),
    413: ("Too large", "That was more than can be sent at once. Nothing was saved; try something smaller."),
    422: ("Please check the form", "Something in the form needs a change."),
    429: ("Too many tries", "Please wait a while before trying again."),
    500: ("Something went wrong on our side", "Nothing you wrote is shown here. Please try again in a moment."),
    503: ("Busy or unavailable", "The journal cannot answer right now. Please try again in a minute."),
}
NO_SPACE = (
    "No space to save this right now",
    "There is no space to save this right now; nothing was saved. "
    "Please try again in a few minutes. Anything waiting on your phone will be sent by itself.",
)
NO_SPACE_RETRY_SECONDS = 60
KEY_RETIRED = (
    "Your keys changed a moment ago",
    "The keys that lock your journal were renewed while this was "
    "being sent, so nothing was saved. Please reload the page and send it again.",
)


def _render(code: int, retry_after: int | None = None, words: tuple[str, str] | None = None):
    title, message = words or MESSAGES.get(code, MESSAGES[500])
    response = render_template("errors/error.html", code=code, title=title, message=message), code
    if retry_after is not None:
        return response[0], code, {"Retry-After": str(retry_after)}
    return response


def _refuse_untrusted_host() -> None:
    """First of all hooks: a request for a host not in TRUSTED_HOSTS goes no further (no CSRF check, no page)."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def _http_error(error: HTTPException):
    routing_exception = getattr(request, "routing_exception", None)
    if isinstance(routing_exception, SecurityError):
        return _untrusted_host(routing_exception)
    code = error.code or 500
    if code == 429:
        return _render(code, getattr(error, "retry_after", None) or 3600)
    if code == 503:
        return _render(code, getattr(error, "retry_after", None) or 30)
    return _render(code)


UNTRUSTED_HOST_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Not served here</title></head><body><main><h1>Not served here</h1>"
    "<p>This address is not one the journal answers to. Please use the link you were given.</p>"
    "</main></body></html>"
)


def _untrusted_host(error: SecurityError):
    """A Host that is not in TRUSTED_HOSTS: 400, on a page built without the app's links (none can be made
    for a host that is not trusted), naming no host."""
    return UNTRUSTED_HOST_PAGE, 400, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


def _unhandled(error: Exception):
    if full_storage(error):
        return _no_space(error)
    # Where it happened and the type, never the message: messages can hold text a user typed.
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unhandled %s\n%s", type(error).__name__, frames)
    return _render(500)


def _no_space(error: Exception):
    log.error("storage full or failing (%s) during %s; nothing was saved", full_storage(error), type(error).__name__)
    FULL.failed()
    g._login_user = AnonymousUserMixin()
    return _render(503, retry_after=NO_SPACE_RETRY_SECONDS, words=NO_SPACE)


def _key_retired(_error: KeyRetired):
    return _render(409, words=KEY_RETIRED)


def _database_unavailable(error: Exception):
    if full_storage(error):
        return _no_space(error)
    # The page is drawn as signed out: asking the database who is signed in would fail again.
    g._login_user = AnonymousUserMixin()
    log.warning("database unavailable: %s", type(error).__name__)
    return _render(503, retry_after=5)


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(RedisError, _database_unavailable)
    app.register_error_handler(KeyRetired, _key_retired)
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_untrusted_host)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unhandled)
    app.register_error_handler(Exception, _unhandled)
