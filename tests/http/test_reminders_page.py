"""The reminders page under Me: all off until the client turns one on, plain messages for what cannot be saved, this
device's subscription under this sign-in, "Stop all reminders" only by its button, and a new time zone moving
every next time at once. For clients only."""

from __future__ import annotations

import base64
import datetime as dt
import os
from types import SimpleNamespace

from sqlalchemy import func, select

from journal import vault
from journal.db import get_db
from journal.models import AuthSession, PushSubscription, Reminder, ReminderSettings, User

PUSH = "https://fcm.googleapis.com/fcm/send/"
GOOD = {
    "daily_on": "on",
    "daily_time": "21:00",
    "course_time": "10:00",
    "course_days": ["1", "7"],
    "eve_time": "19:00",
    "quiet_start": "22:00",
    "quiet_end": "07:00",
    "title": "Notes",
}


def _device(name: str) -> dict:
    point = bytes.fromhex(
        "04"
        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
    )
    encode = lambda data: base64.urlsafe_b64encode(data).decode().rstrip("=")  # noqa: E731
    return {"endpoint": PUSH + name, "keys": {"p256dh": encode(point), "auth": encode(os.urandom(16))}}


def _send_device(web, path: str, body: dict, csrf: bool = True):
    web.get("/account/reminders")
    headers = {"X-CSRF-Token": web.token} if csrf else {}
    return web.raw.post(path, json=body, headers=headers)


def _rows(app, email: str) -> dict[str, SimpleNamespace]:
    """The client's reminder rows as they are in the database now."""
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == email))
        rows = db.scalars(select(Reminder).where(Reminder.user_id == user.id))
        return {
            row.kind: SimpleNamespace(enabled=row.enabled, next_due_at=row.next_due_at, days=row.days, zone=row.zone)
            for row in rows
        }


def _devices(app) -> dict[str, tuple[str, str | None]]:
    with app.app_context():
        rows = get_db().execute(
            select(PushSubscription.endpoint, User.email, PushSubscription.session_handle).join(
                User, User.id == PushSubscription.user_id
            )
        )
        return {endpoint.removeprefix(PUSH): (email, handle) for endpoint, email, handle in rows}


def test_everything_is_off_until_turned_on_and_bad_input_is_refused_with_messages(app, web):
    web.sign_up("ana@example.org")
    page = web.get("/account/reminders").get_data(as_text=True)
    assert web.get("/account").get_data(as_text=True).count('href="/account/reminders"') == 1
    assert "checked" not in page.replace('value="1" checked', "").replace('value="3" checked', "").replace(
        'value="7" checked', ""
    ).replace('value="13" checked', "")  # only the prompts' days are ticked, ready for when they are on
    assert "It shows on the lock screen" in page and "Notifications need JavaScript on this device" in page
    assert "reminders.js" in page and "<script>" not in page
    bad = {**GOOD, "daily_time": "9pm", "course_days": ["2"], "title": "x" * 41, "quiet_on": "on", "quiet_end": "22:00"}
    response = web.post("/account/reminders", bad)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in (
        "Enter a time as hours and minutes, like 21:00.",
        "Choose at least one of the days after a session: 1, 3, 7 or 13.",
        "A title can be up to 40 letters, on one line.",
        "Quiet hours need a start and an end that differ.",
    ):
        assert message in text
    assert 'value="9pm"' in text  # what was typed stays, beside its message
    assert _rows(app, "ana@example.org") == {}
    response = web.post("/account/reminders", {**GOOD, "quiet_on": "on"})
    assert response.status_code == 303 and response.headers["Location"] == "/account/reminders"
    rows = _rows(app, "ana@example.org")
    assert rows["daily"].enabled and rows["daily"].next_due_at is not None
    assert not rows["course"].enabled and rows["course"].next_due_at is None and rows["course"].days == "1,7"
    assert not rows["eve"].enabled
    with app.app_context():
        settings = get_db().scalar(select(ReminderSettings))
        assert (settings.title, settings.quiet_start, settings.quiet_end) == ("Notes", dt.time(22), dt.time(7))
    page = web.get("/account/reminders").get_data(as_text=True)
    assert 'name="daily_on" value="on" checked' in page and 'value="Notes"' in page


