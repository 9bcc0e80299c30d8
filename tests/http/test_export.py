"""Export: the client's zip of everything they wrote, and a clinician's zip of what one client shares now.

The zip streams (chunks while it is written, memory far below its size), holds exactly the owner's
records decrypted (nothing of anyone else), names its files safely, and asks for the password again
when it was not entered recently.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tracemalloc
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from journal import vault
from journal.checkins import service as checkins
from journal.db import get_db, utcnow
from journal.dosing import service as dosing
from journal.entries import service as entries
from journal.export import service as export_service
from journal.intentions import service as intentions
from journal.measures import service as measures
from journal.measures.instruments import INSTRUMENTS
from journal.models import AccessEvent, AccessEventRecord, Record, SecurityEvent, User
from journal.records import service as records
from journal.sharing import service as sharing

from .. import art_images
from ..support import OUTPUT, PASSWORD, WebClient, new_marker
from .test_art import upload
from .test_desk import _link_ana, _make_invite, _share

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*$")
PROMPT = "day1-1"


# Helpers ---------------------------------------------------------------------------------------


def _user(db, email) -> User:
    return db.scalar(select(User).where(User.email == email))


def _keyring(db, email):
    return vault.unlock_with_password(_user(db, email), PASSWORD)


def _key() -> str:
    return uuid.uuid4().hex


def _write_one_of_each(app, email: str, marker: str) -> dict[str, uuid.UUID]:
    """An intention, a dosing session, an entry answering a prompt, a check-in, and each questionnaire."""
    with app.app_context():
        db = get_db()
        keyring, now = _keyring(db, email), utcnow()
        ids = {
            "intention": intentions.create_intention(db, keyring, _key(), f"to rest {marker}", now - timedelta(days=9))
        }
        ids["dose"] = dosing.create_dose(
            db,
            keyring,
            _key(),
            dosing.DoseInput(
                now - timedelta(days=3), "nasal", f"setting {marker}", f"felt {marker}", (str(ids["intention"]),)
            ),
            now,
        )
        data, _ = entries.clean_entry(f"Title {marker}", f"Body {marker}\n\nA **strong** line.")
        ids["entry"] = entries.create_entry(db, keyring, _key(), data, now - timedelta(days=2), prompt_id=PROMPT)
        data, _ = checkins.clean_checkin({"mood": "7", "anxiety": "3", "note": f"=1+1 {marker}"}, ["calm", "in awe"])
        ids["checkin"] = checkins.create_checkin(db, keyring, _key(), data, now - timedelta(days=1))
        for name, value in (("phq9", 2), ("gad7", 1), ("pcl5", 3)):
            instrument = INSTRUMENTS[name]
            ids[name] = measures.create_measure(
                db,
                keyring,
                _key(),
                instrument,
                {n: value for n in instrument.numbers},
                1 if instrument.difficulty else None,
                now - timedelta(hours=5),
            )
        db.commit()
    return ids


def _download(web: WebClient, url: str = "/account/export") -> zipfile.ZipFile:
    response = web.post(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    return archive


def _text(archive: zipfile.ZipFile, name: str) -> str:
    return archive.read(name).decode("utf-8")


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def _everything(archive: zipfile.ZipFile) -> bytes:
    return b"\n".join(archive.read(name) for name in archive.namelist())


# The client's zip ------------------------------------------------------------------------------


def test_the_zip_holds_every_kind_decrypted_as_markdown_csv_images_json_and_html(app, web):
    web.sign_up("ana@example.org")
    marker = new_marker("EXPORT")
    ids = _write_one_of_each(app, "ana@example.org", marker)
    assert upload(web, [("a.jpg", art_images.jpeg())], caption=f"caption {marker}").status_code == 303
    draft_key = re.search(r'name="client_key" value="([^"]+)"', web.get("/entries/new").get_data(as_text=True)).group(1)
    assert (
        web.post(
            "/entries/draft", {"client_key": draft_key, "title": "", "body": f"draft {marker}"}, htmx=True
        ).status_code
        == 200
    )
    with app.app_context():
        art_id = get_db().scalar(select(Record.id).where(Record.kind == "art"))
        owned = {str(one) for one in get_db().scalars(select(Record.id))}
    archive = _download(web)
    names = archive.namelist()
    for fixed in (
        "README.txt",
        "summary.html",
        "records.json",
        "checkins.csv",
        "questionnaires/phq9.csv",
        "questionnaires/gad7.csv",
        "questionnaires/pcl5.csv",
        "sessions.csv",
        "intentions.csv",
    ):
        assert fixed in names, fixed
    assert all(SAFE_NAME.match(name) for name in names), names

    # The entry: front matter with date, title and the prompt it answers; the Markdown as written.
    entry_name = next(name for name in names if name.startswith("entries/"))
    assert re.fullmatch(
        rf"entries/\d{{4}}-\d\d-\d\d_\d{{4}}_title-export-[0-9a-f]+_{ids['entry'].hex[:8]}\.md", entry_name
    )
    entry = _text(archive, entry_name)
    assert entry.startswith('---\ntitle: "Title ' + marker + '"\ndate: "')
    assert f'id: "{ids["entry"]}"' in entry and "version: 1" in entry
    assert 'prompt: "Looking back after a night' in entry and 'place: "Day 1 after session 1"' in entry
    assert f"\n# Title {marker}\n" in entry and f"Body {marker}\n\nA **strong** line." in entry
    draft = _text(archive, next(name for name in names if name.startswith("drafts/")))
    assert f"draft {marker}" in draft and "draft: true" in draft

    # Check-ins and questionnaires: one file per kind, every answer, the total and its band.
    [checkin] = _csv(archive, "checkins.csv")
    assert (checkin["id"], checkin["mood (0-10)"], checkin["anxiety (0-10)"]) == (str(ids["checkin"]), "7", "3")
    assert checkin["emotion words"] == "in awe; calm"  # in the order the form shows them
    assert checkin["note"] == f"'=1+1 {marker}"  # a spreadsheet shows it as text, not a formula
    assert checkin["place in the course"] == "Day 2 after session 1"
    [phq9] = _csv(archive, "questionnaires/phq9.csv")
    answers = [value for key, value in phq9.items() if re.match(r"\d+\. ", key)]
    assert answers == ["2"] * 9 and phq9["total"] == "18" and phq9["out of"] == "27"
    assert phq9["band"] == "Moderately severe"
    assert "Somewhat difficult" in phq9.values()
    [pcl5] = _csv(archive, "questionnaires/pcl5.csv")
    assert pcl5["total"] == "60" and len([key for key in pcl5 if re.match(r"\d+\. ", key)]) == 20
    [gad7] = _csv(archive, "questionnaires/gad7.csv")
    assert gad7["total"] == "7" and gad7["id"] == str(ids["gad7"])
    [dose] = _csv(archive, "sessions.csv")
    assert (dose["session"], dose["how taken"], dose["how it felt"]) == ("1", "Nasal spray", f"felt {marker}")
    assert dose["intention ids"] == str(ids["intention"])
    [intention] = _csv(archive, "intentions.csv")
    assert (intention["status"], intention["intention"]) == ("active", f"to rest {marker}")

    # The photo: the stored display image, decrypted, named by date.
    [art_name] = [name for name in names if name.startswith("art/")]
    assert re.fullmatch(r"art/\d{4}-\d{2}-\d{2}_\d{4}_[0-9a-f]{8}\.jpg", art_name)
    picture = archive.read(art_name)
    assert picture == web.raw.get(f"/art/{art_id}/full.jpg").data
    assert Image.open(io.BytesIO(picture)).format == "JPEG"
    assert archive.getinfo(art_name).compress_type == zipfile.ZIP_STORED

    # JSON: every record of hers, decrypted, with ids, times and version.
    data = json.loads(_text(archive, "records.json"))
    assert data["format"] == "integration-journal-export" and data["account"]["email"] == "ana@example.org"
    assert {one["id"] for one in data["records"]} == owned
    by_id = {one["id"]: one for one in data["records"]}
    assert by_id[str(ids["entry"])]["data"]["body"].startswith(f"Body {marker}")
    assert by_id[str(ids["entry"])]["version"] == 1 and by_id[str(ids["entry"])]["file"] == entry_name
    assert by_id[str(art_id)]["file"] == art_name and by_id[str(art_id)]["data"]["caption"] == f"caption {marker}"
    assert by_id[str(ids["phq9"])]["data"]["answers"] == [2] * 9
    assert [one["data"]["body"] for one in data["drafts"]] == [f"draft {marker}"]

    # The summary: by dosing session, self-contained, the Markdown rendered and cleaned.
    summary = _text(archive, "summary.html")
    assert "Before your first dosing session" in summary and "Session 1" in summary
    assert summary.index(f"to rest {marker}") < summary.index("Session 1") < summary.index(f"Body {marker}")
    assert "<strong>strong</strong>" in summary and "data:image/jpeg;base64," in summary
    assert "Content-Security-Policy" in summary
    assert not re.search(r"<(script|link|iframe|object)\b", summary)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", summary)
    readme = _text(archive, "README.txt")
    assert "not encrypted" in readme and "Inside: 1 journal entry, 1 check-in, 3 questionnaires," in readme


def test_a_check_in_without_mood_has_empty_cells_not_a_number(app, web):
    web.sign_up("ana@example.org")
    with app.app_context():
        db = get_db()
        data, _ = checkins.clean_checkin({"mood": "", "anxiety": "4", "energy": ""}, ["tender"])
        checkins.create_checkin(db, _keyring(db, "ana@example.org"), _key(), data, utcnow())
        db.commit()
    archive = _download(web)
    [checkin] = _csv(archive, "checkins.csv")
    assert (checkin["mood (0-10)"], checkin["anxiety (0-10)"], checkin["energy (0-10)"]) == ("", "4", "")
    assert checkin["emotion words"] == "tender"
    record = next(one for one in json.loads(_text(archive, "records.json"))["records"] if one["kind"] == "checkin")
    assert record["data"] == {"anxiety": 4, "emotions": ["tender"]}
    summary = _text(archive, "summary.html")
    assert "<dt>Anxiety</dt><dd>4 / 10</dd>" in summary and "<dt>Mood</dt>" not in summary


def test_the_export_holds_only_its_owner_records(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("bo@example.org")
    ana, bo = new_marker("ANA"), new_marker("BO")
    _write_one_of_each(app, "ana@example.org", ana)
    _write_one_of_each(app, "bo@example.org", bo)
    assert upload(web, [("a.jpg", art_images.jpeg())], caption=f"art {ana}").status_code == 303
    assert upload(other_web, [("b.jpg", art_images.painting(seed=3))], caption=f"art {bo}").status_code == 303
    for client, mine, theirs, email in ((web, ana, bo, "ana@example.org"), (other_web, bo, ana, "bo@example.org")):
        archive = _download(client)
        content = _everything(archive)
        assert content.count(mine.encode()) >= 10, email  # in the files, the JSON and the summary
        assert theirs.encode() not in content and theirs.lower().encode() not in content
        with app.app_context():
            db = get_db()
            owner = _user(db, email).id
            own = {str(one) for one in db.scalars(select(Record.id).where(Record.owner_id == owner))}
        assert {one["id"] for one in json.loads(archive.read("records.json"))["records"]} == own
        pictures = [archive.read(name) for name in archive.namelist() if name.startswith("art/")]
        assert len(pictures) == 1


@pytest.mark.parametrize(
    "title",
    [
        "../../../etc/passwd",
        "..\\..\\Windows\\win.ini",
        "/absolute",
        "ünïcødé ✨ ist schön",
        "",
        "   ",
        "CON",
        "a" * 200,
        "x/../../y",
        "\u202egnp.exe",
    ],
)
def test_file_names_inside_the_zip_are_safe_whatever_the_title(app, web, title):
    web.sign_up("ana@example.org")
    with app.app_context():
        db = get_db()
        keyring, now = _keyring(db, "ana@example.org"), utcnow()
        records.create(db, keyring, "entry", _key(), {"title": title, "body": "words"}, now, now)
        records.create(db, keyring, "entry", _key(), {"title": title, "body": "more words"}, now, now)
        db.commit()
    archive = _download(web)
    names = [name for name in archive.namelist() if name.startswith("entries/")]
    assert len(names) == 2 and len(set(names)) == 2
    for name in names:
        assert SAFE_NAME.match(name) and ".." not in name and len(name) < 100, name
        assert name.isascii()


def _add_many(app, entries_count: int, photos: int, start: int = 0) -> None:
    """Entries of about 2.7 KB and photos whose display picture is 640 KB of incompressible bytes."""
    with app.app_context():
        db = get_db()
        keyring, now = _keyring(db, "ana@example.org"), utcnow()
        for n in range(start, start + entries_count):
            records.create(
                db,
                keyring,
                "entry",
                _key(),
                {"title": f"Entry {n}", "body": f"line {n} of many. " * 150},
                now - timedelta(minutes=n),
                now,
            )
        for n in range(start, start + photos):
            records.create(
                db,
                keyring,
                "art",
                _key(),
                {
                    "caption": f"photo {n}",
                    "dose_id": None,
                    "width": 800,
                    "height": 600,
                    "thumb_width": 400,
                    "thumb_height": 300,
                },
                now - timedelta(hours=n),
                now,
                attachments={"full": os.urandom(640 * 1024), "thumb": os.urandom(24 * 1024)},
            )
        db.commit()


def _measured_export(app, path: Path) -> dict[str, int]:
    """One export written to a file chunk by chunk, with the peak memory Python allocated meanwhile."""
    engine = app.extensions["db_engine"]
    with app.app_context():
        db = get_db()
        user, keyring = _user(db, "ana@example.org"), _keyring(db, "ana@example.org")
        chunks = export_service.client_archive(app, keyring, user, utcnow())
        db.close()
        count = total = biggest = 0
        tracemalloc.start()
        with path.open("wb") as out:
            for chunk in chunks:
                count, total, biggest = count + 1, total + len(chunk), max(biggest, len(chunk))
                out.write(chunk)
                del chunk
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert engine.pool.checkedout() == 0  # the snapshot's connection went back when the stream ended
    archive = zipfile.ZipFile(path)
    assert archive.testzip() is None and total == path.stat().st_size
    return {
        "chunks": count,
        "bytes": total,
        "largest": biggest,
        "peak": peak,
        "entries": len([name for name in archive.namelist() if name.startswith("entries/")]),
        "photos": len([name for name in archive.namelist() if name.startswith("art/")]),
    }


def test_the_zip_streams_in_chunks_and_memory_stays_far_below_its_size(app, web, database_kind, tmp_path):
    """The archive is written a chunk at a time while records are opened a page at a time: the memory the export
    allocates at its peak is a small part of what it sends, and does not grow when the journal doubles."""
    web.sign_up("ana@example.org")
    _add_many(app, 100, 14)
    _measured_export(app, tmp_path / "warm-up.zip")  # first use compiles templates and statements: not counted
    small = _measured_export(app, tmp_path / "small.zip")
    _add_many(app, 200, 28, start=100)
    large = _measured_export(app, tmp_path / "large.zip")
    assert (small["entries"], small["photos"], large["entries"], large["photos"]) == (100, 14, 300, 42)
    assert large["bytes"] > 27 * 2**20 and large["bytes"] > 2.8 * small["bytes"]
    assert large["chunks"] > 400 and large["largest"] < 2**20
    # One photo at a time (its ciphertext and its picture), one page of records, one chunk, whatever the total;
    # what grows is only the zip's directory (a few hundred bytes per file) and what the garbage collector left.
    assert large["peak"] < 5 * 2**20 and large["peak"] < large["bytes"] / 6, (small, large)
    assert large["peak"] - small["peak"] < 2**20, (small, large)
    figures = "".join(
        f"{database_kind} {name}: {one['bytes'] / 2**20:.1f} MiB archive ({one['entries']} entries, "
        f"{one['photos']} photos) in {one['chunks']} chunks, largest {one['largest'] / 1024:.0f} KiB; "
        f"peak traced memory {one['peak'] / 2**20:.2f} MiB ({100 * one['peak'] / one['bytes']:.1f}%)\n"
        for name, one in (("small", small), ("large", large))
    )
    OUTPUT.mkdir(exist_ok=True)
    with (OUTPUT / "export-memory.txt").open("a", encoding="utf-8") as notes:
        notes.write(figures)
    print(figures)


def test_a_download_cut_short_gives_its_database_connection_back(app, web):
    web.sign_up("ana@example.org")
    _write_one_of_each(app, "ana@example.org", "cut")
    engine = app.extensions["db_engine"]
    with app.app_context():
        db = get_db()
        user, keyring = _user(db, "ana@example.org"), _keyring(db, "ana@example.org")
        db.close()
        chunks = export_service.client_archive(app, keyring, user, utcnow())
        assert engine.pool.checkedout() == 0  # nothing is read before the first chunk is asked for
        next(chunks)
        assert engine.pool.checkedout() == 1
        chunks.close()
        assert engine.pool.checkedout() == 0


def test_an_export_that_fails_part_way_is_cut_off_and_logs_nothing_written(app, web, monkeypatch, caplog):
    """A broken zip must not look like a finished download: the stream stops with an error (the server then drops
    the connection and the browser marks the download failed); the log has the error's type, never its words."""
    from journal.entries import export as entry_export

    web.sign_up("ana@example.org")
    marker = new_marker("FAILING")
    web.new_entry(f"title {marker}", f"body {marker}")

    def broken(view, doses, zone):
        raise ValueError(f"could not write {view.data['body']}")

    monkeypatch.setattr(entry_export, "markdown", broken)
    engine = app.extensions["db_engine"]
    with app.app_context():
        db = get_db()
        chunks = export_service.client_archive(
            app, _keyring(db, "ana@example.org"), _user(db, "ana@example.org"), utcnow()
        )
        db.close()
        with pytest.raises(export_service.ExportFailed):
            for _chunk in chunks:
                pass
    assert engine.pool.checkedout() == 0
    assert "export stopped: ValueError" in caplog.text and marker not in caplog.text


