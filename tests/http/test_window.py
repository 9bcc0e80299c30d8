"""Through the integration window, as a client (or someone else) sees it: intentions in sight from preparation
to the next dose, and "How did this show up?" asked once per intention after each dosing session."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from journal.db import get_db, utcnow
from journal.models import Record

from ..support import WebClient, earlier_today, new_marker
from . import test_desk
from .test_course_pages import add_intention, log_dose
from .test_desk import _share
from .test_export import _csv, _download

# The desk's fixtures: Ana, and Dr Rivera at the desk, linked.
doc, linked = test_desk.doc, test_desk.linked

INTENTION_RE = re.compile(r'href="/intentions/([0-9a-f-]{36})"')
ASKED_RE = re.compile(r'data-followup-intention="([0-9a-f-]{36})"')


def _intentions(web) -> list[str]:
    """Ids of the active intentions, in the order they were set."""
    return list(dict.fromkeys(INTENTION_RE.findall(web.get("/intentions").get_data(as_text=True))))


def _asked(web) -> list[str]:
    return ASKED_RE.findall(web.get("/").get_data(as_text=True))


def _version(app, record_id) -> int:
    with app.app_context():
        return get_db().get(Record, record_id).version


def test_intentions_stay_on_today_through_the_window_and_after_it(web):
    web.sign_up("ana@example.org")
    add_intention(web, "to rest when I am tired")
    assert "to rest when I am tired" in web.get("/").get_data(as_text=True)  # preparing
    log_dose(web, utcnow() - timedelta(days=20))
    today = web.get("/").get_data(as_text=True)
    assert "Day 20 after session 1" in today and "to rest when I am tired" in today  # before the next dose
    log_dose(web, utcnow() - timedelta(days=9))
    today = web.get("/").get_data(as_text=True)
    assert "Day 9 after session 2" in today and "to rest when I am tired" in today


def test_after_a_session_each_carried_intention_is_asked_about_once_and_the_answer_kept_with_it(web):
    web.sign_up("ana@example.org")
    add_intention(web, "to meet my sadness with kindness")
    add_intention(web, "to call my sister")
    kindness, sister = _intentions(web)
    dose = log_dose(web, utcnow() - timedelta(days=1), intention_ids=[kindness])
    today = web.get("/").get_data(as_text=True)
    assert _asked(web) == [kindness]  # only the one carried into the session
    assert "The intentions you carried into session 1" in today
    assert "How did this show up after session 1?" in today
    answer = f"I cried and let it be {new_marker()}"
    response = web.post(f"/intentions/{kindness}/reflection", {"dose_id": dose, "text": answer})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Kept with your intention, after session 1." in web.get("/").get_data(as_text=True)
    assert _asked(web) == []  # never asked again for this session
    page = web.get(f"/intentions/{kindness}").get_data(as_text=True)
    assert "After session 1:" in page and answer in page
    assert "After session" not in web.get(f"/intentions/{sister}").get_data(as_text=True)
    rows = {row["id"]: row["how it showed up"] for row in _csv(_download(web), "intentions.csv")}
    assert rows == {kindness: f"After session 1: {answer}", sister: ""}  # in "Download everything" too
    # Editing the words later keeps what was written about the session.
    form = web.get(f"/intentions/{kindness}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    web.post(f"/intentions/{kindness}/edit", {"version": version, "text": "to be kind to my sadness"})
    assert web.post(f"/intentions/{kindness}/archive").status_code == 303
    page = web.get(f"/intentions/{kindness}").get_data(as_text=True)
    assert "to be kind to my sadness" in page and answer in page and "archived" in page


def test_without_intentions_ticked_every_active_one_is_asked_and_not_now_counts_as_asked(app, web):
    web.sign_up("ana@example.org")
    add_intention(web, "to sleep early")
    add_intention(web, "to walk each morning")
    first, second = _intentions(web)
    dose = log_dose(web, utcnow() - timedelta(days=5))
    assert _asked(web) == [first, second]
    assert "Session 1 was logged without intentions ticked, so here are all your active ones" in (
        web.get("/").get_data(as_text=True)
    )
    version = _version(app, uuid.UUID(first))
    assert web.post(f"/intentions/{first}/reflection", {"dose_id": dose, "skip": "1"}).status_code == 303
    assert _asked(web) == [second]
    assert "After session" not in web.get(f"/intentions/{first}").get_data(as_text=True)  # nothing to show
    # The same answer sent again (another device, a second tap) changes nothing: the first one stays.
    again = web.post(f"/intentions/{first}/reflection", {"dose_id": dose, "text": "late words"})
    assert again.status_code == 303
    assert "You already answered this for session 1" in web.get("/").get_data(as_text=True)
    assert _version(app, uuid.UUID(first)) == version + 1
    assert "late words" not in web.get(f"/intentions/{first}").get_data(as_text=True)
    # An empty answer that is not "Not now" is sent back with a plain message, the question still open.
    empty = web.post(f"/intentions/{second}/reflection", {"dose_id": dose, "text": "  "})
    assert empty.status_code == 422 and "Write a few words, or choose “Not now”" in empty.get_data(as_text=True)
    assert _asked(web) == [second]


def test_the_question_waits_for_the_day_after_and_ends_with_the_window(web):
    web.sign_up("ana@example.org")
    add_intention(web, "to notice my breath")
    log_dose(web, utcnow() - timedelta(days=14))
    assert _asked(web) == []  # day 14: the window has closed
    log_dose(web, earlier_today(timedelta(minutes=5)))
    today = web.get("/").get_data(as_text=True)
    assert "Day 0 after session 2" in today and _asked(web) == []  # the hours after a dose are left alone


def test_answers_need_the_token_and_belong_to_their_owner(app, web, other_web):
    web.sign_up("ana@example.org")
    add_intention(web, "to trust the process")
    [intention] = _intentions(web)
    dose = log_dose(web, utcnow() - timedelta(days=2))
    refused = web.post(f"/intentions/{intention}/reflection", {"dose_id": dose, "text": "no token"}, csrf=False)
    assert refused.status_code == 403
    other_web.sign_up("ben@example.org")
    own_dose = log_dose(other_web, utcnow() - timedelta(days=2))
    # Ben cannot write into Ana's intention, with his session or hers.
    assert other_web.post(f"/intentions/{intention}/reflection", {"dose_id": own_dose, "text": "x"}).status_code == 404
    assert other_web.post(f"/intentions/{intention}/reflection", {"dose_id": dose, "text": "x"}).status_code == 404
    assert other_web.get(f"/intentions/{intention}").status_code == 404
    # Ana cannot name Ben's session, nor no session at all.
    assert web.post(f"/intentions/{intention}/reflection", {"dose_id": own_dose, "text": "x"}).status_code == 404
    assert web.post(f"/intentions/{intention}/reflection", {"dose_id": "", "text": "x"}).status_code == 400
    assert _asked(web) == [intention]
    assert "no token" not in web.get(f"/intentions/{intention}").get_data(as_text=True)


def test_an_answer_travels_with_a_shared_intention_to_the_therapist(app, web, doc, linked):
    add_intention(web, "to speak up at work")
    [intention] = _intentions(web)
    _share(app, intention)
    dose = log_dose(web, utcnow() - timedelta(days=3))
    today = web.get("/").get_data(as_text=True)
    assert "which is shared with Dr Rivera: they will see your answer" in today
    answer = f"I said no to the extra shift {new_marker()}"
    assert web.post(f"/intentions/{intention}/reflection", {"dose_id": dose, "text": answer}).status_code == 303
    record = doc.get(f"/desk/clients/{linked}/records/{intention}")
    assert record.status_code == 200
    assert answer in record.get_data(as_text=True) and "After the dosing session of" in record.get_data(as_text=True)
    stranger = WebClient(app.test_client())
    stranger.sign_up("other@example.org", role="therapist")
    assert stranger.get(f"/desk/clients/{linked}/records/{intention}").status_code == 404
