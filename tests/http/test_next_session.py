"""The next integration session, as a client, their therapist, and anyone else sees it: noted on Today or on the
desk, shown on the other side, refused when it has passed, cleared when the session is marked held."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from journal.db import get_db, utcnow
from journal.models import Link, User

from ..support import WebClient
from . import test_desk

# The desk's fixtures: Ana, and Dr Rivera at the desk, linked.
doc, linked = test_desk.doc, test_desk.linked


def _today(zone: str = "UTC") -> date:
    return utcnow().astimezone(ZoneInfo(zone)).date()


def _weekday(day: date) -> str:
    return f"on {day:%A}, {day.day} {day:%b}"


def _noted(app) -> tuple:
    """(day, instant, who set it) of the one link's next session, as stored."""
    with app.app_context():
        link = get_db().scalar(select(Link))
        return link.next_session_on, link.next_session_at, link.next_session_set_by


def _link_id(app) -> str:
    with app.app_context():
        return str(get_db().scalar(select(Link.id)))


def test_a_client_with_no_clinician_notes_the_date_and_today_shows_it_until_it_has_passed(app, web):
    web.sign_up("ana@example.org")
    today = web.get("/").get_data(as_text=True)
    assert "Only you see this date in the app." in today and 'name="date"' in today
    soon = _today() + timedelta(days=3)
    response = web.post("/next-session", {"date": soon.isoformat(), "time": "", "back": "today"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    today = web.get("/").get_data(as_text=True)
    assert f"Your next integration session is {_weekday(soon)}." in today  # the message after saving
    assert f'Integration session\n    {_weekday(soon)}: <a href="/entries/new?prompt=days4-7-3">prepare' in today
    later = _today() + timedelta(days=20)
    web.post("/next-session", {"date": later.isoformat(), "back": "today"})
    today = web.get("/").get_data(as_text=True)
    assert f"on {later.day} {later:%b}." in today and "prepare<" not in today  # more than a week off: no weekday
    # A date that has passed is refused plainly, and what was noted stays.
    refused = web.post("/next-session", {"date": (_today() - timedelta(days=1)).isoformat(), "back": "today"})
    assert refused.status_code == 422 and "That date has passed." in refused.get_data(as_text=True)
    assert f"on {later.day} {later:%b}." in web.get("/").get_data(as_text=True)
    # A noted date that has since passed is not shown: the form is back.
    with app.app_context():
        db = get_db()
        db.execute(
            update(User).where(User.email == "ana@example.org").values(next_integration_on=_today() - timedelta(days=2))
        )
        db.commit()
    today = web.get("/").get_data(as_text=True)
    assert "data-next-session=" not in today and "Save the date" in today
    assert web.post("/next-session", {"clear": "1", "back": "form"}).headers["Location"] == "/next-session"
    with app.app_context():
        row = get_db().scalar(select(User).where(User.email == "ana@example.org"))
        assert row.next_integration_on is None and row.next_integration_at is None


def test_a_linked_client_notes_the_date_on_their_link_and_prepares_for_it(app, web, doc, linked):
    day = _today() + timedelta(days=4)
    assert "Dr Rivera sees this date on their desk." in web.get("/").get_data(as_text=True)
    assert web.post("/next-session", {"date": day.isoformat(), "time": "", "back": "today"}).status_code == 303
    today = web.get("/").get_data(as_text=True)
    assert f'{_weekday(day)}: <a href="/share/prepare">prepare' in today
    clinicians = web.get("/clinicians").get_data(as_text=True)
    assert f"Next integration session {_weekday(day)}." in clinicians
    assert _noted(app) == (day, None, "client")


def test_a_client_notes_only_their_own_link_and_never_without_the_token(app, web, doc, linked):
    day = (_today() + timedelta(days=2)).isoformat()
    assert web.post("/next-session", {"date": day}, csrf=False).status_code == 403
    ben = WebClient(app.test_client())
    ben.sign_up("ben@example.org")
    link_id = _link_id(app)
    assert ben.post("/next-session", {"date": day, "link_id": link_id}).status_code == 404  # not his link
    assert web.post("/next-session", {"date": day, "link_id": "not-a-link"}).status_code == 404
    assert _noted(app) == (None, None, None)
    with app.app_context():
        row = get_db().scalar(select(User).where(User.email == "ben@example.org"))
        assert row.next_integration_on is None  # nor noted on his own account instead
