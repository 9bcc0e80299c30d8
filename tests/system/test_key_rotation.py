"""Rotate my keys: everything moves to a new user key, a copy of the old key opens nothing afterwards, an
interrupted rotation resumes, and the old key is kept until no row is left under it. On both databases."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from journal import vault
from journal.account_security import rotation
from journal.db import get_db, utcnow
from journal.models import AuthSession, Draft, Link, Record, Share, User
from journal.records import blobs
from journal.records import rotation as rows
from journal.sharing import reads

from .. import rotation_support as support
from ..browser.browser_support import NARROW, Shots, create_entry, narrow_problems, new_email
from ..browser.browser_support import sign_up as browser_sign_up
from ..security_support import kinds
from ..support import CODE_RE, PASSWORD, ROOT, WebClient, live_server, new_marker

ANA, DOC = "ana@example.org", "doc@example.org"
NEW_PASSWORD = "a quiet field in snow"


def _rotate_through_the_page(web: WebClient, password: str = PASSWORD) -> str:
    """Start on /account/keys, follow the progress as htmx does until it says done; returns the code shown."""
    assert web.post("/account/keys", {"password": password}).status_code == 303
    for _ in range(200):
        status = re.search(
            r'id="rotation-status"[^>]*>([^<]*)<', web.post("/account/keys/continue", htmx=True).get_data(as_text=True)
        ).group(1)
        if "Done" in status:
            break
        assert re.fullmatch(r"\s*Rotating your keys: [\d,]+ of [\d,]+\s*", status), status
    else:
        raise AssertionError("the rotation never finished")
    shown = web.post("/account/keys/recovery-code")
    assert shown.status_code == 200
    return CODE_RE.search(shown.get_data(as_text=True)).group(1)


def _recover(app, email: str, code: str, password: str = NEW_PASSWORD) -> int:
    visitor = WebClient(app.test_client())
    return visitor.post(
        "/recover", {"email": email, "code": code, "password": password, "confirm": password}
    ).status_code


def _old_key(app, email: str) -> tuple[bytes, int]:
    with app.app_context():
        ring = support.keyring(get_db(), email)
        return ring.user_key, ring.uk_version


def _everything_opens(app, journal: support.Journal, email: str = ANA, password: str = PASSWORD) -> None:
    """Every record (with its photos) opens for the owner, every share on the clinician's side."""
    with app.app_context():
        db = get_db()
        owner = support.keyring(db, email, password)
        for record_id, marker in journal.records.items():
            row = db.get(Record, record_id)
            assert marker in str(vault.open_payload(owner, row)), record_id
            for variant in blobs.STORE.variants(db, record_id):
                assert vault.open_attachment(owner, row, variant, blobs.STORE.get(db, record_id, variant))
        assert {variant for photo in journal.photos for variant in blobs.STORE.variants(db, photo)} == (
            {"full", "thumb"} if journal.photos else set()
        )
        doc = support.keyring(db, DOC)
        for record_id in journal.shared:
            assert journal.records[record_id] in str(reads.shared_record(db, doc, journal.user_id, record_id).data)
            if record_id in journal.photos:
                assert reads.shared_attachment(db, doc, journal.user_id, record_id, "thumb")


def _rotation_state(app, email: str = ANA):
    with app.app_context():
        return support.user(get_db(), email).rotation_uk_wrap


def _under_old_version(app, user_id, old_version: int) -> int:
    with app.app_context():
        db = get_db()
        return sum(
            db.scalar(
                select(func.count())
                .select_from(model)
                .where(model.owner_id == user_id, model.uk_version == old_version)
            )
            or 0
            for model in (Record, Draft)
        )


@pytest.fixture
def ana_and_doc(app, web, other_web):
    """Ana (two-step sign-in on) linked with Dr Doc; returns Ana's first recovery code and the link id."""
    code = web.sign_up(ANA, two_factor=True)
    other_web.sign_up(DOC, role="therapist")
    return code, support.link(app, ANA, DOC)


