"""What a page makes a browser fetch: htmx only on the pages whose content (or a fragment it includes) asks for
it, so every other page's first visit goes without its 15 KB."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "journal" / "templates"
# An attribute that makes htmx send a request (hx-history and hx-headers on <body> only configure it).
HX_REQUEST = re.compile(r"\shx-(?:get|post|put|patch|delete|trigger|boost|swap-oob)\b")
INCLUDE = re.compile(r"\{%-?\s*(?:include|extends|import|from)\s+[\"']([^\"']+)[\"']")
SETS_HTMX = re.compile(r"^\{% set uses_htmx = true %\}$", re.MULTILINE)


def _source(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


@cache
def _reaches(name: str) -> frozenset[str]:
    """The template and every one it includes or extends, through any depth."""
    found = {name}
    for other in INCLUDE.findall(_source(name)):
        found |= _reaches(other)
    return frozenset(found)


def _pages() -> list[str]:
    names = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")]
    return sorted(name for name in names if "base.html" in _reaches(name) and name != "base.html")


def test_a_page_loads_htmx_exactly_when_something_on_it_asks_for_it():
    pages = _pages()
    assert "entries/list.html" in pages and "pages/today.html" in pages
    for page in pages:
        needs = any(HX_REQUEST.search(_source(name)) for name in _reaches(page))
        assert bool(SETS_HTMX.search(_source(page))) == needs, (
            f"{page}: {'add' if needs else 'remove'} `{{% set uses_htmx = true %}}` under its extends line"
        )


def test_no_record_partial_asks_htmx_for_anything():
    # Record partials are included by a name held in a variable (records/_content.html), which the check above
    # cannot follow: none of them may need htmx.
    from journal.records.kinds import all_kinds

    partials = {kind.partial for kind in all_kinds()}
    assert partials
    for partial in partials:
        for name in _reaches(partial):
            assert not HX_REQUEST.search(_source(name)), f"{name} (a record partial) asks htmx for something"
