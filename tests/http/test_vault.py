"""The vault as an attacker meets it: wrong keys, moved ciphertext, recovery, password change."""

from __future__ import annotations

import statistics
import time
import uuid

import pytest
from sqlalchemy import select

from journal import vault
from journal.db import get_db
from journal.models import Record, User

from ..support import PASSWORD


def test_wrong_password_opens_nothing(app, web):
    web.sign_up("ana@example.org")
    with app.app_context():
        user = get_db().scalar(select(User).where(User.email == "ana@example.org"))
        assert vault.unlock_with_password(user, PASSWORD + "x") is None
        assert vault.unlock_with_password(user, "") is None
        assert vault.unlock_with_password(user, PASSWORD) is not None


def test_ciphertext_moved_to_another_record_or_owner_does_not_open(app, web, other_web):
    web.sign_up("ana@example.org")
    first = web.new_entry("first", "one")
    second = web.new_entry("second", "two")
    other_web.sign_up("ben@example.org")
    other_web.new_entry("bens", "three")
    with app.app_context():
        db = get_db()
        ana = db.scalar(select(User).where(User.email == "ana@example.org"))
        keyring = vault.unlock_with_password(ana, PASSWORD)
        a = db.get(Record, uuid.UUID(first))
        b = db.get(Record, uuid.UUID(second))
        assert vault.open_payload(keyring, a)["body"] == "one"
        # Swap the sealed payload of one row into another row of the same owner.
        a.dek_wrap, a.payload_ciphertext = b.dek_wrap, b.payload_ciphertext
        with pytest.raises(vault.VaultError):
            vault.open_payload(keyring, a)
        # Same bytes, row claimed for another owner: refused before and after unwrapping.
        b.owner_id = db.scalar(select(User.id).where(User.email == "ben@example.org"))
        with pytest.raises(vault.VaultError):
            vault.open_payload(keyring, b)
        # A different kind on the same row does not open either.
        c = db.get(Record, uuid.UUID(second))
        db.expire(c)
        c = db.get(Record, uuid.UUID(second))
        c.kind = "checkin"
        with pytest.raises(vault.VaultError):
            vault.open_payload(keyring, c)
        db.rollback()


def test_old_version_replayed_into_a_row_does_not_open(app, web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("t", "version one")
    with app.app_context():
        db = get_db()
        old = db.get(Record, uuid.UUID(entry))
        old_wrap, old_ct = old.dek_wrap, old.payload_ciphertext
    web.get(f"/entries/{entry}/edit")
    assert web.post(f"/entries/{entry}/edit", {"version": "1", "title": "t", "body": "version two"}).status_code == 303
    with app.app_context():
        db = get_db()
        row = db.get(Record, uuid.UUID(entry))
        keyring = vault.unlock_with_password(db.get(User, row.owner_id), PASSWORD)
        assert vault.open_payload(keyring, row)["body"] == "version two"
        row.dek_wrap, row.payload_ciphertext = old_wrap, old_ct
        with pytest.raises(vault.VaultError):
            vault.open_payload(keyring, row)


def test_recovery_code_opens_the_account_and_sets_a_new_password(app, web, other_web):
    code = web.sign_up("ana@example.org")
    entry = web.new_entry("kept", "still here after recovery")
    other_web.get("/recover")
    response = other_web.post(
        "/recover",
        {
            "email": "ana@example.org",
            "code": code.lower().replace("-", " "),
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Your new recovery code" in page
    # The old session is gone; the recovering browser reads the entry.
    assert web.get(f"/entries/{entry}").status_code == 302
    assert "still here after recovery" in other_web.get(f"/entries/{entry}").get_data(as_text=True)
    # The old password and the old code no longer work; the new password does.
    fresh = other_web.__class__(app.test_client())
    assert fresh.sign_in("ana@example.org", PASSWORD).status_code == 422
    assert fresh.sign_in("ana@example.org", "a brand new passphrase").status_code == 302
    again = other_web.__class__(app.test_client())
    again.get("/recover")
    reuse = again.post(
        "/recover",
        {
            "email": "ana@example.org",
            "code": code,
            "password": "yet another passphrase",
            "confirm": "yet another passphrase",
        },
    )
    assert reuse.status_code == 422
    assert "do not match" in reuse.get_data(as_text=True)


def test_wrong_recovery_code_and_unknown_email_give_the_same_answer(web):
    web.sign_up("ana@example.org")
    answers = []
    for email, code in (("ana@example.org", "AAAA-" * 7 + "AAAA"), ("nobody@example.org", "AAAA-" * 7 + "AAAA")):
        response = web.post(
            "/recover",
            {"email": email, "code": code, "password": "a brand new passphrase", "confirm": "a brand new passphrase"},
        )
        answers.append((response.status_code, "do not match" in response.get_data(as_text=True)))
    assert answers == [(422, True), (422, True)]


def test_password_change_keeps_every_entry_readable(app, web):
    web.sign_up("ana@example.org")
    ids = [web.new_entry(f"entry {n}", f"body {n}") for n in range(3)]
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == "ana@example.org"))
        keyring = vault.unlock_with_password(user, PASSWORD)
        old_wrap = user.uk_wrap_pw
        vault.set_new_password(user, keyring, "the new long password")
        db.commit()
        assert user.uk_wrap_pw != old_wrap
        assert vault.unlock_with_password(user, PASSWORD) is None
        fresh = vault.unlock_with_password(user, "the new long password")
        bodies = [vault.open_payload(fresh, db.get(Record, uuid.UUID(i)))["body"] for i in ids]
    assert bodies == ["body 0", "body 1", "body 2"]


def test_stored_kdf_parameters_out_of_range_are_refused(app, web):
    web.sign_up("ana@example.org")
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == "ana@example.org"))
        user.kdf_memory_kib = 64 * 1024 * 1024  # 64 GiB: a row edited to exhaust memory
        assert vault.unlock_with_password(user, PASSWORD) is None
        user.kdf_memory_kib = 8  # below the floor: a downgrade
        assert vault.unlock_with_password(user, PASSWORD) is None


