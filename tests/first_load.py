"""What a first visit to a page costs, counted through a Flask test client: the bytes the app sends for the page
and for everything a browser fetches with it on a first visit, as a browser taking Brotli receives them.

The page, its stylesheets and scripts, its favicon, the manifest, and the manifest icon Chromium fetches to
decide whether the app can be installed (the smallest "any" icon of at least 144 px: icon-192.png, as
Lighthouse's network log shows). Not counted: the apple-touch icon (only Safari reads it, when adding to the
home screen), images in the page (the pages a first visit lands on have none), and what the service worker
keeps for offline use once it is installed, after the page has loaded. Each response counts its body as sent
(compressed when it is) and its status line and headers as the app writes them; the server adds a few more
(Date, Server, Connection: about 70 bytes each).
Used by tests/http/test_first_load.py and bench/signin_and_page_weight.py.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import brotli

BUDGET = 40 * 1024  # bytes, a first visit to the sign-in page or Today
ACCEPT_BROTLI = {"Accept-Encoding": "gzip, deflate, br, zstd"}
SMALLEST_INSTALL_ICON = 144  # px: Chromium's minimum for an installable app's icon


@dataclass(frozen=True)
class Fetched:
    kind: str  # html, css, js, icon, manifest
    url: str
    body: int  # bytes of the body as sent
    headers: int  # bytes of the status line and headers, as the app writes them
    encoding: str  # "br", "gzip" or "" (as it is)

    @property
    def total(self) -> int:
        return self.body + self.headers


class _Links(HTMLParser):
    """What a page makes a browser fetch on a first visit: stylesheets, scripts, the favicon, the manifest."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        rel = (attributes.get("rel") or "").lower().split()
        href = attributes.get("href")
        if tag == "link" and href:
            if "stylesheet" in rel:
                self.found.append(("css", href))
            elif "icon" in rel:  # "apple-touch-icon" is a rel of its own, never fetched but by Safari
                self.found.append(("icon", href))
            elif "manifest" in rel:
                self.found.append(("manifest", href))
        elif tag == "script" and attributes.get("src"):
            self.found.append(("js", attributes["src"]))


def _same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def _header_bytes(response) -> int:
    status = f"HTTP/1.1 {response.status}\r\n"
    return len(status) + sum(len(f"{name}: {value}\r\n") for name, value in response.headers) + 2


def _fetch(client, kind: str, url: str, status: int = 200) -> tuple[Fetched, bytes]:
    response = client.get(url, headers=ACCEPT_BROTLI)
    if response.status_code != status:
        raise AssertionError(f"GET {url} answered {response.status_code}, expected {status}")
    body = response.get_data()
    fetched = Fetched(kind, url, len(body), _header_bytes(response), response.headers.get("Content-Encoding", ""))
    response.close()
    return fetched, body


def _install_icon(manifest: dict) -> str | None:
    sizes = []
    for icon in manifest.get("icons", []):
        if "any" not in icon.get("purpose", "any").split():
            continue
        for size in icon.get("sizes", "").split():
            width = int(size.lower().split("x")[0]) if size[:1].isdigit() else 0
            if width >= SMALLEST_INSTALL_ICON:
                sizes.append((width, icon["src"]))
    return min(sizes)[1] if sizes else None


def first_load(client, path: str) -> list[Fetched]:
    """Everything a first visit to `path` fetches, in order, the page first (`client`: a Flask test client)."""
    page, html = _fetch(client, "html", path)
    fetched = [page]
    links = _Links()
    links.feed(html.decode("utf-8"))
    for kind, url in links.found:
        if not _same_origin(url):
            continue
        resource, body = _fetch(client, kind, url)
        fetched.append(resource)
        if kind == "manifest":
            text = {"br": brotli.decompress, "gzip": gzip.decompress}.get(resource.encoding, bytes)(body)
            icon = _install_icon(json.loads(text))
            if icon:
                fetched.append(_fetch(client, "icon", icon)[0])
    return fetched


def short(url: str) -> str:
    return url.split("?", 1)[0]
