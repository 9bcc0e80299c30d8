"""Response headers: a strict CSP, no caching of anything private, no framing, no referrer."""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",  # a voice note heard back before it is saved
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "manifest-src 'self'",
        "worker-src 'self'",
    ]
)

# Public, the same for everyone, and changed only by a release: kept by the browser and revalidated (ETag).
REVALIDATED = {"pwa.manifest"}


# What pages load and that never runs as a page or a worker: a stylesheet, a script a page includes, a picture,
# the manifest. Opened on its own, a browser shows it as text or as a picture, where nothing runs (nosniff keeps
# each to its type). The headers that only govern documents and workers (CSP, framing, opener, permissions)
# change nothing for them and are left off: about 440 bytes on each of the handful of files a first visit
# fetches. Every page, every error page and the service worker's script (/sw.js) keep them all.
SUBRESOURCE_TYPES = (
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/x-icon",
    "application/manifest+json",
)


def _document_headers_apply(response: Response) -> bool:
    return not (request.endpoint in ("static", *REVALIDATED) and response.mimetype in SUBRESOURCE_TYPES)


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if _document_headers_apply(response):
        headers["Content-Security-Policy"] = CSP
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "geolocation=(), microphone=(), payment=(), usb=()"
    if request.endpoint == "static":
        # Versioned asset URLs (?v=<hash>) never change content; anything else is revalidated.
        headers["Cache-Control"] = "public, max-age=31536000, immutable" if request.args.get("v") else "no-cache"
    elif request.endpoint in REVALIDATED:
        headers["Cache-Control"] = "no-cache"
    else:
        # Pages may hold decrypted writing: never stored by the browser or any cache between.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
        headers.add("Vary", "HX-Request")
        headers.add("Vary", "Cookie")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
