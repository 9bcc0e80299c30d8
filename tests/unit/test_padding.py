"""Ciphertext sizes say nothing about what was answered: every payload is padded to a bucket.

Measured on the rows as a copy of the database holds them.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from journal import vault
from journal.db import get_db
from journal.models import Record, User
from journal.vault import envelope
from journal.vault.padding import bucket
from journal.vault.primitives import seal

from ..support import PASSWORD

# PHQ-9 answers (nine items, 0-3) whose totals fall in each band: minimal, mild, moderate,
# moderately severe, severe.
BANDS = {
    "minimal": [0] * 9,
    "mild": [1] * 5 + [0] * 4,
    "moderate": [2] * 5 + [0] * 4,
    "moderately severe": [2] * 8 + [0],
    "severe": [3] * 9,
}


def _sizes(app, kind: str) -> list[int]:
    with app.app_context():
        rows = get_db().scalars(select(Record).where(Record.kind == kind).order_by(Record.created_at))
        return [len(row.payload_ciphertext) for row in rows]


def test_every_phq9_band_gives_the_same_ciphertext_size(app, web):
    web.sign_up("ana@example.org")
    for band, answers in BANDS.items():
        response = web.answer("phq9", dict(enumerate(answers, start=1)))
        assert response.status_code == 303, band
        result = web.get(response.headers["Location"]).get_data(as_text=True)
        assert re.search(band, result, re.I), band  # each really is in its band
    sizes = _sizes(app, "measure")
    assert len(sizes) == 5 and len(set(sizes)) == 1, sizes


def test_short_and_long_check_ins_give_the_same_ciphertext_size(app, web):
    web.sign_up("ana@example.org")
    short = {"mood": "5"}
    long = {
        "mood": "10",
        "anxiety": "10",
        "energy": "10",
        "sleep_hours": "12.5",
        "sleep_quality": "5",
        "emotions": ["grateful", "in awe", "tender", "calm", "hopeful", "overwhelmed", "disconnected"],
    }
    for answers in (short, long):
        page = web.get("/checkins/new").get_data(as_text=True)
        key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
        assert web.post("/checkins", {"client_key": key, **answers}).status_code == 303
    sizes = _sizes(app, "checkin")
    assert len(sizes) == 2 and sizes[0] == sizes[1], sizes


def test_buckets_step_by_256_bytes_then_double():
    assert [bucket(n) for n in (0, 1, 256, 257, 4096, 4097, 9000)] == [256, 256, 256, 512, 4096, 8192, 16384]


def test_a_payload_sealed_before_padding_still_opens(app, web):
    """A row written before padding came in (the same JSON, no trailing spaces) opens as it did."""
    web.sign_up("ana@example.org")
    entry = web.new_entry("an older entry", "written before padding")
    with app.app_context():
        db = get_db()
        row = db.scalar(select(Record).where(Record.kind == "entry"))
        keyring = vault.unlock_with_password(db.scalar(select(User).where(User.email == "ana@example.org")), PASSWORD)
        dek = envelope._dek(keyring, row)
        unpadded = b'{"title":"an older entry","body":"written before padding"}'
        row.payload_ciphertext = seal(dek, unpadded, envelope._ctx("payload", row))
        db.commit()
    assert "written before padding" in web.get(f"/entries/{entry}").get_data(as_text=True)
