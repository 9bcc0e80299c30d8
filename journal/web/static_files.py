"""The static files: content-hashed URLs, gzip for text, and the list the service worker pre-caches.

Files are read once per process (they only change with a release). Text files are gzipped once and
served compressed to browsers that accept it: static files carry no secret, so compressing them is
safe (pages, which hold a CSRF token next to reflected input, are never compressed: BREACH).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from flask import Flask, Response, abort, has_request_context, request, url_for
from werkzeug.security import safe_join

TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json")
# Not served: notes about where vendored files came from.
PRIVATE_SUFFIXES = (".md",)


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None
    mimetype: str
    digest: str  # first 12 hex digits of SHA-256: the URL version and the ETag


class StaticFiles:
    """Every file under the static folder, loaded on first use."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._files: dict[str, StaticFile] = {}
        self._urls: dict[tuple[str, str], str] = {}  # (script root, file) -> its versioned URL

    def get(self, filename: str) -> StaticFile | None:
        if filename not in self._files:
            path = safe_join(str(self.folder), filename)
            if path is None or not Path(path).is_file() or filename.endswith(PRIVATE_SUFFIXES):
                return None
            body = Path(path).read_bytes()
            mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            compress = mimetype.startswith(TEXT_TYPES) and len(body) > 512
            self._files[filename] = StaticFile(
                body=body,
                gzipped=gzip.compress(body, 9, mtime=0) if compress else None,
                mimetype=mimetype,
                digest=hashlib.sha256(body).hexdigest()[:12],
            )
        return self._files[filename]

    def names(self) -> list[str]:
        """Every servable file, as a path relative to the folder, sorted."""
        return sorted(
            str(path.relative_to(self.folder))
            for path in self.folder.rglob("*")
            if path.is_file() and not path.name.endswith(PRIVATE_SUFFIXES)
        )

    def url(self, filename: str) -> str:
        """A URL carrying a hash of the file, so a release never meets a stale cache."""
        key = (request.script_root if has_request_context() else "", filename)
        if key not in self._urls:  # a page names several files: each URL is built once per process
            found = self.get(filename)
            if found is None:
                raise FileNotFoundError(filename)
            self._urls[key] = url_for("static", filename=filename, v=found.digest)
        return self._urls[key]

    def release(self) -> str:
        """One id for this set of files: it changes whenever any of them does."""
        joined = "".join(f"{name}:{self.get(name).digest};" for name in self.names())  # type: ignore[union-attr]
        return hashlib.sha256(joined.encode()).hexdigest()[:12]

    def response(self, filename: str) -> Response:
        found = self.get(filename)
        if found is None:
            abort(404)
        use_gzip = found.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", "").lower()
        response = Response(found.gzipped if use_gzip else found.body, mimetype=found.mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
        if found.gzipped is not None:
            response.vary.add("Accept-Encoding")
        response.set_etag(found.digest + ("-gz" if use_gzip else ""))
        # make_conditional returns the response itself, typed as werkzeug's Response class rather than Flask's.
        return cast(Response, response.make_conditional(request))


def init_app(app: Flask) -> StaticFiles:
    """Serve /static/ from memory with gzip; `asset()` in templates (journal/templating.py) gives the versioned URL."""
    files = StaticFiles(Path(app.static_folder or ""))
    app.view_functions["static"] = files.response
    app.extensions["static_files"] = files
    return files
