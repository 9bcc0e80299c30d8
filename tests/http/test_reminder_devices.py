"""Where reminders go: each device's push subscription lives as long as that device is signed in (the idle lock
keeps it), ends with reminders turned off, and goes with the account; only push services' addresses are taken."""

from __future__ import annotations

import base64
import datetime as dt
import os

import pytest
from sqlalchemy import func, select

from journal import vault
from journal.db import get_db, utcnow
from journal.housekeeping import sweep
from journal.models import AuthSession, PushSubscription, Reminder, ReminderSettings, User
from journal.reminders import service
from journal.reminders.endpoints import DEFAULT_PUSH_SERVICES
from journal.reminders.schedule import COURSE, DAILY, QuietHours

from ..support import PASSWORD, WebClient

PUSH = "https://fcm.googleapis.com/fcm/send/"


def _keys() -> tuple[str, str]:
    """A device's keys as a browser gives them (any P-256 point will do for storing: the sender's tests encrypt)."""
    point = bytes.fromhex(
        "04"
        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
    )
    encode = lambda data: base64.urlsafe_b64encode(data).decode().rstrip("=")  # noqa: E731
    return encode(point), encode(os.urandom(16))


def _handles(app, email: str) -> list[str]:
    """The user's sign-ins, oldest first, by the names pages may show."""
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == email))
        rows = db.scalars(select(AuthSession).where(AuthSession.user_id == user.id).order_by(AuthSession.created_at))
        return [vault.session_handle(row) for row in rows]


def _subscribe(app, email: str, endpoint: str, handle: str | None) -> None:
    p256dh, auth = _keys()
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == email))
        service.subscribe(
            db,
            user.id,
            endpoint=endpoint,
            p256dh=p256dh,
            auth=auth,
            session_handle=handle,
            services=DEFAULT_PUSH_SERVICES,
            now=utcnow(),
        )
        db.commit()


def _endpoints(app) -> dict[str, str]:
    with app.app_context():
        db = get_db()
        rows = db.execute(select(PushSubscription.endpoint, User.email).join(User, User.id == PushSubscription.user_id))
        return {endpoint.removeprefix(PUSH): email for endpoint, email in rows}


@pytest.fixture
def devices(app, web):
    """Ana signed in on a phone (`web`), a laptop and a tablet, each subscribed to reminders."""
    web.sign_up("ana@example.org")
    laptop, tablet = WebClient(app.test_client()), WebClient(app.test_client())
    for browser in (laptop, tablet):
        assert browser.sign_in("ana@example.org").status_code in (302, 303)
    for name, handle in zip(("phone", "laptop", "tablet"), _handles(app, "ana@example.org"), strict=True):
        _subscribe(app, "ana@example.org", PUSH + name, handle)
    return web, laptop, tablet


def test_signing_out_on_a_device_ends_its_reminders_only(app, devices):
    phone, laptop, _tablet = devices
    phone.sign_out()
    assert set(_endpoints(app)) == {"laptop", "tablet"}
    laptop.get("/account/sessions")
    assert laptop.post("/account/sessions/end-others").status_code == 303  # "Sign out every other device"
    assert set(_endpoints(app)) == {"laptop"}


def test_the_idle_lock_keeps_a_devices_reminders(app, devices, other_web):
    with app.app_context():
        db = get_db()
        assert sweep(db, app.config, utcnow() + dt.timedelta(hours=13)) == 3  # every sign-in idle and over
        db.commit()
    assert set(_endpoints(app)) == {"phone", "laptop", "tablet"}
    # Signing in again on the phone and subscribing again ties the same subscription to the new sign-in.
    phone, _laptop, _tablet = devices
    phone.sign_in("ana@example.org")
    _subscribe(app, "ana@example.org", PUSH + "phone", _handles(app, "ana@example.org")[-1])
    phone.sign_out()
    assert set(_endpoints(app)) == {"laptop", "tablet"}
    # A device another account subscribes on becomes that account's: one device, one owner.
    other_web.sign_up("bo@example.org")
    _subscribe(app, "bo@example.org", PUSH + "tablet", _handles(app, "bo@example.org")[0])
    assert _endpoints(app) == {"laptop": "ana@example.org", "tablet": "bo@example.org"}


