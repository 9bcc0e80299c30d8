"""How many fields one request may send: MAX_FORM_PARTS (200), for every form.

Werkzeug counts the parts of a multipart body only; an url-encoded body of 2 MiB could carry half a million
fields, each parsed into the form. This parser counts those too and answers 413 beyond the limit, before
anything is parsed. The few forms that send one field per item of a list (ticking what to share, marking
every open flag seen) say how many they take with @takes_many_fields(n).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import current_app
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

ATTRIBUTE = "max_form_parts"


class FieldCountingParser(FormDataParser):
    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        body = stream.read()
        limit = self.max_form_parts
        # parse_qsl skips empty pieces between '&'s; so does this count.
        if limit is not None and body.count(b"&") >= limit and sum(1 for piece in body.split(b"&") if piece) > limit:
            raise RequestEntityTooLarge()
        return super()._parse_urlencoded(io.BytesIO(body), mimetype, content_length, options)


def takes_many_fields(limit: int) -> Callable:
    """Decorator: this view's form may have up to `limit` fields (more than MAX_FORM_PARTS)."""

    def decorate(view: Callable) -> Callable:
        setattr(view, ATTRIBUTE, limit)
        return view

    return decorate


def limit_for(endpoint: str | None) -> int | None:
    """The field limit of the view at `endpoint`, else MAX_FORM_PARTS."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, ATTRIBUTE, None) or current_app.config["MAX_FORM_PARTS"]
