"""Account deletion: after it, no row of the person is left in any table (those added later included), no blob of
theirs is stored, everyone else's data is as it was, a linked clinician gets 404 at once; a wrong password, a
wrong phrase or a missing CSRF token deletes nothing. A clinician deleting their account ends every link.
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, inspect, select, text

from journal.db import Base, get_db, utcnow
from journal.models import AccessEvent, AuthSession, Blob, Draft, Invite, Link, PendingRekey, RateEvent, Record, Share
from journal.security.ratelimit import rate_key
from journal.sharing import service as sharing

from .. import art_images
from ..support import PASSWORD, WebClient, new_marker
from .test_art import upload
from .test_desk import _link_ana, _make_invite, _share
from .test_export import _keyring, _user, _write_one_of_each

CLIENT_PHRASE = "delete my journal"


# Looking everywhere ----------------------------------------------------------------------------


def _every_value(app):
    """(table, column, value as bytes) for every value of every table in the database, whatever made it."""
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            for row in result:
                for column, value in zip(result.keys(), row, strict=False):
                    if value is None:
                        continue
                    if isinstance(value, (bytes, memoryview)):
                        yield table, column, bytes(value)
                    else:
                        yield table, column, str(value).encode("utf-8")


def _traces_of(app, user_id: uuid.UUID, email: str) -> list[str]:
    """Every place in the database that still holds the person's id (in any form) or email."""
    needles = [str(user_id).encode(), user_id.hex.encode(), user_id.bytes, email.encode()]
    return sorted(
        {
            f"{table}.{column}"
            for table, column, value in _every_value(app)
            if any(needle in value for needle in needles)
        }
    )


def _referencing(app, user_id: uuid.UUID) -> dict[str, int]:
    """Rows per column that references users.id, for every table the models know (those added later too)."""
    found = {}
    with app.app_context():
        db = get_db()
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                refers = any(fk.column.table.name == "users" and fk.column.name == "id" for fk in column.foreign_keys)
                if refers or (table.name == "users" and column.name == "id"):
                    count = db.scalar(select(func.count()).select_from(table).where(column == user_id))
                    if count:
                        found[f"{table.name}.{column.name}"] = count
    return found


def _counts(app) -> dict[str, int]:
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar()
            for table in inspect(connection).get_table_names()
            if table != "rate_events"
        }


def _delete(web: WebClient, password: str = PASSWORD, phrase: str = CLIENT_PHRASE, **kwargs):
    web.get("/account/delete")
    return web.post("/account/delete", {"password": password, "phrase": phrase}, **kwargs)


# A client with everything, a clinician, and another client -------------------------------------


@pytest.fixture
def world(app, web, other_web):
    """Ana (a client with one of everything, linked and sharing), Dr Rivera, and Bo (another of his clients)."""
    web.sign_up("ana@example.org")
    other_web.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    _link_ana(app, _make_invite(other_web))
    bo = WebClient(app.test_client())
    bo.sign_up("bo@example.org")
    code = _make_invite(other_web)
    with app.app_context():
        db = get_db()
        invite, therapist = sharing.find_invite(db, app.config, _user(db, "bo@example.org"), code, utcnow())
        sharing.link_client(
            db, _keyring(db, "bo@example.org"), _user(db, "bo@example.org"), invite, therapist, [], utcnow(), code=code
        )
        db.commit()
    _make_invite(other_web)  # one left open

    ana_marker, bo_marker = new_marker("ANADEL"), new_marker("BODEL")
    ids = _write_one_of_each(app, "ana@example.org", ana_marker)
    assert upload(web, [("a.jpg", art_images.jpeg())], caption=f"art {ana_marker}").status_code == 303
    key = re.search(r'name="client_key" value="([^"]+)"', web.get("/entries/new").get_data(as_text=True)).group(1)
    assert web.post("/entries/draft", {"client_key": key, "body": f"draft {ana_marker}"}, htmx=True).status_code == 200
    with app.app_context():
        db = get_db()
        ana_art = db.scalar(select(Record.id).where(Record.kind == "art"))
        ana_id = _user(db, "ana@example.org").id
        db.add(PendingRekey(record_id=ids["checkin"], owner_id=ana_id))  # as if a share ended while she was away
        db.commit()
    _share(app, ids["entry"], ana_art)
    assert other_web.get(f"/desk/clients/{ana_id}").status_code == 200  # access events
    assert web.post("/account/export").status_code == 200  # a security event
    WebClient(app.test_client()).sign_in("ana@example.org", "not her password")  # a rate counter for her account

    bo_entry = bo.new_entry(f"Bo {bo_marker}", f"bo's words {bo_marker}")
    assert upload(bo, [("b.jpg", art_images.painting(seed=4))], caption=f"bo art {bo_marker}").status_code == 303
    with app.app_context():
        db = get_db()
        bo_id = _user(db, "bo@example.org").id
        bo_link = sharing.therapist_link(db, _user(db, "doc@example.org").id, bo_id)
        sharing.share(db, _keyring(db, "bo@example.org"), uuid.UUID(bo_entry), bo_link, utcnow())
        db.commit()
    return {
        "ana": ana_id,
        "bo": bo,
        "bo_id": bo_id,
        "bo_entry": bo_entry,
        "bo_marker": bo_marker,
        "ana_entry": ids["entry"],
        "ana_art": ana_art,
        "doc": other_web,
        "ana_marker": ana_marker,
    }


