"""Voice notes in the app: saved once, refused with a reason, sealed, stripped, served in parts to whom may hear."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from journal.db import get_db, utcnow
from journal.models import Blob, Record, User

from ..support import WebClient
from ..system.test_key_rotation import _rotate_through_the_page
from ..voice_files import TAGS, aac_m4a, opus_webm, tags_of
from .test_course_pages import log_dose
from .test_sharing_client import DOC

TITLE = "After session two, by the river"


def send(web, data: bytes, *, name="note.webm", title=TITLE, client_key=None, headers=None, dose_id="none"):
    """The recorder's form as a browser posts it (multipart, built in memory)."""
    page = web.get("/voice/new").get_data(as_text=True)
    key = client_key or re.search(r'name="client_key" value="([^"]+)"', page).group(1)
    fields = MultiDict({"client_key": key, "title": title, "dose_id": dose_id, "csrf_token": web.token})
    fields.add("audio", FileStorage(io.BytesIO(data), filename=name, content_type="audio/webm"))
    boundary, body = encode_multipart(fields)
    return web.raw.post(
        "/voice", data=body, headers=headers or {}, content_type=f"multipart/form-data; boundary={boundary}"
    )


def saved(web, data: bytes, **kwargs) -> str:
    response = send(web, data, **kwargs)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def stored(app) -> list[bytes]:
    with app.app_context():
        return [bytes(one) for one in get_db().scalars(select(Blob.ciphertext))]


def voice_count(app) -> int:
    with app.app_context():
        return get_db().scalar(select(func.count()).select_from(Record).where(Record.kind == "voice"))


def test_a_recording_is_kept_sealed_without_its_tags_and_played_back_by_its_owner(app, web):
    web.sign_up("ana@example.org")
    sent = opus_webm(3.0, TAGS)
    note = saved(web, sent)
    page = web.get(f"/voice/{note}").get_data(as_text=True)
    assert TITLE in page and "0:03" in page and f'src="/voice/{note}/sound"' in page and "<audio" in page
    sound = web.raw.get(f"/voice/{note}/sound")
    assert sound.status_code == 200 and sound.mimetype == "audio/webm"
    assert sound.headers["Cache-Control"] == "private, no-store" and sound.headers["Accept-Ranges"] == "bytes"
    heard = sound.data
    assert not {"title", "location", "artist", "comment"} & {key.lower() for key in tags_of(heard)}
    assert b"Walk by the river" not in heard and b"Pixel 7" not in heard
    # At rest: ciphertext only, neither the file sent nor the one kept, nor its words.
    (blob,) = stored(app)
    for plain in (heard[:64], heard[-64:], sent[:64], b"OpusHead", b"webm", TAGS["title"].encode()):
        assert plain not in blob
    with app.app_context():
        row = get_db().scalar(select(Record).where(Record.kind == "voice"))
        assert TITLE.encode() not in bytes(row.payload_ciphertext)
    timeline = web.get("/timeline").get_data(as_text=True)
    assert "Voice note" in timeline and TITLE in timeline


def test_an_m4a_is_kept_as_m4a(app, web):
    web.sign_up("ana@example.org")
    note = saved(web, aac_m4a(2.0, TAGS), name="memo.m4a")
    sound = web.raw.get(f"/voice/{note}/sound")
    assert sound.mimetype == "audio/mp4" and b"Walk by the river" not in sound.data


def test_the_same_recording_sent_twice_is_one_note(app, web):
    web.sign_up("ana@example.org")
    data = opus_webm(1.0)
    key = uuid.uuid4().hex
    first = send(web, data, client_key=key, headers={"X-Outbox": "later"})
    again = send(web, data, client_key=key, headers={"X-Outbox": "later"})
    assert first.status_code == again.status_code == 201
    assert first.headers["Location"] == again.headers["Location"]
    assert voice_count(app) == 1


def test_anything_but_a_recording_is_refused_with_a_reason_and_nothing_kept(app, web):
    web.sign_up("ana@example.org")
    picture = b"\x89PNG\r\n\x1a\n" + bytes(200)
    refused = send(web, picture, name="note.webm")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "This file isn&#39;t a sound recording we can keep: it is not a WebM, Ogg or M4A file." in text
    assert 'aria-invalid="true"' in text and TITLE in text  # the title typed is kept
    nothing = send(web, b"", name="")
    assert nothing.status_code == 422 and "Record a voice note, or choose a recording, first." in nothing.get_data(
        as_text=True
    )
    assert voice_count(app) == 0 and stored(app) == []


def test_a_file_over_the_limit_is_refused_before_it_is_read(make_app):
    app = make_app(VOICE_MAX_MB=1)
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    too_large = send(web, b"\x1a\x45\xdf\xa3" + bytes(2 * 1024 * 1024 + 10))
    assert too_large.status_code == 413 and "up to 1 MB" in too_large.get_data(as_text=True)
    assert voice_count(app) == 0


