"""Photos of art in a real phone-sized browser (Debian Chromium via Playwright) against gunicorn.

Screenshots go to test-output/screenshots/art/.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .. import art_images
from ..support import CSRF_RE, LOGS, live_server, new_marker
from .browser_support import CLIENT_KEY_RE, PHONE, Shots, narrow_problems, new_email, sign_up

pytestmark = pytest.mark.browser


def log_session(page, base: str, day: str, clock: str = "10:00") -> None:
    """A dosing session, posted with the page's own cookies (the typing is tested elsewhere)."""
    html = page.request.get(base + "/sessions/new").text()
    response = page.request.post(
        base + "/sessions",
        max_redirects=0,
        form={
            "csrf_token": CSRF_RE.search(html).group(1),
            "client_key": CLIENT_KEY_RE.search(html).group(1),
            "date": day,
            "time": clock,
            "route": "nasal",
        },
    )
    assert response.status == 303, response.status


def photo(name: str, seed: int) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": art_images.painting((900, 700), seed=seed)}


def test_add_two_photos_on_a_phone_and_find_them_under_their_session(server, open_context):
    base, _ = server
    shots = Shots("art")
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("art"))
    log_session(page, base, "2026-01-05")
    log_session(page, base, "2026-01-19")

    page.goto(base + "/new")
    page.get_by_role("link", name="Photo of art").click()
    expect(page.get_by_role("heading", name="Add photos of your art")).to_be_visible()
    expect(page.get_by_label("Dosing session")).to_have_value(re.compile(r"[0-9a-f-]{36}"))
    expect(page.locator("#dose_id option:checked")).to_contain_text("Session 2")
    assert narrow_problems(page, "upload form", 390) == []
    shots.take(page, "upload-form")

    page.get_by_label("Photos", exact=True).set_input_files([photo("lake.jpg", 1), photo("tree.jpg", 2)])
    chosen = page.locator("[data-art-chosen] li")
    expect(chosen).to_have_count(2)
    expect(chosen.first).to_contain_text("lake.jpg")
    caption = f"The lake and the tree {new_marker('ARTCAPTION')}"
    page.get_by_label("Caption or reflection").fill(caption)
    shots.take(page, "upload-chosen")

    # A slow phone network, so the progress can be seen.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 40, "downloadThroughput": -1, "uploadThroughput": 400 * 1024},
    )
    page.get_by_role("button", name="Add photos").click()
    progress = page.locator("[data-art-progress] progress")
    expect(progress).to_be_visible()
    # Part-way: the bar moves with the bytes sent.
    expect(page.locator("[data-art-progress-text]")).to_have_text(re.compile(r"Sending… [1-9][0-9]?%"), timeout=20_000)
    assert 0 < int(progress.evaluate("bar => bar.value")) < 100
    shots.take(page, "upload-progress")
    page.wait_for_url(base + "/art", timeout=30_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )

    expect(page.get_by_text("2 photos added.")).to_be_visible()
    groups = page.locator("[data-art-group]")
    expect(groups).to_have_count(1)
    expect(groups.first.get_by_role("heading")).to_contain_text("Session 2")
    thumbs = groups.first.locator("img")
    expect(thumbs).to_have_count(2)
    for index in range(2):
        thumb = thumbs.nth(index)
        expect(thumb).to_have_attribute("loading", "lazy")
        expect(thumb).to_have_attribute("width", "400")
        expect(thumb).to_have_attribute("height", "311")
        thumb.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth === 400", arg=thumb.element_handle())
    assert narrow_problems(page, "gallery", 390) == []
    shots.take(page, "gallery")

    thumbs.first.click()
    expect(page.get_by_role("heading", name="Art from session 2")).to_be_visible()
    expect(page.locator("figcaption")).to_have_text(caption)
    big = page.locator("figure img")
    page.wait_for_function("img => img.complete && img.naturalWidth === 900", arg=big.element_handle())
    shots.take(page, "photo")


def test_refused_files_are_named_with_a_reason_and_the_rest_go_in(server, open_context):
    base, _ = server
    shots = Shots("art-refusals")
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("art-refused"))
    page.goto(base + "/art/new")
    # Pretend a 1 MB limit in the page: the script holds back larger files before sending anything.
    page.locator("form[data-art-upload]").evaluate(
        "form => form.setAttribute('data-max-file-bytes', String(1024 * 1024))"
    )
    big = {"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": art_images.noise_jpeg((1200, 1000), quality=100)}
    page.get_by_label("Photos", exact=True).set_input_files(
        [
            photo("good.jpg", 3),
            {"name": "drawing.jpg", "mimeType": "image/jpeg", "buffer": art_images.svg_with_script()},
            big,
        ]
    )
    expect(page.locator("[data-art-chosen] .art-problem")).to_contain_text("huge.jpg")
    page.get_by_role("button", name="Add photos").click()
    result = page.locator("[data-art-result]")
    expect(result).to_contain_text("One photo was added.")
    expect(result.locator("li", has_text="drawing.jpg")).to_contain_text("not a photo that can be read")
    expect(result.locator("li", has_text="huge.jpg")).to_contain_text("photos can be up to 1 MB each")
    expect(page).to_have_url(base + "/art/new")
    expect(page.get_by_label("Photos", exact=True)).to_have_value("")
    shots.take(page, "refusals")
    result.get_by_role("link", name="See your art").click()
    expect(page.locator("[data-art-group] img")).to_have_count(1)
    expect(page.locator("[data-art-group]").first.get_by_role("heading")).to_have_text("Not tied to a session")


