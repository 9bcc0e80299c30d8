"""“Day N after session K” beside the date of entries, check-ins and photos, on their lists and their own pages;
nothing beside an item from before the first session."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from journal import vault
from journal.checkins import service as checkins
from journal.db import get_db, utcnow
from journal.entries import service as entries
from journal.models import User

from .. import art_images
from ..support import PASSWORD, statements
from .test_art import upload
from .test_course_pages import log_dose

LABEL_RE = re.compile(r'<span class="place-label"> · (Day \d+ after session \d+)</span>')


def _write(app, kind: str, at) -> str:
    """An entry or a check-in of Ana's at a chosen time, through its own service."""
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == "ana@example.org"))
        keyring, key = vault.unlock_with_password(user, PASSWORD), uuid.uuid4().hex
        if kind == "entry":
            data, _ = entries.clean_entry(f"Written {at:%d %b}", "words")
            record_id = entries.create_entry(db, keyring, key, data, at)
        else:
            data, _ = checkins.clean_checkin({"mood": "6"}, [])
            record_id = checkins.create_checkin(db, keyring, key, data, at)
        db.commit()
        return str(record_id)


def test_lists_and_pages_say_the_day_after_the_session_before_each_item(app, web):
    web.sign_up("ana@example.org")
    now = utcnow()
    early = _write(app, "entry", now - timedelta(days=10))  # before any session
    log_dose(web, now - timedelta(days=8))
    between = _write(app, "entry", now - timedelta(days=5))
    early_checkin = _write(app, "checkin", now - timedelta(days=7))
    log_dose(web, now - timedelta(days=3))
    latest = _write(app, "entry", now)
    checkin = _write(app, "checkin", now)
    assert upload(web, [("a.jpg", art_images.jpeg())], caption="blue hills").status_code == 303

    journal = web.get("/entries").get_data(as_text=True)
    assert LABEL_RE.findall(journal) == [
        "Day 3 after session 2",
        "Day 3 after session 1",
    ]  # newest first; none for the early one
    assert "Written" in journal and journal.count('class="entry-item"') == 3
    assert LABEL_RE.findall(web.get(f"/entries/{latest}").get_data(as_text=True)) == ["Day 3 after session 2"]
    assert LABEL_RE.findall(web.get(f"/entries/{between}").get_data(as_text=True)) == ["Day 3 after session 1"]
    before = web.get(f"/entries/{early}").get_data(as_text=True)
    assert LABEL_RE.findall(before) == [] and "after session" not in before and "Written" in before

    listing = web.get("/checkins").get_data(as_text=True)
    assert LABEL_RE.findall(listing) == ["Day 3 after session 2", "Day 1 after session 1"]
    assert LABEL_RE.findall(web.get(f"/checkins/{checkin}").get_data(as_text=True)) == ["Day 3 after session 2"]
    assert LABEL_RE.findall(web.get(f"/checkins/{early_checkin}").get_data(as_text=True)) == ["Day 1 after session 1"]

    gallery = web.get("/art").get_data(as_text=True)
    assert re.findall(r'<span class="art-place">([^<]+)</span>', gallery) == ["Day 3 after session 2"]
    art_id = re.search(r'href="/art/([0-9a-f-]{36})"', gallery).group(1)
    assert LABEL_RE.findall(web.get(f"/art/{art_id}").get_data(as_text=True)) == ["Day 3 after session 2"]


def test_labels_count_calendar_days_in_the_clients_time_zone(app, web):
    web.sign_up("ana@example.org")
    zone = ZoneInfo("Pacific/Auckland")
    with app.app_context():
        db = get_db()
        db.scalar(select(User).where(User.email == "ana@example.org")).time_zone = "Pacific/Auckland"
        db.commit()
    # 23:30 and 00:30 the next night in Auckland: one UTC date, two Auckland dates.
    day = datetime.now(zone).date() - timedelta(days=3)
    dose_at = datetime.combine(day, time(23, 30), zone).astimezone(UTC)
    entry_at = dose_at + timedelta(hours=1)
    assert dose_at.date() == entry_at.date()
    log_dose(web, dose_at, zone="Pacific/Auckland")
    entry = _write(app, "entry", entry_at)
    assert LABEL_RE.findall(web.get(f"/entries/{entry}").get_data(as_text=True)) == ["Day 1 after session 1"]
    assert LABEL_RE.findall(web.get("/entries").get_data(as_text=True)) == ["Day 1 after session 1"]


def test_a_page_of_labels_costs_one_statement_however_many_items(app, web):
    web.sign_up("ana@example.org")
    now = utcnow()
    log_dose(web, now - timedelta(days=40))
    log_dose(web, now - timedelta(days=20))
    for days in (30, 10):
        _write(app, "checkin", now - timedelta(days=days))
    web.get("/checkins")
    with statements(app) as (few, _commits):
        assert web.get("/checkins").status_code == 200
    for days in range(1, 20):
        _write(app, "checkin", now - timedelta(days=days, hours=1))
    with statements(app) as (many, _commits):
        page = web.get("/checkins").get_data(as_text=True)
    assert len(LABEL_RE.findall(page)) == 21 and len(many) == len(few)