def test_state_changes_need_the_token_and_a_client(app, people):
    web, therapist = people
    assert web.post("/account/reminders", GOOD, csrf=False).status_code == 403
    assert _send_device(web, "/account/reminders/device", _device("phone"), csrf=False).status_code == 403
    assert web.post("/reminders/stop", csrf=False).status_code == 403
    assert _rows(app, "ana@example.org") == {} and _devices(app) == {}
    for path in ("/account/reminders", "/reminders/stop"):
        assert therapist.get(path).status_code == 403
    assert therapist.post("/account/reminders", GOOD).status_code == 403
    assert _send_device(therapist, "/account/reminders/device", _device("desk")).status_code == 403
    assert _devices(app) == {}


def test_a_device_is_kept_under_this_sign_in_and_only_its_owner_ends_it(app, web, other_web):
    other_web.sign_up("bo@example.org")
    assert _send_device(other_web, "/account/reminders/device", _device("bo-phone")).status_code == 204
    web.sign_up("ana@example.org")
    assert web.post("/account/reminders", GOOD).status_code == 303
    assert _send_device(web, "/account/reminders/device", _device("ana-phone")).status_code == 204
    with app.app_context():
        db = get_db()
        ana = db.scalar(select(User).where(User.email == "ana@example.org"))
        handle = vault.session_handle(db.scalar(select(AuthSession).where(AuthSession.user_id == ana.id)))
    assert _devices(app)["ana-phone"] == ("ana@example.org", handle)
    # Ana cannot end Bo's device, nor send an address that is not a push service's, nor keys that are not keys.
    assert _send_device(web, "/account/reminders/device/end", {"endpoint": PUSH + "bo-phone"}).status_code == 204
    refused = _send_device(web, "/account/reminders/device", {**_device("x"), "endpoint": "http://10.0.0.1/"})
    assert refused.status_code == 422 and "push service" in refused.get_json()["message"]
    assert _send_device(web, "/account/reminders/device", {"endpoint": PUSH + "y", "keys": "no"}).status_code == 422
    assert set(_devices(app)) == {"bo-phone", "ana-phone"}
    # Every reminder turned off: Ana's device goes, Bo's stays.
    assert web.post("/account/reminders", {**GOOD, "daily_on": ""}).status_code == 303
    assert set(_devices(app)) == {"bo-phone"}
    # This device alone, turned off from its page.
    assert _send_device(web, "/account/reminders/device", _device("ana-phone")).status_code == 204
    assert _send_device(web, "/account/reminders/device/end", {"endpoint": PUSH + "ana-phone"}).status_code == 204
    assert set(_devices(app)) == {"bo-phone"}


def test_the_stop_page_changes_nothing_until_its_button_is_pressed(app, web):
    web.sign_up("ana@example.org")
    assert web.post("/account/reminders", {**GOOD, "eve_on": "on"}).status_code == 303
    assert _send_device(web, "/account/reminders/device", _device("phone")).status_code == 204
    page = web.get("/reminders/stop").get_data(as_text=True)
    assert "Stop all reminders" in page and 'method="post"' in page
    assert [row.enabled for row in _rows(app, "ana@example.org").values()].count(True) == 2
    assert set(_devices(app)) == {"phone"}
    response = web.post("/reminders/stop")
    assert response.status_code == 303 and response.headers["Location"] == "/account/reminders"
    assert not any(row.enabled or row.next_due_at for row in _rows(app, "ana@example.org").values())
    assert _devices(app) == {}
    assert "already off" in web.get("/reminders/stop").get_data(as_text=True)


def test_a_new_time_zone_moves_the_next_reminder_at_once(app, web):
    web.sign_up("ana@example.org")
    assert web.post("/account/time-zone", {"time_zone": "UTC"}).status_code == 303
    assert web.post("/account/reminders", GOOD).status_code == 303
    before = _rows(app, "ana@example.org")["daily"].next_due_at
    assert (before.hour, before.minute) == (21, 0)
    assert web.post("/account/time-zone", {"time_zone": "Asia/Tokyo"}).status_code == 303
    after = _rows(app, "ana@example.org")["daily"]
    assert after.zone == "Asia/Tokyo" and (after.next_due_at.hour, after.next_due_at.minute) == (12, 0)  # 21:00 JST
    with app.app_context():
        assert get_db().scalar(select(func.count()).select_from(Reminder)) == 3
