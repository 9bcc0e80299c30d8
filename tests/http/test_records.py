"""The records envelope with attachments: atomic with the record, re-sealed on edit, gone on delete."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from journal import vault
from journal.db import get_db, utcnow
from journal.models import Blob, Record, User
from journal.records import blobs
from journal.records import service as records

from ..support import PASSWORD


def _keyring(db, email="ana@example.org"):
    return vault.unlock_with_password(db.scalar(select(User).where(User.email == email)), PASSWORD)


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_attachments_round_trip_survive_an_edit_and_go_with_the_record(app, web):
    web.sign_up("ana@example.org")
    with app.app_context():
        db = get_db()
        keyring = _keyring(db)
        now = utcnow()
        record_id, created = records.create(
            db,
            keyring,
            "art",
            "photo-key-1",
            {"caption": "first"},
            now,
            now,
            attachments={"full": b"FULL-BYTES", "thumb": b"THUMB-BYTES"},
        )
        db.commit()
        assert created
        stored = db.scalars(select(Blob.ciphertext).where(Blob.record_id == record_id)).all()
        assert len(stored) == 2 and not any(b"BYTES" in value for value in stored)
        assert records.attachment(db, keyring, "art", record_id, "full") == b"FULL-BYTES"
        updated = records.update(db, keyring, "art", record_id, 1, {"caption": "second"}, now)
        db.commit()
        assert updated.data == {"caption": "second"}
        assert records.attachment(db, keyring, "art", record_id, "thumb") == b"THUMB-BYTES"
        assert records.attachment(db, keyring, "art", record_id, "missing") is None
        assert records.attachment(db, keyring, "entry", record_id, "full") is None  # wrong kind
        assert records.delete(db, keyring, "art", record_id)
        db.commit()
        assert _count(db, Blob) == 0


def test_a_failing_blob_write_leaves_neither_record_nor_blob(app, web, monkeypatch):
    web.sign_up("ana@example.org")

    class Broken(blobs.DatabaseBlobStore):
        def put(self, db, record_id, owner_id, variant, ciphertext):
            if variant == "thumb":
                raise OSError("disk full")
            super().put(db, record_id, owner_id, variant, ciphertext)

    monkeypatch.setattr(blobs, "STORE", Broken())
    with app.app_context():
        db = get_db()
        keyring = _keyring(db)
        now = utcnow()
        with pytest.raises(OSError):
            records.create(
                db, keyring, "art", "photo-key-2", {"caption": "x"}, now, now, attachments={"full": b"F", "thumb": b"T"}
            )
        db.rollback()
        assert _count(db, Record) == 0 and _count(db, Blob) == 0


def test_another_keyring_gets_nothing(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("ben@example.org")
    with app.app_context():
        db = get_db()
        now = utcnow()
        record_id, _ = records.create(
            db, _keyring(db), "art", "photo-key-3", {}, now, now, attachments={"full": b"PRIVATE"}
        )
        db.commit()
        assert records.attachment(db, _keyring(db, "ben@example.org"), "art", record_id, "full") is None
        assert records.attachment(db, _keyring(db), "art", uuid.uuid4(), "full") is None
