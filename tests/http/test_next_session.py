"""The next integration session, as a client, their therapist, and anyone else sees it: noted on Today or on the
desk, shown on the other side, refused when it has passed, cleared when the session is marked held."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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


def _zone(app, email: str, zone: str) -> None:
    with app.app_context():
        db = get_db()
        db.execute(update(User).where(User.email == email).values(time_zone=zone))
        db.commit()


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
    assert f'value="{(_today() - timedelta(days=1)).isoformat()}"' in refused.get_data(as_text=True)  # kept as typed
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


def test_the_date_a_client_notes_shows_on_the_desk_as_set_by_the_client(app, web, doc, linked):
    _zone(app, "doc@example.org", "Europe/Berlin")
    day = _today("Europe/Berlin") + timedelta(days=4)
    assert "Dr Rivera sees this date on their desk." in web.get("/").get_data(as_text=True)
    assert web.post("/next-session", {"date": day.isoformat(), "time": "", "back": "today"}).status_code == 303
    today = web.get("/").get_data(as_text=True)
    assert f'{_weekday(day)}: <a href="/share/prepare">prepare' in today
    words = f"Next integration session: <strong>{day:%a} {day.day} {day:%b}</strong>\n    (set by the client)."
    assert words in doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert words in doc.get(f"/desk/clients/{linked}/brief").get_data(as_text=True)
    clinicians = web.get("/clinicians").get_data(as_text=True)
    assert f"Next integration session {_weekday(day)}." in clinicians
    assert _noted(app) == (day, None, "client")
    # From Today, a mistake comes back on the clinician's own form with what was typed.
    refused = web.post("/next-session", {"date": "2020-02-02", "back": "today"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'value="2020-02-02"' in page and 'aria-invalid="true"' in page and "That date has passed." in page


def test_the_therapist_sets_the_date_in_their_zone_and_the_client_sees_it_in_theirs(app, web, doc, linked):
    _zone(app, "doc@example.org", "Europe/Berlin")
    _zone(app, "ana@example.org", "America/New_York")
    day = _today("Europe/Berlin") + timedelta(days=5)
    response = doc.post(
        f"/desk/clients/{linked}/next-session", {"date": day.isoformat(), "time": "16:00", "back": "brief"}
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/desk/clients/{linked}/brief"
    brief = doc.get(f"/desk/clients/{linked}/brief").get_data(as_text=True)
    assert f"<strong>{day:%a} {day.day} {day:%b}, 16:00</strong>\n    (set by you)." in brief
    there = datetime(day.year, day.month, day.day, 16, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(
        ZoneInfo("America/New_York")
    )
    today = web.get("/").get_data(as_text=True)
    assert f'{_weekday(there.date())}, {there:%H:%M}: <a href="/share/prepare">prepare' in today
    assert "Set by Dr Rivera." in today
    # The therapist clears it: the client's Today asks for a date again.
    assert doc.post(f"/desk/clients/{linked}/next-session", {"clear": "1", "back": "client"}).status_code == 303
    assert "No date noted for the next integration session." in doc.get(f"/desk/clients/{linked}").get_data(
        as_text=True
    )
    assert "data-next-session=" not in web.get("/").get_data(as_text=True)


def test_only_the_linked_therapist_or_the_client_set_the_date_and_never_without_the_token(app, web, doc, linked):
    url, day = f"/desk/clients/{linked}/next-session", (_today() + timedelta(days=2)).isoformat()
    assert doc.post(url, {"date": day}, csrf=False).status_code == 403
    assert web.post("/next-session", {"date": day}, csrf=False).status_code == 403
    stranger = WebClient(app.test_client())
    stranger.sign_up("other@example.org", role="therapist")
    assert stranger.post(url, {"date": day}).status_code == 404
    assert web.post(url, {"date": day}).status_code == 403  # the desk is not a client's
    ben = WebClient(app.test_client())
    ben.sign_up("ben@example.org")
    link_id = _link_id(app)
    assert ben.post("/next-session", {"date": day, "link_id": link_id}).status_code == 404  # not his link
    assert web.post("/next-session", {"date": day, "link_id": "not-a-link"}).status_code == 404
    assert doc.post(url, {"date": (_today("UTC") - timedelta(days=3)).isoformat()}).status_code == 422
    assert _noted(app) == (None, None, None)
    with app.app_context():
        row = get_db().scalar(select(User).where(User.email == "ben@example.org"))
        assert row.next_integration_on is None  # nor noted on his own account instead
    # After the link ends, its client is nobody's to schedule.
    assert doc.post(f"/desk/clients/{linked}/end").status_code == 303
    assert doc.post(url, {"date": day}).status_code == 404


def test_marking_the_session_held_clears_a_date_that_has_come_and_keeps_a_later_one(app, web, doc, linked):
    doc.post(f"/desk/clients/{linked}/next-session", {"date": _today().isoformat(), "back": "client"})
    held = doc.post(f"/desk/clients/{linked}/session-held")
    assert held.status_code == 303
    assert "Its date is cleared" in doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert _noted(app) == (None, None, None)
    # A date still to come is kept when a session is marked held.
    later = _today() + timedelta(days=10)
    doc.post(f"/desk/clients/{linked}/next-session", {"date": later.isoformat(), "back": "client"})
    doc.post(f"/desk/clients/{linked}/session-held")
    assert _noted(app) == (later, None, "therapist")


def test_the_client_reads_that_their_therapist_marked_the_session_held(app, web, doc, linked):
    assert "marked your integration session held" not in web.get("/").get_data(as_text=True)
    assert doc.post(f"/desk/clients/{linked}/session-held").status_code == 303
    now = utcnow()
    words = f"Dr Rivera marked your integration session held on {now.day} {now:%b}."
    assert words in web.get("/").get_data(as_text=True)
    assert words in web.get("/clinicians").get_data(as_text=True)
    # A week on, Today has moved on; the clinicians page still says when it was.
    earlier = now - timedelta(days=8)
    with app.app_context():
        db = get_db()
        db.execute(update(Link).values(session_held_at=earlier))
        db.commit()
    assert "marked your integration session held" not in web.get("/").get_data(as_text=True)
    assert f"held on {earlier.day} {earlier:%b}." in web.get("/clinicians").get_data(as_text=True)


def _eve_reads(app, email: str):
    """When the reminders' sender takes the client's next session to be (UTC), or None."""
    from journal.reminders.service import next_integration_at

    with app.app_context():
        db = get_db()
        return next_integration_at(db, db.scalar(select(User.id).where(User.email == email)), utcnow())


def test_the_eve_reminder_takes_the_date_the_client_or_the_therapist_noted(app, web, doc, linked):
    _zone(app, "ana@example.org", "Pacific/Auckland")
    assert _eve_reads(app, "ana@example.org") is None  # nothing noted: no eve
    # The therapist's date, with a time, is that instant.
    day = _today("UTC") + timedelta(days=4)
    doc.post(f"/desk/clients/{linked}/next-session", {"date": day.isoformat(), "time": "09:30", "back": "client"})
    assert _eve_reads(app, "ana@example.org") == datetime(day.year, day.month, day.day, 9, 30, tzinfo=ZoneInfo("UTC"))
    # A day noted without a time counts as midday of that day where the client lives.
    web.post("/next-session", {"link_id": _link_id(app), "date": day.isoformat(), "time": "", "back": "today"})
    on, at, _by = _noted(app)
    assert on == day and at is None
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert _eve_reads(app, "ana@example.org") == noon
    # Cleared: no eve again.
    doc.post(f"/desk/clients/{linked}/next-session", {"clear": "1", "back": "client"})
    assert _eve_reads(app, "ana@example.org") is None