def test_rotation_moves_everything_to_a_new_key_and_the_old_one_opens_nothing(app, web, other_web, ana_and_doc):
    old_code, link_id = ana_and_doc
    journal = support.fill(app, ANA, 24, link_id=link_id, share_every=3, photo_every=8, drafts=2)
    entry = next(record_id for record_id, marker in journal.records.items() if record_id not in journal.photos)
    laptop = WebClient(app.test_client())
    laptop.sign_in(ANA)
    assert laptop.get("/entries").status_code == 200
    old_key, old_version = _old_key(app, ANA)
    with app.app_context():
        public_before = bytes(get_db().get(User, journal.user_id).x25519_pub)
        pin_before = get_db().scalar(select(Link.pinned_key_ciphertext).where(Link.id == link_id))
    page = " ".join(web.get("/account/keys").get_data(as_text=True).split())
    assert "if you think someone may have seen your password or a copy of your data" in page
    assert 'autocomplete="current-password"' in page and 'name="csrf_token"' in page

    new_code = _rotate_through_the_page(web)

    assert new_code != old_code
    assert web.post("/account/keys/recovery-code").status_code == 303  # shown once: not kept any longer
    _everything_opens(app, journal)
    assert _under_old_version(app, journal.user_id, old_version) == 0
    with app.app_context():
        db = get_db()
        after = db.get(User, journal.user_id)
        assert after.uk_version == old_version + 1
        assert after.rotation_uk_wrap is None and after.rotation_uk_wrap_pw is None
        assert after.unseen_recovery_code_ciphertext is None
        assert bytes(after.x25519_pub) == public_before  # the keypair stays: clinicians' seals to it still open
        assert db.scalar(select(Link.pinned_key_ciphertext).where(Link.id == link_id)) != pin_before
        assert support.old_key_opens(db, journal.user_id, old_key) == []
        # Each share was made again, for its record's new version.
        for share in db.scalars(select(Share).where(Share.owner_id == journal.user_id)):
            assert share.dek_version == db.get(Record, share.record_id).version >= 2
    # Pages read everything with the new key; the other device was signed out.
    page = web.get(f"/entries/{entry}")
    page = page if page.status_code == 200 else web.get(f"/checkins/{entry}")
    assert journal.records[entry] in page.get_data(as_text=True)
    assert laptop.get("/entries").status_code == 302
    with app.app_context():
        assert (
            get_db().scalar(select(func.count()).select_from(AuthSession).where(AuthSession.user_id == journal.user_id))
            == 1
        )
    # The clinician's desk opens what is shared.
    shared_entry = next(iter(journal.shared - journal.photos))
    desk = other_web.get(f"/desk/clients/{journal.user_id}/records/{shared_entry}")
    assert desk.status_code == 200 and journal.records[shared_entry] in desk.get_data(as_text=True)
    assert "keys_rotation_started" in kinds(app, ANA) and "keys_rotated" in kinds(app, ANA)
    # The same password and two-step code sign in; the old recovery code opens nothing, the new one does.
    web.sign_out()
    assert web.sign_in(ANA).status_code == 302
    assert _recover(app, ANA, old_code) == 422
    assert _recover(app, ANA, new_code) == 200


def test_the_page_asks_for_the_right_password_and_a_form_token(app, web, ana_and_doc):
    response = web.post("/account/keys", {"password": "not my password"})
    assert response.status_code == 422 and "That password is not right." in response.get_data(as_text=True)
    assert web.post("/account/keys", {"password": PASSWORD}, csrf=False).status_code == 403
    assert WebClient(app.test_client()).post("/account/keys", {"password": PASSWORD}, csrf=False).status_code in (
        302,
        403,
    )
    with app.app_context():
        assert get_db().scalar(select(User.rotation_uk_wrap).where(User.email == ANA)) is None


