"""Signed shares and invites that bind keys: what someone who can only write to the database can no longer do.

Each attack is made the way such a person would make it: rows written with SQL alone, using only what the
database holds (ids, public keys). A wrap made that way opens with the clinician's key (checked here, so the
tests would fail without the signature check); the desk must still not show it.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import uuid

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from sqlalchemy import select, text

from journal import vault
from journal.db import Base, get_db, utcnow
from journal.models import Blob, Invite, Link, Record, SecurityEvent, Share, User

from .. import art_images
from ..http.test_art import upload
from ..production_stack import production_gunicorn
from ..security_support import link_through_pages
from ..support import CSRF_RE, LOGS, PASSWORD, enable_two_factor, new_marker

DOC = "Dr Rivera"
NOT_VERIFIED = "An item could not be verified as coming from ana@example.org. It is not shown."
KEY_MISMATCH = "This clinician's key does not match the invite. Nothing was linked. Ask them for a new code."
KEY_CHANGED = (
    f"{DOC}'s key has changed since you linked. Nothing new is shared with them until you link again with a new code."
)
CODE_RE = re.compile(r"data-invite-code>([A-Z2-7]{4}-[A-Z2-7]{4})<")
FINGERPRINT_RE = re.compile(r"data-key-fingerprint>([0-9A-F ]{19})<")


# Set-up ----------------------------------------------------------------------------------------


@pytest.fixture
def doc(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("doc@example.org", role="therapist", name=DOC)
    return other_web


@pytest.fixture
def linked(app, web, doc) -> uuid.UUID:
    link_through_pages(doc, web, auto_share=("checkin",))
    assert doc.get(f"/desk/clients/{_id(app, 'ana@example.org')}").status_code == 200  # the desk pins Ana's key
    return _id(app, "ana@example.org")


def _text(response) -> str:
    """A page's text as a person reads it (entities such as &#39; turned back into characters)."""
    return html.unescape(response.get_data(as_text=True))


def _id(app, email) -> uuid.UUID:
    with app.app_context():
        return get_db().scalar(select(User.id).where(User.email == email))


def _sql(app, statement: str, **values) -> None:
    """What a database writer does: a statement, no app code."""
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(text(statement), values)


def _uid(app, value: uuid.UUID):
    return value.hex if app.extensions["db_engine"].dialect.name == "sqlite" else value


def _raw_key(private) -> bytes:
    return private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _public(private) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _events(app, email) -> list[str]:
    with app.app_context():
        return list(get_db().scalars(select(SecurityEvent.kind).where(SecurityEvent.user_id == _id(app, email))))


