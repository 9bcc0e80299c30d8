"""Dosing sessions, intentions, the Today screen and the timeline, as a client uses them."""

from __future__ import annotations

import re
from datetime import timedelta

from journal.db import utcnow
from journal.forms import local_inputs

from ..support import PASSWORD, earlier_today, new_marker


def _key(web, url: str) -> str:
    return re.search(r'name="client_key" value="([^"]+)"', web.get(url).get_data(as_text=True)).group(1)


def log_dose(web, when=None, route="nasal", felt="", setting="", intention_ids=(), zone="UTC") -> str:
    day, clock = local_inputs(when or utcnow(), zone)
    data = {
        "client_key": _key(web, "/sessions/new"),
        "date": day,
        "time": clock,
        "route": route,
        "felt": felt,
        "setting": setting,
    }
    response = web.raw.post("/sessions", data={**data, "csrf_token": web.token, "intention_ids": list(intention_ids)})
    assert response.status_code == 303, response.status_code
    return response.headers["Location"].rsplit("/", 1)[1]


def add_intention(web, text: str) -> None:
    response = web.post("/intentions", {"client_key": _key(web, "/intentions/new"), "text": text})
    assert response.status_code == 303, response.status_code


def test_preparing_before_any_session(web):
    web.sign_up("ana@example.org")
    add_intention(web, "to be gentle with myself")
    page = web.get("/").get_data(as_text=True)
    assert '<h1 id="place-heading">Preparing</h1>' in page
    assert "to be gentle with myself" in page  # intentions come first before a session
    assert "Today’s prompt" in page and "Answer this" in page


def test_log_a_session_and_today_follows_it(web):
    web.sign_up("ana@example.org")
    add_intention(web, "meet the sadness with kindness")
    page = web.get("/sessions/new").get_data(as_text=True)
    intention_id = re.search(r'name="intention_ids" value="([^"]+)"', page).group(1)
    dose = log_dose(
        web,
        utcnow() - timedelta(days=3),
        felt="wide and warm",
        setting="eye mask, cello music",
        intention_ids=[intention_id],
    )
    read = web.get(f"/sessions/{dose}").get_data(as_text=True)
    assert "Session 1" in read and "Nasal spray" in read and "wide and warm" in read
    assert "meet the sadness with kindness" in read  # carried into the session
    today = web.get("/").get_data(as_text=True)
    assert "Day 3 after session 1" in today and "11 days left" in today
    assert "meet the sadness with kindness" in today  # intentions stay through the integration window
    assert "Carried into session 1" in web.get("/intentions").get_data(as_text=True)


def test_sessions_are_numbered_in_time_order_even_when_logged_late(web):
    web.sign_up("ana@example.org")
    log_dose(web, utcnow() - timedelta(days=30), felt="first")
    log_dose(web, utcnow() - timedelta(days=2), felt="third")
    log_dose(web, utcnow() - timedelta(days=16), felt="second, logged last")
    listing = web.get("/sessions").get_data(as_text=True)
    order = re.findall(
        r'<span class="entry-title">Session (\d+)</span>.*?<span class="entry-preview">Nasal spray · ([^<]+)</span>',
        listing,
        re.S,
    )
    assert order == [("3", "third"), ("2", "second, logged last"), ("1", "first")]


