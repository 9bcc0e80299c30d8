"""A dosing session's details (dose, length, who was there, the body, dissociation) as the client logs, reads,
edits and exports them, and as a linked clinician reads them once shared."""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from datetime import timedelta

from sqlalchemy import select

from journal import vault
from journal.db import get_db, utcnow
from journal.dosing.service import KIND
from journal.forms import local_inputs
from journal.models import Record, User
from journal.records import service as records

from ..support import PASSWORD, new_marker

KEY_RE = re.compile(r'name="client_key" value="([^"]+)"')


def _fields(marker: str, when=None) -> dict:
    day, clock = local_inputs(when or utcnow() - timedelta(days=2), "UTC")
    return {
        "date": day,
        "time": clock,
        "route": "nasal",
        "dose_mg": "62,5",
        "duration": "other",
        "duration_hours": "2",
        "duration_minutes": "40",
        "company": f"sitter Jo {marker}",
        "body_effects": ["nausea", "blood_pressure"],
        "body_note": f"cold hands {marker}",
        "dissociation": "7",
        "felt": "wide and warm",
        "setting": "eye mask",
    }


def _log(web, fields: dict):
    key = KEY_RE.search(web.get("/sessions/new").get_data(as_text=True)).group(1)
    return web.post("/sessions", {"client_key": key, **fields})


def _ana(db) -> User:
    return db.scalar(select(User).where(User.email == "ana@example.org"))


def _payload(app, dose_id: str) -> dict:
    with app.app_context():
        db = get_db()
        keyring = vault.unlock_with_password(_ana(db), PASSWORD)
        return records.get(db, keyring, KIND, uuid.UUID(dose_id)).data


def test_every_detail_is_saved_sealed_shown_and_kept_for_an_edit(app, web):
    web.sign_up("ana@example.org")
    marker = new_marker("DOSE")
    form = web.get("/sessions/new").get_data(as_text=True)
    assert 'class="actions sticky-actions"' in form  # Save stays in reach while the long form scrolls
    assert '<option value="" selected>Not now</option>' in form  # the scale starts unset
    # Who will see it is said at the top, before the fields, not behind the save bar at the end.
    assert form.index("data-audience") < form.index('name="dose_mg"') < form.index("sticky-actions")
    response = _log(web, _fields(marker))
    assert response.status_code == 303
    dose_id = response.headers["Location"].rsplit("/", 1)[1]

    page = web.get(f"/sessions/{dose_id}").get_data(as_text=True)
    for words in (
        "<dt>Dose</dt><dd>62.5 mg</dd>",
        "<dt>Lasted</dt><dd>2 hours 40 minutes</dd>",
        f"<dt>With</dt><dd>sitter Jo {marker}</dd>",
        "Nausea, blood pressure noted by the clinic",
        f"cold hands {marker}",
        "<dt>Dissociation</dt><dd>7 of 10",
        "wide and warm",
    ):
        assert words in page, words
    assert _payload(app, dose_id) == {
        "route": "nasal",
        "setting": "eye mask",
        "felt": "wide and warm",
        "intention_ids": [],
        "dose_mg": 62.5,
        "duration_minutes": 160,
        "company": f"sitter Jo {marker}",
        "body_effects": ["nausea", "blood_pressure"],
        "body_note": f"cold hands {marker}",
        "dissociation": 7,
    }
    with app.app_context():  # sealed: nothing of it in the row
        row = get_db().get(Record, uuid.UUID(dose_id))
        assert marker.encode() not in row.payload_ciphertext and b"cold hands" not in row.payload_ciphertext

    edit = web.get(f"/sessions/{dose_id}/edit").get_data(as_text=True)
    assert 'name="dose_mg" inputmode="decimal" autocomplete="off" maxlength="10" value="62.5"' in edit
    assert '<option value="other" selected>Other</option>' in edit
    assert 'name="duration_hours" inputmode="numeric" autocomplete="off" maxlength="2" value="2"' in edit
    assert 'name="duration_minutes" inputmode="numeric" autocomplete="off" maxlength="2" value="40"' in edit
    assert 'value="nausea" checked' in edit and 'value="blood_pressure" checked' in edit
    assert 'value="headache" checked' not in edit
    assert '<option value="7" selected>7</option>' in edit


def test_details_left_out_store_nothing_and_show_nothing(app, web):
    web.sign_up("ana@example.org")
    fields = {key: "" for key in _fields("x")} | {"route": "iv", "body_effects": []}
    fields["date"], fields["time"] = local_inputs(utcnow() - timedelta(hours=3), "UTC")
    response = _log(web, fields)
    assert response.status_code == 303
    dose_id = response.headers["Location"].rsplit("/", 1)[1]
    assert _payload(app, dose_id) == {"route": "iv", "setting": "", "felt": "", "intention_ids": []}
    page = web.get(f"/sessions/{dose_id}").get_data(as_text=True)
    for label in ("Dose", "Lasted", "With", "Body", "Dissociation"):
        assert f"<dt>{label}</dt>" not in page
    assert '<option value="" selected>Not now</option>' in web.get(f"/sessions/{dose_id}/edit").get_data(as_text=True)