def _forge(app, marker: str, signature: str) -> uuid.UUID:
    """A record "from Ana" and its share to Dr Rivera, written with SQL alone.

    The attacker does not have Ana's user key, so they seal under a key of their own; the wrap is a real
    HPKE wrap to the clinician's public key from the database. `signature`: "none", "random" (64 bytes),
    or "other key" (a real Ed25519 signature by a key that is not Ana's).
    """
    ana, doc_id = _id(app, "ana@example.org"), _id(app, "doc@example.org")
    with app.app_context():
        db = get_db()
        doc_pub = bytes(db.get(User, doc_id).x25519_pub)
        link_id = db.scalar(select(Link.id).where(Link.client_id == ana))
    attacker = vault.Keyring(
        ana, 1, os.urandom(32), _raw_key(X25519PrivateKey.generate()), _raw_key(Ed25519PrivateKey.generate())
    )
    record = Record(id=uuid.uuid4(), owner_id=ana, kind="entry", version=1)
    vault.seal_payload(attacker, record, {"title": marker, "body": f"{marker} body", "format": "markdown"})
    wrap = vault.wrap_for(attacker, record, doc_id, doc_pub, doc_pub)
    sig = {"none": None, "random": os.urandom(64), "other key": vault.sign_share(attacker, record, doc_id, wrap, {})}[
        signature
    ]
    with app.app_context():  # without signatures, this is what the desk would have shown
        doc_keyring = vault.unlock_with_password(get_db().get(User, doc_id), PASSWORD)
        assert vault.open_shared(doc_keyring, record, wrap)["title"] == marker
    now = utcnow()
    _sql(
        app,
        "INSERT INTO records (id, owner_id, kind, idempotency_key, occurred_at, created_at, updated_at, "
        "version, uk_version, dek_wrap, payload_ciphertext) VALUES (:id, :owner, 'entry', :key, :now, :now, "
        ":now, 1, 1, :dek, :payload)",
        id=_uid(app, record.id),
        owner=_uid(app, ana),
        key=uuid.uuid4().hex,
        now=now,
        dek=record.dek_wrap,
        payload=record.payload_ciphertext,
    )
    _sql(
        app,
        "INSERT INTO shares (id, record_id, link_id, owner_id, recipient_id, dek_version, wrap, sig, "
        "created_at) VALUES (:id, :record, :link, :owner, :doc, 1, :wrap, :sig, :now)",
        id=_uid(app, uuid.uuid4()),
        record=_uid(app, record.id),
        link=_uid(app, link_id),
        owner=_uid(app, ana),
        doc=_uid(app, doc_id),
        wrap=wrap,
        sig=sig,
        now=now,
    )
    return record.id


# A forged record and share ---------------------------------------------------------------------


@pytest.mark.parametrize("signature", ["none", "random", "other key"])
def test_a_forged_record_and_share_written_with_sql_is_not_shown_anywhere_on_the_desk(app, web, doc, linked, signature):
    real = new_marker("REAL")
    web.new_entry(real, "mine, shared by me")
    real_id = _last_record(app)
    assert web.post(f"/share/{real_id}", {"link_ids": [str(_link_id(app))]}).status_code == 303
    marker = new_marker("FORGED")
    forged = _forge(app, marker, signature)

    client_page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert real in client_page and marker not in client_page
    assert client_page.count("could not be verified") == 1 and NOT_VERIFIED in client_page
    record_page = doc.get(f"/desk/clients/{linked}/records/{forged}")
    assert record_page.status_code == 200
    text_ = record_page.get_data(as_text=True)
    assert NOT_VERIFIED in text_ and marker not in text_
    brief = doc.get(f"/desk/clients/{linked}/brief").get_data(as_text=True)
    assert NOT_VERIFIED in brief and marker not in brief and real in brief
    listing = doc.get("/desk").get_data(as_text=True)
    assert marker not in listing
    # A security event for the clinician, once a day however often the pages are opened; never the content.
    assert _events(app, "doc@example.org").count("share_unverified") == 1
    with app.app_context():
        line = get_db().scalar(select(SecurityEvent.detail).where(SecurityEvent.kind == "share_unverified"))
    assert marker not in (line or "")
    assert "could not be verified" in doc.get("/account/activity").get_data(as_text=True)


def _last_record(app) -> uuid.UUID:
    with app.app_context():
        return get_db().scalar(select(Record.id).order_by(Record.created_at.desc()).limit(1))


def _link_id(app) -> uuid.UUID:
    with app.app_context():
        return get_db().scalar(select(Link.id))


def test_a_tampered_payload_or_version_on_a_real_share_is_refused(app, web, doc, linked):
    marker = new_marker("TAMPER")
    web.new_entry(marker, "words")
    record_id = _last_record(app)
    web.post(f"/share/{record_id}", {"link_ids": [str(_link_id(app))]})
    assert marker in doc.get(f"/desk/clients/{linked}/records/{record_id}").get_data(as_text=True)

    with app.app_context():
        original = bytes(get_db().get(Record, record_id).payload_ciphertext)
    flipped = original[:-1] + bytes([original[-1] ^ 1])
    _sql(
        app, "UPDATE records SET payload_ciphertext = :payload WHERE id = :id", payload=flipped, id=_uid(app, record_id)
    )
    page = doc.get(f"/desk/clients/{linked}/records/{record_id}").get_data(as_text=True)
    assert NOT_VERIFIED in page and marker not in page

    _sql(
        app,
        "UPDATE records SET payload_ciphertext = :payload, version = version + 1 WHERE id = :id",
        payload=original,
        id=_uid(app, record_id),
    )
    _sql(app, "UPDATE shares SET dek_version = dek_version + 1 WHERE record_id = :id", id=_uid(app, record_id))
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert NOT_VERIFIED in page and marker not in page


