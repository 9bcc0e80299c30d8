"""Voice notes in Chromium with its fake microphone (a steady beep): one tap on Today records, the timer runs, the
level moves, pause and resume, saving while recording keeps what was said, and the note plays back with its whole
length known; a recording made offline waits on the phone and is sent once when the network returns.

Screenshots go to test-output/screenshots/voice/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from ..support import new_marker
from .browser_support import CHROMIUM, CHROMIUM_ARGS, COMMON, PHONE, Shots, new_email, sign_up
from .conftest import server  # noqa: F401  (one live server for this file)
from .test_browser_pwa import controlled

pytestmark = pytest.mark.browser

SHOTS = Shots("voice")
FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

# The outbox's items as plain values (a recording is a Blob: its size and type stand for it).
OUTBOX_VOICE_JS = """
async () => {
  const names = (await indexedDB.databases()).map(d => d.name);
  if (!names.includes('journal-outbox')) return [];
  const db = await new Promise((ok) => { const r = indexedDB.open('journal-outbox'); r.onsuccess = () => ok(r.result); });
  const rows = await new Promise((ok) => { const r = db.transaction('items').objectStore('items').getAll(); r.onsuccess = () => ok(r.result); });
  db.close();
  return rows.map(row => ({kind: row.kind, size: row.file ? row.file.blob.size : 0, type: row.file ? row.file.blob.type : ''}));
}
"""

# Load the player's metadata, then play it (muted: no gesture needed) for a moment: its length and how far it got.
PLAY_JS = """
async () => {
  const audio = document.querySelector('audio.voice-player');
  if (audio.readyState < 1) await new Promise((ok) => audio.addEventListener('loadedmetadata', ok, {once: true}));
  let duration = audio.duration;
  if (!isFinite(duration)) return {duration: -1, played: 0};
  audio.muted = true;
  await audio.play();
  await new Promise((ok) => setTimeout(ok, 1200));
  audio.pause();
  return {duration, played: audio.currentTime};
}
"""


@pytest.fixture(scope="module")
def microphone_browser():
    """Chromium whose microphone is a fake device, allowed without asking."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_MICROPHONE)
        yield browser
        browser.close()


@pytest.fixture
def phone(microphone_browser):
    context = microphone_browser.new_context(**{**COMMON, **PHONE})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def voice_notes(page, base: str) -> int:
    """How many voice notes the timeline lists (its filter also names the kind: items are counted, not words)."""
    return page.request.get(base + "/timeline").text().count('class="entry-item timeline-voice"')


def test_record_from_today_with_one_tap_save_and_play_back(server, phone):  # noqa: F811
    base, _ = server
    page = phone
    sign_up(page, base, new_email("voice-record"))
    title = new_marker("VOICE")
    page.goto(base + "/")
    page.get_by_role("link", name="Record a voice note").click()
    # Recording at once: the timer runs, the level moves, the state is said once.
    stop = page.get_by_role("button", name="Stop")
    expect(stop).to_be_visible()
    expect(page.locator("[data-voice-said]")).to_have_text("Recording. Up to 10 minutes.")
    levels = [
        page.locator("[data-voice-level]").evaluate("meter => meter.value")
        for _ in range(8)
        if not page.wait_for_timeout(100)
    ]
    assert max(levels) > 0.01, levels
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("[data-voice-said]")).to_have_text(re.compile(r"^Paused at 0:0\d\.$"))
    paused_at = page.locator("[data-voice-time]").inner_text()
    page.wait_for_timeout(700)
    assert page.locator("[data-voice-time]").inner_text() == paused_at  # the timer waits too
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("[data-voice-time]")).to_have_text("0:05", timeout=8000)
    SHOTS.take(page, "recording")
    page.get_by_label("Title").fill(title)
    answers = []
    page.on("response", lambda response: answers.append(response) if response.url.endswith("/sound") else None)
    # Saved while still recording: it stops, then saves what was said.
    page.get_by_role("button", name="Save voice note").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    assert re.search(r"/voice/[0-9a-f-]{36}$", page.url)
    expect(page.get_by_text("Voice note saved.")).to_be_visible()
    heard = page.evaluate(PLAY_JS)
    assert heard["duration"] > 3 and heard["played"] > 0.3, heard
    # The player asks by range, as Safari must: the server answers in parts.
    parts = [answer for answer in answers if answer.status == 206]
    assert parts and parts[0].headers["content-range"].startswith("bytes 0-"), [a.status for a in answers]
    SHOTS.take(page, "saved")
    assert voice_notes(page, base) == 1


def test_recorded_offline_waits_on_the_phone_and_is_sent_once(server, phone):  # noqa: F811
    base, _ = server
    page = phone
    sign_up(page, base, new_email("voice-offline"))
    controlled(page)
    # A picture under a sound's name is refused, with the reason, the title kept.
    page.goto(base + "/voice/new")
    picture = {"name": "note.webm", "mimeType": "audio/webm", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(64)}
    page.get_by_label("Or choose a recording from this phone").set_input_files(picture)
    page.get_by_label("Title").fill("Not a sound")
    page.get_by_role("button", name="Save voice note").click()
    expect(page.get_by_text("This file isn't a sound recording we can keep: it is not a WebM")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Not a sound")
    assert voice_notes(page, base) == 0

    # The recorder opened with no network at all: the copy the phone keeps (/offline/voice) stands in.
    page.context.set_offline(True)
    page.goto(base + "/voice/new")
    expect(page.get_by_role("heading", name="Record a voice note")).to_be_visible()
    expect(page.locator("section[data-offline-writing]")).to_be_visible()  # offline writing is on for this account
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.locator("[data-voice-time]")).to_have_text("0:02", timeout=6000)
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("[data-voice-said]")).to_contain_text("recorded. Listen back, or save it.")
    page.get_by_label("Title").fill("Said without a signal")
    page.get_by_role("button", name="Save voice note").click()
    expect(page.locator("[data-outbox-status]")).to_contain_text("Saved on this phone")
    (kept,) = page.evaluate(OUTBOX_VOICE_JS)
    assert kept["kind"] == "voice" and kept["size"] > 1000 and kept["type"] == "audio/webm", kept
    expect(page.locator("[data-outbox-indicator]")).to_contain_text("1 waiting to send")

    page.context.set_offline(False)
    expect(page.locator("[data-outbox-indicator]")).to_be_hidden(timeout=8000)
    assert page.evaluate(OUTBOX_VOICE_JS) == []
    assert voice_notes(page, base) == 1
    assert "Said without a signal" in page.request.get(base + "/timeline").text()
