"""Headers on every response, templates free of inline code, error pages that reveal nothing."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from ..support import IN_PROCESS_LOG, new_marker

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "journal" / "templates"


def test_security_headers_on_pages(web):
    for url in ("/", "/signin", "/signup", "/help", "/does-not-exist"):
        headers = web.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"


DOCUMENT_ONLY = ("Content-Security-Policy", "X-Frame-Options", "Cross-Origin-Opener-Policy", "Permissions-Policy")


def test_what_pages_load_carries_the_headers_that_apply_to_it_and_documents_carry_all(web):
    files = web.raw.application.extensions["static_files"]
    loaded = [f"/static/{name}?v={files.get(name).digest}" for name in ("app.css", "app.js", "icons/favicon-32.png")]
    for url in [*loaded, "/manifest.webmanifest"]:
        headers = web.raw.get(url, headers={"Accept-Encoding": "br"}).headers
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin", url
        assert headers["Referrer-Policy"] == "no-referrer", url
        assert not any(name in headers for name in DOCUMENT_ONLY), url
    for url in ("/signin", "/sw.js", "/offline", "/static/nothing-here.js", "/nowhere"):
        headers = web.raw.get(url).headers
        assert all(name in headers for name in DOCUMENT_ONLY), url
        assert headers["X-Frame-Options"] == "DENY"


def test_every_signed_in_page_is_no_store_and_without_htmx_history(web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("t", "b")
    for url in (
        "/entries",
        "/entries/new",
        f"/entries/{entry}",
        f"/entries/{entry}/edit",
        f"/entries/{entry}/delete",
        "/account",
        "/recovery-code/new",
    ):
        response = web.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
        assert "HX-Request" in response.headers["Vary"]
        assert '<body hx-history="false"' in response.get_data(as_text=True), url


EVERY_PAGE = {
    "/static/icons/favicon-32.png",
    "/static/icons/apple-touch-icon.png",
    "/static/app.css",
    "/static/theme.js",
    "/static/app.js",
    "/static/pwa.js",
}


def _assets(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]{12})"', page)


def test_static_assets_are_versioned_and_cached(web):
    signed_out = _assets(web.get("/signin").get_data(as_text=True))
    # Nothing to send from a signed-out page, and no htmx where no part of the page asks for it.
    assert {url.split("?")[0] for url in signed_out} == EVERY_PAGE
    web.sign_up("assets@example.org")
    assert {url.split("?")[0] for url in _assets(web.get("/").get_data(as_text=True))} == EVERY_PAGE | {
        "/static/outbox.js"
    }
    assets = _assets(web.get("/entries").get_data(as_text=True))
    assert {url.split("?")[0] for url in assets} == EVERY_PAGE | {"/static/outbox.js", "/static/htmx-2.0.11.min.js"}
    for url in assets:
        with web.raw.get(url) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


# Written into an export zip and opened offline, never served under the app's CSP: a file that needs nothing outside
# itself carries its styles inline (its own meta CSP allows those and nothing else). No script there either.
NOT_SERVED = {TEMPLATES / "export" / "summary.html"}


def test_templates_have_no_inline_script_style_or_handlers():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        if path not in NOT_SERVED:
            assert not re.search(r"<style\b", text), path
            assert not re.search(r"\sstyle=", text), path
        assert not re.search(r"\son[a-z]+=", text), path
        assert not re.search(r"\shx-on", text), path


def test_htmx_is_configured_safely(web):
    web.sign_up("htmx-config@example.org")
    page = web.get("/entries").get_data(as_text=True)
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page).group(1)
    import json

    settings = json.loads(config)
    assert settings["allowEval"] is False and settings["allowScriptTags"] is False
    assert settings["selfRequestsOnly"] is True and settings["historyCacheSize"] == 0


def test_need_help_link_on_every_page(web):
    def check(pages):
        for url in pages:
            assert 'href="/help">Need help now?</a>' in web.get(url).get_data(as_text=True), url

    check(["/", "/signin", "/signup", "/recover", "/help", "/nowhere"])
    web.sign_up("ana@example.org")
    check(["/entries", "/entries/new", "/account", "/help"])
    help_page = web.get("/help").get_data(as_text=True)
    assert 'href="tel:988"' in help_page and "Text HOME to 741741" in help_page and 'href="tel:911"' in help_page
    assert "does not watch this app in real time" in help_page


def test_crisis_resources_are_configurable(make_app, tmp_path):
    config = tmp_path / "crisis.json"
    config.write_text(
        '{"region": "United Kingdom", "resources": [{"name": "Samaritans", '
        '"action": "Call 116 123", "href": "tel:116123"}]}',
        encoding="utf-8",
    )
    app = make_app(CRISIS_RESOURCES_FILE=str(config))
    page = app.test_client().get("/help").get_data(as_text=True)
    assert "Samaritans" in page and "tel:116123" in page and "988" not in page


@pytest.mark.parametrize("code", [400, 403, 404, 405, 409, 413, 429, 500, 503])
def test_error_pages_are_in_the_layout(make_app, code):
    from flask import abort

    app = make_app()
    app.add_url_rule(f"/fail/{code}", f"fail{code}", lambda: abort(code), methods=["GET"])
    response = app.test_client().get(f"/fail/{code}")
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert "<header" in page and "Need help now?" in page and f"Error {code}" in page
    if code in (429, 503):
        assert response.headers["Retry-After"].isdigit()


def test_unexpected_error_shows_no_trace_and_logs_no_content(make_app, caplog):
    marker = new_marker("CRASH")
    app = make_app()

    def crash():
        raise RuntimeError(f"something about {marker}")

    app.add_url_rule("/crash", "crash", crash)
    with caplog.at_level(logging.DEBUG):
        response = app.test_client().get("/crash")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert marker not in page and "Traceback" not in page and "RuntimeError" not in page
    assert "Something went wrong on our side" in page
    assert "unhandled RuntimeError" in caplog.text  # the fault is logged, its message is not
    assert marker not in caplog.text
    assert marker not in IN_PROCESS_LOG.read_text(encoding="utf-8")
