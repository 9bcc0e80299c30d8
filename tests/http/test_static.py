"""Static files as a browser receives them: Brotli to browsers that take it, gzip to the others, the file as it is
otherwise; each encoding with its own length and ETag, revalidated with 304, cached for a year."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from journal.web.static_files import choose_encoding

BOTH = {"br": b"b", "gzip": b"g"}


def _htmx_url(web) -> str:
    files = web.raw.application.extensions["static_files"]
    return f"/static/htmx-2.0.11.min.js?v={files.get('htmx-2.0.11.min.js').digest}"


def _app_css_url(web) -> str:
    return re.search(r'href="(/static/app.css\?v=[0-9a-f]{12})"', web.get("/signin").get_data(as_text=True)).group(1)


def test_a_browser_that_takes_brotli_gets_brotli_and_the_same_file_once_decompressed(web):
    url = _app_css_url(web)
    with web.raw.get(url) as plain:
        original = plain.get_data()
        assert "Content-Encoding" not in plain.headers  # no Accept-Encoding: the file as it is
    with web.raw.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"}) as response:
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.mimetype == "text/css"
        body = response.get_data()
        assert int(response.headers["Content-Length"]) == len(body)
        assert brotli.decompress(body) == original
        assert len(body) < len(original) / 3


def test_a_gzip_only_browser_gets_gzip_and_anything_else_the_file_as_it_is(web):
    url = _app_css_url(web)
    original = web.raw.get(url).get_data()
    with web.raw.get(url, headers={"Accept-Encoding": "gzip, deflate"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        body = response.get_data()
        assert int(response.headers["Content-Length"]) == len(body)
        assert gzip.decompress(body) == original
    for accepts in ("identity", "deflate", "br;q=0, gzip;q=0"):
        with web.raw.get(url, headers={"Accept-Encoding": accepts}) as response:
            assert "Content-Encoding" not in response.headers, accepts
            assert "Accept-Encoding" in response.headers["Vary"]
            assert response.get_data() == original
            assert int(response.headers["Content-Length"]) == len(original)


def test_each_encoding_has_its_own_etag_and_revalidates_to_304(web):
    url = _htmx_url(web)
    tags = {}
    for accepts in ("br", "gzip", "identity"):
        with web.raw.get(url, headers={"Accept-Encoding": accepts}) as response:
            tags[accepts] = response.headers["ETag"]
    assert len(set(tags.values())) == 3, tags
    for accepts, tag in tags.items():
        with web.raw.get(url, headers={"Accept-Encoding": accepts, "If-None-Match": tag}) as again:
            assert again.status_code == 304, accepts
            assert again.headers["ETag"] == tag
            assert again.get_data() == b""
    # A tag for the Brotli bytes does not answer for gzip: the browser gets the gzip file whole.
    with web.raw.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": tags["br"]}) as other:
        assert other.status_code == 200 and other.headers["Content-Encoding"] == "gzip"


def test_a_range_request_gets_the_whole_encoded_file(web):
    url = _htmx_url(web)
    whole = web.raw.get(url, headers={"Accept-Encoding": "br"}).get_data()
    with web.raw.get(url, headers={"Accept-Encoding": "br", "Range": "bytes=0-99"}) as response:
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "br"
        assert response.get_data() == whole
        assert "Content-Range" not in response.headers


def test_images_and_tiny_files_go_as_they_are(web):
    with web.raw.get("/static/icons/icon-192.png", headers={"Accept-Encoding": "br, gzip"}) as png:
        assert "Content-Encoding" not in png.headers  # already compressed
        assert "Vary" not in png.headers or "Accept-Encoding" not in png.headers["Vary"]
    assert web.raw.get("/static/VENDORED.md").status_code == 404
    assert web.raw.get("/static/../journal/config.py").status_code == 404


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, None),
        ("", None),
        ("br", "br"),
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("GZIP", "gzip"),
        ("deflate", None),
        ("identity", None),
        ("*", "br"),
        ("gzip;q=1, br;q=0.5", "gzip"),
        ("gzip;q=0.5, br;q=0.5", "br"),
        ("br;q=0, gzip", "gzip"),
        ("br;q=0, *", "gzip"),
        ("*;q=0.3, br;q=0", "gzip"),
        ("gzip;q=0, br;q=0", None),
        ("br;q=0.2", "br"),  # the file as it is comes last unless named higher
        ("br;q=0.2, identity;q=0.5", None),
        ("br;q=0.5, identity;q=0.5", "br"),
        ("identity;q=0, *;q=0", None),  # nothing acceptable: the file as it is, rather than nothing
        ("br;q=nonsense, gzip", "gzip"),
    ],
)
def test_the_encoding_follows_the_q_values(header, chosen):
    assert choose_encoding(header, BOTH) == chosen


def test_only_encodings_on_offer_are_chosen():
    assert choose_encoding("br, gzip", {"gzip": b"g"}) == "gzip"
    assert choose_encoding("br", {"gzip": b"g"}) is None
    assert choose_encoding("br, gzip", {}) is None