def test_a_photo_whose_bytes_or_digest_were_changed_is_not_served(app, web, doc, linked):
    assert upload(web, [("blue.jpg", art_images.jpeg())], caption="Blue hills").status_code == 303
    art = _last_record(app)
    web.post(f"/share/{art}", {"link_ids": [str(_link_id(app))]})
    full = f"/desk/clients/{linked}/images/{art}/full"
    thumb = f"/desk/clients/{linked}/images/{art}/thumb"
    assert doc.raw.get(full).status_code == 200 and doc.raw.get(thumb).status_code == 200

    with app.app_context():
        blob = get_db().scalar(select(Blob).where(Blob.record_id == art, Blob.variant == "full"))
        blob_id, sealed = blob.id, bytes(blob.ciphertext)
    changed = sealed[:-1] + bytes([sealed[-1] ^ 1])
    _sql(app, "UPDATE blobs SET ciphertext = :data WHERE id = :id", data=changed, id=_uid(app, blob_id))
    assert doc.raw.get(full).status_code == 404
    # The digest changed to match: now the signature over the digests fails, and the whole record goes.
    _sql(
        app,
        "UPDATE blobs SET sha256 = :digest WHERE id = :id",
        digest=hashlib.sha256(changed).digest(),
        id=_uid(app, blob_id),
    )
    assert doc.raw.get(full).status_code == 404 and doc.raw.get(thumb).status_code == 404
    assert NOT_VERIFIED in doc.get(f"/desk/clients/{linked}").get_data(as_text=True)


# Pinning the client's signing key --------------------------------------------------------------


def test_a_client_signing_key_swapped_before_the_desk_pins_it_is_refused(app, web, doc):
    link_through_pages(doc, web)
    ana = _id(app, "ana@example.org")
    _sql(
        app,
        "UPDATE users SET ed25519_pub = :key WHERE id = :id",
        key=_public(Ed25519PrivateKey.generate()),
        id=_uid(app, ana),
    )
    page = doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    assert "signing key does not match the invite they linked with, so nothing they share is shown" in page
    assert "client_key_refused" in _events(app, "doc@example.org")


def test_the_desk_pins_the_clients_key_once_and_forgets_the_code(app, web, doc):
    link_through_pages(doc, web)
    with app.app_context():
        db = get_db()
        assert db.scalar(select(Invite.code_sealed).where(Invite.used_at.is_not(None))) is not None
        assert db.scalar(select(Link.client_sign_pin)) is None
    doc.get("/desk")
    with app.app_context():
        db = get_db()
        assert db.scalar(select(Invite.code_sealed).where(Invite.used_at.is_not(None))) is None
        assert db.scalar(select(Link.client_sign_pin)) is not None
    # A link made to look older (no tag) after the change is refused, not trusted on first use.
    _sql(app, "UPDATE links SET client_sign_tag = NULL, client_sign_pin = NULL, invite_id = NULL")
    assert "does not match the invite" in doc.get(f"/desk/clients/{_id(app, 'ana@example.org')}").get_data(as_text=True)


