"""Today looks back: on day N after the latest session, what was written on day N after the earlier ones; once
there is writing from a year ago or more, what was written on this calendar day in earlier years. A few items,
linked, at a cost that does not grow with the journal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from journal.db import utcnow

from ..search_support import write_entry_at
from ..support import statements
from .test_course_pages import log_dose

SECTION_RE = re.compile(r"<section class=\"card looking-back\".*?</section>", re.S)


def _looking_back(web) -> str:
    found = SECTION_RE.search(web.get("/").get_data(as_text=True))
    return found.group(0) if found else ""


def _noon(day) -> datetime:
    return datetime.combine(day, time(12), UTC)


def test_day_n_after_the_latest_session_shows_day_n_after_the_earlier_ones(app, web):
    web.sign_up("ana@example.org")
    today = utcnow().date()
    assert _looking_back(web) == ""  # nothing written yet
    log_dose(web, _noon(today - timedelta(days=20)), felt="first")
    day3 = write_entry_at(app, "ana@example.org", "The river", "it came back", _noon(today - timedelta(days=17)))
    write_entry_at(app, "ana@example.org", "Day four", "not this one", _noon(today - timedelta(days=16)))
    assert _looking_back(web) == ""  # one session only: nothing earlier to look back on
    log_dose(web, _noon(today - timedelta(days=3)), felt="second")

    section = _looking_back(web)
    assert "Day 3 after session 1, what you wrote" in section
    assert f'href="/entries/{day3}"' in section and "The river" in section and "Day 3 after session 1" in section
    assert "Day four" not in section

    web.get("/")
    with statements(app) as (seen, _commits):
        web.get("/")
    for number in range(6):
        write_entry_at(app, "ana@example.org", f"More {number}", "words", _noon(today - timedelta(days=17)))
    with statements(app) as (again, _commits):
        section = _looking_back(web)
    assert len(again) == len(seen), (seen, again)  # two statements look back, however much was written
    assert len(re.findall(r'<li class="entry-item">', section)) == 3  # a few at most


def test_on_this_day_in_earlier_years_once_there_is_a_year_of_writing(app, web):
    web.sign_up("ana@example.org")
    today = utcnow().date()
    try:
        a_year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February: no such day a year ago, and nothing is shown for the day before
        a_year_ago = None
    write_entry_at(app, "ana@example.org", "Long ago", "the start", _noon(today - timedelta(days=400)))
    then = write_entry_at(
        app, "ana@example.org", "A year ago today", "the garden", _noon(a_year_ago or today - timedelta(days=366))
    )
    write_entry_at(
        app,
        "ana@example.org",
        "Not today",
        "no",
        _noon((a_year_ago or today) - timedelta(days=400) + timedelta(days=36)),
    )
    section = _looking_back(web)
    if a_year_ago is None:
        assert "On this day" not in section
        return
    assert "On this day" in section and f'href="/entries/{then}"' in section
    assert f"1 year ago, {a_year_ago.day} {a_year_ago:%b %Y}" in section and "Not today" not in section
