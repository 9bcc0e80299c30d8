"""Uploaded files are kept in memory while a request is parsed, never spooled to a temporary file.

Werkzeug writes any multipart part over 500 KiB to a temporary file: a photo (with its location
tags) would sit in clear on the server's disk while it uploads, and a full temporary folder would
fail the upload. The body limits (MAX_CONTENT_LENGTH, and the photo form's own) already bound
what one request can hold in memory, so memory is the right place.
"""
from __future__ import annotations

import io
from typing import IO

from flask import Request


class InMemoryRequest(Request):
    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> IO[bytes]:
        return io.BytesIO()
