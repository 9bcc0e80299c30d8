"""Addresses of the app's pages, built once per shape and then filled in.

`url_for` walks the URL map on every call (about 20 µs); a timeline of 30 items and a page's navigation
called it dozens of times a request. An address of the same endpoint with the same argument names and
types differs only in those values, so the first call builds it with stand-in values and keeps the
result as a pattern; later calls put the values in its place. Only ids (UUIDs) and integers are filled
in this way: they appear in an address exactly as `str()` writes them. Anything else (text that needs
quoting, `_external`, `_anchor`, an endpoint relative to the current blueprint) goes to Flask's
`url_for` as before. The patterns hold no values of any request: only the map's own text.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from flask import Flask, current_app, request
from flask import url_for as flask_url_for

EXTENSION = "link_patterns"
# Stand-ins no real address contains: each argument gets its own, so none can be mistaken for another.
_UUID_MARK = "7c3f0e2a-5b1d-4e8a-9f6c-{:012x}"
_INT_MARK = 8_675_309_000


# A pattern: the address cut at each value, as (text, name of the value that follows or None) pairs.
Pattern = tuple[tuple[str, str | None], ...]


class _Patterns:
    def __init__(self) -> None:
        self.found: dict[tuple, Pattern | None] = {}
        self.lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = _Patterns()
    app.jinja_env.globals["url_for"] = url_for


def url_for(endpoint: str, **values: Any) -> str:
    """Flask's url_for, faster for the common case of ids and numbers."""
    if endpoint.startswith(".") or any(
        name.startswith("_") or (type(value) is not uuid.UUID and type(value) is not int)
        for name, value in values.items()
    ):
        return flask_url_for(endpoint, **values)
    names = tuple(sorted(values))
    key = (endpoint, names, tuple(type(values[name]) for name in names), request.script_root)
    patterns: _Patterns = current_app.extensions[EXTENSION]
    if key not in patterns.found:
        found = _pattern(endpoint, values, names)
        with patterns.lock:
            patterns.found[key] = found
    pattern = patterns.found[key]
    if pattern is None:
        return flask_url_for(endpoint, **values)
    return "".join(text + (str(values[name]) if name is not None else "") for text, name in pattern)


def _pattern(endpoint: str, values: dict[str, Any], names: tuple[str, ...]) -> Pattern | None:
    """The address with stand-ins, cut at each; None when a stand-in does not appear exactly once as written."""
    stand_ins: dict[str, Any] = {}
    for number, name in enumerate(names):
        stand_ins[name] = (
            uuid.UUID(_UUID_MARK.format(number)) if type(values[name]) is uuid.UUID else _INT_MARK + number
        )
    rest = flask_url_for(endpoint, **stand_ins)
    places = []
    for name, stand_in in stand_ins.items():
        if rest.count(str(stand_in)) != 1:
            return None
        places.append((rest.index(str(stand_in)), name, len(str(stand_in))))
    pattern: list[tuple[str, str | None]] = []
    at = 0
    for start, name, length in sorted(places):
        pattern.append((rest[at:start], name))
        at = start + length
    pattern.append((rest[at:], None))
    return tuple(pattern)