def test_turning_every_reminder_off_ends_every_devices_subscription(app, devices):
    with app.app_context():
        db = get_db()
        ana = db.scalar(select(User).where(User.email == "ana@example.org"))
        now = utcnow()
        service.save_reminder(db, ana, DAILY, enabled=True, at=dt.time(21), now=now)
        service.save_reminder(db, ana, COURSE, enabled=True, at=dt.time(10), now=now)
        service.save_reminder(db, ana, DAILY, enabled=False, at=dt.time(21), now=now)
        db.commit()
        assert len(_endpoints(app)) == 3  # the prompts are still on
        service.save_reminder(db, ana, COURSE, enabled=False, at=dt.time(10), now=now)
        db.commit()
        assert _endpoints(app) == {}
        assert db.scalar(select(func.count()).select_from(Reminder).where(Reminder.next_due_at.is_not(None))) == 0
        # "Stop these reminders": whatever is on goes off, and so does every device.
        service.save_reminder(db, ana, DAILY, enabled=True, at=dt.time(21), now=now)
        db.commit()
    _subscribe(app, "ana@example.org", PUSH + "phone", None)
    with app.app_context():
        db = get_db()
        assert service.stop_all(db, ana.id) == 1
        db.commit()
        assert [row.enabled for row in service.reminders_of(db, ana.id).values()] == [False, False]
    assert _endpoints(app) == {}


def test_deleting_the_account_takes_reminders_settings_and_devices(app, devices):
    phone, _laptop, _tablet = devices
    with app.app_context():
        db = get_db()
        ana = db.scalar(select(User).where(User.email == "ana@example.org"))
        service.save_reminder(db, ana, DAILY, enabled=True, at=dt.time(21), now=utcnow())
        service.save_settings(db, ana, title="Notes", quiet=QuietHours(dt.time(22), dt.time(7)), now=utcnow())
        db.commit()
    phone.get("/account/delete")
    response = phone.post("/account/delete", {"password": PASSWORD, "phrase": "delete my journal"})
    assert response.status_code == 303
    with app.app_context():
        db = get_db()
        for table in (PushSubscription, Reminder, ReminderSettings):
            assert db.scalar(select(func.count()).select_from(table)) == 0, table.__tablename__


def test_what_a_device_or_a_client_sends_is_checked(app, web):
    web.sign_up("ana@example.org")
    with app.app_context():
        db = get_db()
        ana = db.scalar(select(User).where(User.email == "ana@example.org"))
        good_point, good_auth = _keys()
        refused = [
            ("http://169.254.169.254/latest/meta-data", good_point, good_auth),  # not a push service
            (PUSH + "x", "AAAA", good_auth),
            (PUSH + "x", good_point, "short"),
            (PUSH + "x", good_point, "!" * 22),
        ]
        for endpoint, p256dh, auth in refused:
            with pytest.raises(service.Refused):
                service.subscribe(
                    db,
                    ana.id,
                    endpoint=endpoint,
                    p256dh=p256dh,
                    auth=auth,
                    session_handle=None,
                    services=DEFAULT_PUSH_SERVICES,
                    now=utcnow(),
                )
        assert db.scalar(select(func.count()).select_from(PushSubscription)) == 0
        # Titles: neutral words of the client's, on one line; the default when left empty.
        assert service.save_settings(db, ana, title="  ", quiet=None, now=utcnow()).title == "Integration journal"
        assert service.save_settings(db, ana, title=" Notes ", quiet=None, now=utcnow()).title == "Notes"
        for title in ("x" * 41, "a bell \x07"):
            with pytest.raises(service.Refused):
                service.save_settings(db, ana, title=title, quiet=None, now=utcnow())
        # Prompts need at least one of their days, and only those.
        for days in ([], [2]):
            with pytest.raises(service.Refused):
                service.save_reminder(db, ana, COURSE, enabled=True, at=dt.time(10), now=utcnow(), days=days)