def test_session_form_mistakes_keep_what_was_typed(web):
    web.sign_up("ana@example.org")
    key = _key(web, "/sessions/new")
    future = utcnow() + timedelta(days=2)
    day, clock = local_inputs(future, "UTC")
    response = web.post("/sessions", {"client_key": key, "date": day, "time": clock, "route": "", "felt": "kept words"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "still to come" in page and "Choose how the medicine was taken" in page and "kept words" in page
    response = web.post("/sessions", {"client_key": key, "date": "not a date", "time": "25:99", "route": "iv"})
    assert response.status_code == 422 and "Enter the date and time" in response.get_data(as_text=True)


def test_edit_and_delete_a_session(web, other_web):
    web.sign_up("ana@example.org")
    dose = log_dose(web, utcnow() - timedelta(days=1), route="lozenge")
    form = web.get(f"/sessions/{dose}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    day, clock = local_inputs(utcnow() - timedelta(days=2), "UTC")
    assert (
        web.post(
            f"/sessions/{dose}/edit", {"version": version, "date": day, "time": clock, "route": "im", "felt": "calmer"}
        ).status_code
        == 303
    )
    assert "Intramuscular injection" in web.get(f"/sessions/{dose}").get_data(as_text=True)
    stale = web.post(f"/sessions/{dose}/edit", {"version": version, "date": day, "time": clock, "route": "iv"})
    assert stale.status_code == 409 and "changed on another device" in stale.get_data(as_text=True)
    other_web.sign_up("ben@example.org")
    for url in (f"/sessions/{dose}", f"/sessions/{dose}/edit", f"/sessions/{dose}/delete"):
        assert other_web.get(url).status_code == 404
    assert other_web.post(f"/sessions/{dose}/delete").status_code == 404
    assert "cannot be undone" in web.get(f"/sessions/{dose}/delete").get_data(as_text=True)
    assert web.post(f"/sessions/{dose}/delete").status_code == 303
    assert web.get(f"/sessions/{dose}").status_code == 404


def test_intentions_a_few_at_a_time_archive_and_restore(web):
    web.sign_up("ana@example.org")
    for n in range(5):
        add_intention(web, f"intention {n}")
    response = web.post("/intentions", {"client_key": _key(web, "/intentions/new"), "text": "one too many"})
    assert response.status_code == 422 and "Archive one" in response.get_data(as_text=True)
    listing = web.get("/intentions").get_data(as_text=True)
    first = re.search(r"/intentions/([0-9a-f-]+)/archive", listing).group(1)
    assert web.post(f"/intentions/{first}/archive").status_code == 303
    listing = web.get("/intentions").get_data(as_text=True)
    assert "Archived" in listing and "Make active" in listing
    add_intention(web, "room for a new one")
    web.post(f"/intentions/{first}/restore")
    assert "Archive one before bringing this back" in web.get("/intentions").get_data(as_text=True)
    form = web.get(f"/intentions/{first}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    assert web.post(f"/intentions/{first}/edit", {"version": version, "text": "changed words"}).status_code == 303
    assert "changed words" in web.get("/intentions").get_data(as_text=True)
    assert web.post("/intentions", {"client_key": _key(web, "/intentions/new"), "text": "  "}).status_code == 422


def test_answering_the_days_prompt_records_it_with_the_entry(web):
    web.sign_up("ana@example.org")
    log_dose(web, earlier_today(timedelta(hours=2)))
    today = web.get("/").get_data(as_text=True)
    assert "Day 0 after session 1" in today
    answer_url = re.search(r'href="(/entries/new\?prompt=[^"]+)"', today).group(1)
    prompt_text = re.search(r'<p class="prompt-text">([^<]+)</p>', today).group(1)
    form = web.get(answer_url).get_data(as_text=True)
    assert prompt_text in form
    prompt_id = re.search(r'name="prompt_id" value="([^"]+)"', form).group(1)
    assert prompt_id.startswith("day0-")
    key = re.search(r'name="client_key" value="([^"]+)"', form).group(1)
    response = web.post("/entries", {"client_key": key, "prompt_id": prompt_id, "title": "", "body": "colours"})
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Answering:" in page and prompt_text in page
    other = web.get("/?prompt=1").get_data(as_text=True)
    assert re.search(r'<p class="prompt-text">([^<]+)</p>', other).group(1) != prompt_text


def test_add_page_offers_every_kind(web):
    web.sign_up("ana@example.org")
    page = web.get("/new").get_data(as_text=True)
    for label in ("Journal entry", "Check-in", "Questionnaire", "Dosing session", "Intention"):
        assert f"<strong>{label}</strong>" in page


def test_timeline_groups_by_session_with_day_labels(app, web):
    web.sign_up("ana@example.org")
    now = utcnow()
    with app.app_context():  # a check-in from a month ago, before any session
        from sqlalchemy import select

        from journal import vault
        from journal.db import get_db
        from journal.models import User
        from journal.records import service as records

        db = get_db()
        user = db.scalar(select(User).where(User.email == "ana@example.org"))
        keyring = vault.unlock_with_password(user, PASSWORD)
        records.create(
            db,
            keyring,
            "intention",
            "early-intention-1",
            {"text": "an early intention", "active": True},
            now - timedelta(days=30),
            now,
        )
        db.commit()
    log_dose(web, now - timedelta(days=20), felt="first one")
    log_dose(web, now - timedelta(days=1), felt="second one")
    marker = new_marker("TIMELINE")
    web.new_entry("after the second", marker)
    page = web.get("/timeline").get_data(as_text=True)
    headings = re.findall(r'<h2 class="timeline-heading">\s*(Session \d+|Before your first session)', page)
    assert headings == ["Session 2", "Session 1", "Before your first session"]
    second, first, before = re.split(r'<h2 class="timeline-heading">', page)[1:]
    assert "after the second" in second and "<strong>Day 1</strong>" in second
    assert "Dosing session 2" in second and "<strong>Day 0</strong>" in second  # the session opens its group
    assert "Dosing session 1" in first and "first one" in first
    assert "an early intention" in before and "<strong>Day" not in before


def test_timeline_pages_and_fragments(web):
    web.sign_up("ana@example.org")
    for n in range(35):
        web.new_entry(f"entry {n:02d}", "text")
    page = web.get("/timeline").get_data(as_text=True)
    assert page.count('class="entry-item') == 30
    more = re.search(r'hx-get="(/timeline\?before=[^"]+)"', page).group(1).replace("&amp;", "&")
    fragment = web.get(more, htmx=True).get_data(as_text=True)
    assert not fragment.lstrip().startswith("<!doctype") and fragment.count('class="entry-item') == 5
    assert web.get(more).get_data(as_text=True).lstrip().lower().startswith("<!doctype html>")
    assert web.get("/timeline?before=bad").status_code == 400


def test_timeline_pages_deep_in_a_long_course_number_sessions_among_all(app, web):
    """A page far down the timeline reads only the sessions its items follow, yet numbers them among all."""
    import uuid

    from sqlalchemy import select

    from journal import vault
    from journal.db import get_db
    from journal.dosing import service as dosing
    from journal.entries import service as entries
    from journal.models import User

    web.sign_up("ana@example.org")
    now = utcnow()
    with app.app_context():
        db = get_db()
        keyring = vault.unlock_with_password(db.scalar(select(User).where(User.email == "ana@example.org")), PASSWORD)
        for weeks in (2, 4, 6, 8, 10):
            dosing.create_dose(
                db, keyring, uuid.uuid4().hex, dosing.DoseInput(now - timedelta(weeks=weeks), "nasal", "", "", ()), now
            )
        for day in range(75):
            data, _ = entries.clean_entry(f"note {day}", "words")
            entries.create_entry(db, keyring, uuid.uuid4().hex, data, now - timedelta(days=day, hours=1))
        db.commit()
    url, seen = "/timeline", []
    while url:
        page = web.get(url, htmx=url != "/timeline").get_data(as_text=True)
        for group in re.split(r'<h2 class="timeline-heading">', page)[1:]:
            heading = re.match(r"\s*(Session (\d+)|Before your first session)", group)
            numbers = re.findall(r"Dosing session (\d+)", group)
            assert all(number == heading.group(2) for number in numbers), (heading.group(0), numbers)
            seen += numbers
        found = re.search(r'hx-get="(/timeline\?before=[^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == ["5", "4", "3", "2", "1"]
