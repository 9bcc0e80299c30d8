"""The installed app in Debian Chromium on a phone: manifest, service worker, offline pages, offline capture,
sign-out clearing the device, and no private content left in any browser storage.

Screenshots go to test-output/screenshots/pwa-<database>/.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ..support import new_marker
from .browser_support import CHROMIUM, CHROMIUM_ARGS, PHONE, Shots, create_entry, new_email, sign_up

pytestmark = pytest.mark.browser

# Everything the page can see of its own storage: Cache Storage (URLs and text bodies), localStorage,
# sessionStorage and every IndexedDB database with all its records.
STORAGE_JS = """
async () => {
  const caches_ = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      const type = response.headers.get('Content-Type') || '';
      const text = /text|javascript|json|svg/.test(type) ? await response.text() : '';
      caches_.push({cache: name, url: request.url, type, text});
    }
  }
  const dump = (store) => Object.keys(store).map(key => [key, store.getItem(key)]);
  const databases = [];
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, fail) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    for (const store of db.objectStoreNames) {
      const rows = await new Promise((ok) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); });
      databases.push({database: info.name, store, rows});
    }
    db.close();
  }
  return {caches: caches_, local: dump(localStorage), session: dump(sessionStorage), databases};
}
"""

# What the service worker may keep: versioned static files and the offline pages (the same for everyone).
PUBLIC = re.compile(r"^/static/[\w./-]+\?v=[0-9a-f]{12}$|^/offline(/entry|/checkin|/voice)?$|^/outbox$")

OUTBOX_ITEMS_JS = """
async () => {
  const names = (await indexedDB.databases()).map(d => d.name);
  if (!names.includes('journal-outbox')) return [];
  const db = await new Promise((ok) => { const r = indexedDB.open('journal-outbox'); r.onsuccess = () => ok(r.result); });
  const rows = await new Promise((ok) => { const r = db.transaction('items').objectStore('items').getAll(); r.onsuccess = () => ok(r.result); });
  db.close();
  return rows;
}
"""


def controlled(page) -> None:
    """Wait until the service worker is active and controls this page."""
    page.evaluate("navigator.serviceWorker.ready")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def signed_up_client(open_context, base: str, label: str):
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email(label))
    controlled(page)
    return page


def timeline_count(page, base: str, text: str) -> int:
    html = page.request.get(base + "/timeline").text()
    return html.count(text)


def test_manifest_is_linked_valid_and_the_app_installable(server, chromium, tmp_path):
    base, _ = server
    # Installability is judged for a real profile, not an incognito context.
    context = chromium.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, **PHONE
    )
    try:
        page = context.new_page()
        page.goto(base + "/")
        link = page.locator('link[rel="manifest"]')
        expect(link).to_have_attribute("href", "/manifest.webmanifest")
        page.evaluate("navigator.serviceWorker.ready")
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        assert manifest["url"] == base + "/manifest.webmanifest"
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        parsed = page.request.get(base + "/manifest.webmanifest").json()
        for icon in parsed["icons"] + [i for s in parsed["shortcuts"] for i in s["icons"]]:
            response = page.request.get(base + icon["src"])
            assert response.status == 200 and response.headers["content-type"] == "image/png", icon
    finally:
        context.close()


def test_service_worker_activates_and_the_offline_page_appears_without_a_network(server, open_context):
    base, db = server
    shots = Shots(f"pwa-{'postgresql' if db.startswith('postgresql') else 'sqlite'}")
    page = signed_up_client(open_context, base, "pwa-offline")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == base + "/sw.js"
    page.context.set_offline(True)
    page.goto(base + "/timeline")
    expect(page.get_by_role("heading", name="This page needs a connection")).to_be_visible()
    expect(page.get_by_role("link", name="Write an entry")).to_be_visible()
    expect(page.get_by_role("link", name="Call or text 988")).to_be_visible()
    shots.take(page, "offline-page")
    page.context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("link", name="Timeline")).to_be_visible()


def test_written_offline_then_sent_once_when_back_online(server, open_context):
    base, db = server
    shots = Shots(f"pwa-capture-{'postgresql' if db.startswith('postgresql') else 'sqlite'}")
    page = signed_up_client(open_context, base, "pwa-capture")
    title, note = new_marker("OFFLINETITLE"), new_marker("OFFLINENOTE")

    # The form was open when the network went; saving keeps it on the phone.
    page.goto(base + "/entries/new")
    page.context.set_offline(True)
    page.get_by_label("Title").fill(title)
    page.get_by_label("What came up?").fill("Written on the train home, no signal.")
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator("[data-outbox-status]")).to_contain_text("Saved on this phone")
    expect(page.locator("[data-outbox-indicator]")).to_contain_text("1 waiting to send")
    expect(page.get_by_label("Title")).to_have_value("")
    shots.take(page, "entry-kept")

    # Opened while offline: the check-in form kept on the device.
    page.goto(base + "/checkins/new")
    expect(page.get_by_role("heading", name="How are you right now?")).to_be_visible()
    page.get_by_label("A note").fill(note)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("[data-outbox-indicator]")).to_contain_text("2 waiting to send")
    shots.take(page, "checkin-kept")
    assert len(page.evaluate(OUTBOX_ITEMS_JS)) == 2

    page.context.set_offline(False)
    page.goto(base + "/")
    expect(page.locator("[data-outbox-indicator]")).to_be_hidden()
    expect(page.locator("#live-status")).to_have_text("2 items written offline have been sent.")
    assert page.evaluate(OUTBOX_ITEMS_JS) == []
    assert timeline_count(page, base, title) == 1
    checkins = re.findall(r'href="(/checkins/[0-9a-f-]{36})/delete"', page.request.get(base + "/checkins").text())
    assert len(set(checkins)) == 1
    assert note in page.request.get(base + checkins[0]).text()
    # Sent again (another tab, a retry after a lost answer): still one of each.
    page.reload()
    assert timeline_count(page, base, title) == 1


def test_network_dropping_mid_send_keeps_the_item_and_it_arrives_once(server, open_context):
    base, _ = server
    page = signed_up_client(open_context, base, "pwa-midsend")
    title = new_marker("MIDSEND")
    reached = []

    def lose_the_answer(route):
        route.fetch()  # the server gets and saves the entry...
        reached.append(route.request.url)
        route.abort("internetdisconnected")  # ...but the phone never hears back

    page.route(base + "/entries", lose_the_answer)
    page.goto(base + "/entries/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("What came up?").fill("The connection dropped as I pressed save.")
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator("[data-outbox-status]")).to_contain_text("Saved on this phone")
    assert reached, "the save never reached the server"
    assert timeline_count(page, base, title) == 1
    page.unroute(base + "/entries")

    page.goto(base + "/")  # the next launch sends what waits
    expect(page.locator("#live-status")).to_have_text("1 item written offline has been sent.")
    assert page.evaluate(OUTBOX_ITEMS_JS) == []
    assert timeline_count(page, base, title) == 1


def test_online_save_goes_straight_through_and_keeps_nothing(server, open_context):
    base, _ = server
    page = signed_up_client(open_context, base, "pwa-online")
    title = new_marker("ONLINE")
    page.goto(base + "/entries/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("What came up?").fill("An ordinary save.")
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("Entry saved.")).to_be_visible()
    assert page.evaluate(OUTBOX_ITEMS_JS) == []
    # A check-in saved online goes straight through too; one with nothing answered is stopped before it is kept.
    page.goto(base + "/checkins/new")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("[data-nothing]")).to_be_visible()
    assert page.evaluate(OUTBOX_ITEMS_JS) == []
    page.get_by_role("slider", name="Mood").press("ArrowRight")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    assert page.evaluate(OUTBOX_ITEMS_JS) == []


def test_after_browsing_no_private_content_is_stored_on_the_device(server, open_context):
    base, _ = server
    page = signed_up_client(open_context, base, "pwa-storage")
    marker = new_marker("PRIVATETEXT")
    entry_id = create_entry(page, base, marker, f"Body {marker} with *markdown*")
    email = page.evaluate("document.body.dataset.outboxOwner")
    pages = [
        "/",
        "/entries",
        f"/entries/{entry_id}",
        f"/entries/{entry_id}/edit",
        "/timeline",
        "/checkins",
        "/checkins/new",
        "/charts",
        "/art",
        "/new",
        "/account",
        "/outbox",
        "/sessions",
        "/intentions",
        "/questionnaires",
        "/entries/new",
        "/help",
        "/safety-plan",
        "/safety-plan/edit",
    ]
    for path in pages:
        response = page.goto(base + path)
        assert response.ok, path
    page.goto(base + "/entries")  # a page that loads htmx (pages that ask it for nothing go without it)
    page.evaluate("htmx.ajax('GET', '/entries?before=9999', {target: 'main', swap: 'none'})")
    stored = page.evaluate(STORAGE_JS)

    cached = {item["url"].removeprefix(base) for item in stored["caches"]}
    assert cached and all(PUBLIC.match(url) for url in cached), sorted(cached)
    shells = [item for item in stored["caches"] if not item["url"].startswith(base + "/static/")]
    assert len(shells) == 5  # /offline, its entry, check-in and voice forms, /outbox
    for shell in shells:
        assert 'name="csrf_token"' not in shell["text"] and "X-CSRF-Token" not in shell["text"], shell["url"]
        assert "data-outbox-owner" not in shell["text"] and "@example.org" not in shell["text"], shell["url"]
    everything = repr(stored)
    assert marker not in everything
    assert entry_id not in everything
    # localStorage: the theme, and the public after-hours lines of the client's practices (crisis-lines.js).
    assert all(key in ("theme", "crisis-lines") for key, _ in stored["local"]), stored["local"]
    for key, value in stored["local"]:
        if key == "crisis-lines":
            assert all(
                set(line) <= {"name", "action", "href", "therapist", "hours"}
                and re.fullmatch(r"tel:\+?\d{6,15}", line["href"])
                for line in json.loads(value)
            ), value
    assert stored["session"] == []
    outbox = [d for d in stored["databases"] if d["database"] == "journal-outbox"]
    assert {d["store"] for d in outbox} <= {"items", "meta"}
    assert [row for d in outbox if d["store"] == "items" for row in d["rows"]] == []
    assert [row for d in outbox if d["store"] == "meta" for row in d["rows"]] == [{"key": "owner", "value": email}]


def test_sign_out_warns_about_unsent_items_then_clears_the_device(server, open_context):
    base, _ = server
    page = signed_up_client(open_context, base, "pwa-signout")
    page.route(base + "/entries", lambda route: route.abort("internetdisconnected"))
    page.goto(base + "/entries/new")
    page.get_by_label("Title").fill(new_marker("UNSENT"))
    page.get_by_label("What came up?").fill("Not sent yet.")
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator("[data-outbox-status]")).to_contain_text("Saved on this phone")

    page.goto(base + "/account")
    page.get_by_role("button", name="Sign out").click()
    dialog = page.get_by_role("dialog", name="Not sent yet")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("1 item is saved only on this phone")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert len(page.evaluate(OUTBOX_ITEMS_JS)) == 1

    page.get_by_role("button", name="Sign out").click()
    dialog.get_by_role("button", name="Sign out and delete them").click()
    page.wait_for_url(re.compile(r"/signin"))
    page.wait_for_function("async () => !(await indexedDB.databases()).some(d => d.name === 'journal-outbox')")
    stored = page.evaluate(STORAGE_JS)
    assert stored["databases"] == [] and stored["local"] == [] and stored["session"] == []
    # The signed-out page may set the worker up again: only the public files and offline pages return.
    assert all(PUBLIC.match(item["url"].removeprefix(base)) for item in stored["caches"])


def test_a_new_version_says_updated_reload(server, open_context):
    base, _ = server
    page = signed_up_client(open_context, base, "pwa-update")
    notice = page.locator("[data-update-notice]")
    expect(notice).to_be_hidden()
    # A worker at a new script address is a new version for the browser, as a release is.
    page.evaluate("navigator.serviceWorker.register('/sw.js?release=next', {scope: '/'})")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Updated.")
    notice.get_by_role("button", name="Reload").click()
    page.wait_for_load_state()
    expect(notice).to_be_hidden()


IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)


def test_install_is_offered_where_the_browser_can_and_explained_on_an_iphone(server, open_context):
    base, _ = server
    page = signed_up_client(open_context, base, "pwa-install")
    page.goto(base + "/account")
    button = page.get_by_role("button", name="Install the app")
    expect(button).to_be_hidden()
    # Chromium offers installation with this event; headless Chromium never fires it, so the test does.
    page.evaluate("""() => {
      const offer = new Event('beforeinstallprompt', {cancelable: true});
      offer.prompt = () => { window.promptShown = true; return Promise.resolve(); };
      offer.userChoice = Promise.resolve({outcome: 'accepted'});
      window.dispatchEvent(offer);
    }""")
    expect(button).to_be_visible()
    button.click()
    assert page.evaluate("window.promptShown") is True
    expect(page.get_by_text("Add to Home Screen")).to_be_hidden()

    iphone = open_context(**PHONE, user_agent=IPHONE_UA).new_page()
    iphone.context.add_cookies(page.context.cookies())
    iphone.goto(base + "/account")
    expect(iphone.get_by_text("then Add to Home Screen")).to_be_visible()
    expect(iphone.get_by_role("button", name="Install the app")).to_be_hidden()


def test_a_first_visit_fetches_only_what_the_page_uses_and_never_the_apple_touch_icon(server, open_context):
    base, _ = server
    context = open_context(**PHONE)
    by_page: list[str] = []
    by_worker: list[str] = []
    context.on(
        "request",
        lambda request: (by_worker if request.service_worker else by_page).append(urlsplit(request.url).path),
    )
    page = context.new_page()
    page.goto(base + "/signin")
    # The worker is installed once what it keeps for offline use is all fetched.
    page.evaluate("navigator.serviceWorker.ready")
    assert by_page[0] == "/signin"
    assert {"/static/app.css", "/static/theme.js", "/static/app.js", "/static/pwa.js"} <= set(by_page)
    # Nothing on the sign-in page asks htmx for anything, and a signed-out page has nothing to send.
    assert "/static/htmx-2.0.11.min.js" not in by_page and "/static/outbox.js" not in by_page
    assert "/static/htmx-2.0.11.min.js" in by_worker and "/offline" in by_worker  # kept for later and offline
    # Only Safari reads the apple-touch icon (adding to the home screen): neither the page nor the worker fetches it.
    assert not any("apple-touch-icon" in path for path in by_page + by_worker), by_page + by_worker
