"""The timeline's filters: by kind, by dosing session, by emotion word, as GET parameters that keep working with the
keyset paging, in a plain form."""

from __future__ import annotations

import re
from datetime import timedelta

from journal.db import utcnow

from ..search_support import KEY_RE, write_entry_at
from .test_course_pages import log_dose

TITLE_RE = re.compile(r'<span class="entry-title">([^<]+)</span>')


def _check_in(web, emotions: list[str], note: str = "") -> None:
    key = KEY_RE.search(web.get("/checkins/new").get_data(as_text=True)).group(1)
    data = {"csrf_token": web.token, "client_key": key, "emotions": emotions, "note": note, "mood": "5"}
    assert web.raw.post("/checkins", data=data).status_code == 303


def _details(page: str) -> list[str]:
    return re.findall(r'<span class="entry-preview">([^<]+)</span>', page)


def test_filter_by_kind_and_by_session_with_a_plain_form(app, web):
    web.sign_up("ana@example.org")
    now = utcnow()
    write_entry_at(app, "ana@example.org", "Before anything", "first words", now - timedelta(days=30))
    log_dose(web, now - timedelta(days=20), felt="first")
    write_entry_at(app, "ana@example.org", "After one", "words", now - timedelta(days=18))
    log_dose(web, now - timedelta(days=5), felt="second")
    write_entry_at(app, "ana@example.org", "After two", "words", now - timedelta(days=3))
    _check_in(web, ["calm"])

    page = web.get("/timeline").get_data(as_text=True)
    assert '<form method="get" action="/timeline"' in page
    assert '<option value="2">After session 2</option>' in page and '<option value="entry">Journal entry' in page

    entries_only = web.get("/timeline?kind=entry").get_data(as_text=True)
    assert TITLE_RE.findall(entries_only) == ["After two", "After one", "Before anything"]
    assert '<option value="entry" selected>' in entries_only and "Clear filters" in entries_only

    assert TITLE_RE.findall(web.get("/timeline?session=1").get_data(as_text=True)) == ["After one", "Dosing session 1"]
    assert TITLE_RE.findall(web.get("/timeline?session=0").get_data(as_text=True)) == ["Before anything"]
    assert TITLE_RE.findall(web.get("/timeline?session=2&kind=entry").get_data(as_text=True)) == ["After two"]
    nothing = web.get("/timeline?session=9").get_data(as_text=True)
    assert TITLE_RE.findall(nothing) == [] and "Nothing on your timeline matches these filters" in nothing
    # A value the form does not offer is ignored: the whole timeline.
    assert len(TITLE_RE.findall(web.get("/timeline?kind=nonsense&emotion=made-up").get_data(as_text=True))) == 6


def test_filter_by_emotion_word_pages_by_keyset_keeping_the_filters(app, web):
    web.sign_up("ana@example.org")
    for number in range(33):
        _check_in(web, ["grieving"] if number % 2 == 0 else ["calm"], note=f"note {number}")
    web.new_entry("Not a check-in", "grieving, in words")
    first = web.get("/timeline?emotion=grieving").get_data(as_text=True)
    notes = [detail.rsplit("· ", 1)[1] for detail in _details(first)]
    assert notes == [f"note {n}" for n in range(32, -1, -2)]  # 17 of 33, all on one page, newest first
    assert "Older" not in first

    page = web.get("/timeline?emotion=calm&kind=checkin").get_data(as_text=True)
    assert [detail.rsplit("· ", 1)[1] for detail in _details(page)] == [f"note {n}" for n in range(31, 0, -2)]

    for number in range(33, 60):
        _check_in(web, ["grieving"], note=f"note {number}")
    first = web.get("/timeline?emotion=grieving").get_data(as_text=True)
    older = re.search(r'href="(/timeline\?[^"]+)">Older', first).group(1).replace("&amp;", "&")
    assert "emotion=grieving" in older and "before=" in older
    second = web.get(older).get_data(as_text=True)
    shown = [detail.rsplit("· ", 1)[1] for detail in _details(first) + _details(second)]
    assert shown == [f"note {n}" for n in range(59, 32, -1)] + [f"note {n}" for n in range(32, -1, -2)]
    fragment = web.get(older, htmx=True).get_data(as_text=True)
    assert "<html" not in fragment and "note 0" in fragment
