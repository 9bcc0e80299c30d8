"""Me: changing the time zone (a POST with the CSRF token, names from the time zone database only, dates shown in
the new zone afterwards), an email address that wraps at its @ and dots, and a therapist's Me in a desk's words."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from journal import vault
from journal.db import get_db
from journal.entries import service as entries
from journal.models import User

from ..support import PASSWORD
from .test_course_pages import log_dose


def _zone(app, email: str = "ana@example.org") -> str:
    with app.app_context():
        return get_db().scalar(select(User.time_zone).where(User.email == email))


def _entry_at(app, at: datetime) -> str:
    with app.app_context():
        db = get_db()
        keyring = vault.unlock_with_password(db.scalar(select(User).where(User.email == "ana@example.org")), PASSWORD)
        data, _ = entries.clean_entry("At a set time", "words")
        entry_id = entries.create_entry(db, keyring, uuid.uuid4().hex, data, at)
        db.commit()
        return str(entry_id)


def test_me_offers_every_zone_with_the_saved_one_chosen(app, web):
    web.sign_up("ana@example.org")
    page = web.get("/account").get_data(as_text=True)
    offered = re.findall(r"<option(?: selected)?>([^<]+)</option>", page)
    assert offered == sorted(zoneinfo.available_timezones())
    assert "<option selected>UTC</option>" in page  # sign-up without a zone from the browser: UTC
    assert 'action="/account/time-zone"' in page and 'name="csrf_token"' in page
    assert 'aria-describedby="time_zone-hint"' in page and "time-zone.js" in page


def test_a_new_zone_applies_to_dates_shown_afterwards(app, web):
    web.sign_up("ana@example.org")
    entry = _entry_at(app, datetime(2026, 1, 15, 22, 30, tzinfo=UTC))
    assert "Thu 15 Jan 2026, 22:30" in web.get(f"/entries/{entry}").get_data(as_text=True)

    response = web.post("/account/time-zone", {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 303 and response.headers["Location"] == "/account#time-zone"
    assert _zone(app) == "Asia/Tokyo"
    me = web.get("/account").get_data(as_text=True)
    assert "Time zone saved: Asia/Tokyo." in me and "<option selected>Asia/Tokyo</option>" in me
    # The same moment, now shown in Tokyo (UTC+9): the next morning.
    page = web.get(f"/entries/{entry}").get_data(as_text=True)
    assert "Fri 16 Jan 2026, 07:30" in page and "Thu 15 Jan 2026, 22:30" not in page


def test_days_after_a_session_are_counted_in_the_new_zone(app, web):
    web.sign_up("ana@example.org")
    # 13:00 and 16:00 UTC: one day in UTC, 22:00 and 01:00 the next day in Tokyo.
    dose_at = datetime.now(UTC).replace(hour=13, minute=0, second=0, microsecond=0) - timedelta(days=2)
    log_dose(web, dose_at)
    entry = _entry_at(app, dose_at + timedelta(hours=3))
    assert "Day 0 after session 1" in web.get(f"/entries/{entry}").get_data(as_text=True)
    assert web.post("/account/time-zone", {"time_zone": "Asia/Tokyo"}).status_code == 303
    assert "Day 1 after session 1" in web.get(f"/entries/{entry}").get_data(as_text=True)


def test_an_unknown_zone_is_refused_and_nothing_changes(app, web):
    web.sign_up("ana@example.org")
    for sent in ("Mars/Olympus_Mons", "", "../../etc/passwd", "Europe/Berlin<script>", "europe/berlin"):
        response = web.post("/account/time-zone", {"time_zone": sent})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, sent
        assert '<p class="field-error" id="time_zone-error">Choose a time zone from the list.</p>' in page
        assert 'aria-describedby="time_zone-hint time_zone-error" aria-invalid="true"' in page
        assert "<script>" not in page.split('id="time_zone"', 1)[1].split("</select>", 1)[0]
        assert _zone(app) == "UTC"


def test_changing_the_zone_needs_the_csrf_token_and_a_signed_in_person(app, web, other_web):
    web.sign_up("ana@example.org")
    assert web.post("/account/time-zone", {"time_zone": "Asia/Tokyo"}, csrf=False).status_code == 403
    assert _zone(app) == "UTC"
    response = other_web.post("/account/time-zone", {"time_zone": "Asia/Tokyo"})
    assert response.status_code in (302, 303) and "/signin" in response.headers["Location"]
    assert _zone(app) == "UTC"


def test_a_therapist_changes_their_own_zone_only(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    assert other_web.post("/account/time-zone", {"time_zone": "America/Chicago"}).status_code == 303
    assert _zone(app, "doc@example.org") == "America/Chicago" and _zone(app) == "UTC"


def test_the_email_wraps_at_its_at_sign_and_dots(web):
    web.sign_up("ana.maria.longname@clinic-mail.example.org")
    page = web.get("/account").get_data(as_text=True)
    shown = 'ana<wbr>.maria<wbr>.longname@<wbr>clinic<span class="nobr">-m</span>ail<wbr>.example<wbr>.org'
    assert f'<dd class="email">{shown}</dd>' in page


def test_a_therapists_me_speaks_of_their_desk_and_clients(web, other_web):
    web.sign_up("ana@example.org")
    client = web.get("/account").get_data(as_text=True)
    assert "Signing out locks your journal on this device." in client
    other_web.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    page = other_web.get("/account").get_data(as_text=True)
    assert "journal" not in re.sub(r"<[^>]+>", " ", page.split('id="main"', 1)[1]).lower()
    assert "Signing out locks your desk, and what your clients share, on this device." in page
    assert "Installed, your desk opens like an app" in page
    assert "Dates and times on your desk show in this zone." in page
    assert "data-signout-warning" not in page and "Not sent yet" not in page  # nothing of theirs waits on a phone
    assert "data-signout-warning" in client