def test_an_account_from_before_signing_keys_gets_one_at_sign_in_and_its_earlier_shares_are_signed(app, web, doc):
    link_through_pages(doc, web)
    marker = new_marker("EARLIER")
    web.new_entry(marker, "from before")
    record_id = _last_record(app)
    web.post(f"/share/{record_id}", {"link_ids": [str(_link_id(app))]})
    # As the database was before signing keys: no key on either account, no signature, no tag, no pin.
    _sql(app, "UPDATE users SET ed25519_pub = NULL, ed25519_priv_wrap = NULL")
    _sql(app, "UPDATE shares SET sig = NULL")
    _sql(app, "UPDATE links SET client_sign_tag = NULL, client_sign_pin = NULL, invite_id = NULL")
    doc.sign_out()
    doc.sign_in("doc@example.org")  # the clinician's first request: the link is adopted, Ana has no key yet
    page = doc.get(f"/desk/clients/{_id(app, 'ana@example.org')}").get_data(as_text=True)
    assert marker not in page and "It will be\n    once they next sign in" in page
    web.sign_out()
    web.sign_in("ana@example.org")  # Ana's key is made, and what she shared before is signed with it
    with app.app_context():
        assert get_db().scalar(select(Share.sig)) is not None
    assert marker in doc.get(f"/desk/clients/{_id(app, 'ana@example.org')}").get_data(as_text=True)


# The invite binds the clinician's key ----------------------------------------------------------


def _invite(doc) -> tuple[str, str]:
    doc.get("/desk/invites")
    page = doc.post("/desk/invites").get_data(as_text=True)
    return CODE_RE.search(page).group(1), FINGERPRINT_RE.search(page).group(1)


def test_the_consent_page_shows_the_fingerprint_the_invite_page_shows(app, web, doc):
    code, fingerprint = _invite(doc)
    consent = web.post("/link/code", {"code": code}).get_data(as_text=True)
    assert FINGERPRINT_RE.search(consent).group(1) == fingerprint and re.fullmatch(
        r"([0-9A-F]{4} ){3}[0-9A-F]{4}", fingerprint
    )


def test_a_clinician_key_swapped_before_linking_is_refused_at_consent(app, web, doc):
    code, _ = _invite(doc)
    _sql(
        app,
        "UPDATE users SET x25519_pub = :key WHERE id = :id",
        key=_public(X25519PrivateKey.generate()),
        id=_uid(app, _id(app, "doc@example.org")),
    )
    for path in ("/link/code", "/link"):
        refused = web.post(path, {"code": code})
        assert refused.status_code == 422 and KEY_MISMATCH in _text(refused), path
    with app.app_context():
        assert get_db().scalar(select(Link.id)) is None
    assert "invite_key_refused" in _events(app, "ana@example.org")
    assert "invite_key_mismatch" in _events(app, "doc@example.org")


def test_a_key_swap_after_linking_is_told_to_the_client_and_nothing_new_is_shared(app, web, doc, linked):
    doc_id = _id(app, "doc@example.org")
    with app.app_context():
        real_key = bytes(get_db().get(User, doc_id).x25519_pub)
    _checkin(web, "6")
    assert _shares(app) == 1  # the standing share works
    _sql(
        app,
        "UPDATE users SET x25519_pub = :key WHERE id = :id",
        key=_public(X25519PrivateKey.generate()),
        id=_uid(app, doc_id),
    )

    assert KEY_CHANGED in _text(web.get("/"))
    assert KEY_CHANGED in _text(web.get("/clinicians"))
    assert _events(app, "ana@example.org").count("clinician_key_changed") == 1
    _checkin(web, "4")
    web.new_entry("not for them", "words")
    refused = web.post(f"/share/{_last_record(app)}", {"link_ids": [str(_link_id(app))]})
    assert refused.status_code == 409 and KEY_CHANGED in _text(refused)
    assert _shares(app) == 1

    # A new code from the clinician does not link while the server holds a key that is not theirs.
    code, _ = _invite(doc)
    assert KEY_MISMATCH in _text(web.post("/link/code", {"code": code}))
    # Put right on the server, and linked again with a new code: sharing resumes, with the clinician's key.
    _sql(app, "UPDATE users SET x25519_pub = :key WHERE id = :id", key=real_key, id=_uid(app, doc_id))
    assert KEY_CHANGED in _text(web.get("/"))  # still: nothing changes without the client
    code, _ = _invite(doc)
    assert DOC in web.post("/link/code", {"code": code}).get_data(as_text=True)
    assert web.post("/link", {"code": code, "auto_share": ["checkin"]}).status_code == 303
    assert KEY_CHANGED not in _text(web.get("/"))
    _checkin(web, "7")
    assert _shares(app) == 2
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert "could not be verified" not in page and page.count("data-record=") == 2