def test_a_client_deletion_leaves_no_row_of_hers_anywhere_and_everyone_else_as_they_were(app, web, world):
    ana, doc, bo = world["ana"], world["doc"], world["bo"]
    # Everything of hers is there to begin with, in every table this test knows of.
    before = _referencing(app, ana)
    for column in (
        "users.id",
        "auth_sessions.user_id",
        "records.owner_id",
        "drafts.owner_id",
        "blobs.owner_id",
        "links.client_id",
        "shares.owner_id",
        "pending_rekeys.owner_id",
        "access_events.owner_id",
        "security_events.user_id",
    ):
        assert before.get(column), column
    with app.app_context():
        rate_keys = [rate_key("signin-account", "ana@example.org")]
        assert get_db().scalar(select(func.count()).select_from(RateEvent).where(RateEvent.key_hash.in_(rate_keys)))
        bo_blobs = get_db().scalar(select(func.count()).select_from(Blob).where(Blob.owner_id == world["bo_id"]))
    others_before = {table: count for table, count in _counts(app).items()}

    page = web.get("/account/delete").get_data(as_text=True)
    assert "Dr Rivera loses access at once" in page and "cannot take that back" in page
    assert "delete my journal" in page and 'href="/account/export"' in page
    response = _delete(web)
    assert response.status_code == 303 and response.headers["Location"] == "/account/deleted"
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    assert re.search(r"\bsid=;", cookies) and "Expires=Thu, 01 Jan 1970" in cookies
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    done = web.get("/account/deleted")
    assert done.status_code == 200 and "Your account is deleted" in done.get_data(as_text=True)
    assert "Create an account" in web.get("/").get_data(as_text=True) or web.get("/entries").status_code == 302

    # Not a row of hers, in any table, under any column: her id in any form, her email, her rate counters.
    assert _referencing(app, ana) == {}
    assert _traces_of(app, ana, "ana@example.org") == []
    with app.app_context():
        db = get_db()
        assert db.scalar(select(func.count()).select_from(RateEvent).where(RateEvent.key_hash.in_(rate_keys))) == 0
        # The blob store holds none of her pictures, and all of Bo's.
        assert db.scalar(select(func.count()).select_from(Blob).where(Blob.owner_id == ana)) == 0
        assert db.scalar(select(func.count()).select_from(Blob)) == bo_blobs == 2
        # The clinician's activity says a link ended, without naming her.
        doc_id = _user(db, "doc@example.org").id
        lines = [row for row in _every_value(app) if row[0] == "security_events" and row[1] == "detail"]
        assert b"a client (account deleted)" in [value for _t, _c, value in lines]
        assert (
            db.scalar(select(func.count()).select_from(Invite).where(Invite.therapist_id == doc_id)) == 3
        )  # his own rows stay
    after = _counts(app)
    for table in ("users", "records", "blobs", "links", "shares", "drafts", "auth_sessions"):
        assert after[table] < others_before[table], table

    # The clinician loses access at once: her page, her records and her pictures are 404.
    for url in (
        f"/desk/clients/{ana}",
        f"/desk/clients/{ana}/records/{world['ana_entry']}",
        f"/desk/clients/{ana}/images/{world['ana_art']}/thumb",
        f"/desk/clients/{ana}/brief",
    ):
        assert doc.get(url).status_code == 404, url
    assert "ana@example.org" not in doc.get("/desk").get_data(as_text=True)
    # Bo and what he shares are untouched.
    assert world["bo_marker"] in bo.get(f"/entries/{world['bo_entry']}").get_data(as_text=True)
    assert world["bo_marker"] in doc.get(f"/desk/clients/{world['bo_id']}/records/{world['bo_entry']}").get_data(
        as_text=True
    )
    assert bo.post("/account/export").status_code == 200
    # And she cannot sign in.
    again = WebClient(app.test_client())
    assert again.sign_in("ana@example.org").status_code == 422