def test_the_export_page_counts_what_there_is_and_only_a_client_downloads(app, web, other_web):
    web.sign_up("ana@example.org")
    web.new_entry("one", "a")
    web.new_entry("two", "b")
    _write_one_of_each(app, "ana@example.org", "count")
    page = web.get("/account/export")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for line in ("3 journal entries", "1 check-in", "3 questionnaires", "1 dosing session", "1 intention"):
        assert line in text, line
    assert "under 1 MB" in text and "not encrypted" in text and "data-export-button" in text
    assert "export.js" in text and "<script>" not in text
    assert 'href="/account/export"' in web.get("/account").get_data(as_text=True)
    # Without the CSRF token nothing is sent.
    assert web.post("/account/export", csrf=False).status_code == 403
    assert web.post("/account/export", htmx=True, csrf=False).status_code == 403
    # A therapist has no journal to export; a visitor signs in first.
    other_web.sign_up("doc@example.org", role="therapist")
    assert other_web.get("/account/export").status_code == 403
    assert other_web.post("/account/export").status_code == 403
    visitor = WebClient(app.test_client())
    assert visitor.get("/account/export").headers["Location"].startswith("/signin")


def test_export_asks_for_the_password_again_and_is_logged(make_app):
    app = make_app(REAUTH_MINUTES=0)  # never recent: every export asks
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    web.new_entry("kept", "words")
    asked = web.get("/account/export")
    assert asked.status_code == 303 and "/confirm-password" in asked.headers["Location"]
    form = web.post("/account/export")
    assert form.status_code == 401 and 'name="reauth_password"' in form.get_data(as_text=True)
    assert web.post("/account/export", {"reauth_password": "not the password"}).status_code == 422
    archive = _download_with(web, {"reauth_password": PASSWORD})
    assert any(name.startswith("entries/") for name in archive.namelist())
    with app.app_context():
        kinds = list(get_db().scalars(select(SecurityEvent.kind)))
    assert kinds.count("export") == 1


