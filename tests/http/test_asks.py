"""Asking, never requiring: a clinician asks a linked client for a questionnaire or writes them a prompt; the client
sees it on Today and answers (shared with that clinician, told before saving), says "Not now" or declines; the desk
shows each request's state. Requests that do not verify against the pinned key are never shown."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from journal import vault
from journal.db import get_db, utcnow
from journal.deletion.service import THERAPIST_PHRASE
from journal.models import Ask, Link, Record, Share, User

from ..support import PASSWORD, WebClient, earlier_today, new_marker
from .test_course_pages import log_dose
from .test_deletion import _delete
from .test_export import _download, _everything
from .test_sharing_client import DOC, KEY_RE

ASKED_PHQ9 = f"{DOC} asked:</strong> Would you fill in the PHQ-9?"


def _ana(app) -> uuid.UUID:
    with app.app_context():
        return get_db().scalar(select(User.id).where(User.email == "ana@example.org"))


def _ask(doc: WebClient, ana, **fields):
    doc.get(f"/desk/clients/{ana}")  # the desk pins Ana's signing key on its first look
    return doc.post(f"/desk/clients/{ana}/asks", fields)


def _ask_ids(app) -> list[uuid.UUID]:
    with app.app_context():
        return list(get_db().scalars(select(Ask.id).order_by(Ask.created_at)))


def _today(web: WebClient) -> str:
    return web.get("/").get_data(as_text=True)


def _status_of(doc: WebClient, ana, ask_id) -> str:
    page = doc.get(f"/desk/clients/{ana}/asks").get_data(as_text=True)
    return re.search(rf'data-ask="{ask_id}" data-ask-status="(\w+)"', page).group(1)


def _answer_phq9(web: WebClient, ask_id, answers=None):
    page = web.get(f"/asks/{ask_id}/answer").get_data(as_text=True)
    fields = {f"q{n}": "1" for n in range(1, 10)} | (answers or {})
    return page, web.post(f"/asks/{ask_id}/answer", {"client_key": KEY_RE.search(page).group(1), **fields})


def test_a_requested_phq9_shows_on_today_is_answered_shared_and_shows_answered_on_the_desk(app, people, linked):
    web, doc = people
    ana = _ana(app)
    assert _ask(doc, ana, what="measure", instrument="phq9", cadence="once").status_code == 303
    [ask_id] = _ask_ids(app)
    assert _status_of(doc, ana, ask_id) == "waiting"
    assert ASKED_PHQ9 in _today(web)
    page, saved = _answer_phq9(web, ask_id)
    assert f"{DOC} asked for this." in page and f"your answers are shared with {DOC}" in page
    assert "Save and share with Dr Rivera" in page
    assert saved.status_code == 303 and saved.headers["Location"].startswith("/questionnaires/")
    measure_id = saved.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        db = get_db()
        assert db.scalar(select(Share.record_id).where(Share.link_id == linked)) == uuid.UUID(measure_id)
        assert db.get(Ask, ask_id).answer_id == uuid.UUID(measure_id)
    assert ASKED_PHQ9 not in _today(web)  # asked once, answered
    assert _status_of(doc, ana, ask_id) == "answered"
    desk = doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    assert f'href="/desk/clients/{ana}/records/{measure_id}">the shared answer' in desk
    assert "PHQ-9" in doc.get(f"/desk/clients/{ana}/records/{measure_id}").get_data(as_text=True)
    # An incomplete form keeps the request open and says what is missing.
    assert _ask(doc, ana, what="measure", instrument="gad7", cadence="once").status_code == 303
    page = web.get(f"/asks/{_ask_ids(app)[1]}/answer").get_data(as_text=True)
    half = web.post(f"/asks/{_ask_ids(app)[1]}/answer", {"client_key": KEY_RE.search(page).group(1), "q1": "2"})
    assert half.status_code == 422 and "Go to question 2" in half.get_data(as_text=True)


def test_a_weekly_request_comes_due_again_a_week_later(app, people, linked):
    web, doc = people
    ana = _ana(app)
    _ask(doc, ana, what="measure", instrument="gad7", cadence="weekly")
    [ask_id] = _ask_ids(app)
    page = web.get(f"/asks/{ask_id}/answer").get_data(as_text=True)
    fields = {f"q{n}": "0" for n in range(1, 8)}
    assert web.post(f"/asks/{ask_id}/answer", {"client_key": KEY_RE.search(page).group(1), **fields}).status_code == 303
    assert "Would you fill in the GAD-7?" not in _today(web)
    with app.app_context():
        db = get_db()
        earlier = timedelta(days=8)
        row = db.get(Ask, ask_id)
        db.execute(
            update(Ask)
            .where(Ask.id == ask_id)
            .values(created_at=row.created_at - earlier, answered_at=row.answered_at - earlier)
        )
        db.commit()
    assert "Would you fill in the GAD-7?" in _today(web)
    assert _status_of(doc, ana, ask_id) == "waiting"


def test_a_prompt_is_shown_in_the_rotation_answered_as_a_shared_entry_and_its_days_are_kept(app, people, linked):
    web, doc = people
    ana = _ana(app)
    words = new_marker("ASKEDPROMPT")
    assert _ask(doc, ana, what="prompt", text=f"What did the {words} feel like?").status_code == 303
    [ask_id] = _ask_ids(app)
    today = _today(web)
    assert f"{DOC} asked:</strong> What did the {words} feel like?" in today
    prompt_card = today.split('id="prompt-heading"', 1)[1].split("</section>", 1)[0]
    assert words in prompt_card and f'href="/asks/{ask_id}/answer"' in prompt_card  # first in the day's rotation
    page = web.get(f"/asks/{ask_id}/answer").get_data(as_text=True)
    assert f"this entry is shared with {DOC}, who asked" in page
    answer = new_marker("MYANSWER")
    saved = web.post(
        f"/asks/{ask_id}/answer", {"client_key": KEY_RE.search(page).group(1), "title": "", "body": answer}
    )
    assert saved.status_code == 303 and saved.headers["Location"].startswith("/entries/")
    entry = saved.headers["Location"].rsplit("/", 1)[1]
    assert words not in _today(web)
    assert answer in doc.get(f"/desk/clients/{ana}/records/{entry}").get_data(as_text=True)
    assert _status_of(doc, ana, ask_id) == "answered"

    # A prompt for days 1 to 3 after each dosing session: not before a dose, shown on day 1.
    later = new_marker("DAYSPROMPT")
    assert _ask(doc, ana, what="prompt", text=later, first_day="1", last_day="3").status_code == 303
    assert later not in _today(web)
    assert "on days 1 to 3 after each dosing session" in doc.get(f"/desk/clients/{ana}/asks").get_data(as_text=True)
    log_dose(web, when=utcnow() - timedelta(days=1, hours=1))
    assert later in _today(web)
    log_dose(web, when=earlier_today(timedelta(hours=1)))  # a new session today: day 0, not yet
    assert later not in _today(web)


def test_not_now_puts_it_away_for_a_day_and_a_decline_shows_on_the_desk_without_a_reason(app, people, linked):
    web, doc = people
    ana = _ana(app)
    _ask(doc, ana, what="measure", instrument="phq9", cadence="once")
    _ask(doc, ana, what="measure", instrument="pcl5", cadence="weekly")
    phq9, pcl5 = _ask_ids(app)
    assert web.post(f"/asks/{phq9}/snooze").status_code == 303
    assert ASKED_PHQ9 not in _today(web) and "Would you fill in the PCL-5?" in _today(web)
    assert _status_of(doc, ana, phq9) == "snoozed"
    with app.app_context():
        db = get_db()
        db.execute(update(Ask).where(Ask.id == phq9).values(snoozed_until=utcnow() - timedelta(minutes=1)))
        db.commit()
    assert ASKED_PHQ9 in _today(web)  # back the next day
    assert web.post(f"/asks/{pcl5}/decline").status_code == 303
    assert "PCL-5" not in _today(web)
    page = doc.get(f"/desk/clients/{ana}").get_data(as_text=True)
    assert re.search(rf'data-ask="{pcl5}" data-ask-status="declined"', page)
    assert "Declined" in page and "reason" not in page.split('id="requests"', 1)[1].split("</section>", 1)[0]
    # Without the form's token nothing changes.
    assert web.post(f"/asks/{phq9}/decline", csrf=False).status_code in (400, 403)
    assert _status_of(doc, ana, phq9) == "waiting"


def test_a_withdrawn_request_leaves_today_and_a_bad_request_is_refused_with_its_words(app, people, linked):
    web, doc = people
    ana = _ana(app)
    bad = _ask(doc, ana, what="prompt", text="Kept words", first_day="5", last_day="2")
    assert bad.status_code == 422 and "Kept words" in bad.get_data(as_text=True)
    assert "the first no later than the last" in bad.get_data(as_text=True)
    assert _ask(doc, ana, what="measure", instrument="phq9", cadence="monthly").status_code == 422
    assert _ask(doc, ana, what="measure", instrument="phq9", cadence="once").status_code == 303
    [ask_id] = _ask_ids(app)
    assert doc.post(f"/desk/asks/{ask_id}/withdraw").status_code == 303
    assert ASKED_PHQ9 not in _today(web)
    assert web.get(f"/asks/{ask_id}/answer").status_code == 404


def test_a_request_that_does_not_verify_against_the_pinned_key_is_not_shown(app, people, linked):
    """Written with SQL on Dr Rivera's link, sealed and tagged by another clinician's key: neither shown nor opened."""
    web, doc = people
    WebClient(app.test_client()).sign_up("mallory@example.org", role="therapist", name="Mallory")
    ana = _ana(app)
    _ask(doc, ana, what="measure", instrument="phq9", cadence="once")
    [real] = _ask_ids(app)
    with app.app_context():
        db = get_db()
        client = db.get(User, ana)
        mallory = vault.unlock_with_password(
            db.scalar(select(User).where(User.email == "mallory@example.org")), PASSWORD
        )
        link = db.get(Link, linked)
        forged = Ask(id=uuid.uuid4(), link_id=link.id, therapist_id=link.therapist_id, client_id=ana)
        data = {"what": "prompt", "cadence": "once", "text": "FORGEDPROMPT"}
        forged.sealed, forged.tag = vault.seal_ask(mallory, forged.id, link.id, ana, bytes(client.x25519_pub), data)
        forged.own_ciphertext, forged.created_at = b"x" * 64, utcnow()
        db.add(forged)
        # And the real one with a tag of the wrong bytes: refused too.
        db.execute(update(Ask).where(Ask.id == real).values(tag=b"\0" * 32))
        db.commit()
    today = _today(web)
    assert "FORGEDPROMPT" not in today and ASKED_PHQ9 not in today
    assert web.get(f"/asks/{forged.id}/answer").status_code == 404
    assert web.get(f"/asks/{real}/answer").status_code == 404
    assert web.post(f"/asks/{real}/decline").status_code == 404


def test_ending_the_link_or_deleting_an_account_ends_the_requests(app, people, linked):
    web, doc = people
    ana = _ana(app)
    _ask(doc, ana, what="measure", instrument="phq9", cadence="weekly")
    assert web.post(f"/clinicians/{linked}/end").status_code == 303
    assert _ask_ids(app) == [] and ASKED_PHQ9 not in _today(web)
    assert doc.get(f"/desk/clients/{ana}/asks").status_code == 404
    with app.app_context():
        assert get_db().scalar(select(Link.id)) is None


def test_deleting_the_clients_account_removes_the_requests(app, people, linked):
    web, doc = people
    ana = _ana(app)
    _ask(doc, ana, what="prompt", text="Anything on your mind?")
    assert len(_ask_ids(app)) == 1
    assert _delete(web).status_code == 303
    assert _ask_ids(app) == []
    with app.app_context():
        assert get_db().scalar(select(Record.id)) is None


def test_an_answer_after_the_therapists_key_changed_is_kept_but_not_shared(app, people, linked):
    """The request was made before the swap (its tag is the pinned key's): the answer is saved, nothing is sealed to
    the key the database now holds, the client is told, and the request stays open."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    web, doc = people
    ana = _ana(app)
    _ask(doc, ana, what="prompt", text="What stayed with you?")
    [ask_id] = _ask_ids(app)
    with app.app_context():
        db = get_db()
        swapped = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        db.execute(update(User).where(User.email == "doc@example.org").values(x25519_pub=swapped))
        db.commit()
    page = web.get(f"/asks/{ask_id}/answer").get_data(as_text=True)
    words = new_marker("KEPTANSWER")
    saved = web.post(f"/asks/{ask_id}/answer", {"client_key": KEY_RE.search(page).group(1), "body": words})
    assert saved.status_code == 303
    entry = web.get(saved.headers["Location"]).get_data(as_text=True)
    assert words in entry and "Saved, and kept to yourself" in entry
    with app.app_context():
        db = get_db()
        assert db.scalar(select(Share.id)) is None and db.get(Ask, ask_id).answered_at is None


def test_deleting_the_therapists_account_removes_the_requests(app, people, linked):
    web, doc = people
    ana = _ana(app)
    _ask(doc, ana, what="measure", instrument="phq9", cadence="once")
    assert ASKED_PHQ9 in _today(web)
    assert _delete(doc, phrase=THERAPIST_PHRASE).status_code == 303
    assert _ask_ids(app) == [] and ASKED_PHQ9 not in _today(web)


def test_before_each_session_it_is_asked_in_the_three_days_before_the_date_noted(app, people, linked):
    web, doc = people
    ana = _ana(app)
    _ask(doc, ana, what="measure", instrument="pcl5", cadence="before-session")
    asked = "Would you fill in the PCL-5?"
    assert asked not in _today(web)  # no date noted yet

    def noted(days: int) -> None:
        with app.app_context():
            db = get_db()
            db.execute(update(Link).where(Link.id == linked).values(next_session_on=utcnow().date() + timedelta(days)))
            db.commit()

    noted(10)
    assert asked not in _today(web)
    assert "in the 3 days before each integration session" in doc.get(f"/desk/clients/{ana}/asks").get_data(True)
    noted(2)
    assert asked in _today(web)


def test_the_therapists_export_holds_what_they_asked_and_what_the_client_did(app, people, linked):
    web, doc = people
    ana = _ana(app)
    words = new_marker("ASKEDWORDS")
    _ask(doc, ana, what="prompt", text=f"What stayed with you? {words}", first_day="1", last_day="3")
    _ask(doc, ana, what="measure", instrument="pcl5", cadence="weekly")
    _prompt, pcl5 = _ask_ids(app)
    assert web.post(f"/asks/{pcl5}/decline").status_code == 303
    archive = _download(doc, f"/desk/clients/{ana}/export")
    asked = archive.read("my-requests.md").decode("utf-8")
    assert asked.startswith("# What I asked")
    assert words in asked and "On days 1 to 3 after each dosing session; asked " in asked
    assert "Waiting." in asked and "Declined " in asked
    assert "my-requests.md" in archive.read("README.txt").decode("utf-8")
    assert words.encode() not in _everything(_download(web))  # the client's own export holds the answers, not this
