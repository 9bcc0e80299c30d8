"""Questionnaires (PHQ-9, GAD-7, PCL-5): published wording, published scoring, and what a client sees."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from journal import vault
from journal.db import get_db
from journal.measures import service
from journal.measures.instruments import GAD7, INSTRUMENTS, PCL5, PHQ9, band_for, parse_answers, score, unanswered
from journal.models import Record, User
from journal.records import kinds
from journal.records import service as records

from ..support import PASSWORD

EMAIL = "ana@example.org"


def answers_for(instrument, total: int) -> dict[int, int]:
    """Answers adding up to `total`: the highest value on the first items, the rest lower."""
    top = len(instrument.options) - 1
    answers, left = {}, total
    for n in instrument.numbers:
        answers[n] = min(top, left)
        left -= answers[n]
    assert left == 0
    return answers


def form_for(answers: dict[int, int], **extra) -> dict[str, str]:
    return {**{f"q{n}": str(value) for n, value in answers.items()}, **extra}


def client_key(web, instrument_id: str) -> str:
    page = web.get(f"/questionnaires/{instrument_id}/new").get_data(as_text=True)
    return re.search(r'name="client_key" value="([^"]+)"', page).group(1)


def submit(web, instrument_id: str, answers: dict[int, int], **extra):
    data = form_for(answers, client_key=client_key(web, instrument_id), **extra)
    return web.post(f"/questionnaires/{instrument_id}", data)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def keyring_for(email: str = EMAIL):
    user = get_db().scalar(select(User).where(User.email == email))
    return vault.unlock_with_password(user, PASSWORD)


# -- the published instruments, as pure functions ------------------------------------------------------


def test_items_are_the_published_wording():
    assert (
        INSTRUMENTS["phq9"].items[8] == "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert PHQ9.items[0] == "Little interest or pleasure in doing things"
    assert GAD7.items[0] == "Feeling nervous, anxious, or on edge"
    assert GAD7.items[6] == "Feeling afraid, as if something awful might happen"
    assert PCL5.items[16] == 'Being "superalert" or watchful or on guard?'
    assert PCL5.items[0] == "Repeated, disturbing, and unwanted memories of the stressful experience?"
    assert (len(PHQ9.items), len(GAD7.items), len(PCL5.items)) == (9, 7, 20)
    assert PHQ9.stem.startswith("Over the last 2 weeks") and GAD7.stem.startswith("Over the last 2 weeks")
    assert PCL5.stem == "In the past month, how much were you bothered by:"
    assert PHQ9.options == GAD7.options == ("Not at all", "Several days", "More than half the days", "Nearly every day")
    assert PCL5.options == ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")
    assert list(INSTRUMENTS) == ["phq9", "gad7", "pcl5"]
    assert [i.name for i in INSTRUMENTS.values()] == ["PHQ-9", "GAD-7", "PCL-5"]


@pytest.mark.parametrize(
    "instrument, maximum, low_band, high_band",
    [
        (PHQ9, 27, "Minimal", "Severe"),
        (GAD7, 21, "Minimal", "Severe"),
        (PCL5, 80, "Below the 31‑33 cut-point range", "Above the 31‑33 cut-point range"),
    ],
)
def test_all_minimum_and_all_maximum(instrument, maximum, low_band, high_band):
    lowest = score(instrument, {n: 0 for n in instrument.numbers})
    highest = score(instrument, {n: len(instrument.options) - 1 for n in instrument.numbers})
    assert (lowest.total, lowest.band.label) == (0, low_band)
    assert (highest.total, highest.band.label) == (maximum, high_band)
    assert instrument.max_total == maximum


BOUNDARIES = [
    (PHQ9, 4, "Minimal"),
    (PHQ9, 5, "Mild"),
    (PHQ9, 9, "Mild"),
    (PHQ9, 10, "Moderate"),
    (PHQ9, 14, "Moderate"),
    (PHQ9, 15, "Moderately severe"),
    (PHQ9, 19, "Moderately severe"),
    (PHQ9, 20, "Severe"),
    (GAD7, 4, "Minimal"),
    (GAD7, 5, "Mild"),
    (GAD7, 9, "Mild"),
    (GAD7, 10, "Moderate"),
    (GAD7, 14, "Moderate"),
    (GAD7, 15, "Severe"),
    (PCL5, 30, "Below the 31‑33 cut-point range"),
    (PCL5, 31, "Within the 31‑33 cut-point range"),
    (PCL5, 33, "Within the 31‑33 cut-point range"),
    (PCL5, 34, "Above the 31‑33 cut-point range"),
]


@pytest.mark.parametrize("instrument, total, band", BOUNDARIES, ids=[f"{i.id}-{t}" for i, t, _ in BOUNDARIES])
def test_every_band_boundary(instrument, total, band):
    result = score(instrument, answers_for(instrument, total))
    assert result.total == total
    assert result.band.label == band
    assert band_for(instrument, total).label == band


def test_bands_cover_every_total_once():
    for instrument in INSTRUMENTS.values():
        covered = [t for band in instrument.bands for t in range(band.low, band.high + 1)]
        assert covered == list(range(instrument.max_total + 1)), instrument.id


def test_pcl5_cluster_subtotals():
    # B items 1-5, C 6-7, D 8-14, E 15-20.
    answers = {n: 0 for n in PCL5.numbers}
    answers.update({1: 4, 5: 3, 6: 2, 7: 1, 8: 1, 14: 4, 15: 2, 20: 3})
    result = score(PCL5, answers)
    assert {cluster.id: subtotal for cluster, subtotal in result.clusters} == {"B": 7, "C": 3, "D": 5, "E": 5}
    assert result.total == 20
    full = score(PCL5, {n: 4 for n in PCL5.numbers})
    assert [subtotal for _, subtotal in full.clusters] == [20, 8, 28, 24]
    assert score(PHQ9, {n: 0 for n in PHQ9.numbers}).clusters == ()


def test_phq9_item_9_above_not_at_all_is_the_crisis_signal():
    quiet = {n: 3 for n in PHQ9.numbers} | {9: 0}
    assert not score(PHQ9, quiet).crisis
    for value in (1, 2, 3):
        assert score(PHQ9, {n: 0 for n in PHQ9.numbers} | {9: value}).crisis
    assert not score(GAD7, {n: 3 for n in GAD7.numbers}).crisis


def test_incomplete_or_invalid_answers_are_not_scored():
    answers, difficulty = parse_answers(
        PHQ9, {"q1": "1", "q2": "9", "q3": "x", "q4": "-1", "q5": "²", "q6": " 2 ", "difficulty": "7"}
    )
    assert answers == {1: 1, 6: 2} and difficulty is None
    assert unanswered(PHQ9, answers) == [2, 3, 4, 5, 7, 8, 9]
    with pytest.raises(ValueError):
        score(PHQ9, answers)
    assert parse_answers(GAD7, {"difficulty": "2"})[1] is None  # only PHQ-9 asks it here
    assert parse_answers(PHQ9, {"difficulty": "2"})[1] == 2


# -- the pages -----------------------------------------------------------------------------------------


def test_form_has_a_fieldset_per_question_and_no_inline_style_or_script(web):
    web.sign_up(EMAIL)
    response = web.get("/questionnaires/phq9/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<fieldset") == 10 and page.count("<legend>") == 10  # 9 items + the optional question
    assert page.count('type="radio" name="q9"') == 4
    assert "Over the last 2 weeks, how often have you been bothered by any of the following problems?" in page
    assert (
        "how difficult have these problems made it for you" in page and "Optional. It is not part of the score." in page
    )
    assert "style=" not in page and "<script>" not in page and "onclick" not in page
    assert "measures.css" in page
    pcl = web.get("/questionnaires/pcl5/new").get_data(as_text=True)
    assert pcl.count("<fieldset") == 20 and "In the past month, how much were you bothered by:" in pcl
    assert web.get("/questionnaires/other/new").status_code == 404


@pytest.mark.parametrize(
    "instrument_id, total, band",
    [
        ("phq9", 12, "Moderate"),
        ("gad7", 15, "Severe"),
        ("pcl5", 33, "Within the 31‑33 cut-point range"),
    ],
)
def test_posting_answers_shows_the_score_and_band(web, instrument_id, total, band):
    web.sign_up(EMAIL)
    instrument = INSTRUMENTS[instrument_id]
    response = submit(web, instrument_id, answers_for(instrument, total))
    assert response.status_code == 303
    assert re.fullmatch(r"/questionnaires/[0-9a-f-]{36}", response.headers["Location"])
    page = text_of(web.get(response.headers["Location"]))
    assert re.search(
        rf'<span class="measure-total">{total}</span>\s*<span class="measure-of">out of {instrument.max_total}<', page
    )
    assert f"<strong>{band}</strong>" in page
    assert "information for you and your therapist, not a diagnosis" in page
    assert "crisis-heading" not in page


def test_pcl5_result_shows_clusters_and_the_provisional_cut_point(web):
    web.sign_up(EMAIL)
    answers = {n: 0 for n in PCL5.numbers} | {1: 4, 5: 3, 6: 2, 7: 1, 8: 1, 14: 4, 15: 2, 20: 3}
    page = text_of(web.get(submit(web, "pcl5", answers).headers["Location"]))
    for cluster, subtotal, maximum in (("B", 7, 20), ("C", 3, 8), ("D", 5, 28), ("E", 5, 24)):
        assert re.search(rf'data-cluster="{cluster}">.*?<td>{subtotal} of {maximum}</td>', page, re.S), cluster
    assert "a total of 31-33 or higher suggests probable PTSD" in page and "not a diagnosis" in page


def test_incomplete_form_is_refused_naming_the_missing_questions_and_keeping_answers(web):
    web.sign_up(EMAIL)
    answers = {n: 2 for n in PHQ9.numbers}
    del answers[3], answers[7], answers[9]
    answers[1] = 1
    response = submit(web, "phq9", answers, difficulty="1")
    assert response.status_code == 422
    page = text_of(response)
    assert "Questions 3, 7 and 9 are not answered yet." in page
    assert 'href="#item-3"' in page and 'id="item-9-error"' in page
    assert 'name="q1" value="1" checked' in page and 'name="q2" value="2" checked' in page
    assert 'name="q8" value="2" checked' in page and 'name="difficulty" value="1" checked' in page
    assert not re.search(r'name="q(3|7|9)" value="\d" checked', page)
    assert len(re.findall(r'value="\d" checked', page)) == 7  # six answers and the difficulty, nothing else
    with web.raw.application.app_context():
        assert get_db().scalar(select(func.count()).select_from(Record).where(Record.kind == "measure")) == 0
    one_missing = submit(web, "gad7", {n: 1 for n in GAD7.numbers if n != 4})
    assert one_missing.status_code == 422 and "Question 4 is not answered yet." in text_of(one_missing)


def test_phq9_item_9_shows_crisis_resources_before_the_score(web):
    web.sign_up(EMAIL)
    answers = {n: 0 for n in PHQ9.numbers} | {9: 1}
    page = text_of(web.get(submit(web, "phq9", answers).headers["Location"]))
    crisis = page.index('id="crisis-heading"')
    assert crisis < page.index('class="measure-total"') < page.index("not a diagnosis")
    assert crisis < page.index("<h1>")
    block = page[crisis : page.index("<h1>")]
    assert 'href="tel:988"' in block and "Text HOME to 741741" in block
    assert "Your therapist does not watch this app in real time" in block
    for wording in ("has been notified", "will be notified", "alerted your", "is watching", "will contact you"):
        assert wording not in page


def test_phq9_item_9_at_not_at_all_shows_no_crisis_block(web):
    web.sign_up(EMAIL)
    answers = {n: 3 for n in PHQ9.numbers} | {9: 0}
    page = text_of(web.get(submit(web, "phq9", answers).headers["Location"]))
    assert "crisis-heading" not in page and 'href="tel:988"' not in page
    assert '<span class="measure-total">24</span>' in page


def test_same_form_sent_twice_makes_one_record(web):
    web.sign_up(EMAIL)
    key = client_key(web, "gad7")
    data = form_for({n: 1 for n in GAD7.numbers}, client_key=key)
    first = web.post("/questionnaires/gad7", data)
    second = web.post("/questionnaires/gad7", data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    index = web.get("/questionnaires").get_data(as_text=True)
    assert index.count('href="/questionnaires/' + first.headers["Location"].rsplit("/", 1)[1]) == 1
    assert (
        web.post("/questionnaires/gad7", form_for({n: 1 for n in GAD7.numbers}, client_key="bad key")).status_code
        == 400
    )


def test_another_client_gets_404_and_a_therapist_403(app, web, other_web):
    web.sign_up(EMAIL)
    location = submit(web, "phq9", {n: 1 for n in PHQ9.numbers}).headers["Location"]
    other_web.sign_up("ben@example.org")
    assert other_web.get(location).status_code == 404
    assert other_web.get(location + "/delete").status_code == 404
    assert other_web.post(location + "/delete").status_code == 404
    assert other_web.get(f"/questionnaires/{uuid.uuid4()}").status_code == 404
    assert "out of 27" not in other_web.get("/questionnaires").get_data(as_text=True)
    assert web.get(location).status_code == 200
    doc = web.__class__(app.test_client())
    doc.sign_up("doc@example.org", role="therapist")
    assert doc.get("/questionnaires").status_code == 403 and doc.get(location).status_code == 403


def test_delete_asks_first_then_removes(web):
    web.sign_up(EMAIL)
    location = submit(web, "gad7", {n: 2 for n in GAD7.numbers}).headers["Location"]
    confirm = web.get(location + "/delete").get_data(as_text=True)
    assert "cannot be undone" in confirm and "score 14" in confirm
    assert web.get(location).status_code == 200  # looking at the confirmation deletes nothing
    deleted = web.post(location + "/delete")
    assert deleted.status_code == 303 and deleted.headers["Location"] == "/questionnaires"
    assert web.get(location).status_code == 404


def test_history_says_plainly_when_there_is_not_enough_data(app, web):
    web.sign_up(EMAIL)
    index = text_of(web.get("/questionnaires"))
    assert index.count("Not answered yet. Your first answers become your baseline.") == 3
    for instrument in INSTRUMENTS.values():
        assert f'href="/questionnaires/{instrument.id}/new"' in index
    submit(web, "phq9", answers_for(PHQ9, 8))
    index = text_of(web.get("/questionnaires"))
    assert "this is your only score, so it is your baseline" in index
    assert "no dosing session is logged" in index


def test_history_shows_change_since_baseline_and_since_the_last_dose(app, web):
    web.sign_up(EMAIL)
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    with app.app_context():
        db, keyring = get_db(), keyring_for()

        def measure(days: float, total: int):
            at = start + timedelta(days=days)
            service.create_measure(db, keyring, uuid.uuid4().hex, PHQ9, answers_for(PHQ9, total), None, at)

        def dose(days: float):
            at = start + timedelta(days=days)
            records.create(db, keyring, "dose", uuid.uuid4().hex, {}, at, at)

        measure(0, 18)  # baseline
        dose(3)  # session 1
        measure(10, 14)
        measure(20, 12)  # the latest before session 2
        dose(21)  # session 2
        db.commit()
    index = text_of(web.get("/questionnaires"))
    assert "there is no score from before" not in index
    assert "you have not answered it since session 2 (22 Mar 2025)" in index
    assert "6 lower: from 18 on 1 Mar 2025 to 12 on 21 Mar 2025." in index  # baseline

    with app.app_context():
        db, keyring = get_db(), keyring_for()
        service.create_measure(
            db, keyring, uuid.uuid4().hex, PHQ9, answers_for(PHQ9, 15), None, start + timedelta(days=23)
        )
        db.commit()
        assert service.scores(db, keyring, "phq9") == [
            (start, 18),
            (start + timedelta(days=10), 14),
            (start + timedelta(days=20), 12),
            (start + timedelta(days=23), 15),
        ]
        assert service.scores(db, keyring, "gad7") == []
    index = text_of(web.get("/questionnaires"))
    phq9 = index[index.index('id="phq9"') : index.index('id="gad7"')]
    assert re.search(r"data-baseline>\s*3 lower: from 18 on 1 Mar 2025 to 15 on 24 Mar 2025\.", phq9)
    assert re.search(
        r"data-since-dose>\s*3 higher: from 12 on 21 Mar 2025 to 15 on 24 Mar 2025\. "
        r"\(Session 2 was on 22 Mar 2025\.\)",
        phq9,
    )
    assert re.search(r"data-latest>\s*15 \(Moderately severe\)", phq9)
    assert phq9.count("<tr>") == 5  # a header row and four scores, newest first
    assert phq9.index(">15</td>") < phq9.index(">12</td>") < phq9.index(">14</td>") < phq9.index(">18</td>")
    gad7 = index[index.index('id="gad7"') :]
    assert "Not answered yet." in gad7


def test_no_score_from_before_the_last_dose_is_said_plainly(app, web):
    web.sign_up(EMAIL)
    with app.app_context():
        db, keyring = get_db(), keyring_for()
        at = datetime(2025, 5, 2, 12, 0, tzinfo=UTC)
        records.create(db, keyring, "dose", uuid.uuid4().hex, {}, at, at)
        db.commit()
    submit(web, "gad7", answers_for(GAD7, 6))
    index = text_of(web.get("/questionnaires"))
    assert "there is no score from before session 1 (2 May 2025) to compare with" in index


def test_timeline_summary_names_the_instrument_score_and_band(app, web):
    web.sign_up(EMAIL)
    location = submit(web, "phq9", answers_for(PHQ9, 12)).headers["Location"]
    with app.test_request_context(), app.app_context():
        keyring = keyring_for()
        view = records.get(get_db(), keyring, "measure", uuid.UUID(location.rsplit("/", 1)[1]))
        kind = kinds.kind("measure")
        assert (*kind.summary(view, []), kind.owner_url(view)) == ("PHQ-9", "Score 12 of 27 · Moderate", location)


def test_scores_refuses_an_unknown_instrument(app, web):
    web.sign_up(EMAIL)
    with app.app_context():
        with pytest.raises(ValueError):
            service.scores(get_db(), keyring_for(), "bdi")
