"""The caseload: the clients list in the order of what needs attention, each row's course position, last
check-in and next session from what the client shares now, and a client's "since last session" view."""

from __future__ import annotations

import random
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from journal import vault
from journal.checkins import service as checkins
from journal.db import get_db, utcnow
from journal.desk import recent, recent_many
from journal.dosing import service as dosing
from journal.measures import service as measures
from journal.measures.instruments import INSTRUMENTS
from journal.models import User
from journal.sharing import reads
from journal.sharing import service as sharing

from ..support import PASSWORD, WebClient, statements
from .test_desk import _make_invite


@pytest.fixture
def doc(other_web):
    """Dr Rivera at the desk, no client yet."""
    other_web.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    return other_web


ROW_RE = re.compile(r'<li class="card desk-client" data-client="([0-9a-f-]{36})"')


def _client(app, doc: WebClient, email: str, name: str) -> uuid.UUID:
    """A client signed up and linked with the doctor; their id."""
    WebClient(app.test_client()).sign_up(email, name=name)
    code = _make_invite(doc)
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == email))
        invite, therapist = sharing.find_invite(db, app.config, user, code, utcnow())
        sharing.link_client(
            db, vault.unlock_with_password(user, PASSWORD), user, invite, therapist, [], utcnow(), code=code
        )
        db.commit()
        return user.id


def _write(app, email: str, kind: str, at, *, share: bool = True, **fields) -> uuid.UUID:
    """A record of the client's through its own service at a chosen time, shared with the doctor or not."""
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == email))
        keyring, key = vault.unlock_with_password(user, PASSWORD), uuid.uuid4().hex
        if kind == "checkin":
            data, _ = checkins.clean_checkin({"mood": str(fields.get("mood", 5))}, [])
            record_id = checkins.create_checkin(db, keyring, key, data, at)
        elif kind == "dose":
            record_id = dosing.create_dose(db, keyring, key, dosing.DoseInput(at, "nasal", "", "", ()), at)
        else:
            instrument = INSTRUMENTS[kind]
            answers = {n: fields.get("value", 0) for n in instrument.numbers}
            record_id = measures.create_measure(db, keyring, key, instrument, answers, None, at)
        if share:
            link = sharing.links_for_client(db, user.id)[0].link
            sharing.share(db, keyring, record_id, link, utcnow())
        db.commit()
        return record_id


def _order(page: str) -> list[str]:
    return ROW_RE.findall(page)


def _row(page: str, client_id) -> str:
    """The list item of one client."""
    start = page.index(f'data-client="{client_id}"')
    end = page.find('<li class="card desk-client"', start)
    return page[start : end if end != -1 else len(page)]


def _next_session(doc: WebClient, client_id, days: int) -> None:
    day = (utcnow() + timedelta(days=days)).date().isoformat()
    response = doc.post(f"/desk/clients/{client_id}/next-session", {"date": day, "back": "client"})
    assert response.status_code == 303


def test_the_list_puts_open_flags_first_then_the_soonest_session_then_new_items_then_names(app, doc):
    now = utcnow()
    ids = {
        name: _client(app, doc, f"{name.lower()}@example.org", name) for name in ("Ana", "Bo", "Cy", "Di", "Ed", "Flo")
    }
    # Flo: an item 9 answer above "not at all": a flag, and nothing else.
    _write(app, "flo@example.org", "phq9", now - timedelta(days=1), value=1)
    # Bo's session is in 2 days, Cy's in 9; Ana and Di have none, Ana has more new items than Di.
    _next_session(doc, ids["Cy"], 9)
    _next_session(doc, ids["Bo"], 2)
    for days in (3, 2):
        _write(app, "ana@example.org", "checkin", now - timedelta(days=days))
    _write(app, "di@example.org", "checkin", now - timedelta(days=2))
    page = doc.get("/desk").get_data(as_text=True)
    order = _order(page)
    assert order == [str(ids[name]) for name in ("Flo", "Bo", "Cy", "Ana", "Di", "Ed")]
    assert 'data-flags="1"' in _row(page, ids["Flo"])
    assert "Next session" in _row(page, ids["Bo"]) and "No date noted" in _row(page, ids["Ana"])
    # Marking Ana reviewed leaves her with nothing new: then the names decide between Ana, Di and Ed.
    assert doc.post(f"/desk/clients/{ids['Ana']}/reviewed").status_code == 303
    assert doc.post(f"/desk/clients/{ids['Di']}/reviewed").status_code == 303
    order = _order(doc.get("/desk").get_data(as_text=True))
    assert order[3:] == [str(ids[name]) for name in ("Ana", "Di", "Ed")]


