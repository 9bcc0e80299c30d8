"""Reminders in Debian Chromium: turning one on asks for permission then (never on load) and sends this device's
subscription; the service worker shows a delivered reminder with its neutral words only; tapping it opens the
screen it names; "Stop these reminders" opens a page whose one button turns every reminder off.

The push manager is pointed at the local push service (tests/push_service.py): this machine reaches no browser
vendor's push service, so `PushManager.prototype.subscribe` and `getSubscription` are replaced, in this test's
pages only, by ones that hand back a subscription at the local service with keys this test made (and note the
server key the page subscribed with). The reminder itself is then delivered to the registered service worker
through Chromium's DevTools protocol (ServiceWorker.deliverPushMessage), with the payload the sender encrypts
(journal/reminders/push.py). A notification's tap is dispatched inside the worker as a `notificationclick`.
"""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from journal.reminders.push import payload
from journal.reminders.schedule import DAILY

from ..push_service import PushService
from ..support import live_server
from .browser_support import NARROW, PHONE, narrow_problems, new_email, sign_up
from .conftest import chromium, open_context  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

STUB = """
(() => {
  const device = %s;
  const asked = () => Number(sessionStorage.getItem("asked") || 0);
  const original = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => { sessionStorage.setItem("asked", asked() + 1); return original(...args); };
  const subscription = () => ({ endpoint: device.endpoint, toJSON: () => device,
    unsubscribe: async () => { sessionStorage.removeItem("subscribed"); return true; } });
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    sessionStorage.setItem("server-key", btoa(String.fromCharCode(...key)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, ""));
    sessionStorage.setItem("subscribed", "1");
    return subscription();
  };
  PushManager.prototype.getSubscription = async function () {
    return sessionStorage.getItem("subscribed") ? subscription() : null;
  };
})();
"""

NOTIFICATIONS = """async () => (await (await navigator.serviceWorker.ready).getNotifications()).map(
  (n) => ({title: n.title, body: n.body, tag: n.tag, icon: n.icon, data: n.data, actions: n.actions.map((a) => a.action)}))"""

CLICK = """async (action) => {
  const [notification] = await self.registration.getNotifications();
  try { self.dispatchEvent(new NotificationEvent("notificationclick", {notification, action})); } catch (e) {}
  return true;
}"""


@pytest.fixture(scope="module")
def push():
    service = PushService()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def server(push, tmp_path_factory):
    """The app on SQLite, taking subscriptions at the local push service only."""
    workdir = tmp_path_factory.mktemp("reminders")
    env = {"SIGNUPS_PER_ADDRESS_PER_HOUR": "100", "PUSH_SERVICES": push.origin}
    with live_server(workdir, "reminders-sqlite", env=env) as base:
        yield base, create_engine(f"sqlite:///{workdir / 'journal.sqlite3'}")


def _notifications(page, count: int, url: str | None = None) -> list[dict]:
    """The notifications shown, once there are `count` (the last opening `url`, when given), or after 10 s (a
    busy machine may take seconds to show one)."""
    deadline = time.monotonic() + 10
    while True:
        shown = page.evaluate(NOTIFICATIONS)
        if len(shown) == count and (url is None or shown[-1]["data"] == {"url": url}):
            return shown
        if time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(100)