def test_parts_of_the_sound_are_served_as_asked_and_a_range_past_the_end_is_416(app, web):
    web.sign_up("ana@example.org")
    note = saved(web, opus_webm(2.0))
    whole = web.raw.get(f"/voice/{note}/sound").data
    part = web.raw.get(f"/voice/{note}/sound", headers={"Range": "bytes=10-109"})
    assert part.status_code == 206 and part.data == whole[10:110]
    assert part.headers["Content-Range"] == f"bytes 10-109/{len(whole)}"
    assert part.headers["Cache-Control"] == "private, no-store"
    tail = web.raw.get(f"/voice/{note}/sound", headers={"Range": "bytes=-20"})
    assert tail.status_code == 206 and tail.data == whole[-20:]
    past = web.raw.get(f"/voice/{note}/sound", headers={"Range": f"bytes={len(whole) + 5}-"})
    assert past.status_code == 416 and past.headers["Content-Range"] == f"bytes */{len(whole)}"


def test_who_may_hear_it_the_owner_and_a_clinician_while_shared(app, people, linked):
    web, doc = people
    third_web = WebClient(app.test_client())
    note = saved(web, opus_webm(2.0))
    whole = web.raw.get(f"/voice/{note}/sound").data
    with app.app_context():
        ana = get_db().scalar(select(User).where(User.email == "ana@example.org")).id
    desk_sound, desk_page = f"/desk/clients/{ana}/sounds/{note}", f"/desk/clients/{ana}/records/{note}"
    third_web.sign_up("eve@example.org")
    assert third_web.get(f"/voice/{note}").status_code == 404
    assert third_web.raw.get(f"/voice/{note}/sound").status_code == 404
    assert doc.raw.get(f"/voice/{note}/sound").status_code in (
        403,
        404,
    )  # the client's own address: never a clinician's
    assert doc.raw.get(desk_sound).status_code == 404  # linked, not shared
    assert web.post(f"/share/{note}", {"link_ids": [str(linked)]}).status_code == 303
    page = doc.get(desk_page).get_data(as_text=True)
    assert TITLE in page and f'src="{desk_sound}"' in page
    heard = doc.raw.get(desk_sound)
    assert heard.status_code == 200 and heard.data == whole and heard.headers["Cache-Control"] == "private, no-store"
    part = doc.raw.get(desk_sound, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == whole[:10]
    brief = doc.get(f"/desk/clients/{ana}/brief").get_data(as_text=True)
    assert f'src="{desk_sound}"' in brief
    assert "Voice notes" in brief
    history = web.get("/access").get_data(as_text=True)
    assert DOC in history and "Opened your voice note" in history
    assert web.post(f"/share/{note}", {}).status_code == 303  # revoked
    assert doc.raw.get(desk_sound).status_code == 404 and doc.get(desk_page).status_code == 404
    assert web.raw.get(f"/voice/{note}/sound").data == whole  # re-keyed, still the owner's


def test_edit_then_delete_takes_the_recording_with_it(app, web):
    web.sign_up("ana@example.org")
    note = saved(web, opus_webm(1.0))
    page = web.get(f"/voice/{note}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    answer = web.post(f"/voice/{note}/edit", {"title": "Renamed", "dose_id": "none", "version": version})
    assert answer.status_code == 303 and "Renamed" in web.get(f"/voice/{note}").get_data(as_text=True)
    assert web.raw.get(f"/voice/{note}/sound").status_code == 200  # sealed again under the new key, still there
    assert web.post(f"/voice/{note}/delete").status_code == 303
    assert web.get(f"/voice/{note}").status_code == 404 and stored(app) == [] and voice_count(app) == 0


def test_the_export_holds_each_voice_note_as_its_file(app, web):
    web.sign_up("ana@example.org")
    note = saved(web, opus_webm(1.0))
    kept = web.raw.get(f"/voice/{note}/sound").data
    response = web.post("/account/export")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    (name,) = [one for one in archive.namelist() if one.startswith("voice/")]
    assert name.endswith(".webm") and archive.read(name) == kept
    assert "voice/" in archive.read("README.txt").decode()


def test_today_and_the_add_page_offer_to_record(app, web):
    web.sign_up("ana@example.org")
    assert 'href="/voice/new?start=1"' in web.get("/").get_data(as_text=True)
    assert 'href="/voice/new?start=1"' in web.get("/new").get_data(as_text=True)
    recorder = web.get("/voice/new")
    assert "microphone=(self)" in recorder.headers["Permissions-Policy"]
    assert "microphone=()" in web.get("/").headers["Permissions-Policy"]


def test_rotating_the_keys_seals_the_recording_again_and_it_still_plays(app, web):
    web.sign_up("ana@example.org")
    note = saved(web, opus_webm(1.0))
    heard = web.raw.get(f"/voice/{note}/sound").data
    (before,) = stored(app)
    _rotate_through_the_page(web)
    (after,) = stored(app)
    assert after != before
    assert web.raw.get(f"/voice/{note}/sound").data == heard


def test_a_recording_made_offline_is_kept_with_the_latest_session_when_it_arrives(web):
    """The offline recorder knows no sessions: it sends "latest", the latest dosing session when it is saved."""
    web.sign_up("ana@example.org")
    early = log_dose(web, utcnow() - timedelta(days=9))
    late = log_dose(web, utcnow() - timedelta(days=2))
    note = saved(web, opus_webm(1.0), dose_id="latest")
    page = web.get(f"/voice/{note}/edit").get_data(as_text=True)
    assert re.search(rf'<option value="{late}" selected>', page) and early != late
