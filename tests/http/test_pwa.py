"""The installed app's server side: manifest, service worker script, offline pages, static files,
the outbox's answers and the offline-capture setting. (The browser side: test_browser_pwa.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import brotli
from PIL import Image

import journal
from journal.pwa.icons import ICONS
from journal.web.static_files import StaticFiles

from ..support import CSRF_RE, PASSWORD, new_marker

SHELLS = ["/offline", "/offline/entry", "/offline/checkin", "/offline/voice", "/outbox"]


def test_manifest_names_the_app_its_icons_and_shortcuts(web):
    response = web.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "Integration journal" and manifest["short_name"] == "Journal"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert manifest["user_preferences"]["color_scheme_dark"]["background_color"] == "#15171c"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    assert [s["url"] for s in manifest["shortcuts"]] == ["/entries/new", "/checkins/new"]
    assert [s["name"] for s in manifest["shortcuts"]] == ["New entry", "Check in"]
    for icon in manifest["icons"] + [i for s in manifest["shortcuts"] for i in s["icons"]]:
        with web.raw.get(icon["src"]) as image:
            assert image.status_code == 200 and image.mimetype == "image/png"
            assert image.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_manifest_is_compressed_and_revalidated_not_fetched_again(web):
    plain = web.raw.get("/manifest.webmanifest")
    original = plain.get_data()
    assert json.loads(original)["short_name"] == "Journal"
    with web.raw.get("/manifest.webmanifest", headers={"Accept-Encoding": "gzip, deflate, br"}) as response:
        assert response.status_code == 200 and response.mimetype == "application/manifest+json"
        assert response.headers["Content-Encoding"] == "br"
        assert brotli.decompress(response.get_data()) == original
        assert response.headers["Cache-Control"] == "no-cache"  # public; a release changes it
        assert "Accept-Encoding" in response.headers["Vary"]
        tag = response.headers["ETag"]
    again = web.raw.get("/manifest.webmanifest", headers={"Accept-Encoding": "br", "If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    web.sign_up(f"manifest-{new_marker('X').lower()}@example.org")
    assert web.raw.get("/manifest.webmanifest").get_data() == original  # the same for everyone


def test_icons_are_the_sizes_they_claim_and_maskable_ones_fill_the_square():
    static = Path(journal.__file__).parent / "static"
    for name, (size, maskable) in ICONS.items():
        with Image.open(f"{static}/icons/{name}") as image:
            assert image.size == (size, size), name
            corner = image.convert("RGBA").getpixel((0, 0))
            # Maskable: opaque to the corner (launchers crop it); the others have rounded, clear corners.
            assert (corner[3] == 255) == maskable, (name, corner)


def test_the_icons_on_disk_are_the_ones_the_code_draws(tmp_path):
    from journal.pwa.icons import write_all

    static = Path(journal.__file__).parent / "static" / "icons"
    for drawn in write_all(tmp_path):
        # The kept files were shrunk losslessly (journal/pwa/icons.py): the same pixels, maybe another colour type.
        with Image.open(drawn) as fresh, Image.open(static / drawn.name) as kept:
            assert fresh.size == kept.size and fresh.convert("RGBA").tobytes() == kept.convert("RGBA").tobytes(), (
                f"{drawn.name}: run `flask icons` after changing the design"
            )


def test_drawing_the_icons_again_keeps_the_smaller_files_with_the_same_pixels(tmp_path):
    from journal.pwa.icons import write_all

    static = Path(journal.__file__).parent / "static" / "icons"
    for name in ICONS:
        (tmp_path / name).write_bytes((static / name).read_bytes())
    write_all(tmp_path)
    for name in ICONS:
        assert (tmp_path / name).read_bytes() == (static / name).read_bytes(), name
    (tmp_path / "favicon-32.png").write_bytes(b"")  # anything else is drawn again
    write_all(tmp_path)
    with Image.open(tmp_path / "favicon-32.png") as redrawn:
        assert redrawn.size == (32, 32)


def test_every_page_links_the_manifest_and_ios_icon(web):
    for url in ["/", "/signin", "/help", "/offline"]:
        page = web.get(url).get_data(as_text=True)
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page, url
        assert re.search(
            r'<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png\?v=[0-9a-f]{12}">', page
        )
        assert '<meta name="apple-mobile-web-app-capable" content="yes">' in page


def test_service_worker_precaches_versioned_statics_and_the_offline_pages_only(web):
    response = web.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Cache-Control"] == "no-store"
    script = response.get_data(as_text=True)
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", script).group(1))
    statics = [url for url in precache if url.startswith("/static/")]
    assert all(re.fullmatch(r"/static/[\w./-]+\?v=[0-9a-f]{12}", url) for url in statics), statics
    assert {url.split("?")[0] for url in statics} >= {
        "/static/app.css",
        "/static/outbox.js",
        "/static/pwa.js",
        "/static/htmx-2.0.11.min.js",
        "/static/checkins.js",
        "/static/entries.js",  # the offline entry form says its length as the online one does
    }
    assert [url for url in precache if not url.startswith("/static/")] == SHELLS
    # Only Safari reads the apple-touch icon, when adding to the home screen: no other browser pays for it.
    assert not any("apple-touch-icon" in url for url in precache)
    release = re.search(r'const RELEASE = "([0-9a-f]{12})";', script).group(1)
    assert web.get("/sw.js").get_data(as_text=True).count(release) == 1
    for url in statics:
        with web.raw.get(url) as response:
            assert response.status_code == 200, url


def test_a_changed_static_file_makes_a_new_release(tmp_path):
    (tmp_path / "app.css").write_text("body { color: black }")
    files = StaticFiles(tmp_path)
    before = files.release()
    again = StaticFiles(tmp_path)
    assert again.release() == before
    (tmp_path / "app.css").write_text("body { color: navy }")
    assert StaticFiles(tmp_path).release() != before


def test_offline_pages_are_the_same_for_everyone_and_hold_no_session(web):
    signed_out = {url: web.get(url).get_data(as_text=True) for url in SHELLS}
    email = f"shell-{new_marker('X').lower()}@example.org"
    web.sign_up(email)
    web.new_entry(new_marker("SHELLTITLE"), "private words")
    for url in SHELLS:
        response = web.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert page == signed_out[url], url
        assert "csrf" not in page.lower() and email not in page and "data-outbox-owner" not in page, url
        assert "Set-Cookie" not in response.headers, url


def test_offline_forms_post_where_the_online_forms_do(web):
    entry = web.get("/offline/entry").get_data(as_text=True)
    assert 'action="/entries"' in entry and 'data-outbox-kind="entry"' in entry
    assert 'name="client_key" value=""' in entry and "hx-post" not in entry
    checkin = web.get("/offline/checkin").get_data(as_text=True)
    assert 'action="/checkins"' in checkin and 'data-outbox-kind="check-in"' in checkin
    assert 'name="mood"' in checkin
    voice = web.get("/offline/voice").get_data(as_text=True)
    assert (
        'action="/voice"' in voice and 'data-outbox-kind="voice"' in voice and 'enctype="multipart/form-data"' in voice
    )
    assert 'name="client_key" value=""' in voice and 'name="dose_id" value="latest"' in voice


def test_the_offline_recorder_may_use_the_microphone_and_no_other_offline_page_may(web):
    assert "microphone=(self)" in web.get("/offline/voice").headers["Permissions-Policy"]
    for url in ("/offline", "/offline/entry", "/offline/checkin", "/outbox"):
        assert "microphone=()" in web.get(url).headers["Permissions-Policy"], url


def test_pages_are_never_compressed(web):
    web.sign_up(f"nozip-{new_marker('X').lower()}@example.org")
    response = web.get("/entries", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers  # a token beside reflected input: BREACH


def _entry_form(web) -> tuple[str, str]:
    page = web.get("/entries/new").get_data(as_text=True)
    return CSRF_RE.search(page).group(1), re.search(r'name="client_key" value="([^"]+)"', page).group(1)


def test_outbox_sends_get_201_with_the_address_and_repeat_sends_save_once(web):
    web.sign_up(f"outbox-{new_marker('X').lower()}@example.org")
    title = new_marker("OUTBOX")
    token, client_key = _entry_form(web)
    form = {"client_key": client_key, "title": title, "body": "sent from the phone's outbox"}
    answers = [
        web.raw.post("/entries", data=form, headers={"X-CSRF-Token": token, "X-Outbox": "later"}) for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    locations = {a.headers["Location"] for a in answers}
    assert len(locations) == 1 and re.fullmatch(r"/entries/[0-9a-f-]{36}", locations.pop())
    assert web.get("/entries").get_data(as_text=True).count(title) == 1
    # Sent in the background: no "saved" message waits for the next page.
    assert "Entry saved." not in web.get("/entries").get_data(as_text=True)


def test_outbox_check_in_and_the_waiting_writer_is_told_it_saved(web):
    web.sign_up(f"outbox-c-{new_marker('X').lower()}@example.org")
    page = web.get("/checkins/new").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    client_key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
    form = {"client_key": client_key, "mood": "3", "skip_anxiety": "1", "skip_energy": "1", "note": "offline note"}
    first = web.raw.post("/checkins", data=form, headers={"X-CSRF-Token": token, "X-Outbox": "now"})
    again = web.raw.post("/checkins", data=form, headers={"X-CSRF-Token": token, "X-Outbox": "later"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.headers["Location"] == again.headers["Location"]
    assert re.fullmatch(r"/checkins/[0-9a-f-]{36}", first.headers["Location"])  # where the outbox goes next
    assert "Check-in saved." in web.get(first.headers["Location"]).get_data(as_text=True)
    listing = web.get("/checkins").get_data(as_text=True)
    assert len(set(re.findall(r'href="(/checkins/[0-9a-f-]{36})/delete"', listing))) == 1


def test_outbox_refusals_and_sign_outs_are_plain_statuses(web, other_web):
    web.sign_up(f"outbox-r-{new_marker('X').lower()}@example.org")
    token, client_key = _entry_form(web)
    refused = web.raw.post(
        "/entries",
        data={"client_key": client_key, "title": "", "body": ""},
        headers={"X-CSRF-Token": token, "X-Outbox": "later"},
    )
    assert refused.status_code == 422
    other_web.get("/signin")
    anonymous = other_web.raw.post(
        "/entries",
        data={"client_key": client_key, "title": "t", "body": "b"},
        headers={"X-CSRF-Token": other_web.token, "X-Outbox": "later"},
    )
    assert anonymous.status_code == 401  # kept on the device until its owner signs in again
    forged = web.raw.post(
        "/entries", data={"client_key": client_key, "title": "t", "body": "b"}, headers={"X-Outbox": "later"}
    )
    assert forged.status_code == 403


def test_offline_capture_setting_is_on_by_default_and_can_be_turned_off(web):
    web.sign_up(f"setting-{new_marker('X').lower()}@example.org")
    page = web.get("/account").get_data(as_text=True)
    assert 'data-outbox="on"' in web.get("/").get_data(as_text=True)
    assert re.search(r'name="offline_capture" value="on" checked', page)
    assert web.post("/account/offline-capture", {}, csrf=False).status_code == 403
    response = web.post("/account/offline-capture", {})
    assert response.status_code == 303 and response.headers["Location"] == "/account#offline"
    page = web.get("/account").get_data(as_text=True)
    assert "Offline writing is off" in page
    assert re.search(r'name="offline_capture" value="on">', page)
    assert 'data-outbox="off"' in web.get("/").get_data(as_text=True)
    web.post("/account/offline-capture", {"offline_capture": "on"})
    assert 'data-outbox="on"' in web.get("/").get_data(as_text=True)


def test_the_outbox_owner_tag_is_per_account_and_hides_the_account(web, other_web):
    web.sign_up(f"tag-a-{new_marker('X').lower()}@example.org")
    other_web.sign_up(f"tag-b-{new_marker('X').lower()}@example.org")
    tag = re.search(r'data-outbox-owner="([0-9a-f]+)"', web.get("/").get_data(as_text=True)).group(1)
    other = re.search(r'data-outbox-owner="([0-9a-f]+)"', other_web.get("/").get_data(as_text=True)).group(1)
    assert tag != other and len(tag) == 24
    assert tag == re.search(r'data-outbox-owner="([0-9a-f]+)"', web.get("/entries").get_data(as_text=True)).group(1)


def test_therapists_and_visitors_get_no_outbox(web):
    assert "data-outbox-owner" not in web.get("/signin").get_data(as_text=True)
    web.sign_up(f"ther-{new_marker('X').lower()}@example.org", role="therapist")
    assert "data-outbox-owner" not in web.get("/account").get_data(as_text=True)


def test_sign_out_clears_the_device(web):
    web.sign_up(f"clear-{new_marker('X').lower()}@example.org", password=PASSWORD)
    response = web.sign_out()
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    page = web.get("/account")
    assert page.status_code == 302