def _start(app, email: str = ANA) -> None:
    """The rotation begun as the page begins it, without the first slice of work."""
    with app.app_context():
        db = get_db()
        owner = support.user(db, email)
        session = db.scalar(select(AuthSession).where(AuthSession.user_id == owner.id))
        assert rotation.start(db, app.config, owner, support.keyring(db, email), session, PASSWORD, utcnow())
        db.commit()


class Stop(Exception):
    pass


def _advance(app, email: str = ANA, *, batch: int = 5, stop_after: int | None = None, cookie=None):
    done = []

    def hook():
        done.append(1)
        if stop_after is not None and len(done) >= stop_after:
            raise Stop()

    with app.app_context():
        db = get_db()
        try:
            return rotation.advance(
                db, support.user(db, email), support.keyring(db, email), cookie, 600, batch=batch, after_batch=hook
            )
        except Stop:
            return None


def test_an_interrupted_rotation_reads_everything_meanwhile_and_resumes_on_the_next_request(
    app, web, other_web, ana_and_doc
):
    _code, link_id = ana_and_doc
    journal = support.fill(app, ANA, 40, link_id=link_id, share_every=4, photo_every=10, drafts=2)
    old_key, old_version = _old_key(app, ANA)
    _start(app)
    assert _advance(app, stop_after=3) is None  # killed between batches
    under_old = _under_old_version(app, journal.user_id, old_version)
    assert 0 < under_old < 40

    # Meanwhile every page reads every record, old and new key alike, and the progress says where it is.
    phone = WebClient(app.test_client())
    phone.sign_in(ANA)  # a new sign-in opens the old key, and with it the new one
    for record_id, marker in journal.records.items():
        kind = "art" if record_id in journal.photos else None
        if kind is None:
            page = phone.get(f"/entries/{record_id}")
            if page.status_code == 404:
                page = phone.get(f"/checkins/{record_id}")
            assert page.status_code == 200 and marker in page.get_data(as_text=True), record_id
    # An edit and a new entry during the rotation are sealed under the new key and kept.
    edited = next(
        record_id
        for record_id in journal.records
        if record_id not in journal.photos and phone.get(f"/entries/{record_id}").status_code == 200
    )
    with app.app_context():
        version = get_db().get(Record, edited).version
    marker = new_marker("EDITED")
    phone.get(f"/entries/{edited}/edit")
    assert (
        phone.post(f"/entries/{edited}/edit", {"version": str(version), "title": "edited", "body": marker}).status_code
        == 303
    )
    journal.records[edited] = marker
    fresh_marker = new_marker("DURING")
    journal.records[uuid.UUID(phone.new_entry("during", fresh_marker))] = fresh_marker

    # The next requests of that session carry it on to the end (a quarter of a second each).
    for _ in range(200):
        if _rotation_state(app) is None:
            break
        assert phone.get("/entries").status_code == 200
    else:
        raise AssertionError("the rotation did not carry on")
    assert "Show my new recovery code" in phone.get("/account/keys").get_data(as_text=True)
    _everything_opens(app, journal)
    assert _under_old_version(app, journal.user_id, old_version) == 0
    with app.app_context():
        assert support.old_key_opens(get_db(), journal.user_id, old_key) == []
    assert web.get("/entries").status_code == 302  # the session that started it was signed out at the end
    assert phone.get("/entries").status_code == 200