def _checkin(web, mood: str) -> None:
    web.get("/checkins/new")
    response = web.post(
        "/checkins", {"client_key": uuid.uuid4().hex, "mood": mood, "skip_anxiety": "1", "skip_energy": "1"}
    )
    assert response.status_code == 303


def _shares(app) -> int:
    with app.app_context():
        return len(get_db().scalars(select(Share.id)).all())


# Invite codes at rest and in logs ----------------------------------------------------------------


def test_the_invite_code_is_never_stored_in_clear_nor_as_its_plain_hash(app, web, doc):
    code, _ = _invite(doc)
    plain = code.replace("-", "")
    with app.app_context():
        invite = get_db().scalar(select(Invite))
        code_hash = invite.code_hash
        stored = [code_hash.encode(), bytes(invite.key_tag), bytes(invite.code_sealed)]
    plain_hashes = {hashlib.sha256(value.encode()).hexdigest() for value in (code, plain, f"invite\0{plain}")}
    assert code_hash not in plain_hashes and len(code_hash) == 64
    assert not any(plain.encode() in value or code.encode() in value for value in stored)


def test_the_code_never_reaches_a_real_servers_access_log(tmp_path):
    name = f"invite-log-{uuid.uuid4().hex[:8]}"
    with production_gunicorn(tmp_path, name) as base:
        doc, ana = requests.Session(), requests.Session()
        _sign_up_over_http(doc, base, "doc@example.org", "therapist")
        code = CODE_RE.search(_post(doc, base, "/desk/invites", "/desk/invites", {}).text).group(1)
        _sign_up_over_http(ana, base, "ana@example.org", "client")
        assert ana.get(base + "/link").status_code == 200  # what opening /link#CODE sends
        assert DOC in _post(ana, base, "/link", "/link/code", {"code": code}).text
        linked = _post(ana, base, "/link", "/link", {"code": code})
        assert "You are linked with" in linked.text
    log = (LOGS / f"{name}.log").read_text(encoding="utf-8")
    assert '"POST /link/code" 200' in log and '"POST /link" 303' in log  # the access log is on
    for form in (code, code.replace("-", ""), code.lower()):
        assert form not in log


def _post(session: requests.Session, base: str, page: str, action: str, fields: dict):
    csrf = CSRF_RE.search(session.get(base + page).text).group(1)
    response = session.post(base + action, data={"csrf_token": csrf, **fields})
    assert response.status_code == 200, (action, response.status_code)
    return response


def _sign_up_over_http(session: requests.Session, base: str, email: str, role: str) -> None:
    shown = _post(
        session,
        base,
        "/signup",
        "/signup",
        {
            "email": email,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": role,
            "display_name": DOC if role == "therapist" else "",
        },
    )
    saved = session.post(
        base + "/recovery-code/saved", data={"csrf_token": CSRF_RE.search(shown.text).group(1), "saved": "yes"}
    )
    assert saved.status_code == 200
    if role == "therapist":

        def post_form(path, fields):
            return session.post(base + path, data=fields, allow_redirects=False).status_code

        enable_two_factor(lambda path: session.get(base + path).text, post_form, email)


# The list of what a user key seals -------------------------------------------------------------


