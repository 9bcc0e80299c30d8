"""The therapist's desk: invites, clients, a client's shared items, the brief, and who may see what."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from journal import vault
from journal.checkins import service as checkins
from journal.db import get_db, utcnow
from journal.dosing import service as dosing
from journal.entries import service as entries
from journal.measures import service as measures
from journal.measures.instruments import INSTRUMENTS
from journal.models import AccessEvent, AccessEventRecord, Invite, Link, PendingRekey, Record, Share, User
from journal.sharing import service as sharing

from .. import art_images
from ..support import PASSWORD, WebClient, new_marker
from .test_art import upload

CODE_RE = re.compile(r"data-invite-code>([A-Z2-7]{4}-[A-Z2-7]{4})<")


# Set-up ----------------------------------------------------------------------------------------


def _user(db, email) -> User:
    return db.scalar(select(User).where(User.email == email))


def _keyring(db, email):
    return vault.unlock_with_password(_user(db, email), PASSWORD)


def _link(db) -> Link:
    return sharing.therapist_link(db, _user(db, "doc@example.org").id, _user(db, "ana@example.org").id)


def _make_invite(doc: WebClient) -> str:
    doc.get("/desk/invites")
    response = doc.post("/desk/invites")
    assert response.status_code == 200
    return CODE_RE.search(response.get_data(as_text=True)).group(1)


def _link_ana(app, code: str, when=None) -> None:
    with app.app_context():
        db = get_db()
        ana, now = _user(db, "ana@example.org"), when or utcnow()
        invite, therapist = sharing.find_invite(db, app.config, ana, code, now)
        sharing.link_client(db, _keyring(db, "ana@example.org"), ana, invite, therapist, [], now, code=code)
        db.commit()


def _share(app, *record_ids, when=None) -> None:
    with app.app_context():
        db = get_db()
        keyring, link = _keyring(db, "ana@example.org"), _link(db)
        for record_id in record_ids:
            sharing.share(db, keyring, uuid.UUID(str(record_id)), link, when or utcnow())
        db.commit()


def _add(app, kind: str, at, **fields) -> uuid.UUID:
    """A record of Ana's written through its own service, at a chosen time."""
    with app.app_context():
        db = get_db()
        keyring, key = _keyring(db, "ana@example.org"), uuid.uuid4().hex
        if kind == "entry":
            data, _ = entries.clean_entry(fields.get("title", "A note"), fields.get("body", "words"))
            record_id = entries.create_entry(db, keyring, key, data, at)
        elif kind == "checkin":
            data, _ = checkins.clean_checkin({"mood": str(fields.get("mood", 5)), "anxiety": "3"}, [])
            record_id = checkins.create_checkin(db, keyring, key, data, at)
        elif kind == "dose":
            record_id = dosing.create_dose(db, keyring, key, dosing.DoseInput(at, "nasal", "", "", ()), at)
        else:
            instrument = INSTRUMENTS[kind]
            answers = {n: fields.get("value", 1) for n in instrument.numbers}
            record_id = measures.create_measure(db, keyring, key, instrument, answers, None, at)
        db.commit()
        return record_id


def _ana_id(app) -> uuid.UUID:
    with app.app_context():
        return _user(get_db(), "ana@example.org").id


def _events(app, what: str | None = None) -> int:
    with app.app_context():
        query = select(func.count(AccessEvent.id))
        if what:
            query = query.where(AccessEvent.what == what)
        return get_db().scalar(query)