def test_the_old_key_stays_until_no_row_is_left_under_it(app, web, ana_and_doc):
    _code, link_id = ana_and_doc
    journal = support.fill(app, ANA, 12, link_id=link_id, share_every=2, drafts=1)
    old_key, old_version = _old_key(app, ANA)
    missed = next(record_id for record_id in journal.records if record_id not in journal.shared)
    with app.app_context():
        row = get_db().get(Record, missed)
        before = {name: getattr(row, name) for name in ("uk_version", "version", "dek_wrap", "payload_ciphertext")}
    _start(app)
    with app.app_context():
        db = get_db()
        ring = support.keyring(db, ANA)
        while rows.rekey_batch(db, ring, utcnow(), size=5):
            db.commit()
        db.commit()
        # A record the batches missed: its bytes as they were before the rotation (under the old key).
        db.execute(update(Record).where(Record.id == missed).values(**before))
        db.commit()
        with pytest.raises(rows.Incomplete) as refused:
            rows.finish(db, support.user(db, ANA), ring)
        assert refused.value.rows_left == 1
        db.rollback()
        owner = support.user(db, ANA)
        assert owner.uk_version == old_version and owner.rotation_uk_wrap is not None
        # The old key and its wraps are all still there: the missed record opens, the password opens both keys.
        assert journal.records[missed] in str(vault.open_payload(support.keyring(db, ANA), db.get(Record, missed)))

        # A share left at an old version of its record is refused the same way.
        ring = support.keyring(db, ANA)
        while rows.rekey_batch(db, ring, utcnow(), size=5):
            db.commit()
        stale = next(iter(journal.shared))
        db.execute(update(Share).where(Share.record_id == stale).values(dek_version=1))
        db.commit()
        with pytest.raises(rows.Incomplete) as refused:
            rows.finish(db, support.user(db, ANA), ring)
        assert refused.value.stale_shares == 1 and refused.value.rows_left == 0
        db.rollback()
    # Carried on, the rotation takes both in and ends.
    status = _advance(app)
    assert status is not None and status.finished and not status.under_way
    _everything_opens(app, journal)
    assert _under_old_version(app, journal.user_id, old_version) == 0
    with app.app_context():
        assert support.old_key_opens(get_db(), journal.user_id, old_key) == []


CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from journal import create_app
    from journal.account_security import rotation
    from journal.db import get_db
    from tests import rotation_support as support
    from tests.support import FAST_KDF

    app = create_app({{"DATABASE_URL": {url!r}, "INSTANCE_PATH": {instance!r}, **FAST_KDF}})

    def batch_done():
        print("batch", flush=True)

    with app.app_context():
        db = get_db()
        rotation.advance(db, support.user(db, {email!r}), support.keyring(db, {email!r}), None, 600, batch=3,
                         after_batch=batch_done)
