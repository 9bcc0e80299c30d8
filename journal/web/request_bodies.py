"""Uploaded files are kept in memory while a request is parsed, never spooled to a temporary file.

Werkzeug writes any multipart part over 500 KiB to a temporary file: a photo (with its location
tags) would sit in clear on the server's disk while it uploads, and a full temporary folder would
fail the upload. The body limits (MAX_CONTENT_LENGTH, and the photo form's own) already bound
what one request can hold in memory, so memory is the right place.
"""

from __future__ import annotations

import io
from typing import IO

from flask import Request, current_app

from .form_fields import FieldCountingParser, limit_for


class InMemoryRequest(Request):
    # Url-encoded forms have their fields counted too (see form_fields.py).
    form_data_parser_class = FieldCountingParser

    # Flask's own Request makes werkzeug's int attribute an optional property the same way, with the same ignore.
    @property  # type: ignore[override]
    def max_form_parts(self) -> int | None:
        if self._max_form_parts is not None or not current_app:
            return super().max_form_parts
        return limit_for(self.url_rule.endpoint if self.url_rule else None)

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()
