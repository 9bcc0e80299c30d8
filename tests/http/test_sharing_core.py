"""Sharing as the vault sees it: pinned keys, revocation that re-keys, wraps that follow every edit."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from journal import vault
from journal.db import get_db, utcnow
from journal.models import Link, PendingRekey, Record, Share, User
from journal.sharing import reads
from journal.sharing import service as sharing

from ..support import PASSWORD, WebClient, new_marker


def _keyring(db, email):
    return vault.unlock_with_password(db.scalar(select(User).where(User.email == email)), PASSWORD)


def _user(db, email) -> User:
    return db.scalar(select(User).where(User.email == email))


def _link(app, client_email="ana@example.org", therapist_email="doc@example.org") -> uuid.UUID:
    with app.app_context():
        db = get_db()
        now = utcnow()
        code, _invite = sharing.create_invite(
            db, app.config, _user(db, therapist_email), now, keyring=_keyring(db, therapist_email)
        )
        db.commit()  # as between the clinician's request and the client's
        invite, therapist = sharing.find_invite(db, app.config, _user(db, client_email), code, now)
        link = sharing.link_client(
            db, _keyring(db, client_email), _user(db, client_email), invite, therapist, [], now, code=code
        )
        db.commit()
        return link.id


@pytest.fixture
def linked(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("doc@example.org", role="therapist")
    return _link(app)


def test_shared_record_opens_for_the_clinician_and_follows_edits(app, web, linked):
    marker = new_marker("SHARED")
    entry = uuid.UUID(web.new_entry("for doc", marker))
    with app.app_context():
        db = get_db()
        link = db.get(Link, linked)
        sharing.share(db, _keyring(db, "ana@example.org"), entry, link, utcnow())
        db.commit()
        doc = _keyring(db, "doc@example.org")
        client_id = _user(db, "ana@example.org").id
        assert reads.shared_record(db, doc, client_id, entry).data["body"] == marker
    # The client edits: a new data key, and the share is re-made for it.
    web.get(f"/entries/{entry}/edit")
    assert web.post(f"/entries/{entry}/edit", {"version": "1", "title": "for doc", "body": "edited"}).status_code == 303
    with app.app_context():
        db = get_db()
        view = reads.shared_record(db, _keyring(db, "doc@example.org"), _user(db, "ana@example.org").id, entry)
        assert view.data["body"] == "edited" and view.version == 2


def test_sharing_to_a_swapped_public_key_is_refused(app, web, linked):
    entry = uuid.UUID(web.new_entry("t", "b"))
    with app.app_context():
        db = get_db()
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        attacker = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        db.execute(update(User).where(User.email == "doc@example.org").values(x25519_pub=attacker))
        db.commit()
        with pytest.raises(sharing.SharingProblem, match="key has changed"):
            sharing.share(db, _keyring(db, "ana@example.org"), entry, db.get(Link, linked), utcnow())
        assert db.scalar(select(Share.id)) is None


def test_revoked_clinician_with_the_old_wrap_cannot_open_the_rekeyed_record(app, web, linked):
    marker = new_marker("REVOKED")
    entry = uuid.UUID(web.new_entry("private again", marker))
    with app.app_context():
        db = get_db()
        client, link = _keyring(db, "ana@example.org"), db.get(Link, linked)
        sharing.share(db, client, entry, link, utcnow())
        db.commit()
        old_wrap = bytes(db.scalar(select(Share.wrap)))  # what a clinician could copy out of the database
        assert sharing.revoke(db, client, entry, link, utcnow())
        db.commit()
        row = db.get(Record, entry)
        assert row.version == 2  # re-keyed at once
        doc = _keyring(db, "doc@example.org")
        assert reads.shared_record(db, doc, row.owner_id, entry) is None
        with pytest.raises(vault.VaultError):
            vault.open_shared(doc, row, old_wrap)
        assert vault.open_payload(client, row)["body"] == marker  # the owner still reads it


def test_a_wrap_opens_only_its_own_record_and_recipient(app, web, other_web, linked):
    first, second = uuid.UUID(web.new_entry("a", "one")), uuid.UUID(web.new_entry("b", "two"))
    third = WebClient(app.test_client())
    third.sign_up("eve@example.org", role="therapist")
    with app.app_context():
        db = get_db()
        sharing.share(db, _keyring(db, "ana@example.org"), first, db.get(Link, linked), utcnow())
        db.commit()
        wrap = bytes(db.scalar(select(Share.wrap)))
        doc, eve = _keyring(db, "doc@example.org"), _keyring(db, "eve@example.org")
        with pytest.raises(vault.VaultError):
            vault.open_shared(doc, db.get(Record, second), wrap)  # moved to another record
        with pytest.raises(vault.VaultError):
            vault.open_shared(eve, db.get(Record, first), wrap)  # another clinician
        assert reads.shared_records(db, eve, _user(db, "ana@example.org").id) == []


def test_clinician_ending_the_link_leaves_a_rekey_for_the_clients_next_sign_in(app, web, linked):
    entry = uuid.UUID(web.new_entry("t", "b"))
    with app.app_context():
        db = get_db()
        sharing.share(db, _keyring(db, "ana@example.org"), entry, db.get(Link, linked), utcnow())
        db.commit()
        sharing.end_link(db, db.get(Link, linked), utcnow())  # the clinician's side: no client key at hand
        db.commit()
        assert db.scalar(select(Share.id)) is None and db.get(PendingRekey, entry) is not None
        assert db.get(Record, entry).version == 1
    web.sign_out()
    assert web.sign_in("ana@example.org").status_code == 302
    with app.app_context():
        db = get_db()
        assert db.get(PendingRekey, entry) is None and db.get(Record, entry).version == 2


def test_client_ending_the_link_rekeys_at_once(app, web, linked):
    entry = uuid.UUID(web.new_entry("t", "b"))
    with app.app_context():
        db = get_db()
        client = _keyring(db, "ana@example.org")
        sharing.share(db, client, entry, db.get(Link, linked), utcnow())
        db.commit()
        sharing.end_link(db, db.get(Link, linked), utcnow(), client_keyring=client)
        db.commit()
        assert db.get(Record, entry).version == 2 and db.scalar(select(Link.id)) is None


def test_standing_shares_seal_new_records_of_chosen_kinds(app, web, linked):
    with app.app_context():
        db = get_db()
        sharing.set_auto_share(db.get(Link, linked), ["entry", "checkin"])  # "entry" is not a standing choice
        db.commit()
        assert db.get(Link, linked).auto_share_kinds == "checkin"
    web.new_entry("not automatic", "b")
    key = web.get("/checkins/new").get_data(as_text=True).split('name="client_key" value="')[1].split('"')[0]
    assert web.post("/checkins", {"client_key": key, "mood": "6"}).status_code == 303
    with app.app_context():
        db = get_db()
        shared = reads.shared_records(db, _keyring(db, "doc@example.org"), _user(db, "ana@example.org").id)
        assert [view.kind for view in shared] == ["checkin"] and shared[0].data["mood"] == 6


def test_invite_codes_wrong_used_expired(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("doc@example.org", role="therapist")
    from datetime import timedelta

    with app.app_context():
        db = get_db()
        now = utcnow()
        client = _user(db, "ana@example.org")
        code, _ = sharing.create_invite(
            db, app.config, _user(db, "doc@example.org"), now, keyring=_keyring(db, "doc@example.org")
        )
        db.commit()
        with pytest.raises(sharing.SharingProblem, match="not right"):
            sharing.find_invite(db, app.config, client, "ZZZZ-ZZZZ", now)
        with pytest.raises(sharing.SharingProblem, match="expired"):
            sharing.find_invite(db, app.config, client, code, now + timedelta(days=8))
        typed = code.lower().replace("-", " ")
        invite, therapist = sharing.find_invite(db, app.config, client, typed, now)
        sharing.link_client(db, _keyring(db, "ana@example.org"), client, invite, therapist, [], now, code=typed)
        db.commit()
        with pytest.raises(sharing.SharingProblem, match="used already"):
            sharing.find_invite(db, app.config, client, code, now)


def test_database_dump_after_sharing_holds_no_plaintext(app, web, linked, database_url, request):
    from ..system.test_database_dump import _all_values, _raw_copy

    marker = new_marker("SHAREDUMP")
    entry = uuid.UUID(web.new_entry(f"title {marker}", f"body {marker}"))
    with app.app_context():
        db = get_db()
        sharing.share(db, _keyring(db, "ana@example.org"), entry, db.get(Link, linked), utcnow())
        db.commit()
    raw = _raw_copy(database_url, request)
    assert marker.encode() not in raw
    app.extensions["db_engine"].dispose()
    assert not any(marker.encode() in value for value in _all_values(database_url))
