"""What a client writes is shown as text and safe formatting; nothing in it ever runs."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from journal.entries.render import render_markdown

HOSTILE = """# Heading
<script>alert('body')</script>
<img src=x onerror="alert('img')">
<a href="javascript:alert('a')" onclick="alert('click')">raw link</a>
[md link](javascript:alert('md'))
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
<iframe src="https://evil.example"></iframe>
<svg onload="alert('svg')"><circle/></svg>
<style>body{display:none}</style>
<div style="background:url(javascript:alert(1))">styled</div>
**bold** and https://example.org/page
"""


TITLE = "<script>alert(1)</script><img src=x onerror=alert(2)><a href='javascript:alert(3)'>t</a>"


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def _assert_inert(html: str) -> None:
    for tag, attrs in _elements(html):
        assert tag not in {"script", "iframe", "svg", "style", "img", "object", "embed", "form"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name == "href":
                assert value.startswith(("http://", "https://", "mailto:")), value


def test_rendered_markdown_is_inert():
    html = str(render_markdown(HOSTILE))
    _assert_inert(html)
    assert "&lt;script&gt;" in html  # shown as the words the client typed, not dropped silently
    assert "<strong>bold</strong>" in html and "<h1>Heading</h1>" in html
    links = [attrs for tag, attrs in _elements(html) if tag == "a" and "href" in attrs]
    assert links and all(attrs["rel"] == "noopener nofollow" for attrs in links)
    assert any(attrs["href"] == "https://example.org/page" for attrs in links)


@pytest.mark.parametrize("field", ["title", "body"])
def test_entry_pages_render_hostile_text_inert(web, field):
    web.sign_up("ana@example.org")
    data = {"title": "plain", "body": "plain"}
    data[field] = TITLE if field == "title" else HOSTILE
    entry = web.new_entry(**data)
    for url in (f"/entries/{entry}", "/entries", f"/entries/{entry}/edit", f"/entries/{entry}/delete"):
        page = web.get(url).get_data(as_text=True)
        elements = _elements(page)
        scripts = [attrs for tag, attrs in elements if tag == "script"]
        assert scripts and all(attrs.get("src", "").startswith("/static/") for attrs in scripts), url
        # What the client wrote is shown in <main>: no picture or frame there (the tab bar's icons are the app's own).
        written = page.split("<main", 1)[1].split("</main>", 1)[0]
        for tag, _attrs in _elements("<main" + written):
            assert tag not in {"img", "iframe", "svg"}, (url, tag)
        for tag, attrs in elements:
            assert not any(name.startswith("on") for name in attrs), (url, tag, attrs)
            assert not (attrs.get("href") or "").strip().lower().startswith("javascript:"), url
        if not url.endswith("/delete") or field == "title":
            assert "&lt;script&gt;" in page, url  # the words are there, as text
