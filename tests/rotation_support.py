"""Helpers for key rotation tests and bench/rotation.py: a journal of many kinds, some of it shared, and what
an attacker who kept the old user key could try on the rows afterwards."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from journal import vault
from journal.db import get_db, utcnow
from journal.models import Draft, Link, Record, User

from .support import PASSWORD, new_marker


@dataclass
class Journal:
    user_id: uuid.UUID
    records: dict[uuid.UUID, str] = field(default_factory=dict)  # record id -> a marker its payload holds
    shared: set[uuid.UUID] = field(default_factory=set)
    photos: set[uuid.UUID] = field(default_factory=set)


def user(db, email: str) -> User:
    return db.scalar(select(User).where(User.email == email))


def keyring(db, email: str, password: str = PASSWORD) -> vault.Keyring:
    found = vault.unlock_with_password(user(db, email), password)
    assert found is not None
    return found


def link(app, client_email: str, therapist_email: str) -> uuid.UUID:
    from journal.sharing import service as sharing

    with app.app_context():
        db = get_db()
        now = utcnow()
        code, _invite = sharing.create_invite(
            db, app.config, user(db, therapist_email), now, keyring=keyring(db, therapist_email)
        )
        db.commit()
        invite, therapist = sharing.find_invite(db, app.config, user(db, client_email), code, now)
        made = sharing.link_client(
            db, keyring(db, client_email), user(db, client_email), invite, therapist, [], now, code=code
        )
        db.commit()
        return made.id


def fill(
    app,
    email: str,
    count: int,
    *,
    link_id: uuid.UUID | None = None,
    share_every: int = 3,
    photo_every: int = 0,
    drafts: int = 1,
    markers: bool = True,
) -> Journal:
    """`count` records written through each kind's service (entries and check-ins, a photo every `photo_every`),
    every `share_every`-th shared on `link_id`, and a few drafts. Each text record holds a unique marker."""
    from journal.art import processing
    from journal.art import service as art
    from journal.checkins import service as checkins
    from journal.entries import service as entries
    from journal.sharing import service as sharing
    from tests import art_images

    photo = processing.process(art_images.painting(size=(400, 300))) if photo_every else None
    with app.app_context():
        db = get_db()
        ring = keyring(db, email)
        journal = Journal(ring.user_id)
        now = utcnow()
        the_link = db.get(Link, link_id) if link_id else None
        for n in range(count):
            at, key = now - timedelta(hours=count - n), uuid.uuid4().hex
            marker = new_marker("ROTATE") if markers else f"note {n}"
            if photo_every and n % photo_every == photo_every - 1:
                record_id = art.add_photos(db, ring, key, [(0, photo)], art.Details(marker, None), at)[0]
                journal.photos.add(record_id)
            elif n % 2:
                data, _ = checkins.clean_checkin({"mood": str(n % 10), "note": marker}, ["calm"])
                record_id = checkins.create_checkin(db, ring, key, data, at)
            else:
                data, _ = entries.clean_entry(f"Entry {n}", f"Today {marker} and a little more text.")
                record_id = entries.create_entry(db, ring, key, data, at)
            journal.records[record_id] = marker
            if the_link is not None and share_every and n % share_every == 0:
                sharing.share(db, ring, record_id, the_link, now)
                journal.shared.add(record_id)
            if n % 100 == 99:
                db.commit()
        for n in range(drafts):
            data, _ = entries.clean_entry(f"Draft {n}", new_marker("DRAFT") if markers else "draft")
            entries.save_draft(db, ring, data, now, client_key=uuid.uuid4().hex)
        db.commit()
        return journal


def old_key_opens(db, user_id: uuid.UUID, old_key: bytes) -> list[str]:
    """Everything of the user that a copy of their old user key opens now (should be nothing)."""
    from journal.vault.primitives import VaultError, context, unwrap_key

    found = []
    owner = db.get(User, user_id)
    for model in (Record, Draft):
        for row in db.scalars(select(model).where(model.owner_id == user_id)):
            for version in {row.uk_version, owner.uk_version - 1, owner.uk_version}:
                try:
                    vault.open_payload(vault.Keyring(user_id, version, old_key, b""), _as_version(row, version))
                except VaultError:
                    continue
                found.append(f"{model.__tablename__} {row.id}")
    for version in (owner.uk_version - 1, owner.uk_version):
        old = vault.Keyring(user_id, version, old_key, b"")
        try:
            unwrap_key(old_key, owner.x25519_priv_wrap, context("x25519-priv", user_id, version))
            found.append(f"private key (v{version})")
        except VaultError:
            pass
        if owner.totp_secret_ciphertext is not None:
            try:
                vault.open_totp_secret(owner, old)
                found.append(f"two-step secret (v{version})")
            except VaultError:
                pass
    old = vault.Keyring(user_id, owner.uk_version, old_key, b"")
    for pin in db.scalars(select(Link).where(Link.client_id == user_id)):
        try:
            vault.pinned_key(old, pin.therapist_id, pin.pinned_key_ciphertext)
            found.append(f"pin {pin.id}")
        except VaultError:
            pass
    for marks in db.scalars(select(Link).where(Link.therapist_id == user_id, Link.flag_marks_ciphertext.is_not(None))):
        try:
            vault.open_own_note(old, vault.FLAG_MARKS, marks.id, marks.flag_marks_ciphertext)
            found.append(f"flag marks {marks.id}")
        except VaultError:
            pass
    return found


def _as_version(row, version: int):
    """The row as if it claimed this user key version (the AAD of a payload does not name it)."""

    class Probe:
        __tablename__ = row.__tablename__

    probe = Probe()
    for name in ("id", "owner_id", "kind", "dek_wrap", "payload_ciphertext"):
        setattr(probe, name, getattr(row, name))
    probe.uk_version = version
    if hasattr(row, "version"):
        probe.version = row.version
    return probe