""")


def test_a_worker_killed_mid_rotation_loses_nothing(app, web, ana_and_doc, database_url, tmp_path):
    _code, link_id = ana_and_doc
    journal = support.fill(app, ANA, 30, link_id=link_id, share_every=3, photo_every=7, drafts=1)
    old_key, old_version = _old_key(app, ANA)
    _start(app)
    script = CHILD.format(root=str(ROOT), url=database_url, instance=str(tmp_path / "instance"), email=ANA)
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        for _ in range(3):
            assert child.stdout.readline().strip() == "batch", child.stderr.read()
        child.send_signal(signal.SIGKILL)  # most likely inside the next batch's transaction
    finally:
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    assert 0 < _under_old_version(app, journal.user_id, old_version) < 30
    _everything_opens(app, journal)  # both keys open, nothing half-written
    assert _advance(app).finished
    _everything_opens(app, journal)
    with app.app_context():
        assert support.old_key_opens(get_db(), journal.user_id, old_key) == []


def test_signing_in_with_the_recovery_code_rotates_the_keys_too(app, web, other_web, ana_and_doc):
    old_code, link_id = ana_and_doc
    journal = support.fill(app, ANA, 15, link_id=link_id, share_every=3, photo_every=6, drafts=1)
    old_key, old_version = _old_key(app, ANA)
    visitor = WebClient(app.test_client())
    recovered = visitor.post(
        "/recover", {"email": ANA, "code": old_code, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert recovered.status_code == 200
    text = recovered.get_data(as_text=True)
    assert "also moving to new keys" in " ".join(text.split())
    code_after_recovery = CODE_RE.search(text).group(1)
    visitor.post("/recovery-code/saved", {"saved": "yes"})
    for _ in range(200):
        if _rotation_state(app) is None:
            break
        visitor.post("/account/keys/continue", htmx=True)
    else:
        raise AssertionError("the rotation did not finish")
    # The code shown at recovery stands: no second code waits to be shown.
    assert "Show my new recovery code" not in visitor.get("/account/keys").get_data(as_text=True)
    _everything_opens(app, journal, password=NEW_PASSWORD)
    assert _under_old_version(app, journal.user_id, old_version) == 0
    with app.app_context():
        assert support.old_key_opens(get_db(), journal.user_id, old_key) == []
    assert web.get("/entries").status_code == 302  # the old session is gone
    assert _recover(app, ANA, old_code, "another calm password") == 422
    assert _recover(app, ANA, code_after_recovery, "another calm password") == 200


def test_a_clinician_rotates_and_their_desk_still_opens_what_clients_share(app, web, other_web, ana_and_doc):
    _code, link_id = ana_and_doc
    journal = support.fill(app, ANA, 9, link_id=link_id, share_every=1, drafts=0)
    assert other_web.get("/desk").status_code == 200  # the desk seals the clinician's (empty) flag marks
    old_key, old_version = _old_key(app, DOC)
    with app.app_context():
        assert get_db().scalar(select(Link.flag_marks_ciphertext).where(Link.id == link_id)) is not None
    _rotate_through_the_page(other_web)
    assert other_web.get("/desk").status_code == 200
    _everything_opens(app, journal)
    with app.app_context():
        db = get_db()
        doc = support.user(db, DOC)
        assert doc.uk_version == old_version + 1
        assert support.old_key_opens(db, doc.id, old_key) == []
        assert (
            vault.open_own_note(
                support.keyring(db, DOC),
                vault.FLAG_MARKS,
                link_id,
                db.scalar(select(Link.flag_marks_ciphertext).where(Link.id == link_id)),
            )
            == []
        )


@pytest.mark.browser
def test_the_page_in_a_phone_browser(open_context, tmp_path):
    """At 320 px: the explanation, the password, the progress moving (htmx asks for each slice), the code at the
    end on the same page as at sign-up, and the journal still there. Screenshots: test-output/screenshots/rotation/."""
    env = {"KEY_ROTATION_BATCH": "4", "KEY_ROTATION_PAGE_SECONDS": "0", "KEY_ROTATION_ANY_PAGE_SECONDS": "0"}
    with live_server(tmp_path / "server", "key-rotation-browser", env=env) as base:
        shots = Shots("rotation")
        page = open_context(**NARROW).new_page()
        old_code = browser_sign_up(page, base, new_email("rotate"))
        markers = [new_marker("BROWSER-ROTATE") for _ in range(30)]
        entries = [create_entry(page, base, f"Evening {n}", marker) for n, marker in enumerate(markers)]

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Me", exact=True).click()
        page.get_by_role("link", name="Rotate my keys").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Rotate my keys")
        expect(
            page.get_by_text("if you think someone may have seen your password or a copy of your data")
        ).to_be_visible()
        assert narrow_problems(page, "rotate my keys", width=320) == []
        shots.take(page, "explained")

        page.get_by_label("Your password").fill("not my password")
        page.get_by_role("button", name="Rotate my keys").click()
        expect(page.get_by_role("alert")).to_have_text("That password is not right.")
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_role("button", name="Rotate my keys").click()

        status = page.locator("#rotation-status")
        expect(status).to_have_attribute("role", "status")
        expect(status).to_contain_text(re.compile(r"Rotating your keys: \d+ of 30"))
        seen = {status.inner_text()}
        shots.take(page, "progress")
        assert narrow_problems(page, "rotation progress", width=320) == []
        expect(status).to_have_text("Done. Your keys are new.", timeout=30_000)
        seen.add(status.inner_text())
        assert len(seen) >= 2, seen
        page.get_by_role("button", name="Show my new recovery code").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your new recovery code")
        new_code = page.locator("[data-recovery-code]").inner_text().strip()
        assert re.fullmatch(r"([A-Z2-7]{4}-){7}[A-Z2-7]{4}", new_code) and new_code != old_code
        expect(page.get_by_text("Your old recovery code no longer works.")).to_be_visible()
        assert narrow_problems(page, "new recovery code", width=320) == []
        shots.take(page, "new-code")
        page.get_by_label("I have saved my recovery code somewhere safe").check()
        page.get_by_role("button", name="Continue").click()

        page.goto(f"{base}/entries/{entries[0]}")
        expect(page.get_by_text(markers[0])).to_be_visible()
        page.go_back()
        page.goto(base + "/account/keys")  # back to the start: the code is not shown a second time
        expect(page.get_by_role("button", name="Rotate my keys")).to_be_visible()


def test_a_rotation_seals_again_every_value_sealed_under_a_user_key():
    """The list of what is sealed under a user key and what a rotation seals again are the same columns."""
    listed = {(sealed.table, sealed.column) for sealed in vault.SEALED_UNDER_USER_KEY}
    resealed = {(sealed.model.__tablename__, sealed.column) for sealed in vault.UNDER_USER_KEY}
    rekeyed = {(model.__tablename__, "dek_wrap") for model in vault.ENVELOPES}
    assert resealed | rekeyed == listed


def test_a_clinician_rotates_and_their_private_notes_open_with_the_new_key_only(app, web, other_web, ana_and_doc):
    """A therapist's session notes are sealed again by a rotation: they read the same, and the old key opens none."""
    from journal.models import SessionNote
    from journal.vault.primitives import VaultError, open_sealed
    from journal.vault.user_key_seals import own_note_context

    with app.app_context():
        ana = support.user(get_db(), ANA).id
    words = new_marker("ROTATEDNOTE")
    other_web.get(f"/desk/clients/{ana}")
    assert other_web.post(f"/desk/clients/{ana}/notes", {"text": words, "session": "none"}).status_code == 303
    old_key, _old_version = _old_key(app, DOC)
    _rotate_through_the_page(other_web)
    assert words in other_web.get(f"/desk/clients/{ana}").get_data(as_text=True)
    with app.app_context():
        note = get_db().scalar(select(SessionNote))
        for purpose, sealed in (
            (vault.SESSION_NOTE, note.ciphertext),
            (vault.SESSION_NOTE_ABOUT, note.about_ciphertext),
        ):
            with pytest.raises(VaultError):
                open_sealed(old_key, bytes(sealed), own_note_context(purpose, note.id, note.therapist_id))


