"""The restore drill of docs/deploy.md: dump, restore into a fresh database, sign in, every record opens."""
from __future__ import annotations

import re

from journal import create_app

from .support import FAST_KDF, WebClient, new_marker


def test_dump_restore_sign_in_and_every_record_decrypts(postgres, tmp_path):
    source = postgres.create_database(template="journal_template")
    app = create_app({"TESTING": True, "DATABASE_URL": postgres.url(source), "INSTANCE_PATH": tmp_path, **FAST_KDF})
    web = WebClient(app.test_client())
    web.sign_up("ana@example.org")
    markers = [new_marker("BACKUP") for _ in range(5)]
    entries = {web.new_entry(f"entry {n}", marker): marker for n, marker in enumerate(markers)}
    old_cookie = web.cookie("sid")
    app.extensions["db_engine"].dispose()

    backup = postgres.root / "journal.dump"
    postgres.dump(source, backup, "--exclude-table-data=auth_sessions")  # as docs/deploy.md says
    restored = postgres.create_database()
    postgres.restore(restored, backup)

    app2 = create_app({"TESTING": True, "DATABASE_URL": postgres.url(restored), "INSTANCE_PATH": tmp_path,
                       **FAST_KDF})
    stale = WebClient(app2.test_client())
    stale.raw.set_cookie("sid", old_cookie)
    assert stale.get("/entries").status_code == 302  # sessions were left out of the backup
    reader = WebClient(app2.test_client())
    assert reader.sign_in("ana@example.org").status_code == 302
    listing = reader.get("/entries").get_data(as_text=True)
    assert len(re.findall(r'class="entry-item"', listing)) == len(entries)
    for entry, marker in entries.items():
        assert marker in reader.get(f"/entries/{entry}").get_data(as_text=True)
    app2.extensions["db_engine"].dispose()
    postgres.drop_database(source)
    postgres.drop_database(restored)
