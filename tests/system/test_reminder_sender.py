"""The sender against a push service on 127.0.0.1 (tests/push_service.py), which checks each real HTTP request as a
browser vendor's would and opens the message with the keys the test made for the fake device.

What a client's phone would show says nothing private; a subscription the service says is gone is removed; 429 and
5xx are tried again, within a bound; a late or re-zoned reminder is not sent; the log holds counts only; and two
senders at once on PostgreSQL send each reminder once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import threading
import time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from journal.db import get_db, make_engine, utcnow
from journal.models import PushSubscription, Reminder, User
from journal.reminders import service
from journal.reminders.push import ACTIONS
from journal.reminders.schedule import COURSE, DAILY, EVE, QuietHours
from journal.reminders.sender import Counts, Sender

from ..http.test_course_pages import log_dose
from ..push_service import PushService
from ..reminder_support import add_due_reminders
from ..support import FAST_KDF, ROOT, new_marker, remember_secret

BERLIN = "Europe/Berlin"
NEUTRAL_WORDS = {"A moment for yourself?", "A few quiet minutes to write?", "A moment to gather your thoughts?"}


@pytest.fixture
def push():
    service = PushService()
    yield service
    service.stop()


@pytest.fixture
def app(make_app, push):
    built = make_app(
        PUSH_SERVICES=push.origin,
        REMINDERS_BACKOFF_SECONDS=0.2,
        REMINDERS_RETRY_WAIT_MAX_SECONDS=2,
        REMINDERS_ATTEMPTS=3,
    )
    push.server_key = built.config["VAPID_PUBLIC_KEY"]
    return built


def _sender(app, at: dt.datetime) -> Sender:
    return Sender(app.extensions["db_sessionmaker"], app.config, clock=lambda: at)


def _ana(app):
    with app.app_context():
        return get_db().scalar(select(User).where(User.email == "ana@example.org"))


def _subscribe(app, push, user_id, count: int = 1):
    devices = [push.new_device() for _ in range(count)]
    with app.app_context():
        db = get_db()
        for device in devices:
            remember_secret(device.token)  # the log canary looks for every endpoint in every log
            service.subscribe(
                db,
                user_id,
                endpoint=device.endpoint,
                p256dh=device.p256dh,
                auth=device.auth,
                session_handle=None,
                services=[push.origin],
                now=utcnow(),
            )
        db.commit()
    return devices


def _reminder(app, user_id, kind: str) -> SimpleNamespace:
    """The reminder row as it is now (read, then left)."""
    with app.app_context():
        row = get_db().scalar(select(Reminder).where(Reminder.user_id == user_id, Reminder.kind == kind))
        return SimpleNamespace(**{name: getattr(row, name) for name in ("next_due_at", "claimed_until", "zone")})


def test_a_reminder_reaches_each_device_signed_encrypted_and_saying_nothing_private(app, web, push, caplog):
    caplog.set_level(logging.DEBUG)
    written = new_marker("REMINDER")
    web.sign_up("ana@example.org")
    web.new_entry(f"About the medicine {written}", f"What my clinician said {written}")
    with app.app_context():
        db = get_db()
        ana = db.scalar(select(User).where(User.email == "ana@example.org"))
        ana.time_zone = BERLIN
        now = utcnow()
        for kind in (DAILY, COURSE, EVE):
            service.save_reminder(db, ana, kind, enabled=True, at=dt.time(21, 0), now=now)
        service.save_settings(db, ana, title="Notes", quiet=None, now=now)
        db.commit()
        ana_id = ana.id
    devices = _subscribe(app, push, ana_id, count=2)
    due = _reminder(app, ana_id, DAILY).next_due_at
    # A dosing session the day before: the prompt's day 1 (the sender reads its time only).
    log_dose(
        web,
        dt.datetime.combine(
            due.astimezone(ZoneInfo(BERLIN)).date() - dt.timedelta(days=1), dt.time(12), tzinfo=ZoneInfo(BERLIN)
        ),
        felt=f"felt {written}",
        zone=BERLIN,
    )

    counts = _sender(app, due + dt.timedelta(seconds=30)).run_once()

    # Two devices, each told of the check-in and the day's prompt; no date is set for a session, so no eve.
    assert (counts.sent, counts.removed, counts.retried, counts.failed, counts.skipped) == (4, 0, 0, 0, 1)
    assert push.problems == []
    assert sorted(len(push.to(device)) for device in devices) == [2, 2]
    for item in push.received:
        assert item.status == 201
        assert item.claims["aud"] == push.origin and item.claims["sub"] == "mailto:reminders@localhost"
        assert item.headers["content-encoding"] == "aes128gcm" and item.headers["topic"] == "reminder"
        assert item.headers["urgency"] == "normal" and 0 < int(item.headers["ttl"]) <= 4 * 3600
        assert set(item.payload) == {"title", "body", "url", "actions"}
        assert item.payload["title"] == "Notes" and item.payload["body"] in NEUTRAL_WORDS
        assert item.payload["actions"] == list(ACTIONS)
        # Nothing she wrote, no medicine, no clinician, not her address: only neutral words and a screen.
        words = item.message.decode("utf-8")
        for private in (written, "medicine", "clinician", "ketamine", "dose", "ana@example.org", "Berlin"):
            assert private.lower() not in words.lower()
    assert sorted(item.payload["url"] for item in push.received) == ["/", "/", "/checkins/new", "/checkins/new"]
    # Each reminder's next time is tomorrow's 21:00 in Berlin, and no lease is left.
    for kind in (DAILY, COURSE, EVE):
        row = _reminder(app, ana_id, kind)
        assert row.claimed_until is None
        assert row.next_due_at.astimezone(ZoneInfo(BERLIN)).strftime("%H:%M") == "21:00"
        assert row.next_due_at.astimezone(ZoneInfo(BERLIN)).date() == due.astimezone(ZoneInfo(BERLIN)).date() + (
            dt.timedelta(days=1)
        )
    # Looking again at the same moment sends nothing more.
    assert not _sender(app, due + dt.timedelta(seconds=31)).run_once()
    assert len(push.received) == 4
    _no_secret_in(caplog.text, push, written)


def _no_secret_in(text: str, push: PushService, *also: str) -> None:
    assert "reminders: sent" in text
    for device in push.devices.values():
        assert device.token not in text and device.endpoint not in text and device.p256dh not in text
    for secret in (push.origin.removeprefix("http://"), "/push/", *NEUTRAL_WORDS, "Notes", *also):
        assert secret not in text


def test_gone_subscriptions_are_removed_and_the_rest_still_served(app, push, caplog):
    caplog.set_level(logging.DEBUG)
    due = utcnow().replace(microsecond=0)
    elsewhere = "http://127.0.0.1:9/push/elsewhere"  # a push service the deployment does not list (any longer)
    with app.app_context():
        db = get_db()
        devices = add_due_reminders(db, push.new_device, 4, due)
        db.execute(
            update(PushSubscription).where(PushSubscription.endpoint == devices[3].endpoint).values(endpoint=elsewhere)
        )
        db.commit()
    for device in devices:
        remember_secret(device.token)
    push.plan(devices[0], 404)
    push.plan(devices[1], 410)
    counts = _sender(app, due + dt.timedelta(seconds=5)).run_once()
    assert (counts.sent, counts.removed, counts.failed, counts.skipped) == (1, 2, 0, 1)
    assert sorted(item.token for item in push.received) == sorted(device.token for device in devices[:3])
    with app.app_context():
        left = set(get_db().scalars(select(PushSubscription.endpoint)))
    assert left == {devices[2].endpoint, elsewhere}
    _no_secret_in(caplog.text, push)


def test_busy_or_failing_push_services_are_tried_again_within_a_bound(app, push, caplog):
    caplog.set_level(logging.DEBUG)
    due = utcnow().replace(microsecond=0)
    with app.app_context():
        busy, broken, slow_down = add_due_reminders(get_db(), push.new_device, 3, due)
    push.plan(busy, (429, {"Retry-After": "1"}))  # then 201
    push.plan(broken, 500, 502, 503, 500)  # more than the three attempts allowed
    push.plan(slow_down, (503, {"Retry-After": "3600"}))  # asks for longer than a reminder is worth
    started = time.monotonic()
    counts = _sender(app, due + dt.timedelta(seconds=5)).run_once()
    assert time.monotonic() - started < 8
    assert (counts.sent, counts.retried, counts.failed, counts.removed) == (1, 3, 2, 0)
    busy_tries = push.to(busy)
    assert [item.status for item in busy_tries] == [429, 201]
    assert busy_tries[1].at - busy_tries[0].at >= 1.0  # the Retry-After was respected
    assert [item.status for item in push.to(broken)] == [500, 502, 503]  # given up after the third
    gaps = [later.at - earlier.at for earlier, later in zip(push.to(broken), push.to(broken)[1:], strict=False)]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4  # waits that double
    assert [item.status for item in push.to(slow_down)] == [503]
    with app.app_context():
        db = get_db()
        assert db.scalar(select(func.count()).select_from(PushSubscription)) == 3  # failing is not gone
        assert db.scalar(select(func.count()).select_from(Reminder).where(Reminder.next_due_at <= due)) == 0
    _no_secret_in(caplog.text, push)


def test_a_late_reminder_or_one_of_another_time_zone_is_not_sent_but_moved_on(app, web, push):
    web.sign_up("ana@example.org")
    with app.app_context():
        db = get_db()
        ana = db.scalar(select(User).where(User.email == "ana@example.org"))
        service.save_reminder(db, ana, DAILY, enabled=True, at=dt.time(8, 0), now=utcnow())
        db.commit()
        ana_id = ana.id
    _subscribe(app, push, ana_id)
    due = _reminder(app, ana_id, DAILY).next_due_at
    # The sender was down: two hours after the time it is not sent, and the next is tomorrow's.
    counts = _sender(app, due + dt.timedelta(hours=2)).run_once()
    assert (counts.sent, counts.skipped) == (0, 1) and push.received == []
    assert _reminder(app, ana_id, DAILY).next_due_at == due + dt.timedelta(days=1)
    # She moved to New York: at the old time nothing is sent, and 08:00 there is found instead.
    with app.app_context():
        db = get_db()
        db.get(User, ana_id).time_zone = "America/New_York"
        db.commit()
    counts = _sender(app, due + dt.timedelta(days=1, seconds=30)).run_once()
    assert (counts.sent, counts.skipped) == (0, 1) and push.received == []
    moved = _reminder(app, ana_id, DAILY)
    assert moved.zone == "America/New_York"
    assert moved.next_due_at.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == "08:00"
    # The page that changes the zone recomputes at once too, quiet hours included.
    with app.app_context():
        db = get_db()
        ana = db.get(User, ana_id)
        service.save_settings(db, ana, title="", quiet=QuietHours(dt.time(7, 0), dt.time(9, 30)), now=utcnow())
        ana.time_zone = "Asia/Tokyo"
        service.zone_changed(db, ana, utcnow())
        db.commit()
    again = _reminder(app, ana_id, DAILY)
    assert again.zone == "Asia/Tokyo"
    assert again.next_due_at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M") == "09:30"
    counts = _sender(app, again.next_due_at + dt.timedelta(seconds=1)).run_once()
    assert counts.sent == 1 and push.received[0].payload["title"] == "Integration journal"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite runs one sender
def test_two_senders_at_once_on_postgresql_send_each_reminder_once(app, push):
    """`flask reminders-send --once` in a process of its own, and a second sender in this one, with its own
    connections: every message waits at the push service until each holds a batch, so they work at once."""
    due = utcnow().replace(microsecond=0) - dt.timedelta(minutes=1)
    count, batch = 160, 20
    with app.app_context():
        devices = add_due_reminders(get_db(), push.new_device, count, due)
    push.gate.clear()
    env = {
        **os.environ,
        **{key: str(value) for key, value in FAST_KDF.items()},
        "DATABASE_URL": app.config["DATABASE_URL"],
        "INSTANCE_PATH": str(app.instance_path),  # the same push key
        "PUSH_SERVICES": push.origin,
        "REMINDERS_BATCH": str(batch),
        "REMINDERS_SEND_THREADS": "4",
    }
    command = [sys.executable, "-m", "flask", "--app", "journal", "reminders-send", "--once"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    engine = make_engine(app.config["DATABASE_URL"])  # the second sender shares no connection with the app
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    here = Sender(sessions, {**app.config, "REMINDERS_BATCH": batch, "REMINDERS_SEND_THREADS": 4})
    found: dict[str, Counts] = {}
    thread = threading.Thread(target=lambda: found.setdefault("here", here.run_once()))
    try:
        thread.start()
        deadline = time.monotonic() + 60
        held = 0
        while held < 2 * batch and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
            with app.app_context():
                held = get_db().scalar(select(func.count()).select_from(Reminder).where(Reminder.claimed_until > due))
        assert held == 2 * batch  # a batch each: both senders are at work, on different reminders
        push.gate.set()
        output = process.communicate(timeout=60)[0]
        thread.join(timeout=60)
    finally:
        push.gate.set()
        if process.poll() is None:
            process.kill()
        thread.join(timeout=60)
        engine.dispose()
    assert process.returncode == 0, output
    theirs = int(output.rsplit("Reminders: sent ", 1)[1].split(",", 1)[0])
    assert theirs >= batch and found["here"].sent >= batch and theirs + found["here"].sent == count, output
    assert push.problems == []
    assert sorted(len(push.to(device)) for device in devices) == [1] * count  # each reminder once, to its device
    with app.app_context():
        db = get_db()
        assert db.scalar(select(func.count()).select_from(Reminder).where(Reminder.claimed_until.is_not(None))) == 0
        assert db.scalar(select(func.count()).select_from(Reminder).where(Reminder.next_due_at <= utcnow())) == 0
    assert "/push/" not in output and push.origin.removeprefix("http://") not in output  # its log: counts only