def _download_with(web, data) -> zipfile.ZipFile:
    response = web.post("/account/export", data)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


# A clinician's zip of what one client shares -------------------------------------------------------


@pytest.fixture
def doc(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    _link_ana(app, _make_invite(other_web))
    return other_web


def _ana(app) -> uuid.UUID:
    with app.app_context():
        return _user(get_db(), "ana@example.org").id


def test_a_clinician_exports_only_what_is_shared_now(app, web, doc):
    shared, private = new_marker("SHARED"), new_marker("PRIVATE")
    ids = _write_one_of_each(app, "ana@example.org", shared)
    secret = web.new_entry(f"Private {private}", f"never shared {private}")
    assert (
        upload(
            web, [("a.jpg", art_images.jpeg()), ("b.jpg", art_images.painting(seed=2))], caption="two photos"
        ).status_code
        == 303
    )
    with app.app_context():
        art = [str(one) for one in get_db().scalars(select(Record.id).where(Record.kind == "art"))]
    _share(app, ids["intention"], ids["entry"], ids["checkin"], ids["phq9"], ids["dose"], art[0])
    ana = _ana(app)

    archive = _download(doc, f"/desk/clients/{ana}/export")
    content = _everything(archive)
    assert shared.encode() in content and private.encode() not in content and secret.encode() not in content
    data = json.loads(archive.read("records.json"))
    expected = {
        str(ids["intention"]),
        str(ids["entry"]),
        str(ids["checkin"]),
        str(ids["phq9"]),
        str(ids["dose"]),
        art[0],
    }
    assert {one["id"] for one in data["records"]} == expected
    assert data["client"]["name"] == "ana@example.org" and data["clinician"]["name"] == "Dr Rivera"
    assert len(_art_names(archive)) == 1
    assert [row["id"] for row in _csv(archive, "questionnaires/phq9.csv")] == [str(ids["phq9"])]
    assert _csv(archive, "questionnaires/gad7.csv") == [] and len(_csv(archive, "intentions.csv")) == 1
    assert "Before the first shared dosing session" in _text(archive, "summary.html")
    assert not any(name.startswith("drafts/") for name in archive.namelist())
    # The export is one line in Ana's access log, covering every record in it; and in Dr Rivera's activity.
    with app.app_context():
        db = get_db()
        line = db.scalar(select(AccessEvent).where(AccessEvent.what == "export"))
        logged = {
            str(one)
            for one in db.scalars(select(AccessEventRecord.record_id).where(AccessEventRecord.event_id == line.id))
        }
        assert logged == expected and line.items == 6
        assert db.scalar(select(func.count()).select_from(AccessEvent).where(AccessEvent.what == "export")) == 1
        doc_id = _user(db, "doc@example.org").id
        assert (
            db.scalar(
                select(func.count())
                .select_from(SecurityEvent)
                .where(SecurityEvent.user_id == doc_id, SecurityEvent.kind == "therapist_export")
            )
            == 1
        )
    assert "You exported the records ana@example.org shared with you." in doc.get("/account/activity").get_data(
        as_text=True
    )
    assert "Saved a copy of what you share in an export (6 items)" in web.get("/access").get_data(as_text=True)

    # After a revoke, the next export no longer holds it.
    with app.app_context():
        db = get_db()
        assert sharing.revoke(
            db,
            _keyring(db, "ana@example.org"),
            ids["entry"],
            sharing.therapist_link(db, _user(db, "doc@example.org").id, ana),
            utcnow(),
        )
        db.commit()
    again = _download(doc, f"/desk/clients/{ana}/export")
    assert str(ids["entry"]) not in {one["id"] for one in json.loads(again.read("records.json"))["records"]}
    assert not any(name.startswith("entries/") for name in again.namelist())
    assert f"Body {shared}".encode() not in _everything(again)


def _art_names(archive: zipfile.ZipFile) -> list[str]:
    return [name.removeprefix("art/") for name in archive.namelist() if name.startswith("art/")]


def test_a_clinician_export_is_404_for_others_and_needs_the_token(app, web, doc):
    ana = _ana(app)
    entry = web.new_entry("shared", "words")
    _share(app, entry)
    stranger = WebClient(app.test_client())
    stranger.sign_up("other@example.org", role="therapist", name="Dr Other")
    assert stranger.post(f"/desk/clients/{ana}/export").status_code == 404
    assert stranger.post(f"/desk/clients/{uuid.uuid4()}/export").status_code == 404
    assert web.post(f"/desk/clients/{ana}/export").status_code == 403  # a client has no desk
    assert doc.post(f"/desk/clients/{ana}/export", csrf=False).status_code == 403
    page = doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    assert f'action="/desk/clients/{ana}/export"' in page and "Export as zip" in page
    assert f'action="/desk/clients/{ana}/export"' in doc.get(f"/desk/clients/{ana}/brief").get_data(as_text=True)
    with app.app_context():
        assert get_db().scalar(select(func.count()).select_from(AccessEvent).where(AccessEvent.what == "export")) == 0
