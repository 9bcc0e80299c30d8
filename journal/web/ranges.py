"""Private files answered in parts: `Range: bytes=a-b` gets 206 with its Content-Range, a range past the end 416.

Safari asks for audio a range at a time and plays nothing from a server that ignores ranges. The bytes are
decrypted for the request, so each part costs the whole file's decryption (a few milliseconds for 10 MB).
"""

from __future__ import annotations

from flask import Response, request
from werkzeug.exceptions import RequestedRangeNotSatisfiable

EXTENSIONS = {"audio/webm": "webm", "audio/mp4": "m4a"}


def private_file(data: bytes, mimetype: str, name: str) -> Response:
    """The whole file (200) or the range asked for (206); 416 when no part of the asked range exists."""
    filename = f"{name}.{EXTENSIONS.get(mimetype, 'bin')}"
    response = Response(data, 200, mimetype=mimetype, headers={"Content-Disposition": f'inline; filename="{filename}"'})
    try:
        response.make_conditional(request.environ, accept_ranges=True, complete_length=len(data))
    except RequestedRangeNotSatisfiable:
        return Response(status=416, headers={"Content-Range": f"bytes */{len(data)}", "Accept-Ranges": "bytes"})
    return response
