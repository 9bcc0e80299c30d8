"""Through the integration window, as a client sees it on Today: intentions in sight from preparation to the
next dose."""

from __future__ import annotations

from datetime import timedelta

from journal.db import utcnow

from .test_course_pages import add_intention, log_dose


def test_intentions_stay_on_today_through_the_window_and_after_it(web):
    web.sign_up("ana@example.org")
    add_intention(web, "to rest when I am tired")
    assert "to rest when I am tired" in web.get("/").get_data(as_text=True)  # preparing
    log_dose(web, utcnow() - timedelta(days=20))
    today = web.get("/").get_data(as_text=True)
    assert "Day 20 after session 1" in today and "to rest when I am tired" in today  # before the next dose
    log_dose(web, utcnow() - timedelta(days=9))
    today = web.get("/").get_data(as_text=True)
    assert "Day 9 after session 2" in today and "to rest when I am tired" in today
