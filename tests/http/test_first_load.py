"""A first visit stays light: the sign-in page and Today, with everything a browser fetches for them, come to at
most 40 KB as the app sends them to a browser that takes Brotli (tests/first_load.py says what is counted)."""

from __future__ import annotations

from ..first_load import BUDGET, first_load, short


def _report(fetched) -> str:
    return "\n".join(f"{item.kind:<9}{short(item.url):<40}{item.encoding:<5}{item.total:>7,}" for item in fetched)


def test_a_first_visit_to_the_sign_in_page_stays_under_40_kb(web):
    fetched = first_load(web.raw, "/signin")
    total = sum(item.total for item in fetched)
    assert total <= BUDGET, f"{total:,} bytes:\n{_report(fetched)}"
    kinds = [item.kind for item in fetched]
    assert kinds.count("html") == 1 and "css" in kinds and "manifest" in kinds and kinds.count("icon") == 2
    # Text goes compressed; the page itself never is (BREACH: a CSRF token beside reflected input).
    assert all(item.encoding == "br" for item in fetched if item.kind in ("css", "js", "manifest") and item.body > 600)
    assert fetched[0].encoding == ""
    assert not any("apple-touch-icon" in item.url for item in fetched)
    assert not any("htmx" in item.url or "outbox" in item.url for item in fetched)


def test_a_first_visit_to_today_stays_under_40_kb(web):
    web.sign_up("first-visit@example.org")
    fetched = first_load(web.raw, "/")
    total = sum(item.total for item in fetched)
    assert total <= BUDGET, f"{total:,} bytes:\n{_report(fetched)}"
    assert any("outbox" in item.url for item in fetched)  # a signed-in client's page sends what waits
    assert not any("htmx" in item.url for item in fetched)