@pytest.mark.parametrize(
    "password, phrase, field",
    [
        ("not the password", CLIENT_PHRASE, "password"),
        (PASSWORD, "delete my account", "phrase"),
        (PASSWORD, "", "phrase"),
        ("", CLIENT_PHRASE, "password"),
    ],
)
def test_a_wrong_password_or_phrase_deletes_nothing(app, web, world, password, phrase, field):
    before = _counts(app)
    response = _delete(web, password, phrase)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'aria-invalid="true" aria-describedby="{field}-error"' in page or (
        f'aria-describedby="phrase-hint {field}-error"' in page and 'aria-invalid="true"' in page
    )
    assert f'id="{field}-error"' in page
    assert _counts(app) == before
    assert web.get("/entries").status_code == 200  # still signed in


def test_without_the_csrf_token_nothing_is_deleted(app, web, world):
    before = _counts(app)
    assert _delete(web, csrf=False).status_code == 403
    assert _delete(web, htmx=True, csrf=False).status_code == 403
    assert (
        web.post(
            "/account/delete",
            {"password": PASSWORD, "phrase": CLIENT_PHRASE},
            headers={"Origin": "https://evil.example"},
        ).status_code
        == 403
    )
    assert _counts(app) == before and _referencing(app, world["ana"])


def test_a_clinician_deletion_ends_every_link_and_leaves_clients_journals(app, web, world):
    doc, ana = world["doc"], world["ana"]
    with app.app_context():
        doc_id = _user(get_db(), "doc@example.org").id
        shared = set(get_db().scalars(select(Share.record_id).where(Share.owner_id == ana)))
        versions = dict(get_db().execute(select(Record.id, Record.version).where(Record.id.in_(shared))).all())
    page = doc.get("/account/delete").get_data(as_text=True)
    assert "delete my account" in page and "2 clients" in page and "print or export" in page
    assert _delete(doc, phrase="delete my journal").status_code == 422  # a therapist's phrase is different
    response = _delete(doc, phrase="Delete  my ACCOUNT")
    assert response.status_code == 303

    assert _referencing(app, doc_id) == {}
    assert _traces_of(app, doc_id, "doc@example.org") == []
    with app.app_context():
        db = get_db()
        assert db.scalar(select(func.count()).select_from(Link)) == 0
        assert db.scalar(select(func.count()).select_from(Share)) == 0
        # Their shared records get new keys at their next sign-in, as when a clinician ends a link.
        assert shared <= set(db.scalars(select(PendingRekey.record_id)))
    clinicians = web.get("/clinicians").get_data(as_text=True)
    assert "Dr Rivera" not in clinicians and "not linked with a clinician" in clinicians
    assert world["ana_marker"] in web.get(f"/entries/{world['ana_entry']}").get_data(as_text=True)
    activity = web.get("/account/activity")
    assert activity.status_code == 200 and "Dr Rivera (account deleted)" in activity.get_data(as_text=True)
    web.sign_out()
    assert web.sign_in("ana@example.org").status_code == 302
    with app.app_context():
        db = get_db()
        assert db.scalar(select(func.count()).select_from(PendingRekey).where(PendingRekey.owner_id == ana)) == 0
        rekeyed = dict(db.execute(select(Record.id, Record.version).where(Record.id.in_(shared))).all())
        assert all(rekeyed[one] > versions[one] for one in shared)
    assert world["ana_marker"] in web.get(f"/entries/{world['ana_entry']}").get_data(as_text=True)


def test_visitors_sign_in_first_and_the_confirmation_is_plain(app):
    visitor = WebClient(app.test_client())
    assert visitor.get("/account/delete").headers["Location"].startswith("/signin")
    assert visitor.post("/account/delete", {"password": PASSWORD, "phrase": CLIENT_PHRASE}).status_code in (302, 401)
    assert visitor.get("/account/deleted").status_code == 200


def test_the_me_page_offers_export_and_deletion(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("doc@example.org", role="therapist")
    mine = web.get("/account").get_data(as_text=True)
    assert "Your data" in mine and 'href="/account/export"' in mine and 'href="/account/delete"' in mine
    theirs = other_web.get("/account").get_data(as_text=True)
    assert 'href="/account/delete"' in theirs and 'href="/account/export"' not in theirs


def test_every_session_of_the_account_ends(app, web, world):
    """Keys first: every browser signed in as her holds a wrap of her key; all of them are gone."""
    laptop = WebClient(app.test_client())
    assert laptop.sign_in("ana@example.org").status_code == 302
    with app.app_context():
        assert (
            get_db().scalar(select(func.count()).select_from(AuthSession).where(AuthSession.user_id == world["ana"]))
            >= 2
        )
        drafts = get_db().scalar(select(func.count()).select_from(Draft).where(Draft.owner_id == world["ana"]))
        assert drafts == 1
    assert _delete(web).status_code == 303
    assert laptop.get("/entries").status_code == 302  # the other browser is signed out too
    with app.app_context():
        assert (
            get_db().scalar(select(func.count()).select_from(AccessEvent).where(AccessEvent.owner_id == world["ana"]))
            == 0
        )
