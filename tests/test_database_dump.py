"""A copy of the database, every column and every raw byte, holds nothing a client wrote."""
from __future__ import annotations

import re

from sqlalchemy import create_engine, inspect, text

from .support import PASSWORD, CODE_RE, new_marker


def _all_values(database_path) -> list[bytes]:
    engine = create_engine(f"sqlite:///{database_path}")
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


def test_no_marker_code_or_password_in_any_column_or_file_byte(app, web, database_path):
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
    # Look at the database as a thief with a copy would: the files while the app runs (WAL
    # included), then every column of every table.
    secrets = [m.encode() for m in markers] + [
        PASSWORD.encode(), code.encode(), code.replace("-", "").encode(), "ünïcode ✨".encode(),
    ]
    wal = database_path.with_name(database_path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0, "expected the recent writes in the WAL"
    files = [database_path, wal, database_path.with_name(database_path.name + "-shm")]
    raw = b"".join(path.read_bytes() for path in files if path.exists())
    assert b"dump@example.org" in raw  # the reader really sees the data: the email is metadata in clear
    for secret in secrets:
        assert secret not in raw, secret
    app.extensions["db_engine"].dispose()
    columns = _all_values(database_path)
    assert any(b"dump@example.org" in value for value in columns)
    for secret in secrets:
        assert not any(secret in value for value in columns), secret