def test_mistakes_are_said_plainly_and_keep_everything_typed(web):
    web.sign_up("ana@example.org")
    fields = _fields("kept") | {"dose_mg": "lots", "duration_hours": "", "duration_minutes": "", "dissociation": "4"}
    response = _log(web, fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write the dose in mg as a number above 0 and up to 1,000" in page
    assert "Write how many hours and minutes the session lasted" in page
    assert 'aria-describedby="dose_mg-hint dose_mg-error" aria-invalid="true"' in page
    assert 'value="" aria-invalid="true" aria-describedby="duration-error">' in page  # hours and minutes, told why
    assert 'value="lots"' in page and "sitter Jo kept" in page and "cold hands kept" in page
    assert 'value="nausea" checked' in page and '<option value="other" selected>Other</option>' in page
    assert '<option value="4" selected>4</option>' in page  # the scale keeps its answer
    assert web.get("/sessions").get_data(as_text=True).count('class="entry-item"') == 0  # nothing saved


def test_a_session_logged_before_the_details_existed_reads_edits_and_exports(app, web):
    web.sign_up("ana@example.org")
    with app.app_context():
        db = get_db()
        keyring = vault.unlock_with_password(_ana(db), PASSWORD)
        at = utcnow() - timedelta(days=5)
        old = {"route": "lozenge", "setting": "the old room", "felt": "slow", "intention_ids": []}
        dose_id, _ = records.create(db, keyring, KIND, uuid.uuid4().hex, old, at, at)
        db.commit()
    page = web.get(f"/sessions/{dose_id}")
    assert page.status_code == 200 and "Lozenge or sublingual" in page.get_data(as_text=True)
    assert "<dt>Dose</dt>" not in page.get_data(as_text=True)
    assert web.get(f"/sessions/{dose_id}/edit").status_code == 200
    response = web.post("/account/export")
    assert response.status_code == 200
    sessions = zipfile.ZipFile(io.BytesIO(response.data)).read("sessions.csv").decode("utf-8-sig")
    _header, row = list(csv.reader(io.StringIO(sessions)))
    assert row[4:7] == ["Lozenge or sublingual", "slow", "the old room"]
    assert row[8:] == ["", "", "", "", "", ""]  # the new columns, empty


def test_the_export_adds_its_columns_at_the_end(web):
    web.sign_up("ana@example.org")
    marker = new_marker("CSV")
    assert _log(web, _fields(marker)).status_code == 303
    response = web.post("/account/export")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    header, row = list(csv.reader(io.StringIO(archive.read("sessions.csv").decode("utf-8-sig"))))
    assert header == [
        "id",
        "session",
        "when (UTC)",
        "when (local)",
        "how taken",
        "how it felt",
        "setting notes",
        "intention ids",
        "dose (mg)",
        "length (minutes)",
        "who was with me",
        "body",
        "body note",
        "dissociation (0-10)",
    ]
    assert row[1] == "1" and row[4] == "Nasal spray" and row[5] == "wide and warm"
    assert row[8:] == [
        "62.5",
        "160",
        f"sitter Jo {marker}",
        "Nausea; Blood pressure noted by the clinic",
        f"cold hands {marker}",
        "7",
    ]
    summary = archive.read("summary.html").decode("utf-8")
    assert "62.5 mg" in summary and "2 hours 40 minutes" in summary and f"cold hands {marker}" in summary


def test_a_linked_clinician_reads_the_details_on_the_record_and_in_the_brief(app, people, linked):
    web, doc = people
    marker = new_marker("SHARED")
    response = _log(web, _fields(marker))
    dose_id = response.headers["Location"].rsplit("/", 1)[1]
    assert web.post(f"/share/{dose_id}", {"link_ids": [str(linked)]}).status_code == 303
    with app.app_context():
        client_id = _ana(get_db()).id
    record = doc.get(f"/desk/clients/{client_id}/records/{dose_id}").get_data(as_text=True)
    brief = doc.get(f"/desk/clients/{client_id}/brief").get_data(as_text=True)
    for page in (record, brief):
        for words in (
            "62.5 mg",
            "Nasal spray",
            "2 hours 40 minutes",
            f"sitter Jo {marker}",
            "Nausea, blood pressure noted by the clinic",
            "7 of 10",
            "wide and warm",
        ):
            assert words in page, words