def _deliver(page, base: str, message: bytes) -> None:
    """The reminder reaches the worker as a push service would bring it (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 5
    while not any(r["scopeURL"] == base + "/" and not r["isDeleted"] for r in registrations):
        assert time.monotonic() < deadline, registrations
        page.wait_for_timeout(50)
    registration = next(r for r in registrations if r["scopeURL"] == base + "/")
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base, "registrationId": registration["registrationId"], "data": message.decode()},
    )


def test_a_reminder_turned_on_arrives_with_neutral_words_and_opens_its_screen(server, push, open_context):  # noqa: F811
    base, engine = server
    context = open_context(**PHONE)
    context.grant_permissions(["notifications"], origin=base)
    device = push.new_device()
    context.add_init_script(
        STUB % json.dumps({"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}})
    )
    page = context.new_page()
    sign_up(page, base, new_email("reminders"))
    page.goto(base + "/account")
    page.get_by_role("link", name="Reminders", exact=True).click()
    expect(page.get_by_role("heading", name="Reminders", level=1)).to_be_visible()
    expect(page.get_by_text("Notifications need JavaScript on this device")).to_be_hidden()
    expect(page.get_by_text("This device asks for your permission")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('asked')") is None  # never asked on load
    page.set_viewport_size(NARROW["viewport"])
    assert narrow_problems(page, "reminders") == []
    page.set_viewport_size(PHONE["viewport"])

    page.get_by_label("Remind me to check in every day").check()
    page.get_by_label("Check-in reminder time").fill("21:30")
    page.get_by_label("Title").fill("Notes")
    page.get_by_role("button", name="Save reminders").click()
    expect(page.get_by_text("Reminders saved.")).to_be_visible()
    expect(page.get_by_text("Notifications are on for this device.")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('asked')") == "1"
    with engine.connect() as db:
        rows = db.execute(text("SELECT endpoint, p256dh, auth, session_handle FROM push_subscriptions")).all()
    assert [tuple(row[:3]) for row in rows] == [(device.endpoint, device.p256dh, device.auth)]
    assert rows[0][3]  # tied to this sign-in
    server_key = page.evaluate("sessionStorage.getItem('server-key')")
    assert server_key and len(server_key) == 87  # a P-256 public key, the server's (the one rendered into the page)
    assert page.locator(f'[data-public-key="{server_key}"]').count() == 1

    # The sender's message, delivered: the notification shows its words and nothing else.
    _deliver(page, base, payload(DAILY, "Notes"))
    shown = _notifications(page, 1)
    assert [(n["title"], n["body"], n["tag"], n["actions"]) for n in shown] == [
        ("Notes", "A moment for yourself?", "reminder", ["not-today", "stop"])
    ]
    assert shown[0]["icon"].startswith(base + "/static/icons/icon-192.png?v=")
    # A second one replaces it (one tag); a URL of another site in a message is never opened.
    forged = json.loads(payload(DAILY, "Notes"))
    forged["url"] = "https://elsewhere.example/phish"
    _deliver(page, base, json.dumps(forged).encode())
    shown = _notifications(page, 1, "/")
    assert len(shown) == 1 and shown[0]["data"] == {"url": "/"}
    _deliver(page, base, payload(DAILY, "Notes"))
    assert _notifications(page, 1, "/checkins/new")[0]["data"] == {"url": "/checkins/new"}

    worker = context.service_workers[0]
    worker.evaluate(CLICK, "not-today")  # only closes it
    assert _notifications(page, 0) == []
    assert page.url == base + "/account/reminders"

    _deliver(page, base, payload(DAILY, "Notes"))
    assert len(_notifications(page, 1)) == 1  # shown before it is clicked
    worker.evaluate(CLICK, "")  # the notification itself: its screen, in the window already open
    page.wait_for_url(base + "/checkins/new")
    assert _notifications(page, 0) == []

    _deliver(page, base, payload(DAILY, "Notes"))
    assert len(_notifications(page, 1)) == 1  # shown before it is clicked
    worker.evaluate(CLICK, "stop")
    page.wait_for_url(base + "/reminders/stop")
    with engine.connect() as db:
        assert db.execute(text("SELECT count(*) FROM reminders WHERE enabled")).scalar() == 1  # nothing yet
    page.get_by_role("button", name="Stop all reminders").click()
    expect(page.get_by_text("All reminders are off.")).to_be_visible()
    with engine.connect() as db:
        assert db.execute(text("SELECT count(*) FROM reminders WHERE enabled")).scalar() == 0
        assert db.execute(text("SELECT count(*) FROM push_subscriptions")).scalar() == 0
