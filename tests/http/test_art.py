"""Photos of art in the app: upload, refusals, limits, storage as ciphertext, who sees what, pages, failures."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import create_engine, func, select, text
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from journal.art.service import Busy, ProcessingSlots
from journal.db import get_db, utcnow
from journal.models import Blob, Record

from .. import art_images
from ..support import CSRF_RE, PASSWORD, WebClient, live_server, new_marker
from .test_course_pages import log_dose

# Signatures of picture formats: none may show in what is stored.
SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG", b"RIFF", b"WEBP", b"ftypheic", b"ftypmif1")


# ---- the pages, the store, and who sees what ----------------------------------------------------------


def client_key_of(page: str) -> str:
    return re.search(r'name="client_key" value="([^"]+)"', page).group(1)


def upload(web, files, caption="", dose_id=None, headers=None, client_key=None):
    """Post the upload form as a browser would (the body built in memory: the test client would spool a
    large one to a temporary file it never closes)."""
    page = web.get("/art/new").get_data(as_text=True)
    if dose_id is None:
        selected = re.search(r'<option value="([^"]+)" selected>', page)
        dose_id = selected.group(1) if selected else "none"
    fields = MultiDict(
        {
            "client_key": client_key or client_key_of(page),
            "caption": caption,
            "csrf_token": web.token,
            "dose_id": dose_id,
        }
    )
    for name, content in files:
        fields.add("photos", FileStorage(io.BytesIO(content), filename=name, content_type="image/jpeg"))
    boundary, body = encode_multipart(fields)
    return web.raw.post(
        "/art", data=body, headers=headers or {}, content_type=f"multipart/form-data; boundary={boundary}"
    )


def art_ids(web) -> list[str]:
    return re.findall(r'href="/art/([0-9a-f-]{36})"', web.get("/art").get_data(as_text=True))


def counts(app) -> tuple[int, int]:
    with app.app_context():
        db = get_db()
        return (
            db.scalar(select(func.count()).select_from(Record).where(Record.kind == "art")),
            db.scalar(select(func.count()).select_from(Blob)),
        )


def test_upload_two_photos_into_the_latest_session_and_see_them_in_the_gallery(app, web):
    web.sign_up("ana@example.org")
    first = log_dose(web, utcnow() - timedelta(days=15))
    second = log_dose(web, utcnow() - timedelta(days=1))
    form = web.get("/art/new").get_data(as_text=True)
    assert 'accept="image/*"' in form and "multiple" in form and 'enctype="multipart/form-data"' in form
    assert re.search(rf'<option value="{second}" selected>Session 2', form)  # the latest by default
    caption = f"The lake, twice {new_marker('CAPTION')}"
    response = upload(web, [("one.jpg", art_images.jpeg()), ("two.png", art_images.png())], caption=caption)
    assert response.status_code == 303 and response.headers["Location"] == "/art"
    gallery = web.get("/art").get_data(as_text=True)
    assert "2 photos added." in gallery
    sections = re.findall(r'data-art-group="([^"]+)"', gallery)
    assert sections == ["2"]
    images = re.findall(r"<img [^>]+>", gallery)
    assert len(images) == 2
    for tag in images:
        assert 'loading="lazy"' in tag and 'width="400"' in tag and 'height="267"' in tag and caption[:20] in tag
    # An older photo in session 1 shows in its own group, after session 2.
    assert upload(web, [("old.jpg", art_images.jpeg())], dose_id=first).status_code == 303
    assert re.findall(r'data-art-group="([^"]+)"', web.get("/art").get_data(as_text=True)) == ["2", "1"]
    assert counts(app) == (3, 6)


def test_without_sessions_photos_belong_to_none_and_the_timeline_shows_them(web):
    web.sign_up("ana@example.org")
    form = web.get("/art/new").get_data(as_text=True)
    assert 'name="dose_id" value="none"' in form and "<select" not in form
    marker = new_marker("TIMELINE")
    assert upload(web, [("a.jpg", art_images.jpeg())], caption=f"first drawing {marker}").status_code == 303
    assert re.findall(r'data-art-group="([^"]+)"', web.get("/art").get_data(as_text=True)) == ["none"]
    timeline = web.get("/timeline").get_data(as_text=True)
    assert "Photo of art" in timeline and marker in timeline


def test_each_refused_file_says_why_and_the_others_still_go_in(app, web):
    web.sign_up("ana@example.org")
    files = [
        ("good.jpg", art_images.jpeg()),
        ("drawing.jpg", art_images.svg_with_script()),
        ("holiday.jpg", art_images.jpeg_zip_polyglot()),
        ("cut.jpg", art_images.truncated_jpeg()),
        ("tiny-bomb.png", art_images.png_bomb(15000, 15000)),
        ("small.heic", art_images.heic()),
    ]
    response = upload(web, files)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 photos were added." in page
    refused = dict(re.findall(r"<li><strong>([^<]+)</strong>: ([^<]+)</li>", page))
    assert set(refused) == {"drawing.jpg", "holiday.jpg", "cut.jpg", "tiny-bomb.png"}
    assert "not a photo" in refused["drawing.jpg"] and "besides a picture" in refused["holiday.jpg"]
    assert "incomplete" in refused["cut.jpg"] and "megapixels" in refused["tiny-bomb.png"]
    assert counts(app) == (2, 4)
    # Nothing good at all: 422, and nothing saved.
    response = upload(web, [("x.jpg", art_images.html_page())])
    assert response.status_code == 422 and "not a photo" in response.get_data(as_text=True)
    assert counts(app) == (2, 4)


def test_no_file_chosen_is_a_form_error(web):
    web.sign_up("ana@example.org")
    response = upload(web, [])
    assert response.status_code == 422 and "Choose one or more photos" in response.get_data(as_text=True)


def test_sending_the_same_upload_twice_keeps_one_copy(app, web):
    web.sign_up("ana@example.org")
    key = uuid.uuid4().hex
    files = [("a.jpg", art_images.jpeg()), ("b.jpg", art_images.jpeg())]
    assert upload(web, files, client_key=key).status_code == 303
    assert upload(web, files, client_key=key).status_code == 303
    assert counts(app) == (2, 4)


def test_an_oversize_file_gets_a_413_in_the_apps_layout(make_app, web):
    app = make_app(ART_MAX_FILE_MB=1, ART_MAX_FILES=3)
    from ..support import WebClient

    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    big = art_images.noise_jpeg((900, 700), quality=100)
    assert 1024 * 1024 < len(big) < 3 * 1024 * 1024
    response = upload(web, [("small.jpg", art_images.jpeg()), ("big.jpg", big)])
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "“big.jpg” is" in page and "up to 1 MB each" in page and "Nothing was saved" in page
    assert 'class="tabbar"' in page and "Need help now?" in page  # the app's own layout
    # More files than allowed, and a body larger than any allowed upload: 413 as well.
    response = upload(web, [(f"{n}.jpg", art_images.jpeg()) for n in range(4)])
    assert response.status_code == 413 and "Up to 3 photos" in response.get_data(as_text=True)
    huge = [(f"{n}.jpg", big) for n in range(4)]  # more bytes than 3 files of 1 MB and the form
    response = upload(web, huge)
    assert response.status_code == 413 and "up to 1 MB each, and up to 3 at a time" in response.get_data(as_text=True)
    assert counts(app) == (0, 0)
    # Other pages keep the app-wide limit.
    response = web.post("/entries", {"client_key": uuid.uuid4().hex, "title": "t", "body": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_stored_bytes_are_ciphertext_and_only_the_owner_sees_the_pictures(app, web, other_web, database_url):
    web.sign_up("ana@example.org")
    other_web.sign_up("ben@example.org")
    marker = new_marker("STORED")
    assert upload(web, [("a.jpg", art_images.jpeg()), ("b.heic", art_images.heic())], caption=marker).status_code == 303
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            blobs = connection.execute(text("SELECT variant, ciphertext FROM blobs")).all()
            payloads = connection.execute(text("SELECT payload_ciphertext FROM records WHERE kind = 'art'")).all()
    finally:
        engine.dispose()
    assert sorted(variant for variant, _ in blobs) == ["full", "full", "thumb", "thumb"]
    for _variant, ciphertext in blobs:
        stored = bytes(ciphertext)
        assert not any(signature in stored for signature in SIGNATURES)
        assert marker.encode() not in stored and b"JFIF" not in stored
    for (payload,) in payloads:
        assert marker.encode() not in bytes(payload)

    for art_id in art_ids(web):
        for variant in ("full", "thumb"):
            url = f"/art/{art_id}/{variant}.jpg"
            mine = web.raw.get(url)
            assert mine.status_code == 200 and mine.mimetype == "image/jpeg"
            assert mine.headers["Cache-Control"] == "private, no-store"
            assert mine.data.startswith(b"\xff\xd8\xff")
            theirs = other_web.raw.get(url)
            assert theirs.status_code == 404 and not theirs.data.startswith(b"\xff\xd8")
        for page in (f"/art/{art_id}", f"/art/{art_id}/edit", f"/art/{art_id}/delete"):
            assert other_web.get(page).status_code == 404
        assert other_web.post(f"/art/{art_id}/delete").status_code == 404
        assert web.raw.get(f"/art/{art_id}/original.jpg").status_code == 404
    assert web.raw.get(f"/art/{uuid.uuid4()}/thumb.jpg").status_code == 404
    web.sign_out()
    assert web.raw.get(f"/art/{art_ids(other_web) or uuid.uuid4()}/thumb.jpg").status_code in (302, 404)


def test_read_edit_and_delete_a_photo(app, web):
    web.sign_up("ana@example.org")
    first = log_dose(web, utcnow() - timedelta(days=10))
    log_dose(web, utcnow() - timedelta(days=1))
    assert upload(web, [("a.jpg", art_images.jpeg())], caption="a first caption").status_code == 303
    (art_id,) = art_ids(web)
    page = web.get(f"/art/{art_id}").get_data(as_text=True)
    assert "Art from session 2" in page and "a first caption" in page
    assert re.search(r'<img src="/art/[^"]+/full.jpg" width="600" height="400"\s+loading="lazy"', page)
    before = web.raw.get(f"/art/{art_id}/full.jpg").data

    edit = web.get(f"/art/{art_id}/edit").get_data(as_text=True)
    assert "a first caption" in edit
    response = web.post(f"/art/{art_id}/edit", {"version": "1", "caption": "now in session one", "dose_id": first})
    assert response.status_code == 303
    page = web.get(f"/art/{art_id}").get_data(as_text=True)
    assert "Art from session 1" in page and "now in session one" in page
    assert web.raw.get(f"/art/{art_id}/full.jpg").data == before  # pictures sealed again, unchanged
    # An edit from a form opened before that change is not saved over it.
    response = web.post(f"/art/{art_id}/edit", {"version": "1", "caption": "from an old tab", "dose_id": "none"})
    assert response.status_code == 409 and "changed on another device" in response.get_data(as_text=True)
    response = web.post(f"/art/{art_id}/edit", {"version": "2", "caption": "x", "dose_id": str(uuid.uuid4())})
    assert response.status_code == 422 and "no longer there" in response.get_data(as_text=True)

    confirm = web.get(f"/art/{art_id}/delete").get_data(as_text=True)
    assert "Delete this photo?" in confirm and "cannot be undone" in confirm
    assert counts(app) == (1, 2)
    response = web.post(f"/art/{art_id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/art"
    assert counts(app) == (0, 0)
    assert web.raw.get(f"/art/{art_id}/thumb.jpg").status_code == 404


def test_two_sessions_side_by_side(web):
    web.sign_up("ana@example.org")
    first = log_dose(web, utcnow() - timedelta(days=20))
    second = log_dose(web, utcnow() - timedelta(days=2))
    upload(web, [("a.jpg", art_images.jpeg())], caption="from the first", dose_id=first)
    upload(web, [("b.jpg", art_images.jpeg())], caption="from the second", dose_id=second)
    upload(web, [("c.jpg", art_images.jpeg())], caption="from no session", dose_id="none")
    page = web.get("/art/compare").get_data(as_text=True)
    left, right = re.split(r'<section class="art-compare-side"', page)[1:]
    assert "Session 2" in left and "from the second" in left and "from the first" not in left
    assert "Session 1" in right and "from the first" in right
    page = web.get(f"/art/compare?a=none&b={first}").get_data(as_text=True)
    left, right = re.split(r'<section class="art-compare-side"', page)[1:]
    assert "from no session" in left and "from the first" in right
    assert len(re.findall(r'loading="lazy"', page)) == 2


def test_the_script_gets_a_redirect_or_just_the_result(app, web):
    web.sign_up("ana@example.org")
    response = upload(web, [("a.jpg", art_images.jpeg())], headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/art"
    response = upload(
        web, [("a.jpg", art_images.jpeg()), ("b.jpg", art_images.pdf_document())], headers={"HX-Request": "true"}
    )
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment and "data-next-client-key" in fragment
    assert "One photo was added." in fragment and "<strong>b.jpg</strong>" in fragment


def test_a_failure_between_sealing_and_saving_leaves_nothing(app, web, monkeypatch):
    from journal.records import blobs

    web.sign_up("ana@example.org")
    original = blobs.DatabaseBlobStore.put

    def put_then_fail(self, db, record_id, owner_id, variant, ciphertext):
        if variant == "thumb":  # the record and its full picture are already in the session
            assert db.get(Record, record_id) is not None
            raise RuntimeError("disk full")
        return original(self, db, record_id, owner_id, variant, ciphertext)

    monkeypatch.setattr(blobs.DatabaseBlobStore, "put", put_then_fail)
    response = upload(web, [("a.jpg", art_images.jpeg()), ("b.jpg", art_images.jpeg())])
    assert response.status_code == 500
    assert counts(app) == (0, 0)
    monkeypatch.setattr(blobs.DatabaseBlobStore, "put", original)
    assert upload(web, [("a.jpg", art_images.jpeg())]).status_code == 303
    assert counts(app) == (1, 2)


def test_an_upload_waits_for_a_busy_slot_and_goes_in_when_it_frees(make_app):
    app = make_app(ART_CONCURRENCY=1, ART_QUEUE_SECONDS=10)
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    slots = app.extensions["art_slots"]
    held, release = threading.Event(), threading.Event()

    def another_upload_being_processed():
        with slots.hold():
            held.set()
            release.wait(30)

    other = threading.Thread(target=another_upload_being_processed)
    other.start()
    assert held.wait(30)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    response = upload(web, [("a.jpg", art_images.jpeg())])
    waited = time.monotonic() - started
    other.join(30)
    assert response.status_code == 303 and waited >= 0.5  # it waited for the slot, then went in
    assert "Photo added." in web.get("/art").get_data(as_text=True)
    assert counts(app) == (1, 2)


def test_an_upload_is_refused_with_retry_after_once_the_wait_is_over(make_app):
    app = make_app(ART_CONCURRENCY=1, ART_QUEUE_SECONDS=1)
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    with app.extensions["art_slots"].hold():  # another upload is being processed all along
        started = time.monotonic()
        busy = upload(web, [("b.jpg", art_images.jpeg())])
        waited = time.monotonic() - started
    page = busy.get_data(as_text=True)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5" and 1 <= waited < 5
    assert "Nothing was saved; please try again in 5 seconds" in page and 'class="tabbar"' in page
    assert counts(app) == (0, 0)
    assert upload(web, [("b.jpg", art_images.jpeg())]).status_code == 303  # the slot is free again
    assert counts(app) == (1, 2)


def test_the_queue_for_a_slot_is_short_and_first_refusals_come_at_once():
    slots = ProcessingSlots(1, wait_seconds=5)
    outcomes: list[str] = []

    def try_upload():
        try:
            with slots.hold():
                outcomes.append("processed")
        except Busy:
            outcomes.append("refused")

    with slots.hold():
        waiting = [threading.Thread(target=try_upload) for _ in range(3)]  # the queue holds three times the slots
        for thread in waiting:
            thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        try_upload()  # a fourth finds the queue full: refused without waiting
        assert outcomes == ["refused"] and time.monotonic() - started < 1
    for thread in waiting:
        thread.join(10)
    assert sorted(outcomes) == ["processed", "processed", "processed", "refused"]


def test_without_a_queue_a_busy_slot_refuses_at_once():
    slots = ProcessingSlots(1, wait_seconds=0)
    with slots.hold():
        started = time.monotonic()
        with pytest.raises(Busy):
            with slots.hold():
                pass
        assert time.monotonic() - started < 0.5
    with slots.hold():
        pass


def test_an_upload_cut_off_midway_leaves_nothing_behind(tmp_path, database_url):
    with live_server(tmp_path, "art-cut-off", database_url=database_url) as base:
        browser = requests.Session()
        page = browser.get(base + "/signup", timeout=10).text
        response = browser.post(
            base + "/signup",
            timeout=10,
            data={
                "csrf_token": CSRF_RE.search(page).group(1),
                "email": "ana@example.org",
                "password": PASSWORD,
                "confirm": PASSWORD,
                "role": "client",
            },
        )
        assert response.status_code == 200
        form = browser.get(base + "/art/new", timeout=10).text
        boundary = "----art" + uuid.uuid4().hex
        token = CSRF_RE.search(form).group(1)  # in the header, so the request gets past CSRF to the upload
        fields = {"csrf_token": token, "client_key": client_key_of(form), "dose_id": "none", "caption": "cut off"}
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        )
        for name in ("first.jpg", "second.jpg"):
            body += (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="{name}"\r\n'
                    f"Content-Type: image/jpeg\r\n\r\n"
                ).encode()
                + art_images.noise_jpeg((400, 300))
                + b"\r\n"
            )
        body += f"--{boundary}--\r\n".encode()
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)
        address = urlsplit(base)
        head = (
            f"POST /art HTTP/1.1\r\nHost: {address.netloc}\r\nCookie: {cookies}\r\n"
            f"X-CSRF-Token: {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        with socket.create_connection((address.hostname, address.port), timeout=10) as raw:
            raw.sendall(head + body[: len(body) * 3 // 4])  # the first photo whole, the second cut short
            raw.shutdown(socket.SHUT_WR)
            reply = b""
            try:
                while chunk := raw.recv(65536):
                    reply += chunk
            except (TimeoutError, ConnectionResetError):
                pass
        # Werkzeug drops a body that ends early as a whole: no fields, no files, so the upload is refused.
        assert reply == b"" or reply.startswith(b"HTTP/1.1 400"), reply[:200]
        # The server is fine afterwards, and nothing of the upload was kept.
        assert browser.get(base + "/art", timeout=10).status_code == 200
        engine = create_engine(database_url)
        try:
            with engine.connect() as connection:
                assert connection.scalar(text("SELECT count(*) FROM records WHERE kind = 'art'")) == 0
                assert connection.scalar(text("SELECT count(*) FROM blobs")) == 0
        finally:
            engine.dispose()
        browser.close()


def test_art_pages_are_for_signed_in_clients(web):
    for url in ("/art", "/art/new", f"/art/{uuid.uuid4()}/thumb.jpg"):
        response = web.raw.get(url)
        assert response.status_code == 302 and "/signin" in response.headers["Location"]
