"""The client's side of sharing, as a client (or an attacker) sees it: link, consent, share, revoke, history."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from journal import vault
from journal.db import get_db, utcnow
from journal.models import Link, Record, Share, User
from journal.sharing import access, reads
from journal.sharing import service as sharing

from .. import art_images
from ..support import PASSWORD, WebClient, new_marker
from .test_course_pages import add_intention, log_dose

DOC = "Dr Rivera"
KEY_RE = re.compile(r'name="client_key" value="([^"]+)"')


def _user(db, email) -> User:
    return db.scalar(select(User).where(User.email == email))


def _keyring(db, email):
    return vault.unlock_with_password(_user(db, email), PASSWORD)


def _invite(app, therapist="doc@example.org", when=None) -> str:
    with app.app_context():
        db = get_db()
        code, _ = sharing.create_invite(
            db, app.config, _user(db, therapist), when or utcnow(), keyring=_keyring(db, therapist)
        )
        db.commit()
        return code


def _link_id(app, client="ana@example.org", therapist="doc@example.org") -> uuid.UUID | None:
    with app.app_context():
        db = get_db()
        return db.scalar(
            select(Link.id).where(Link.client_id == _user(db, client).id, Link.therapist_id == _user(db, therapist).id)
        )


def _shared(app, client="ana@example.org", therapist="doc@example.org", kinds=None) -> dict[uuid.UUID, str]:
    """What the clinician can open now: {record id: kind}."""
    with app.app_context():
        db = get_db()
        views = reads.shared_records(db, _keyring(db, therapist), _user(db, client).id, kinds=kinds)
        return {view.id: view.kind for view in views}


def _version(app, record_id) -> int:
    with app.app_context():
        return get_db().get(Record, uuid.UUID(str(record_id))).version


def _consent(web, code, auto_share=()):
    assert web.post("/link/code", {"code": code}).status_code == 200
    return web.post("/link", {"code": code, "auto_share": list(auto_share)})


def _checkin(web, **fields):
    key = KEY_RE.search(web.get("/checkins/new").get_data(as_text=True)).group(1)
    response = web.post(
        "/checkins", {"client_key": key, "mood": "6", "skip_anxiety": "1", "skip_energy": "1", **fields}
    )
    assert response.status_code == 303
    with web.raw.application.app_context():
        db = get_db()
        return db.scalar(select(Record.id).where(Record.idempotency_key == key))


# Linking ------------------------------------------------------------------------------------------


def test_a_valid_code_shows_the_consent_screen_and_links_on_consent(app, people):
    web, _ = people
    code = _invite(app)
    page = web.post("/link/code", {"code": code.lower()}).get_data(as_text=True)
    assert DOC in page
    for words in (
        "will see",
        "Only what you choose to share",
        "never see",
        "cannot be\n    unread",
        "does not watch the app in real time",
        "Share all my check-ins automatically",
    ):
        assert words in page, words
    assert _link_id(app) is None  # looking is not consenting
    assert web.post("/link", {"code": code}).status_code == 303
    assert _link_id(app) is not None
    clinicians = web.get("/clinicians").get_data(as_text=True)
    assert DOC in clinicians and "End link" in clinicians
    # Each code works once.
    again = web.post("/link/code", {"code": code})
    assert again.status_code == 422 and "used already" in again.get_data(as_text=True)


def test_wrong_expired_and_already_linked_codes_say_what_is_wrong(app, people, linked):
    web, _ = people
    wrong = web.post("/link/code", {"code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 422 and "That code is not right" in wrong.get_data(as_text=True)
    expired = _invite(app, when=utcnow() - timedelta(days=8))
    assert "That code has expired" in web.post("/link/code", {"code": expired}).get_data(as_text=True)
    assert "That code has expired" in web.post("/link", {"code": expired}).get_data(as_text=True)
    fresh = _invite(app)
    assert "already linked with this clinician" in web.post("/link/code", {"code": fresh}).get_data(as_text=True)
    assert "already linked with this clinician" in web.post("/link", {"code": fresh}).get_data(as_text=True)


def test_a_signed_out_client_signs_in_and_comes_back_to_the_code_form(app, people):
    web, _ = people
    code = _invite(app)
    web.sign_out()
    response = web.get("/link")  # an invite link's code stays in the browser, after "#"
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    sign_in_page = web.get(response.headers["Location"]).get_data(as_text=True)
    target = re.search(r'name="next" value="([^"]+)"', sign_in_page).group(1)
    assert target == "/link" and "link.js" in sign_in_page  # the script that keeps the code for the form
    signed_in = web.sign_in("ana@example.org", next_url=target)
    assert signed_in.headers["Location"] == "/link"
    assert DOC in web.post("/link/code", {"code": code}).get_data(as_text=True)


def test_a_code_in_the_address_is_never_read(app, people):
    web, _ = people
    code = _invite(app)
    page = web.get(f"/link?code={code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and DOC not in text and code not in text
    assert "Codes are not read from a web address" in text
    assert web.post(f"/link/code?code={code}", {"code": ""}).status_code == 422  # only the form's field counts
    assert _link_id(app) is None


def test_code_entry_is_rate_limited_after_ten_wrong_codes(app, people):
    web, _ = people
    code = _invite(app)
    for n in range(10):
        assert "not right" in web.post("/link/code", {"code": f"WRNG-{n:04d}"}).get_data(as_text=True)
    refused = web.post("/link/code", {"code": code})
    assert refused.status_code == 422 and "Too many codes tried" in refused.get_data(as_text=True)
    assert "Too many codes tried" in web.post("/link", {"code": code}).get_data(as_text=True)
    assert _link_id(app) is None


def test_consenting_to_standing_shares_shares_each_new_check_in(app, people):
    web, _ = people
    _consent(web, _invite(app), auto_share=["checkin", "measure"])
    checkin = _checkin(web, note=new_marker("STANDING"))
    web.new_entry("private", "not a standing share")
    assert _shared(app) == {checkin: "checkin"}
    link_id = _link_id(app)
    assert web.post(f"/clinicians/{link_id}/standing", {"auto_share": ["measure"]}).status_code == 303
    page = web.get("/clinicians").get_data(as_text=True)
    assert 'value="measure" checked' in page and 'value="checkin" checked' not in page
    _checkin(web)
    assert _shared(app) == {checkin: "checkin"}


# Sharing one record -------------------------------------------------------------------------------


def test_share_from_the_share_page_then_revoke(app, people, linked):
    web, _ = people
    marker = new_marker("PREVIEW")
    entry = web.new_entry("For my session", f"**{marker}**")
    assert f"/share/{entry}" in web.get(f"/entries/{entry}").get_data(as_text=True)
    page = web.get(f"/share/{entry}").get_data(as_text=True)
    assert DOC in page and "Not shared" in page
    assert f"<strong>{marker}</strong>" in page and "What they will see" in page
    assert web.post(f"/share/{entry}", {"link_ids": [str(linked)]}).status_code == 303
    page = web.get(f"/share/{entry}").get_data(as_text=True)
    assert "<strong>Shared</strong>" in page and "not opened yet" in page
    assert _shared(app) == {uuid.UUID(entry): "entry"}
    version = _version(app, entry)
    with app.app_context():
        db = get_db()
        access.log_open(
            db, _user(db, "doc@example.org").id, _user(db, "ana@example.org").id, uuid.UUID(entry), "entry", utcnow()
        )
        db.commit()
    assert "last opened" in web.get(f"/share/{entry}").get_data(as_text=True)
    # Unticked: the share ends and the record gets a new key.
    assert web.post(f"/share/{entry}", {}).status_code == 303
    page = web.get(f"/share/{entry}").get_data(as_text=True)
    assert "Not shared" in page and "Stopped sharing with Dr Rivera" in page
    assert _shared(app) == {}
    assert _version(app, entry) > version


def test_every_kind_has_a_share_control_and_a_preview(app, people, linked):
    web, _ = people
    marker = new_marker("KIND")
    dose = log_dose(web, felt=f"felt {marker}", setting="quiet room")
    add_intention(web, f"intend {marker}")
    checkin = _checkin(web, note=f"note {marker}", emotions=["calm", "tender"])
    key = KEY_RE.search(web.get("/questionnaires/gad7/new").get_data(as_text=True)).group(1)
    measure = (
        web.post("/questionnaires/gad7", {"client_key": key, **{f"q{n}": "2" for n in range(1, 8)}})
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    with app.app_context():
        intention = get_db().scalar(select(Record.id).where(Record.kind == "intention"))
    pages = {
        f"/sessions/{dose}": [f"felt {marker}", "quiet room", "Nasal spray"],
        "/intentions": [f"intend {marker}"],
        f"/checkins/{checkin}": [f"note {marker}", "<li>tender</li>", "Mood"],
        f"/questionnaires/{measure}": ["GAD-7", "14</strong> out of 21", "Moderate"],
    }
    shares = {
        f"/sessions/{dose}": dose,
        "/intentions": intention,
        f"/checkins/{checkin}": checkin,
        f"/questionnaires/{measure}": measure,
    }
    for url, expected in pages.items():
        assert f"/share/{shares[url]}" in web.get(url).get_data(as_text=True), url
        preview = web.get(f"/share/{shares[url]}")
        assert preview.status_code == 200, url
        text = preview.get_data(as_text=True).replace("&#39;", "'")
        for words in expected:
            assert words in text, (url, words)


def test_a_photo_of_art_can_be_shared_with_its_picture_in_the_preview(app, people, linked):
    web, _ = people
    page = web.get("/art/new").get_data(as_text=True)
    data = {
        "client_key": KEY_RE.search(page).group(1),
        "caption": "blue spiral",
        "dose_id": "none",
        "csrf_token": web.token,
        "photos": [(io.BytesIO(art_images.jpeg()), "spiral.jpg")],
    }
    assert web.raw.post("/art", data=data, content_type="multipart/form-data").status_code in (200, 303)
    art = re.findall(r'href="/art/([0-9a-f-]{36})"', web.get("/art").get_data(as_text=True))[0]
    assert f"/share/{art}" in web.get(f"/art/{art}").get_data(as_text=True)
    preview = web.get(f"/share/{art}").get_data(as_text=True)
    assert "blue spiral" in preview and f"/art/{art}/full.jpg" in preview
    web.post(f"/share/{art}", {"link_ids": [str(linked)]})
    assert _shared(app) == {uuid.UUID(art): "art"}


def test_a_changed_clinician_key_is_refused_with_a_clear_message(app, people, linked):
    web, _ = people
    entry = web.new_entry("t", "b")
    with app.app_context():
        db = get_db()
        db.execute(update(User).where(User.email == "doc@example.org").values(x25519_pub=bytes(range(32))))
        db.commit()
    response = web.post(f"/share/{entry}", {"link_ids": [str(linked)]})
    assert response.status_code == 409 and "key has changed" in response.get_data(as_text=True)
    with app.app_context():
        assert get_db().scalar(select(Share.id)) is None


# Preparing for a session --------------------------------------------------------------------------


def test_prepare_shares_several_in_one_step_and_skips_what_is_shared(app, people):
    web, _ = people
    before = web.new_entry("before linking", "old")
    _consent(web, _invite(app))
    link = _link_id(app)
    first, second, third = (web.new_entry(f"new {n}", "words") for n in range(3))
    web.post(f"/share/{first}", {"link_ids": [str(link)]})
    version = _version(app, first)
    page = web.get("/share/prepare").get_data(as_text=True)
    assert "Since you linked on" in page and "before linking" not in page
    assert f'value="{link}:{second}"' in page and f'value="{link}:{third}"' in page
    assert f'value="{link}:{first}"' not in page and "Already shared with Dr Rivera (1)" in page
    # Ticked: all three (the first one forged back in), and someone else's record id.
    items = [f"{link}:{first}", f"{link}:{second}", f"{link}:{third}", f"{link}:{uuid.uuid4()}", "junk"]
    assert web.post("/share/prepare", {"items": items}).status_code == 303
    assert "Shared 2 records with Dr Rivera" in web.get("/share/prepare").get_data(as_text=True)
    assert set(_shared(app)) == {uuid.UUID(first), uuid.UUID(second), uuid.UUID(third)}
    assert _version(app, first) == version  # not sent again
    # After an integration session, only what came later is offered.
    with app.app_context():
        db = get_db()
        db.get(Link, link).session_held_at = utcnow()
        db.commit()
    later = web.new_entry("after the session", "words")
    page = web.get("/share/prepare").get_data(as_text=True)
    assert "Since your last integration session on" in page and f"{link}:{later}" in page
    assert "new 1" not in page and before not in page


def test_prepare_link_shows_on_today_only_when_linked(app, people):
    web, _ = people
    assert "Prepare for my next integration session" not in web.get("/").get_data(as_text=True)
    _consent(web, _invite(app))
    assert "Prepare for my next integration session" in web.get("/").get_data(as_text=True)
    me = web.get("/account").get_data(as_text=True)
    assert 'href="/clinicians"' in me and 'href="/access"' in me


# Revoke all, end link ---------------------------------------------------------------------------


def test_stop_sharing_everything_with_one_clinician(app, people):
    web, _ = people
    _consent(web, _invite(app), auto_share=["checkin"])
    link = _link_id(app)
    entry = web.new_entry("t", "b")
    web.post(f"/share/{entry}", {"link_ids": [str(link)]})
    _checkin(web)
    assert len(_shared(app)) == 2
    page = web.get(f"/clinicians/{link}/stop-sharing").get_data(as_text=True)
    assert "All 2 records" in page and "cannot be unread" in page
    assert web.post(f"/clinicians/{link}/stop-sharing").status_code == 303
    assert _shared(app) == {} and _link_id(app) == link
    _checkin(web)
    assert _shared(app) == {}  # standing shares went with it


def test_ending_a_link_revokes_everything_and_rekeys(app, people, linked):
    web, _ = people
    entry = web.new_entry("t", "b")
    web.post(f"/share/{entry}", {"link_ids": [str(linked)]})
    version = _version(app, entry)
    page = web.get(f"/clinicians/{linked}/end").get_data(as_text=True)
    assert "stops every share" in page and "cannot be unread" in page
    assert web.post(f"/clinicians/{linked}/end").status_code == 303
    assert _shared(app) == {}
    assert _link_id(app) is None
    assert _version(app, entry) > version
    assert "You are not linked with a clinician" in web.get("/clinicians").get_data(as_text=True)


def test_a_client_can_link_with_more_than_one_clinician(app, people, linked):
    web, _ = people
    second = WebClient(app.test_client())
    second.sign_up("lee@example.org", role="therapist", name="Dr Lee")
    _consent(web, _invite(app, therapist="lee@example.org"))
    entry = web.new_entry("t", "b")
    page = web.get(f"/share/{entry}").get_data(as_text=True)
    assert DOC in page and "Dr Lee" in page
    web.post(f"/share/{entry}", {"link_ids": [str(_link_id(app, therapist="lee@example.org"))]})
    assert _shared(app, therapist="lee@example.org") == {uuid.UUID(entry): "entry"} and _shared(app) == {}


# Access history ---------------------------------------------------------------------------------


def test_access_history_lists_every_line_by_day_newest_first(app, people, linked):
    web, _ = people
    assert "Nobody has opened anything" in web.get("/access").get_data(as_text=True)
    entry = web.new_entry("t", "b")
    checkin = _checkin(web)
    for record in (entry, checkin):
        web.post(f"/share/{record}", {"link_ids": [str(linked)]})
    yesterday = utcnow() - timedelta(days=1)
    with app.app_context():
        db = get_db()
        doc, ana = _user(db, "doc@example.org").id, _user(db, "ana@example.org").id
        access.log_open(db, doc, ana, uuid.UUID(entry), "entry", yesterday)
        access.log_covering(
            db, doc, ana, "brief", [uuid.UUID(str(entry)), uuid.UUID(str(checkin))], utcnow() - timedelta(hours=1)
        )
        access.log_picture(db, doc, ana, uuid.UUID(entry), utcnow())
        db.commit()
    page = web.get("/access").get_data(as_text=True)
    lines = re.findall(r"<strong>Dr Rivera</strong> · ([^<]+)</p>", page)
    assert lines == [
        "Viewed your photo of art at full size",
        "Read the integration session brief (2 items)",
        "Opened your journal entry",
    ]
    headings = re.findall(r'<h2 id="day-\d+" class="access-day-heading">([^<]+)</h2>', page)
    assert len(headings) == 2  # today, then yesterday
    assert "Check-in" in page and "Journal entry" in page and f"/share/{entry}" in page and f"/share/{checkin}" in page


# Who may do what --------------------------------------------------------------------------------


def test_another_client_gets_404_for_someone_elses_record_and_link(app, people, linked):
    web, _ = people
    marker = new_marker("NOTYOURS")
    entry = web.new_entry("ana's", marker)
    ben = WebClient(app.test_client())
    ben.sign_up("ben@example.org")
    for url in (f"/share/{entry}", f"/clinicians/{linked}/end", f"/clinicians/{linked}/stop-sharing"):
        response = ben.get(url)
        assert response.status_code == 404 and marker not in response.get_data(as_text=True), url
    for url in (
        f"/share/{entry}",
        f"/clinicians/{linked}/end",
        f"/clinicians/{linked}/stop-sharing",
        f"/clinicians/{linked}/standing",
    ):
        assert ben.post(url, {"link_ids": [str(linked)]}).status_code == 404, url
    # Ben's prepare form cannot send Ana's record to Ana's clinician.
    ben.post("/share/prepare", {"items": [f"{linked}:{entry}"]})
    assert _shared(app) == {} and _link_id(app) == linked


def test_a_therapist_gets_403_on_the_client_pages(app, people, linked):
    web, doc = people
    entry = web.new_entry("t", "b")
    for url in (
        "/clinicians",
        "/link",
        f"/link?code={_invite(app)}",
        f"/share/{entry}",
        "/share/prepare",
        "/access",
        f"/clinicians/{linked}/end",
    ):
        assert doc.get(url).status_code == 403, url
    for url in ("/link", "/link/code", f"/share/{entry}", "/share/prepare", f"/clinicians/{linked}/end"):
        assert doc.post(url, {"code": "x"}).status_code == 403, url


@pytest.mark.parametrize("htmx", [False, True])
def test_every_sharing_post_needs_the_csrf_token(app, people, linked, htmx):
    web, _ = people
    entry = web.new_entry("t", "b")
    code = _invite(app)
    posts = {
        "/link": {"code": code},
        f"/share/{entry}": {"link_ids": [str(linked)]},
        "/share/prepare": {"items": [f"{linked}:{entry}"]},
        f"/clinicians/{linked}/standing": {"auto_share": ["checkin"]},
        f"/clinicians/{linked}/stop-sharing": {},
        f"/clinicians/{linked}/end": {},
    }
    for url, data in posts.items():
        assert web.post(url, data, htmx=htmx, csrf=False).status_code == 403, url
    assert _shared(app) == {} and _link_id(app) == linked