def test_weaker_stored_parameters_are_raised_at_sign_in(make_app, web):
    web.sign_up("ana@example.org")
    stronger = make_app(VAULT_KDF_MEMORY_KIB=2048, VAULT_KDF_ITERATIONS=2)
    with stronger.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == "ana@example.org"))
        assert (user.kdf_memory_kib, user.kdf_iterations) == (1024, 1)
        assert vault.unlock_with_password(user, PASSWORD) is not None
        assert (user.kdf_memory_kib, user.kdf_iterations) == (2048, 2)
        assert vault.unlock_with_password(user, PASSWORD) is not None


def test_recovery_codes_are_read_however_they_were_copied():
    raw = bytes(range(20))
    code = vault.format_recovery_code(raw)
    assert len(code.split("-")) == 8
    assert vault.parse_recovery_code(code) == raw
    assert vault.parse_recovery_code(" " + code.lower().replace("-", "  ") + "\n") == raw
    assert vault.parse_recovery_code(code.replace("O", "0").replace("I", "1").replace("B", "8")) == raw
    assert vault.parse_recovery_code(code[:-1]) is None
    assert vault.parse_recovery_code("") is None


def test_unknown_email_costs_the_same_as_a_wrong_password(make_app):
    # Parameters heavy enough that the KDF dominates the database writes of a failure (32 MiB, 3 passes),
    # light enough for a test.
    timed = make_app(VAULT_KDF_MEMORY_KIB=32768, VAULT_KDF_ITERATIONS=3, SIGNIN_FAILURES_BEFORE_WAIT=100)
    client = timed.test_client()
    from ..support import WebClient

    web = WebClient(client)
    web.sign_up("ana@example.org")
    web.sign_out()

    def attempt(email):
        start = time.perf_counter()
        response = web.sign_in(email, "not the password at all")
        elapsed = time.perf_counter() - start
        assert response.status_code == 422
        return elapsed

    known, unknown = [], []
    for _ in range(7):  # interleaved, so a busy moment of the machine falls on both
        known.append(attempt("ana@example.org"))
        unknown.append(attempt("nobody@example.org"))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.6 < ratio < 1.6, (statistics.median(known), statistics.median(unknown))


def test_attachments_open_only_for_their_row_variant_and_version(app, web):
    web.sign_up("ana@example.org")
    first, second = web.new_entry("one", "a"), web.new_entry("two", "b")
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == "ana@example.org"))
        keyring = vault.unlock_with_password(user, PASSWORD)
        row, other = db.get(Record, uuid.UUID(first)), db.get(Record, uuid.UUID(second))
        sealed = vault.seal_payload(keyring, row, {"caption": "c"}, {"full": b"FULL-PIXELS", "thumb": b"THUMB"})
        assert b"FULL-PIXELS" not in sealed["full"]
        assert vault.open_attachment(keyring, row, "full", sealed["full"]) == b"FULL-PIXELS"
        with pytest.raises(vault.VaultError):
            vault.open_attachment(keyring, row, "thumb", sealed["full"])  # another variant's bytes
        vault.seal_payload(keyring, other, {"caption": "d"}, {"full": b"OTHER"})
        with pytest.raises(vault.VaultError):
            vault.open_attachment(keyring, other, "full", sealed["full"])  # another row's bytes
        row.version += 1
        vault.seal_payload(keyring, row, {"caption": "c2"}, {"full": b"FULL-PIXELS"})
        with pytest.raises(vault.VaultError):
            vault.open_attachment(keyring, row, "full", sealed["full"])  # the old version's bytes
        db.rollback()
