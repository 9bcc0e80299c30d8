"""The static files: content-hashed URLs, Brotli and gzip for text, and the list the service worker pre-caches.

Files are read when the app starts (they only change with a release). Text files are compressed then, with
Brotli (quality 11) and gzip (level 9), in memory from the files in this folder: no compressed copy is kept
on disk or in the repository. Each browser gets the encoding it accepts (Brotli first, then gzip, then the
file as it is). Static files carry no secret, so compressing them is safe (pages, which hold a CSRF token next
to reflected input, are never compressed: BREACH).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import brotli
from flask import Flask, Response, abort, has_request_context, request, url_for
from werkzeug.http import parse_accept_header
from werkzeug.security import safe_join

TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json")
# Not served: notes about where vendored files came from.
PRIVATE_SUFFIXES = (".md",)
# Content codings, most preferred first when a browser rates several alike; the file as it is comes after them.
ENCODINGS = ("br", "gzip")
ETAG_SUFFIX = {"br": "-br", "gzip": "-gz"}
# An encoded copy is kept only when it saves more than its two extra headers (Content-Encoding, Vary) cost.
WORTH_SAVING = 64

# Compressing every file at quality 11 takes about 0.3 s: done once per process for a given content (tests and
# benchmarks build many apps from the same folder), keyed by the file's SHA-256.
_compressed: dict[str, dict[str, bytes]] = {}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    mimetype: str
    digest: str  # first 12 hex digits of SHA-256: the URL version and the ETag
    encoded: dict[str, bytes] = field(default_factory=dict)  # "br" and "gzip" -> compressed body, when worth it


def compress(body: bytes, mimetype: str) -> dict[str, bytes]:
    """The Brotli and gzip copies of a text file that are worth sending instead of it (none for images)."""
    if not mimetype.startswith(TEXT_TYPES):
        return {}
    key = hashlib.sha256(body).hexdigest()
    if key not in _compressed:
        made = {
            "br": brotli.compress(body, mode=brotli.MODE_TEXT, quality=11),
            "gzip": gzip.compress(body, 9, mtime=0),
        }
        _compressed[key] = {name: data for name, data in made.items() if len(data) + WORTH_SAVING < len(body)}
    return _compressed[key]


def choose_encoding(accept_encoding: str | None, available: dict[str, bytes]) -> str | None:
    """The content coding to send, from the Accept-Encoding header; None for the file as it is.

    Of the codings on offer, the acceptable one (q > 0) with the highest q wins, Brotli before gzip when rated
    alike; a coding not named takes the q of "*", if given. The file as it is comes last: it is sent when no
    coding on offer is acceptable, when "identity" is named with a higher q than the best of them, or when the
    header is missing."""
    if not accept_encoding or not available:
        return None
    rated = {value.lower(): quality for value, quality in parse_accept_header(accept_encoding)}
    wildcard = rated.get("*", 0.0)
    best, best_q = None, 0.0
    for name in ENCODINGS:
        if name in available:
            quality = rated.get(name, wildcard)
            if quality > best_q:
                best, best_q = name, quality
    if best is not None and "identity" in rated and rated["identity"] > best_q:
        return None
    return best


class StaticFiles:
    """Every file under the static folder, loaded (and compressed) when the app starts."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._files: dict[str, StaticFile] = {}
        self._urls: dict[tuple[str, str], str] = {}  # (script root, file) -> its versioned URL

    def load_all(self) -> None:
        for name in self.names():
            self.get(name)

    def get(self, filename: str) -> StaticFile | None:
        if filename not in self._files:
            path = safe_join(str(self.folder), filename)
            if path is None or not Path(path).is_file() or filename.endswith(PRIVATE_SUFFIXES):
                return None
            body = Path(path).read_bytes()
            mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            self._files[filename] = StaticFile(
                body=body,
                mimetype=mimetype,
                digest=hashlib.sha256(body).hexdigest()[:12],
                encoded=compress(body, mimetype),
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
        return encoded_response(found)


def public_file(body: bytes, mimetype: str) -> StaticFile:
    """Something public made by the app itself (the manifest), to serve like a static file."""
    return StaticFile(
        body=body, mimetype=mimetype, digest=hashlib.sha256(body).hexdigest()[:12], encoded=compress(body, mimetype)
    )


def encoded_response(found: StaticFile) -> Response:
    """`found` in the encoding this request accepts best, with its ETag; 304 when the browser has those bytes."""
    encoding = choose_encoding(request.headers.get("Accept-Encoding"), found.encoded)
    response = Response(found.encoded[encoding] if encoding else found.body, mimetype=found.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if found.encoded:
        response.vary.add("Accept-Encoding")
    # Each encoding is its own representation with its own strong ETag, so a cache never answers 304 for
    # bytes it does not hold. Range requests are not honoured: the whole file comes with 200.
    response.set_etag(found.digest + (ETAG_SUFFIX[encoding] if encoding else ""))
    # make_conditional returns the response itself, typed as werkzeug's Response class rather than Flask's.
    return cast(Response, response.make_conditional(request))


def init_app(app: Flask) -> StaticFiles:
    """Serve /static/ from memory, compressed; `asset()` in templates (journal/templating.py) gives the versioned
    URL."""
    files = StaticFiles(Path(app.static_folder or ""))
    files.load_all()
    app.view_functions["static"] = files.response
    app.extensions["static_files"] = files
    return files
