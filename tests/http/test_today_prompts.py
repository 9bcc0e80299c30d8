"""Today stops offering a prompt the client answered today (their own calendar day): it offers the next one of the
phase, and when every one is answered it says so and offers to write freely."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import select

from journal.course.days import local_date, start_of_day
from journal.course.prompts import prompts_for
from journal.db import utcnow

from ..support import PASSWORD, statements

ANSWER_RE = re.compile(r'href="/entries/new\?prompt=([\w-]+)"')
ZONE = "Pacific/Honolulu"  # ten hours behind UTC: the client's day is not the server's


def _offered(web) -> str | None:
    found = ANSWER_RE.search(web.get("/").get_data(as_text=True))
    return found.group(1) if found else None


def _answer(web, prompt_id: str, words: str = "what came") -> None:
    page = web.get(f"/entries/new?prompt={prompt_id}").get_data(as_text=True)
    key = re.search(r'name="client_key" value="([^"]+)"', page).group(1)
    assert web.post("/entries", {"client_key": key, "prompt_id": prompt_id, "body": words}).status_code == 303


def _in_zone(app, email: str, zone: str = ZONE):
    from journal import vault
    from journal.db import get_db
    from journal.models import User

    db = get_db()
    user = db.scalar(select(User).where(User.email == email))
    user.time_zone = zone
    db.commit()
    return db, vault.unlock_with_password(user, PASSWORD)


def test_an_answered_prompt_gives_way_to_the_next_of_the_phase(app, web):
    web.sign_up("ana@example.org")
    first = _offered(web)
    assert first in {prompt.id for prompt in prompts_for("preparation")}
    assert "You answered a prompt today" not in web.get("/").get_data(as_text=True)
    _answer(web, first)
    page = web.get("/").get_data(as_text=True)
    second = ANSWER_RE.search(page).group(1)
    assert second != first and second.startswith("preparation-")
    assert "You answered a prompt today. Here is another, if you would like one." in page
    # "Another prompt" moves on among the ones not answered, never back to the answered one.
    shown = {ANSWER_RE.search(web.get(f"/?prompt={n}").get_data(as_text=True)).group(1) for n in range(12)}
    assert first not in shown and len(shown) == 5


def test_when_every_prompt_is_answered_today_says_so_and_offers_free_writing(web):
    web.sign_up("ana@example.org")
    for _ in range(6):
        _answer(web, _offered(web))
    page = web.get("/").get_data(as_text=True)
    assert "You have answered all of today’s prompts. If more comes up, you can simply write." in page
    assert 'href="/entries/new">Write freely</a>' in page
    assert "Answer this" not in page and "Another prompt" not in page


def test_only_the_last_prompt_left_has_no_other_to_offer(web):
    web.sign_up("ana@example.org")
    for _ in range(5):
        _answer(web, _offered(web))
    page = web.get("/").get_data(as_text=True)
    assert "Answer this" in page and "Another prompt" not in page


def test_an_answer_from_yesterday_in_the_clients_zone_does_not_count(app, web):
    from journal.entries import service as entries

    web.sign_up("ana@example.org")
    with app.app_context():
        db, keyring = _in_zone(app, "ana@example.org")
        offered = _offered(web)
        now = utcnow()
        day_began = start_of_day(local_date(now, ZONE), ZONE)
        data, _ = entries.clean_entry("", "late last night")
        entries.create_entry(db, keyring, uuid.uuid4().hex, data, day_began - timedelta(minutes=1), prompt_id=offered)
        db.commit()
    assert _offered(web) == offered  # answered yesterday, by the client's clock: still today's prompt
    _answer(web, offered)
    assert _offered(web) != offered


def test_today_reads_the_days_answers_in_one_statement_of_the_owners_records(app, web):
    web.sign_up("ana@example.org")
    _answer(web, _offered(web), words="first words")
    web.get("/")
    with statements(app) as (seen, _commits):
        assert web.get("/").status_code == 200
    entry_reads = [s for s in seen if "FROM records" in s and "records.occurred_at >=" in s]
    assert len(entry_reads) == 1 and "records.owner_id =" in entry_reads[0] and "LIMIT" in entry_reads[0]


def test_another_clients_answers_change_nothing(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("ben@example.org")
    offered = _offered(web)
    _answer(other_web, offered)
    assert _offered(web) == offered
