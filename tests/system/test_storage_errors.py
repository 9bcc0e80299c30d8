"""Full disks said plainly: no space to save this right now, nothing was saved, try again later.

Real full file systems: small tmpfs mounts (the suite runs as root, as `make test` installs its
servers), filled up to the last byte, for the SQLite file, for a PostgreSQL tablespace and for the
temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from journal import create_app
from journal.cli import upgrade_database

from .. import art_images
from ..http.test_art import art_ids, upload
from ..support import FAST_KDF, WebClient, new_marker

NO_SPACE = "There is no space to save this right now; nothing was saved."


@contextlib.contextmanager
def small_disk(path: Path, size: str, owner: str | None = None):
    """A tmpfs of `size` mounted at `path` (owned by `owner`), unmounted on leaving."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)], check=True)
    try:
        if owner:
            shutil.chown(path, owner, owner)
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


@contextlib.contextmanager
def filled(folder: Path):
    """Every free byte of `folder`'s file system taken by one file, given back on leaving."""
    filler = folder / "filler"
    handle = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1024 * 1024, 4096, 1):
            with contextlib.suppress(OSError):
                while os.write(handle, b"\0" * size):
                    pass
    finally:
        os.close(handle)
    try:
        yield
    finally:
        filler.unlink()


def _post_entry(web: WebClient, key: str, marker: str):
    return web.post("/entries", {"client_key": key, "title": marker, "body": "w" * 50_000})


def _writes_until_refused(web: WebClient) -> tuple[list[str], object, str, str]:
    """Save large entries until one is refused (a database may use space it already holds first)."""
    saved = []
    for _ in range(60):
        key, marker = uuid.uuid4().hex, new_marker("FULL")
        response = _post_entry(web, key, marker)
        if response.status_code != 303:
            return saved, response, key, marker
        saved.append(marker)
    raise AssertionError("60 large entries were saved on a full disk")


def _assert_no_space_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert NO_SPACE in page and "Traceback" not in page


def _full_then_freed(app, web: WebClient, disk: Path) -> None:
    web.sign_up("ana@example.org")
    health = app.test_client()
    assert health.get("/healthz").status_code == 200
    with filled(disk):
        saved, refused, key, marker = _writes_until_refused(web)
        _assert_no_space_page(refused)
        state = health.get("/healthz")
        assert state.status_code == 503 and state.get_json()["database"] == "cannot write"
        assert state.headers["Retry-After"]
    listing = web.get("/entries").get_data(as_text=True)
    assert all(listing.count(one) == 1 for one in saved)  # everything acknowledged is there, once
    assert marker not in listing  # the refused one left nothing behind
    assert _post_entry(web, key, marker).status_code == 303  # the phone's retry goes through
    assert web.get("/entries").get_data(as_text=True).count(marker) == 1
    assert health.get("/healthz").status_code == 200  # healthy again once writes go through


def test_a_full_disk_under_sqlite_is_said_plainly_and_loses_nothing(tmp_path):
    with small_disk(tmp_path / "disk", "8m") as disk:
        url = f"sqlite:///{disk / 'journal.sqlite3'}"
        upgrade_database(url)
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url,
                "INSTANCE_PATH": tmp_path / "instance",
                "HEALTH_MIN_FREE_MB": 1,
                **FAST_KDF,
            }
        )
        try:
            _full_then_freed(app, WebClient(app.test_client()), disk)
        finally:
            app.extensions["db_engine"].dispose()


def test_a_full_tablespace_under_postgresql_is_said_plainly_and_loses_nothing(postgres, tmp_path):
    # Under the server's own folder, which its user can reach.
    with small_disk(postgres.root / f"disk-{uuid.uuid4().hex[:8]}", "16m", owner=postgres.user) as disk:
        space, name = f"small_{uuid.uuid4().hex[:8]}", f"full_{uuid.uuid4().hex[:8]}"
        postgres.execute(f"CREATE TABLESPACE {space} LOCATION '{disk}'")
        postgres.execute(f"CREATE DATABASE {name} TEMPLATE journal_template TABLESPACE {space}")
        app = create_app(
            {"TESTING": True, "DATABASE_URL": postgres.url(name), "INSTANCE_PATH": tmp_path / "instance", **FAST_KDF}
        )
        try:
            _full_then_freed(app, WebClient(app.test_client()), disk)
        finally:
            app.extensions["db_engine"].dispose()
            postgres.drop_database(name)
            postgres.execute(f"DROP TABLESPACE {space}")


def test_a_photo_upload_needs_no_temporary_space(app, web, tmp_path):
    """Uploaded files stay in memory: a full temporary folder does not fail them, nor holds the photo in clear."""
    web.sign_up("ana@example.org")
    photo = art_images.noise_jpeg((1400, 1000))
    assert len(photo) > 600 * 1024  # larger than what the form parser would keep in memory by itself
    with small_disk(tmp_path / "tmp", "2m") as tmp:
        before, tempfile.tempdir = tempfile.tempdir, str(tmp)
        try:
            with filled(tmp):
                response = upload(web, [("big.jpg", photo)], caption="made while tmp was full")
                left = [entry for entry in os.listdir(tmp) if entry != "filler"]
        finally:
            tempfile.tempdir = before
    assert response.status_code == 303 and left == []
    (art_id,) = art_ids(web)
    assert "made while tmp was full" in web.get(f"/art/{art_id}").get_data(as_text=True)
