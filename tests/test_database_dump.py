"""A copy of the database, every column and every raw byte, holds nothing a client wrote."""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from .support import CODE_RE, PASSWORD, new_marker


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
    response = web.post("/signup", {"email": "dump@example.org", "password": PASSWORD, "confirm": PASSWORD,
                                    "role": "client"})
    code = CODE_RE.search(response.get_data(as_text=True)).group(1)
    web.post("/recovery-code/saved", {"saved": "yes"})
    markers = [new_marker("DUMPTITLE"), new_marker("DUMPBODY"), new_marker("DUMPDRAFT"), new_marker("DUMPEDIT")]
    entry = web.new_entry(f"title {markers[0]}", f"body {markers[1]} with ünïcode ✨")
    page = web.get("/entries/new").get_data(as_text=True)
    client_key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
    assert web.post("/entries/draft", {"client_key": client_key, "title": "", "body": markers[2]},
                    htmx=True).status_code == 200
    assert web.post(f"/entries/{entry}/draft", {"version": "1", "title": "t", "body": markers[3]},
                    htmx=True).status_code == 200
    secrets = [m.encode() for m in markers] + [
        PASSWORD.encode(), code.encode(), code.replace("-", "").encode(), "ünïcode ✨".encode(),
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
