"""A copy of the database, every column and every raw byte, holds nothing a client wrote."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from ..support import CODE_RE, PASSWORD, new_marker


def _all_values(url: str) -> list[bytes]:
    engine = create_engine(url)
    values: list[bytes] = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        values.append(bytes(value))
                    elif value is not None:
                        values.append(str(value).encode("utf-8"))
    engine.dispose()
    return values


def _raw_copy(url: str, request) -> bytes:
    """What a thief copies: the SQLite file with its WAL while the app runs, or a PostgreSQL dump."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        wal = path.with_name(path.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0, "expected the recent writes in the WAL"
        files = [path, wal, path.with_name(path.name + "-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    server = request.getfixturevalue("postgres")
    target = server.root / f"{parsed.database}.sql"
    server.dump(parsed.database, target, plain=True)
    return target.read_bytes()


def test_no_marker_code_or_password_in_any_column_or_raw_byte(app, web, database_url, request):
    response = web.post(
        "/signup", {"email": "dump@example.org", "password": PASSWORD, "confirm": PASSWORD, "role": "client"}
    )
    code = CODE_RE.search(response.get_data(as_text=True)).group(1)
    web.post("/recovery-code/saved", {"saved": "yes"})
    markers = [new_marker("DUMPTITLE"), new_marker("DUMPBODY"), new_marker("DUMPDRAFT"), new_marker("DUMPEDIT")]
    entry = web.new_entry(f"title {markers[0]}", f"body {markers[1]} with ünïcode ✨")
    page = web.get("/entries/new").get_data(as_text=True)
    client_key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
    assert (
        web.post("/entries/draft", {"client_key": client_key, "title": "", "body": markers[2]}, htmx=True).status_code
        == 200
    )
    assert (
        web.post(f"/entries/{entry}/draft", {"version": "1", "title": "t", "body": markers[3]}, htmx=True).status_code
        == 200
    )
    secrets = [m.encode() for m in markers] + [
        PASSWORD.encode(),
        code.encode(),
        code.replace("-", "").encode(),
        "ünïcode ✨".encode(),
    ]
    raw = _raw_copy(database_url, request)
    assert b"dump@example.org" in raw  # the reader really sees the data: the email is metadata in clear
    for secret in secrets:
        assert secret not in raw, secret
    app.extensions["db_engine"].dispose()
    columns = _all_values(database_url)
    assert any(b"dump@example.org" in value for value in columns)
    for secret in secrets:
        assert not any(secret in value for value in columns), secret


def test_every_record_kind_leaves_no_plaintext(app, web, database_url, request):
    """One of each kind: a mood score, emotion words, an intention's words, answers, a safety plan never show."""
    from datetime import timedelta

    from journal.db import utcnow
    from journal.forms import local_inputs

    web.sign_up("kinds@example.org")
    intention = new_marker("INTENTION")
    key = re.search(r'name="client_key" value="([^"]+)"', web.get("/intentions/new").get_data(as_text=True)).group(1)
    assert web.post("/intentions", {"client_key": key, "text": f"to soften {intention}"}).status_code == 303
    felt, setting = new_marker("FELT"), new_marker("SETTING")
    key = re.search(r'name="client_key" value="([^"]+)"', web.get("/sessions/new").get_data(as_text=True)).group(1)
    day, clock = local_inputs(utcnow() - timedelta(hours=3), "UTC")
    assert (
        web.post(
            "/sessions",
            {"client_key": key, "date": day, "time": clock, "route": "iv", "felt": felt, "setting": setting},
        ).status_code
        == 303
    )
    note = new_marker("NOTE")
    key = re.search(r'name="client_key" value="([^"]+)"', web.get("/checkins/new").get_data(as_text=True)).group(1)
    response = web.raw.post(
        "/checkins",
        data={
            "csrf_token": web.token,
            "client_key": key,
            "mood": "7",
            "anxiety": "3",
            "energy": "9",
            "sleep_hours": "6.5",
            "sleep_quality": "4",
            "emotions": ["in awe", "grieving"],
            "note": note,
        },
    )
    assert response.status_code == 303
    key = re.search(
        r'name="client_key" value="([^"]+)"', web.get("/questionnaires/phq9/new").get_data(as_text=True)
    ).group(1)
    answers = {f"q{n}": "2" for n in range(1, 10)}
    assert web.post("/questionnaires/phq9", {"client_key": key, **answers}).status_code == 303
    sign, reason = new_marker("PLANSIGN"), new_marker("PLANREASON")
    web.get("/safety-plan/edit")
    assert (
        web.post(
            "/safety-plan",
            {
                "version": "0",
                "warning_signs": f"Pacing at night {sign}",
                "people": "Mum 07700 900123",
                "reasons": reason,
            },
        ).status_code
        == 303
    )

    plaintexts = [m.encode() for m in (intention, felt, setting, note, sign, reason)] + [
        b"in awe",
        b"grieving",
        b'"mood"',
        b'"anxiety":3',
        b'"route"',
        b'"answers"',
        b'"phq9"',
        b"Nasal",
        b'"iv"',
        b"to soften",
        b"Pacing at night",
        b"07700 900123",
        b"07700900123",
        b'"sections"',
        b'"warning_signs"',
    ]
    raw = _raw_copy(database_url, request)
    for value in plaintexts:
        assert value not in raw, value
    app.extensions["db_engine"].dispose()
    columns = _all_values(database_url)
    kinds = {
        value for value in columns if value in (b"entry", b"checkin", b"measure", b"dose", b"intention", b"safety_plan")
    }
    assert kinds == {b"checkin", b"measure", b"dose", b"intention", b"safety_plan"}  # in clear metadata
    for value in plaintexts:
        assert not any(value in column for column in columns), value


def test_a_therapists_private_note_leaves_no_plaintext(app, web, database_url, request):
    """A note's words are sealed under the therapist's key: neither a column nor the raw file holds them."""
    from ..http.test_desk import _ana_id, _link_ana, _make_invite
    from ..support import WebClient

    doc = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    doc.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    _link_ana(app, _make_invite(doc))
    ana = _ana_id(app)
    words, edited = new_marker("NOTEWORDS"), new_marker("NOTEEDIT")
    doc.get(f"/desk/clients/{ana}")
    saved = doc.post(f"/desk/clients/{ana}/notes", {"text": f"{words} ✨", "session": "other", "day": "2026-12-03"})
    assert saved.status_code == 303
    page = doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    assert words in page  # the therapist reads it
    note = re.search(r'href="/desk/notes/([0-9a-f-]{36})"', page).group(1)
    assert doc.post(f"/desk/notes/{note}", {"text": edited, "version": "1", "session": "none"}).status_code == 303
    raw = _raw_copy(database_url, request)
    for secret in (words.encode(), edited.encode()):
        assert secret not in raw, secret
    app.extensions["db_engine"].dispose()
    columns = _all_values(database_url)
    assert any(b"doc@example.org" in value for value in columns)
    for secret in (words.encode(), edited.encode()):
        assert not any(secret in value for value in columns), secret


def test_a_therapists_request_leaves_no_plaintext(app, web, database_url, request):
    """A prompt a therapist wrote, and which questionnaire they asked for how often, are sealed to the client's key
    (and under the therapist's): neither a column nor the raw file holds them, while the client reads the prompt."""
    from ..http.test_desk import _ana_id, _link_ana, _make_invite
    from ..support import WebClient

    doc = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    doc.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    _link_ana(app, _make_invite(doc))
    ana = _ana_id(app)
    words = new_marker("ASKEDPROMPT")
    doc.get(f"/desk/clients/{ana}")
    asked = doc.post(
        f"/desk/clients/{ana}/asks", {"what": "prompt", "text": f"{words} ✨", "first_day": "0", "last_day": "9"}
    )
    assert asked.status_code == 303
    measure = {"what": "measure", "instrument": "pcl5", "cadence": "before-session"}
    assert doc.post(f"/desk/clients/{ana}/asks", measure).status_code == 303
    assert words in doc.get(f"/desk/clients/{ana}/asks").get_data(as_text=True)  # the therapist reads their copy
    secrets = (words.encode(), b"pcl5", b"before-session")
    raw = _raw_copy(database_url, request)
    for secret in secrets:
        assert secret not in raw, secret
    app.extensions["db_engine"].dispose()
    columns = _all_values(database_url)
    assert any(b"doc@example.org" in value for value in columns)
    for secret in secrets:
        assert not any(secret in value for value in columns), secret


def test_searching_leaves_no_searched_word_in_any_column_or_raw_byte(app, web, database_url, request):
    """Search opens records in memory only: after searching for a word of each kind (and for words found nowhere),
    neither the file with its WAL (or a pg_dump) nor any column holds one of them."""
    from ..search_support import search, write_one_of_each

    web.sign_up("searcher@example.org")
    words = write_one_of_each(web, "DUMPSEARCH")
    for word in words.values():
        assert f"<mark>{word}</mark>" in search(web, word)
    missing = new_marker("DUMPNOWHERE")
    assert "Nothing found" in search(web, f"{words['title']} {missing}")
    secrets = [word.encode() for word in [*words.values(), missing]]
    raw = _raw_copy(database_url, request)
    assert b"searcher@example.org" in raw
    for secret in secrets:
        assert secret not in raw, secret
    app.extensions["db_engine"].dispose()
    columns = _all_values(database_url)
    for secret in secrets:
        assert not any(secret in value for value in columns), secret