def test_the_upload_form_works_without_javascript(server, open_context):
    base, _ = server
    page = open_context(**PHONE, java_script_enabled=False).new_page()
    context_page = open_context(**PHONE).new_page()
    email = new_email("art-nojs")
    sign_up(context_page, base, email)
    page.context.add_cookies(context_page.context.cookies())
    page.goto(base + "/art/new")
    page.get_by_label("Photos", exact=True).set_input_files([photo("plain.jpg", 4)])
    page.get_by_label("Caption or reflection").fill("sent the plain way")
    page.get_by_role("button", name="Add photos").click()
    expect(page).to_have_url(base + "/art")
    expect(page.get_by_text("Photo added.")).to_be_visible()
    expect(page.locator("[data-art-group] img")).to_have_count(1)


# ---- a busy moment: the photo waits, is sent again by itself, and arrives once --------------------------------


class SlotHolder:
    """Keeps the live server's one photo slot taken, as another person's upload being prepared would
    (tests/app_with_held_slot.py does the holding inside the server)."""

    def __init__(self, flag: Path):
        self.flag = flag
        self.held = flag.with_name(flag.name + ".held")

    def hold(self) -> None:
        self.flag.touch()
        self._until(self.held.exists)

    def release(self) -> None:
        self.flag.unlink()
        self._until(lambda: not self.held.exists())

    @staticmethod
    def _until(condition) -> None:
        deadline = time.monotonic() + 10
        while not condition():
            assert time.monotonic() < deadline, "the server did not take or free its photo slot"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory):
    """A live server with one photo slot, where an upload waits half a second for it; yields (base URL, holder)."""
    workdir = tmp_path_factory.mktemp("art-busy")
    holder = SlotHolder(workdir / "hold-art-slot")
    env = {
        "ART_CONCURRENCY": "1",
        "ART_QUEUE_SECONDS": "0.5",
        "ART_SLOT_HOLD_FILE": str(holder.flag),
        "SIGNUPS_PER_ADDRESS_PER_HOUR": "100",
    }
    with live_server(workdir, "art-busy-sqlite", env=env, app="tests.app_with_held_slot:app") as base:
        yield base, holder


def upload_answers(log_name: str) -> list[str]:
    """The statuses of every photo upload the server answered, in order, from its access log."""
    return re.findall(r"POST /art (\d{3})", (LOGS / f"{log_name}.log").read_text(encoding="utf-8"))


def test_when_the_server_is_busy_the_photo_waits_and_goes_by_itself_once(busy_server, open_context):
    base, holder = busy_server
    shots = Shots("art-busy")
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("art-busy"))
    page.goto(base + "/art/new")
    page.get_by_label("Photos", exact=True).set_input_files([photo("patient.jpg", 6)])
    before = len(upload_answers("art-busy-sqlite"))
    holder.hold()  # someone else's photos are being prepared
    page.get_by_role("button", name="Add photos").click()
    status = page.locator("[data-art-progress-text]")
    expect(status).to_have_text("Waiting for a moment to prepare your photos…")
    expect(page.locator("[data-art-progress] progress")).to_be_visible()
    expect(page.get_by_role("button", name="Try again")).to_be_hidden()
    shots.take(page, "waiting")
    holder.release()
    page.wait_for_url(base + "/art", timeout=30_000)
    expect(page.get_by_text("Photo added.")).to_be_visible()
    expect(page.locator("[data-art-group] img")).to_have_count(1)
    answers = upload_answers("art-busy-sqlite")[before:]
    assert answers[-1] == "200" and set(answers[:-1]) == {"503"} and len(answers) >= 2, answers  # 200: to the script


def test_after_a_few_tries_nothing_is_saved_and_trying_again_adds_the_photo_once(busy_server, open_context):
    base, holder = busy_server
    shots = Shots("art-busy-gave-up")
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("art-gave-up"))
    page.goto(base + "/art/new")
    page.get_by_label("Photos", exact=True).set_input_files([photo("later.jpg", 7)])
    holder.hold()
    try:
        page.get_by_role("button", name="Add photos").click()
        status = page.locator("[data-art-progress-text]")
        expect(status).to_have_text("Waiting for a moment to prepare your photos…")
        # Three more tries, Retry-After (5 s) apart, then plain words and a button.
        expect(status).to_contain_text("nothing was saved", timeout=30_000)
        expect(status).to_contain_text("They are still chosen: try again in a minute.")
        again = page.get_by_role("button", name="Try again")
        expect(again).to_be_visible()
        expect(page.locator("[data-art-progress] progress")).to_be_hidden()  # nothing is on its way
        expect(page.get_by_role("button", name="Add photos")).to_be_enabled()
        shots.take(page, "gave-up")
    finally:
        holder.release()
    assert "data-art-group" not in page.request.get(base + "/art").text()  # nothing was saved, as it says
    again.click()
    page.wait_for_url(base + "/art", timeout=30_000)
    expect(page.get_by_text("Photo added.")).to_be_visible()
    expect(page.locator("[data-art-group] img")).to_have_count(1)