def test_a_row_shows_the_course_and_the_last_check_in_the_client_shares_and_nothing_more(app, doc):
    now = utcnow()
    ana = _client(app, doc, "ana@example.org", "Ana")
    page = doc.get("/desk").get_data(as_text=True)
    assert "No dosing session shared" in _row(page, ana) and "None shared" in _row(page, ana)
    _write(app, "ana@example.org", "dose", now - timedelta(days=40))
    _write(app, "ana@example.org", "dose", now - timedelta(days=23))
    _write(app, "ana@example.org", "dose", now - timedelta(days=9))
    shared_checkin = now - timedelta(days=5)
    _write(app, "ana@example.org", "checkin", shared_checkin)
    # Not shared: a later dosing session and a later check-in move nothing on the desk.
    private_checkin = now - timedelta(days=1)
    _write(app, "ana@example.org", "dose", now - timedelta(days=2), share=False)
    _write(app, "ana@example.org", "checkin", private_checkin, share=False)
    row = _row(doc.get("/desk").get_data(as_text=True), ana)
    assert "Session 3, day 9" in row
    assert f'data-last-checkin="{shared_checkin.isoformat()}"' in row
    assert private_checkin.isoformat() not in row and f"{private_checkin:%-d %b %Y}" not in row.replace(
        f"{shared_checkin:%-d %b %Y}", ""
    )


def test_since_last_session_shows_what_was_shared_after_the_session_marked_held(app, doc):
    now = utcnow()
    ana = _client(app, doc, "ana@example.org", "Ana")
    page = doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    assert "data-since-last-session" not in page and "no session marked held yet" in page
    before = _write(app, "ana@example.org", "checkin", now - timedelta(days=3))
    assert doc.post(f"/desk/clients/{ana}/session-held").status_code == 303
    after = _write(app, "ana@example.org", "checkin", utcnow() + timedelta(seconds=1))
    page = doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" data-since-last-session>', page).group(1)
    since = doc.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert str(after) in since and str(before) not in since


def _desk_statements(app, doc: WebClient) -> int:
    doc.get("/desk")  # the first visit pins new clients' signing keys and seals empty marks: a write, once
    with statements(app) as (seen, _commits):
        assert doc.get("/desk").status_code == 200
    return len(seen)


def _history(app, email: str, rng: random.Random, now) -> None:
    """Check-ins with moods and questionnaires across 60 days, some shared long after they happened."""
    for days in range(60, 0, -rng.choice((1, 2, 3))):
        _write(app, email, "checkin", now - timedelta(days=days, hours=rng.randrange(12)), mood=rng.randrange(1, 11))
    for days in rng.sample(range(1, 70), 6):
        _write(app, email, rng.choice(("phq9", "gad7")), now - timedelta(days=days), value=rng.randrange(4))


def test_the_list_costs_the_same_statements_for_2_clients_or_20(app, doc):
    app.config["SIGNUPS_PER_ADDRESS_PER_HOUR"] = 100  # 20 clients sign up from one test address
    now = utcnow()
    rng = random.Random(19)
    for n in range(2):
        _client(app, doc, f"c{n}@example.org", f"C{n}")
        _history(app, f"c{n}@example.org", rng, now)
    few = _desk_statements(app, doc)
    for n in range(2, 20):
        _client(app, doc, f"c{n}@example.org", f"C{n}")
        _write(app, f"c{n}@example.org", "checkin", now - timedelta(days=n))
        _write(app, f"c{n}@example.org", "phq9", now - timedelta(days=40 + n), value=1)  # shared late: a flag
    page = doc.get("/desk").get_data(as_text=True)
    assert page.count('data-flags="1"') >= 18
    assert _desk_statements(app, doc) == few


def test_the_list_finds_the_flags_each_clients_own_reading_finds(app, doc):
    """The clients list reads everyone's recent stretch together (recent_many.py); each one is what reading
    that client alone (recent.stretch, as a client's page does) finds: the same records and the same flags."""
    now = utcnow()
    rng = random.Random(7)
    ids = [_client(app, doc, f"c{n}@example.org", f"C{n}") for n in range(4)]
    for n in range(4):
        _history(app, f"c{n}@example.org", rng, now)
    with app.app_context():
        db = get_db()
        therapist = db.scalar(select(User).where(User.email == "doc@example.org"))
        keyring = vault.unlock_with_password(therapist, PASSWORD)
        readers = {}
        for linked in sharing.links_for_therapist(db, therapist.id):
            readers[linked.other.id] = (reads.Reader(db, keyring, linked.other.id), linked.link)
        since = recent.since_days(now)
        together = recent_many.stretches(db, keyring, readers, "Europe/Paris", since)
        flagged = 0
        for client_id in ids:
            alone = recent.stretch(
                reads.Reader(db, keyring, client_id), keyring, readers[client_id][1], "Europe/Paris", since
            )
            assert [view.id for view in together[client_id].checkins] == [view.id for view in alone.checkins]
            assert [view.id for view in together[client_id].measures] == [view.id for view in alone.measures]
            assert [flag.id for flag in together[client_id].flags] == [flag.id for flag in alone.flags]
            flagged += len(alone.flags)
        assert flagged > 0