def test_every_column_sealed_under_a_user_key_is_in_the_vaults_list():
    listed = {(entry.table, entry.column) for entry in vault.SEALED_UNDER_USER_KEY}
    # Sealed, but not under a user key: under a session's key, the password's or recovery code's key (wraps
    # *of* the user key), a data key, or with HPKE to someone's public key.
    elsewhere = {
        ("auth_sessions", "uk_wrap"),
        ("auth_sessions", "priv_wrap"),
        ("users", "uk_wrap_pw"),
        ("users", "uk_wrap_recovery"),
        ("records", "payload_ciphertext"),
        ("drafts", "payload_ciphertext"),
        ("blobs", "ciphertext"),
        ("shares", "wrap"),
        ("links", "flag_notices_ciphertext"),
        ("asks", "sealed"),  # a clinician's request, sealed to the client's public key (a rotation keeps that key)
        # A rotation's own: the new key's wraps and the code it made, replaced when it finishes.
        ("users", "rotation_uk_wrap"),
        ("users", "rotation_uk_wrap_pw"),
        ("users", "rotation_uk_wrap_recovery"),
        ("users", "unseen_recovery_code_ciphertext"),
    }
    sealed = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if re.search(r"(wrap|ciphertext|sealed|_pin|wrap_pw|wrap_recovery)$", column.name)
    }
    assert sealed == listed | elsewhere, sealed ^ (listed | elsewhere)


# In a real browser -------------------------------------------------------------------------------


@pytest.mark.browser
def test_an_invite_link_with_its_code_after_the_hash_links_shares_and_the_item_shows(server, open_context):
    from playwright.sync_api import expect

    from ..browser.browser_support import PHONE, Shots, new_email, sign_up
    from ..browser.test_browser_sharing import DESK, share_with, sign_up_therapist

    base, _ = server
    shots = Shots("signed-shares")
    name = f"Dr Ada Signe {new_marker('THERAPIST')[-6:]}"
    desk = open_context(**DESK).new_page()
    sign_up_therapist(desk, base, new_email("signed-therapist"), name)
    desk.goto(base + "/desk/invites")
    desk.get_by_role("button", name="Make an invite").click()
    code = desk.locator("[data-invite-code]").inner_text().strip()
    link = desk.locator("[data-invite-link]").inner_text().replace("\u200b", "").strip()
    fingerprint = desk.locator("[data-key-fingerprint]").inner_text().strip()
    assert link == f"{base}/link#{code}"
    shots.take(desk, "invite")

    phone = open_context(**PHONE).new_page()
    sign_up(phone, base, new_email("signed-client"))
    requested = []
    phone.on("request", lambda request: requested.append((request.url, request.post_data or "")))
    phone.goto(link)  # link.js puts the code in the form and sends it
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Link with {name}?")
    expect(phone.locator("[data-key-fingerprint]")).to_have_text(fingerprint)
    assert code not in phone.url
    assert not any(code in url for url, _body in requested)  # only ever in a form's body
    assert any(url.endswith("/link/code") and code in body for url, body in requested)
    shots.take(phone, "consent")
    phone.get_by_role("button", name=f"Link with {name}").click()
    expect(phone).to_have_url(base + "/clinicians")

    marker = new_marker("SIGNED")
    phone.goto(base + "/entries/new")
    phone.get_by_label("Title").fill(f"Signed {marker[-6:]}")
    phone.get_by_label("What came up?").fill(f"Words of mine. {marker}")
    phone.get_by_role("button", name="Save entry").click()
    share_with(phone, name)

    desk.goto(base + "/desk")
    desk.locator(".desk-client a").first.click()
    expect(desk.locator("[data-record]")).to_have_count(1)
    expect(desk.get_by_text(f"Signed {marker[-6:]}")).to_be_visible()
    expect(desk.locator("[data-unverified]")).to_have_count(0)
    shots.take(desk, "client-page")
