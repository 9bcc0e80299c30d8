"""Mood check-ins as a client makes them on a phone: quick form, list, delete, and what stays private."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from journal import vault
from journal.checkins import service as checkins
from journal.checkins.vocabulary import EMOTION_GROUPS, EMOTIONS
from journal.db import get_db, utcnow
from journal.models import User
from journal.records import service as records

from ..support import PASSWORD, new_marker
from ..system.test_database_dump import _all_values, _raw_copy

ITEM_RE = re.compile(
    r'<li class="checkin-item">(.*?)</li>\s*(?=<li class="checkin-item">|<li class="load-more"|</ol>|$)', re.S
)


def _client_key(web) -> str:
    page = web.get("/checkins/new").get_data(as_text=True)
    return re.search(r'name="client_key" value="([^"]+)"', page).group(1)


def _check_in(web, **fields):
    data = {"client_key": _client_key(web), "mood": "5", "skip_anxiety": "1", "skip_energy": "1", **fields}
    return web.post("/checkins", data)


def _items(web) -> list[str]:
    return ITEM_RE.findall(web.get("/checkins").get_data(as_text=True))


def _sign_up(web, email: str, zone: str = "UTC") -> None:
    response = web.post(
        "/signup", {"email": email, "password": PASSWORD, "confirm": PASSWORD, "role": "client", "time_zone": zone}
    )
    assert response.status_code == 200
    assert web.post("/recovery-code/saved", {"saved": "yes"}).status_code == 302


def _keyring(email: str):
    user = get_db().scalar(select(User).where(User.email == email))
    return vault.unlock_with_password(user, PASSWORD)


def _add(app, email: str, at: datetime, payload: dict) -> None:
    with app.app_context():
        db = get_db()
        records.create(db, _keyring(email), "checkin", uuid.uuid4().hex, payload, at, at)
        db.commit()


def _payloads(app, email: str) -> list[dict]:
    with app.app_context():
        return [view.data for view in records.list_kind(get_db(), _keyring(email), "checkin")]


def test_the_form_is_quick_and_complete(web):
    web.sign_up("ana@example.org")
    page = web.get("/checkins/new").get_data(as_text=True)
    # Every scale is a select that starts at "Not now" (it works without script; checkins.js makes it a slider).
    for scale, low, high in (
        ("mood", "Very low", "Very good"),
        ("anxiety", "Calm", "Very anxious"),
        ("energy", "Drained", "Full of energy"),
    ):
        select = re.search(rf'<select id="{scale}" name="{scale}"[^>]*>(.*?)</select>', page, re.S).group(1)
        options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
        assert options[0] == ("", " selected", "Not now"), scale
        assert [value for value, _, _ in options[1:]] == [str(n) for n in range(11)], scale
        assert options[1][2] == f"0 – {low}" and options[5][2] == "4" and options[-1][2] == f"10 – {high}"
        assert [chosen for _, chosen, _ in options].count(" selected") == 1
    assert 'type="range"' not in page and "skip_" not in page
    assert "Answer only what you want to." in page and "Only mood is needed" not in page
    assert len(re.findall(r'<input type="checkbox" name="emotions"', page)) == len(EMOTIONS) >= 40
    assert page.count('<fieldset class="chip-group emotion-group">') == 4 and all(
        len(g.words) >= 10 for g in EMOTION_GROUPS
    )
    for group in EMOTION_GROUPS:
        assert f"<legend>{group.label}</legend>" in page
    assert 'name="sleep_hours"' in page and 'value="7.5"' in page and 'name="sleep_quality"' in page
    assert '<textarea id="note" name="note" rows="3" maxlength="2000"' in page
    assert "checkins.js" in page and "checkins.css" in page


def test_check_in_and_see_it_listed(web):
    web.sign_up("ana@example.org")
    marker = new_marker("CHECKINNOTE")
    before = utcnow().replace(second=0, microsecond=0)
    response = web.post(
        "/checkins",
        {
            "client_key": _client_key(web),
            "mood": "7",
            "anxiety": "2",
            "energy": "8",
            "sleep_hours": "7.5",
            "sleep_quality": "4",
            "emotions": ["grateful", "in awe"],
            "note": f"after the walk <b>{marker}</b>",
        },
    )
    assert response.status_code == 303
    assert re.fullmatch(r"/checkins/[0-9a-f-]{36}", response.headers["Location"])  # the saved check-in's page
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check-in saved. Only you can see it unless you share it." in page and "<dt>Mood</dt><dd>7" in page
    [item] = _items(web)
    assert "<dt>Mood</dt><dd>7" in item and "<dt>Anxiety</dt><dd>2" in item and "<dt>Energy</dt><dd>8" in item
    assert "<dt>Sleep</dt><dd>7.5 hours, good</dd>" in item
    assert "<li>in awe</li>" in item and "<li>grateful</li>" in item
    assert f"after the walk &lt;b&gt;{marker}&lt;/b&gt;" in item  # shown as written, never as markup
    shown = re.search(r'<time class="checkin-time" datetime="([^"]+)"', item).group(1)
    assert before <= datetime.fromisoformat(shown) <= utcnow()


def test_wrong_answers_are_refused_and_the_choices_kept(web):
    web.sign_up("ana@example.org")
    key = _client_key(web)
    response = web.post(
        "/checkins",
        {
            "client_key": key,
            "mood": "11",
            "anxiety": "-1",
            "energy": "6",
            "sleep_hours": "25",
            "sleep_quality": "9",
            "emotions": ["calm", "smug-ish"],
            "note": "kept\x00text",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Mood goes from 0 (Very low) to 10 (Very good)" in page
    assert "Anxiety goes from 0 (Calm) to 10 (Very anxious)" in page
    assert "Sleep can be from 0 to 24 hours, in half hours." in page
    assert "Choose how well you slept, from 1 (Very poor) to 5 (Very good)" in page
    assert "Some of the words sent are not in the list" in page and "smug-ish" not in page
    assert "invisible control characters" in page
    assert f'name="client_key" value="{key}"' in page  # the same form: sending it again is still one check-in
    assert 'value="calm" checked' in page and re.search(
        r'<select id="energy".*?<option value="6" selected>', page, re.S
    )
    # Out of range is not a choice: those scales are back at "Not now", with the message beside them.
    assert re.search(r'<select id="mood".*?<option value="" selected>Not now', page, re.S)
    assert "kept" in page and "text</textarea>" in page
    assert 'aria-invalid="true"' in page
    too_long = web.post("/checkins", {"client_key": key, "mood": "", "note": "x" * 2001})
    assert too_long.status_code == 422
    text = too_long.get_data(as_text=True)
    assert "A note can be up to 2,000 characters; this one has 2,001." in text
    assert "mood" not in re.findall(r'id="(\w+)-error"', text)  # mood may stay unanswered
    assert _items(web) == []
    assert web.post("/checkins", {"client_key": "no good", "mood": "5"}).status_code == 400


def test_the_same_check_in_sent_twice_is_saved_once(web):
    web.sign_up("ana@example.org")
    key = _client_key(web)
    for _ in range(2):
        response = web.post("/checkins", {"client_key": key, "mood": "6", "skip_anxiety": "1", "skip_energy": "1"})
        assert response.status_code == 303
    assert len(_items(web)) == 1


def test_a_scale_left_at_not_now_stores_nothing(app, web):
    web.sign_up("ana@example.org")
    # Mood untouched: the select sends it empty, and the payload has no "mood" key at all.
    response = web.post(
        "/checkins",
        {
            "client_key": _client_key(web),
            "mood": "",
            "anxiety": "3",
            "energy": "",
            "sleep_hours": "",
            "sleep_quality": "",
            "note": "",
        },
    )
    assert response.status_code == 303
    assert _payloads(app, "ana@example.org") == [{"anxiety": 3}]
    [item] = _items(web)
    assert "Mood" not in item and "<dt>Anxiety</dt><dd>3" in item
    assert "Anxiety 3" in web.get("/timeline").get_data(as_text=True)
    checkin_id = re.search(r"/checkins/([0-9a-f-]{36})/delete", item).group(1)
    read = web.get(f"/checkins/{checkin_id}").get_data(as_text=True)
    assert "<dt>Anxiety</dt>" in read and "<dt>Mood</dt>" not in read
    confirm = web.get(f"/checkins/{checkin_id}/delete").get_data(as_text=True)
    assert "Delete this check-in?" in confirm and "mood" not in confirm.split("<h1>")[1].split("</p>")[0]
    # Words alone are a check-in too.
    assert web.post("/checkins", {"client_key": _client_key(web), "mood": "", "emotions": ["calm"]}).status_code == 303
    assert {"emotions": ["calm"]} in _payloads(app, "ana@example.org")


@pytest.mark.parametrize("outbox", [None, "later"])
def test_a_check_in_with_nothing_answered_is_refused_and_keeps_what_was_there(app, web, outbox):
    web.sign_up("ana@example.org")
    key = _client_key(web)
    headers = {"X-Outbox": outbox} if outbox else {}
    response = web.post(
        "/checkins",
        {
            "client_key": key,
            "mood": "",
            "anxiety": "",
            "energy": "",
            "sleep_hours": "",
            "sleep_quality": "",
            "note": "   ",
        },
        headers=headers,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(
        r'<p class="form-error" id="nothing-error" data-nothing role="alert">Nothing to save yet: '
        r"answer any one question, pick a word or write a note, then save.</p>",
        page,
    )
    assert "Some answers need a change" not in page
    assert f'name="client_key" value="{key}"' in page and 'id="note" name="note"' in page
    assert _payloads(app, "ana@example.org") == []
    # An older page's "Not now" boxes, ticked, with the numbers its sliders sent: nothing was answered either.
    older = web.post(
        "/checkins",
        {
            "client_key": key,
            "mood": "5",
            "skip_mood": "1",
            "anxiety": "5",
            "skip_anxiety": "1",
            "energy": "5",
            "skip_energy": "1",
        },
    )
    assert older.status_code == 422 and "Nothing to save yet" in older.get_data(as_text=True)
    # A fresh form hides the message (checkins.js shows it before sending an empty form).
    assert re.search(
        r'data-nothing role="alert" hidden>Nothing to save yet', web.get("/checkins/new").get_data(as_text=True)
    )


def test_skipped_answers_are_not_saved(app, web):
    web.sign_up("ana@example.org")
    # An older page's sliders always sent a number; its "Not now" ticked means it was not answered.
    assert (
        web.post(
            "/checkins",
            {
                "client_key": _client_key(web),
                "mood": "4",
                "anxiety": "5",
                "skip_anxiety": "1",
                "energy": "5",
                "skip_energy": "1",
                "sleep_hours": "",
                "sleep_quality": "",
                "note": "  ",
            },
        ).status_code
        == 303
    )
    assert _payloads(app, "ana@example.org") == [{"mood": 4}]
    [item] = _items(web)
    assert "Anxiety" not in item and "Energy" not in item and "Sleep" not in item
    # Zero is an answer, not a skip.
    assert (
        web.post(
            "/checkins",
            {"client_key": _client_key(web), "mood": "0", "anxiety": "0", "skip_energy": "1", "sleep_quality": "1"},
        ).status_code
        == 303
    )
    assert {"mood": 0, "anxiety": 0, "sleep_quality": 1} in _payloads(app, "ana@example.org")


def test_two_check_ins_the_same_day_keep_their_own_times(app, web):
    _sign_up(web, "ana@example.org", zone="America/New_York")
    morning = datetime(2024, 3, 5, 13, 5, tzinfo=UTC)  # 08:05 in New York
    evening = datetime(2024, 3, 5, 22, 40, tzinfo=UTC)  # 17:40
    _add(app, "ana@example.org", morning, {"mood": 3, "emotions": ["tired"]})
    _add(app, "ana@example.org", evening, {"mood": 6, "emotions": ["relieved"]})
    first, second = _items(web)  # newest first
    assert "Tue 5 Mar 2024, 17:40" in first and "<li>relieved</li>" in first
    assert "Tue 5 Mar 2024, 08:05" in second and "<li>tired</li>" in second
    # Through the form too: each keeps its own entry.
    for mood in ("2", "8"):
        assert _check_in(web, mood=mood).status_code == 303
    assert len(_items(web)) == 4


def test_another_client_gets_404_and_sees_nothing(web, other_web):
    web.sign_up("ana@example.org")
    marker = new_marker("CHECKINISOLATED")
    assert _check_in(web, note=marker).status_code == 303
    checkin_id = re.search(r"/checkins/([0-9a-f-]{36})/delete", web.get("/checkins").get_data(as_text=True)).group(1)
    other_web.sign_up("ben@example.org")
    for htmx in (False, True):
        for url in (f"/checkins/{checkin_id}", f"/checkins/{checkin_id}/delete"):
            response = other_web.get(url, htmx=htmx)
            assert response.status_code == 404, url
            assert marker not in response.get_data(as_text=True)
        assert other_web.post(f"/checkins/{checkin_id}/delete", htmx=htmx).status_code == 404
    assert marker not in other_web.get("/checkins").get_data(as_text=True)
    assert marker not in other_web.get("/charts").get_data(as_text=True)
    assert marker in web.get(f"/checkins/{checkin_id}").get_data(as_text=True)


def test_therapists_and_visitors_cannot_open_check_ins(app, web, other_web):
    other_web.sign_up("doc@example.org", role="therapist")
    assert other_web.get("/checkins").status_code == 403
    assert other_web.get("/checkins/new").status_code == 403
    response = web.get("/checkins/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")


def test_delete_asks_first_then_removes(web):
    web.sign_up("ana@example.org")
    assert _check_in(web, mood="3", note="to go").status_code == 303
    assert _check_in(web, mood="9", note="to keep").status_code == 303
    page = web.get("/checkins").get_data(as_text=True)
    links = re.findall(r'href="(/checkins/[0-9a-f-]{36}/delete)"', page)
    doomed = next(link for link, item in zip(links, _items(web), strict=False) if "to go" in item)
    confirm = web.get(doomed).get_data(as_text=True)
    assert "Delete this check-in?" in confirm and "mood 3 of 10" in confirm and "cannot be undone" in confirm
    response = web.post(doomed)
    assert response.status_code == 303 and response.headers["Location"] == "/checkins"
    [left] = _items(web)
    assert "to keep" in left
    assert web.get(doomed).status_code == 404 and web.post(doomed).status_code == 404


def test_list_pages_newest_first_and_the_next_page_is_a_fragment(app, web):
    web.sign_up("ana@example.org")
    start = utcnow() - timedelta(days=40)
    for n in range(32):
        _add(app, "ana@example.org", start + timedelta(hours=n), {"mood": n % 11, "note": f"number {n:02d}"})
    page = web.get("/checkins").get_data(as_text=True)
    shown = re.findall(r"number (\d\d)", page)
    assert shown == [f"{n:02d}" for n in range(31, 1, -1)]  # a page of 30
    more = re.search(r'hx-get="(/checkins\?before=[^"]+)"', page).group(1).replace("&amp;", "&")
    fragment = web.get(more, htmx=True).get_data(as_text=True)
    assert not fragment.lstrip().lower().startswith("<!doctype") and re.findall(r"number (\d\d)", fragment) == [
        "01",
        "00",
    ]
    assert "<!doctype html>" in web.get(more).get_data(as_text=True).lower()
    assert web.get("/checkins?before=garbage").status_code == 400


def test_mood_series_is_oldest_first_and_starts_where_asked(app, web):
    web.sign_up("ana@example.org")
    now = utcnow()
    _add(app, "ana@example.org", now - timedelta(days=1), {"mood": 6, "anxiety": 2})
    _add(app, "ana@example.org", now - timedelta(days=50), {"mood": 2, "anxiety": 8})
    _add(app, "ana@example.org", now - timedelta(days=3), {"mood": 5})
    _add(app, "ana@example.org", now - timedelta(days=2), {"anxiety": 7})  # no mood: anxiety still charts
    _add(app, "ana@example.org", now - timedelta(days=2, hours=1), {"note": "words only"})  # nothing to chart
    with app.app_context():
        keyring = _keyring("ana@example.org")
        series = checkins.mood_series(get_db(), keyring, None)
        assert [(mood, anxiety) for _at, mood, anxiety in series] == [(2, 8), (5, None), (None, 7), (6, 2)]
        assert [at for at, *_ in series] == sorted(at for at, *_ in series)
        recent = checkins.mood_series(get_db(), keyring, now - timedelta(days=30))
        assert [(mood, anxiety) for _at, mood, anxiety in recent] == [(5, None), (None, 7), (6, 2)]


def test_no_emotion_word_or_note_in_any_column_or_raw_byte(app, web, database_url, request):
    web.sign_up("dump@example.org")
    marker = new_marker("CHECKINDUMP")
    word = "spacious"  # a word from the vocabulary that appears nowhere else
    assert _check_in(web, mood="7", emotions=[word], note=f"{marker} ünïcode ✨").status_code == 303
    assert word in web.get("/checkins").get_data(as_text=True)
    secrets = [marker.encode(), word.encode(), "ünïcode ✨".encode()]
    raw = _raw_copy(database_url, request)
    assert b"dump@example.org" in raw
    for secret in secrets:
        assert secret not in raw, secret
    app.extensions["db_engine"].dispose()
    columns = _all_values(database_url)
    assert any(b"dump@example.org" in value for value in columns)
    for secret in secrets:
        assert not any(secret in value for value in columns), secret


def test_shown_in_the_client_time_zone(app, web):
    _sign_up(web, "ana@example.org", zone="Pacific/Auckland")
    at = datetime(2024, 3, 5, 23, 30, tzinfo=UTC)
    _add(app, "ana@example.org", at, {"mood": 5})
    expected = at.astimezone(ZoneInfo("Pacific/Auckland")).strftime("%a %-d %b %Y, %H:%M")
    assert expected == "Wed 6 Mar 2024, 12:30"
    assert expected in _items(web)[0]


def test_the_timeline_shows_a_check_in_and_links_to_it(web):
    web.sign_up("ana@example.org")
    assert (
        _check_in(
            web,
            mood="7",
            anxiety="2",
            skip_anxiety="",
            emotions=["calm", "tender"],
            sleep_hours="6",
            note="slow morning",
        ).status_code
        == 303
    )
    page = web.get("/timeline").get_data(as_text=True)
    assert "Mood 7 · anxiety 2 · sleep 6 hours · calm, tender · slow morning" in page
    link = re.search(r'href="(/checkins/[0-9a-f-]{36})"', page).group(1)
    read = web.get(link).get_data(as_text=True)
    assert "<dt>Mood</dt><dd>7" in read and "slow morning" in read and f'href="{link}/delete"' in read


@pytest.mark.browser
def test_in_a_phone_browser_an_untouched_slider_is_not_saved(tmp_path):
    """Real Chromium at 320 px, with script and without: every scale starts unset, and one left alone stores nothing."""
    from playwright.sync_api import expect, sync_playwright

    from ..browser.browser_support import (
        BROKEN_WORDS_JS,
        COMMON,
        NARROW,
        SMALL_TARGETS_JS,
        WIDER_THAN_VIEWPORT_JS,
        Shots,
        launch,
        new_email,
        sign_up,
    )
    from ..support import live_server

    # Per scale, the visible form controls among its select and slider (the "Not now" chip is a button).
    controls_js = (
        "() => [...document.querySelectorAll('[data-scale]')].map(box => [...box.querySelectorAll("
        "'select, input')].filter(el => !el.hidden && el.getClientRects().length).length)"
    )
    shots = Shots("checkins-phone")
    with live_server(tmp_path, "checkins-browser") as base, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_context(**COMMON, **NARROW).new_page()
            page.set_default_timeout(10_000)
            sign_up(page, base, new_email("checkin"))
            page.goto(base + "/checkins/new")
            page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
            for check, found in (
                ("width", page.evaluate(WIDER_THAN_VIEWPORT_JS)),
                ("targets", page.evaluate(SMALL_TARGETS_JS, 44)),
                ("words", page.evaluate(BROKEN_WORDS_JS)),
            ):
                assert found == [], (check, found)
            # One control per scale for the thumb, the keyboard and a screen reader: the slider, its select hidden.
            assert page.evaluate(controls_js) == [1, 1, 1]
            expect(page.get_by_role("combobox", name="Mood")).to_have_count(0)
            mood = page.get_by_role("slider", name="Mood")
            expect(mood).to_have_attribute("aria-valuetext", "not answered")
            expect(page.locator("output[for=mood]")).to_have_text("–")
            expect(page.locator(".scale", has=mood)).to_have_class(re.compile(r"\bis-unset\b"))
            expect(page.get_by_role("button", name="Not now: skip mood")).to_have_attribute("aria-pressed", "true")
            shots.take(page, "fresh")
            # Saving with nothing answered is stopped on the phone, before anything is sent or kept.
            page.get_by_role("button", name="Save check-in").click()
            expect(page.locator("[data-nothing]")).to_be_visible()
            expect(page.locator("[data-nothing]")).to_contain_text("Nothing to save yet")
            expect(page).to_have_url(base + "/checkins/new")
            # Anxiety touched, then put back to "Not now"; energy answered with the keyboard; mood left alone.
            anxiety = page.get_by_role("slider", name="Anxiety")
            anxiety.focus()
            page.keyboard.press("ArrowRight")
            expect(page.locator("output[for=anxiety]")).to_have_text("6")
            expect(anxiety).not_to_have_attribute("aria-valuetext", "not answered")
            page.get_by_role("button", name="Not now: skip anxiety").click()
            expect(page.locator("output[for=anxiety]")).to_have_text("–")
            expect(anxiety).to_have_attribute("aria-valuetext", "not answered")
            page.get_by_role("slider", name="Energy").focus()
            page.keyboard.press("ArrowLeft")
            expect(page.locator("output[for=energy]")).to_have_text("4")
            expect(page.get_by_role("button", name="Not now: skip energy")).to_have_attribute("aria-pressed", "false")
            expect(page.locator("[data-nothing]")).to_be_hidden()
            assert page.evaluate(
                "[...new FormData(document.querySelector('.checkin-form'))].filter(([n]) => "
                "['mood', 'anxiety', 'energy'].includes(n))"
            ) == [["mood", ""], ["anxiety", ""], ["energy", "4"]]
            page.get_by_role("checkbox", name="grounded", exact=True).check()
            shots.take(page, "energy-answered")
            page.get_by_role("button", name="Save check-in").click()
            expect(page).to_have_url(re.compile(r"/checkins/[0-9a-f-]{36}$"))  # the saved check-in's page
            expect(page.get_by_text("Check-in saved. Only you can see it unless you share it.")).to_be_visible()
            item = page.locator(".checkin-item").first
            expect(item).to_contain_text(re.compile(r"Energy\s*4 / 10"))
            expect(item).not_to_contain_text("Mood")
            expect(item).not_to_contain_text("Anxiety")
            expect(item).to_contain_text("grounded")

            # Without script: the selects themselves, "Not now" until chosen; the server refuses an empty form.
            plain = browser.new_context(**COMMON, **NARROW, java_script_enabled=False).new_page()
            plain.set_default_timeout(10_000)
            plain.context.add_cookies(page.context.cookies())
            plain.goto(base + "/checkins/new")
            expect(plain.get_by_role("slider")).to_have_count(0)
            assert plain.evaluate(controls_js) == [1, 1, 1]
            for name in ("Mood", "Anxiety", "Energy"):
                expect(plain.get_by_role("combobox", name=name)).to_have_value("")
            assert plain.evaluate(SMALL_TARGETS_JS, 44) == [] and plain.evaluate(WIDER_THAN_VIEWPORT_JS) == []
            plain.get_by_role("button", name="Save check-in").click()
            expect(plain.locator("[data-nothing]")).to_be_visible()
            plain.get_by_role("combobox", name="Anxiety").select_option("3")
            shots.take(plain, "without-script")
            plain.get_by_role("button", name="Save check-in").click()
            expect(plain).to_have_url(re.compile(r"/checkins/[0-9a-f-]{36}$"))
            item = plain.locator(".checkin-item").first
            expect(item).to_contain_text(re.compile(r"Anxiety\s*3 / 10"))
            expect(item).not_to_contain_text("Mood")

            # Only the anxiety answer is charted, and the key says it is anxiety.
            for path in ("/checkins", "/charts", "/charts?range=all"):
                page.goto(base + path)
                page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
                assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
                assert page.evaluate(SMALL_TARGETS_JS, 44) == [], path
            assert page.locator("svg.chart .chart-point").count() == 1
            expect(page.locator("svg.chart .chart-key-label")).to_have_text(["Anxiety"])
        finally:
            browser.close()