def test_requests_open_on_both_sides_after_each_rotates(app, web, other_web, ana_and_doc):
    """A request is sealed to the client's X25519 key, which a rotation keeps (its wrap is sealed again): Today still
    shows it. The clinician's own copy is sealed again under their new key, and the old key opens it no more."""
    from journal.models import Ask
    from journal.vault.primitives import VaultError, open_sealed
    from journal.vault.user_key_seals import own_note_context

    with app.app_context():
        ana = support.user(get_db(), ANA).id
    words = new_marker("ROTATEDASK")
    other_web.get(f"/desk/clients/{ana}")
    assert other_web.post(f"/desk/clients/{ana}/asks", {"what": "prompt", "text": words}).status_code == 303
    _rotate_through_the_page(web)
    assert f"asked:</strong> {words}" in web.get("/").get_data(as_text=True)
    old_key, _old_version = _old_key(app, DOC)
    _rotate_through_the_page(other_web)
    assert words in other_web.get(f"/desk/clients/{ana}/asks").get_data(as_text=True)
    assert f"asked:</strong> {words}" in web.get("/").get_data(as_text=True)
    with app.app_context():
        row = get_db().scalar(select(Ask))
        with pytest.raises(VaultError):
            open_sealed(old_key, bytes(row.own_ciphertext), own_note_context(vault.ASK_COPY, row.id, row.therapist_id))