@pytest.fixture
def doc(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    return other_web


@pytest.fixture
def linked(app, web, doc):
    _link_ana(app, _make_invite(doc))
    return _ana_id(app)


# Invites ---------------------------------------------------------------------------------------


def test_make_list_and_cancel_invites(app, doc):
    page = doc.get("/desk/invites").get_data(as_text=True)
    assert "No open invites" in page
    made = doc.post("/desk/invites")
    text = made.get_data(as_text=True)
    code = CODE_RE.search(text).group(1)
    assert f"http://localhost/<wbr>link#{code}" in text and 'data-desk-copy="#invite-link"' in text
    assert "desk.js" in text and "<script>" not in text  # the copy button's script is a static file
    listing = doc.get("/desk/invites").get_data(as_text=True)
    assert code not in listing  # shown once: only its hash is kept
    invite_ids = re.findall(r'data-invite="([0-9a-f-]{36})"', listing)
    assert len(invite_ids) == 1 and "expires" in listing
    # Another therapist cannot cancel it.
    stranger = WebClient(app.test_client())
    stranger.sign_up("other@example.org", role="therapist")
    assert stranger.post(f"/desk/invites/{invite_ids[0]}/cancel").status_code == 404
    assert doc.post(f"/desk/invites/{invite_ids[0]}/cancel").status_code == 303
    assert "No open invites" in doc.get("/desk/invites").get_data(as_text=True)
    assert doc.post(f"/desk/invites/{invite_ids[0]}/cancel").status_code == 404
    with app.app_context():
        assert get_db().scalar(select(func.count(Invite.id))) == 0


def test_invites_are_rate_limited_with_a_message(make_app):
    app = make_app(INVITES_PER_THERAPIST_PER_HOUR=2)
    doc = WebClient(app.test_client())
    doc.sign_up("doc@example.org", role="therapist")
    assert doc.post("/desk/invites").status_code == 200
    assert doc.post("/desk/invites").status_code == 200
    refused = doc.post("/desk/invites")
    assert refused.status_code == 429
    assert "many invites in the last hour" in refused.get_data(as_text=True)
    assert not CODE_RE.search(refused.get_data(as_text=True))


# Clients list ----------------------------------------------------------------------------------


def _new_count(page: str, client_id) -> int:
    return int(re.search(rf'data-client="{client_id}" data-new="(\d+)"', page).group(1))


def test_clients_list_counts_new_items_until_marked_reviewed(app, web, doc):
    empty = doc.get("/desk").get_data(as_text=True)
    assert "No clients are linked with you yet." in empty
    assert 'href="/desk/invites"' in empty and 'aria-current="page">Clients' in empty
    _link_ana(app, _make_invite(doc))
    ana = _ana_id(app)
    first, second = web.new_entry("one", "a"), web.new_entry("two", "b")
    _add(app, "checkin", utcnow() - timedelta(days=2), mood=4)
    checkin = _add(app, "checkin", utcnow() - timedelta(days=1), mood=7)
    _share(app, first, second, checkin)
    page = doc.get("/desk").get_data(as_text=True)
    assert "ana@example.org" in page and _new_count(page, ana) == 3
    # The mood line: an SVG for the eye, the same facts in words, from shared check-ins only.
    assert 'class="sparkline"' in page and "Mood, last 30 days: 1 check-in" in page
    assert doc.get("/").get_data(as_text=True).count('data-new="3"') == 1  # home is the same list
    assert doc.post(f"/desk/clients/{ana}/reviewed").status_code == 303
    assert _new_count(doc.get("/desk").get_data(as_text=True), ana) == 0
    _share(app, web.new_entry("three", "c"))
    assert _new_count(doc.get("/desk").get_data(as_text=True), ana) == 1
    # Marking reviewed covers what the page showed: a share made after it was drawn stays new.
    seen_at = re.search(r'name="seen_at" value="([^"]+)"', doc.get(f"/desk/clients/{ana}").get_data(as_text=True))
    _share(app, web.new_entry("four", "d"))
    assert doc.post(f"/desk/clients/{ana}/reviewed", {"seen_at": seen_at.group(1)}).status_code == 303
    assert _new_count(doc.get("/desk").get_data(as_text=True), ana) == 1


# A client's page -------------------------------------------------------------------------------


def test_client_page_shows_only_what_is_shared_grouped_by_shared_sessions(app, web, doc, linked):
    now = utcnow()
    _add(app, "dose", now - timedelta(days=20))  # never shared: session numbers count only shared ones
    dose = _add(app, "dose", now - timedelta(days=5))
    shared_marker, private_marker = new_marker("SHARED"), new_marker("PRIVATE")
    shared_entry = _add(app, "entry", now - timedelta(days=2), title="seen", body=shared_marker)
    private_entry = _add(app, "entry", now - timedelta(days=1), title="unseen", body=private_marker)
    moods = [_add(app, "checkin", now - timedelta(days=d, hours=1), mood=m) for d, m in ((4, 3), (3, 6), (1, 8))]
    _add(app, "checkin", now - timedelta(hours=5), mood=1)  # not shared
    phq = _add(app, "phq9", now - timedelta(days=3))
    _add(app, "gad7", now - timedelta(days=3))  # not shared
    _share(app, dose, shared_entry, phq, *moods)
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert shared_marker in page and private_marker not in page
    assert str(private_entry) not in page
    assert "Session 1" in page and "Session 2" not in page and "<strong>Day 3</strong>" in page
    # Charts from shared data only: three mood points, a PHQ-9 chart, no GAD-7 chart.
    mood_chart = page.split('id="chart-mood-title"')[1].split("</svg>")[0]
    assert mood_chart.count('class="chart-point series-1"') == 3 and "Mood: 3 values" in mood_chart
    assert "lowest 3, highest 8" in mood_chart
    # The last 30 days, drawn from the first shared session in them (5 days ago): the points use the width.
    assert "Mood and anxiety, last 30 days" in mood_chart and '<line x1="42" x2="42"' in mood_chart
    assert 'id="chart-phq9-title"' in page and "chart-gad7" not in page
    assert 'data-new="6"' in page and page.count("desk-new-tag") == 6
    record = doc.get(f"/desk/clients/{linked}/records/{shared_entry}")
    assert record.status_code == 200 and shared_marker in record.get_data(as_text=True)
    assert "Day 3 after session 1" in record.get_data(as_text=True)
    assert doc.get(f"/desk/clients/{linked}/records/{private_entry}").status_code == 404


def test_access_lines_one_per_deliberate_open_and_one_summary_per_visit(app, web, doc, linked):
    ids = [web.new_entry(f"entry {n}", "words") for n in range(3)]
    _share(app, *ids)
    # The desk and the client's page, each loaded three times: summaries, one line for the visit.
    for _ in range(3):
        assert doc.get("/desk").status_code == 200
        assert doc.get(f"/desk/clients/{linked}").status_code == 200
    assert _events(app) == 1 and _events(app, "summary") == 1
    with app.app_context():
        summary = get_db().scalar(select(AccessEvent).where(AccessEvent.what == "summary"))
        assert summary.items == 3 and summary.owner_id == linked
    # One record opened, then again a moment later (a reload): one open. The brief: one line covering its items.
    for _ in range(2):
        assert doc.get(f"/desk/clients/{linked}/records/{ids[0]}").status_code == 200
    assert _events(app, "record") == 1
    assert doc.get(f"/desk/clients/{linked}/brief").status_code == 200
    assert _events(app, "brief") == 1 and _events(app) == 3
    with app.app_context():
        db = get_db()
        brief = db.scalar(select(AccessEvent).where(AccessEvent.what == "brief"))
        covered = {
            str(one)
            for one in db.scalars(select(AccessEventRecord.record_id).where(AccessEventRecord.event_id == brief.id))
        }
        assert brief.items == 3 and covered == set(ids)
    # The client sees them by day, newest first.
    page = web.get("/access").get_data(as_text=True)
    lines = re.findall(r"<strong>Dr Rivera</strong> · ([^<]+)</p>", page)
    assert lines == [
        "Read the integration session brief (3 items)",
        "Opened your journal entry",
        "Saw the summaries of what you share on their desk (3 items)",
    ]
    # Opened again later than a moment after: another open.
    from journal.sharing import access

    with app.app_context():
        db = get_db()
        access.log_open(
            db,
            _user(db, "doc@example.org").id,
            linked,
            uuid.UUID(ids[0]),
            "entry",
            utcnow() + access.SAME_OPEN + timedelta(minutes=1),
        )
        db.commit()
    assert _events(app, "record") == 2


def test_a_summary_more_than_half_an_hour_later_is_a_new_visit(app, web, doc, linked):
    from journal.sharing import access

    _share(app, web.new_entry("one", "words"))
    start = utcnow() - timedelta(hours=2)
    with app.app_context():
        db = get_db()
        doc_id = _user(db, "doc@example.org").id
        for minutes, items in ((0, 1), (20, 4), (45, 2), (100, 1)):
            access.log_summaries(db, doc_id, linked, items, start + timedelta(minutes=minutes))
        db.commit()
        rows = db.execute(select(AccessEvent.at, AccessEvent.last_at, AccessEvent.items).order_by(AccessEvent.at)).all()
    # 0 and 20 min: one visit (4 items at most); 45 min is 25 min after 20: the same visit; 100 min: a new one.
    assert [(row.items, row.last_at - row.at) for row in rows] == [(4, timedelta(minutes=45)), (1, timedelta(0))]


def test_pictures_open_only_while_shared(app, web, doc, linked):
    assert upload(web, [("a.jpg", art_images.jpeg()), ("b.jpg", art_images.jpeg())], caption="tide").status_code in (
        200,
        303,
    )
    with app.app_context():
        shared, private = [str(one) for one in get_db().scalars(select(Record.id).where(Record.kind == "art"))]
    _share(app, shared)
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert f"/desk/clients/{linked}/images/{shared}/thumb" in page and private not in page
    before = _events(app)
    thumb = doc.raw.get(f"/desk/clients/{linked}/images/{shared}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg" and thumb.data[:2] == b"\xff\xd8"
    assert thumb.headers["Cache-Control"] == "private, no-store"
    assert _events(app) == before  # a thumbnail belongs to the page that shows it (its summary line)
    assert doc.raw.get(f"/desk/clients/{linked}/images/{shared}/full").status_code == 200
    assert _events(app, "picture") == 1  # the full picture on its own: a deliberate open
    full = doc.get(f"/desk/clients/{linked}/records/{shared}").get_data(as_text=True)
    assert f"/desk/clients/{linked}/images/{shared}/full" in full
    assert doc.raw.get(f"/desk/clients/{linked}/images/{shared}/full").status_code == 200
    assert _events(app, "record") == 1 and _events(app, "picture") == 1  # the page showed it: one open
    assert doc.get(f"/desk/clients/{linked}/images/{shared}/huge").status_code == 404
    assert doc.get(f"/desk/clients/{linked}/images/{private}/thumb").status_code == 404
    with app.app_context():
        db = get_db()
        assert sharing.revoke(db, _keyring(db, "ana@example.org"), uuid.UUID(shared), _link(db), utcnow())
        db.commit()
    assert doc.get(f"/desk/clients/{linked}/images/{shared}/thumb").status_code == 404
    assert doc.get(f"/desk/clients/{linked}/records/{shared}").status_code == 404
    assert shared not in doc.get(f"/desk/clients/{linked}").get_data(as_text=True)


# The brief -------------------------------------------------------------------------------------


def test_brief_since_a_date_and_mark_session_held_moves_the_default(app, web, doc):
    now = utcnow()
    _link_ana(app, _make_invite(doc), when=now - timedelta(days=20))
    ana = _ana_id(app)
    old, late, recent = new_marker("OLD"), new_marker("LATE"), new_marker("RECENT")
    old_id = _add(app, "entry", now - timedelta(days=10), body=old)
    late_id = _add(app, "entry", now - timedelta(days=12), body=late)
    recent_id = _add(app, "entry", now - timedelta(days=2), body=recent)
    baseline = _add(app, "phq9", now - timedelta(days=15), value=2)
    latest = _add(app, "phq9", now - timedelta(days=1), value=1)
    mood = _add(app, "checkin", now - timedelta(days=1), mood=6)
    _share(app, old_id, baseline, when=now - timedelta(days=9))
    _share(app, late_id, recent_id, latest, mood, when=now - timedelta(hours=3))
    link_day = (now - timedelta(days=20)).date().isoformat()

    everything = doc.get(f"/desk/clients/{ana}/brief").get_data(as_text=True)
    assert f'data-since="{link_day}"' in everything  # since linking: all that was shared
    assert old in everything and late in everything and recent in everything

    since = (now - timedelta(days=5)).date().isoformat()
    page = doc.get(f"/desk/clients/{ana}/brief?since={since}").get_data(as_text=True)
    assert f'data-since="{since}"' in page
    assert recent in page and old not in page
    assert late in page  # written before the date, shared after it
    # Questionnaires against the first score shared: 18 then 9.
    row = page.split('data-instrument="phq9"')[1].split("</tr>")[0]
    assert "18" in row and "9" in row and 'data-change="-9"' in row
    assert "Mood trend" in page and "1 check-in. Mood averaged 6" in page
    assert "@media print" in Path(app.static_folder, "desk.css").read_text(encoding="utf-8")

    bad = doc.get(f"/desk/clients/{ana}/brief?since=yesterday")
    assert bad.status_code == 200 and "could not be read" in bad.get_data(as_text=True)

    assert doc.post(f"/desk/clients/{ana}/session-held").status_code == 303
    today = utcnow().astimezone(ZoneInfo("UTC")).date().isoformat()
    after = doc.get(f"/desk/clients/{ana}/brief").get_data(as_text=True)
    assert f'data-since="{today}"' in after and recent not in after and old not in after
    # Nothing shared since then: the mood chart says so in a sentence that reads.
    day = utcnow().astimezone(ZoneInfo("UTC"))
    assert f"Nothing to show yet for the period since {day.day} {day:%b %Y}." in after
    with app.app_context():
        assert _link(get_db()).session_held_at is not None


# Cost: tests/http/test_desk_pages.py (a page costs the same queries for 50 or 200 shared records) ------------


# Boundaries ------------------------------------------------------------------------------------


def test_unlinked_clients_and_unknown_ids_are_404_for_a_therapist(app, web, doc):
    entry = web.new_entry("mine", "private")
    ana = _ana_id(app)
    for url in (
        f"/desk/clients/{ana}",
        f"/desk/clients/{ana}/records/{entry}",
        f"/desk/clients/{ana}/brief",
        f"/desk/clients/{ana}/images/{entry}/thumb",
        f"/desk/clients/{ana}/end",
        f"/desk/clients/{uuid.uuid4()}",
    ):
        assert doc.get(url).status_code == 404, url
    for url in (f"/desk/clients/{ana}/reviewed", f"/desk/clients/{ana}/session-held", f"/desk/clients/{ana}/end"):
        assert doc.post(url).status_code == 404, url
    # Linked, but this record was never shared, and someone else's link opens nothing of Ana's.
    _link_ana(app, _make_invite(doc))
    assert doc.get(f"/desk/clients/{ana}/records/{entry}").status_code == 404
    stranger = WebClient(app.test_client())
    stranger.sign_up("other@example.org", role="therapist")
    _share(app, entry)
    assert doc.get(f"/desk/clients/{ana}/records/{entry}").status_code == 200
    assert stranger.get(f"/desk/clients/{ana}/records/{entry}").status_code == 404
    assert stranger.get(f"/desk/clients/{ana}").status_code == 404


def test_clients_get_403_and_visitors_sign_in(app, web, doc, linked):
    for url in ("/desk", "/desk/invites", f"/desk/clients/{linked}", f"/desk/clients/{linked}/brief"):
        assert web.get(url).status_code == 403, url
    assert web.post("/desk/invites").status_code == 403
    visitor = WebClient(app.test_client())
    response = visitor.get("/desk")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")


def test_ending_the_link_asks_first_then_closes_everything(app, web, doc, linked):
    entry = web.new_entry("shared", "words")
    _share(app, entry)
    confirm = doc.get(f"/desk/clients/{linked}/end")
    assert confirm.status_code == 200 and "print it from the" in confirm.get_data(as_text=True)
    response = doc.post(f"/desk/clients/{linked}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/desk"
    assert doc.get(f"/desk/clients/{linked}").status_code == 404
    assert doc.get(f"/desk/clients/{linked}/records/{entry}").status_code == 404
    assert "No clients are linked" in doc.get("/desk").get_data(as_text=True)
    with app.app_context():
        db = get_db()
        assert db.scalar(select(func.count(Link.id))) == 0
        assert db.scalar(select(func.count(PendingRekey.record_id))) == 1  # re-keyed at Ana's next sign-in


def test_every_desk_post_needs_the_csrf_token(app, web, doc, linked):
    for url in (
        "/desk/invites",
        f"/desk/clients/{linked}/reviewed",
        f"/desk/clients/{linked}/session-held",
        f"/desk/clients/{linked}/end",
    ):
        assert doc.post(url, csrf=False).status_code in (400, 403), url


def test_a_share_left_at_an_older_version_is_nowhere_on_the_desk(app, web, doc, linked):
    """Only a wrap made for the record's current version counts (records/shares.py shared_now): one left at an
    older version is not counted, listed, opened, briefed or exported."""
    marker = new_marker("STALE")
    stale = _add(app, "entry", utcnow() - timedelta(days=1), title="old wrap", body=marker)
    kept = _add(app, "entry", utcnow() - timedelta(hours=1), title="current", body="kept words")
    _share(app, stale, kept)
    with app.app_context():
        db = get_db()
        db.execute(update(Share).where(Share.record_id == stale).values(dek_version=Share.dek_version - 1))
        db.commit()
    assert _new_count(doc.get("/desk").get_data(as_text=True), linked) == 1
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert "kept words" in page and marker not in page and str(stale) not in page and 'data-new="1"' in page
    assert doc.get(f"/desk/clients/{linked}/records/{stale}").status_code == 404
    brief = doc.get(f"/desk/clients/{linked}/brief").get_data(as_text=True)
    assert "kept words" in brief and marker not in brief and str(stale) not in brief
    exported = doc.post(f"/desk/clients/{linked}/export")
    assert exported.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(exported.data))
    content = b"".join(archive.read(name) for name in archive.namelist())
    assert b"kept words" in content and marker.encode() not in content and str(stale).encode() not in content
