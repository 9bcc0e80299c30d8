"""What a page asks of the database: a fixed number of statements whatever the data, and a page that only
reads commits nothing (on PostgreSQL a COMMIT is a round trip, and a second transaction another)."""

from __future__ import annotations

from ..support import statements


def _entries(web, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        web.new_entry(f"Note {number}", f"what stayed with me, {number}")


def _check_in(web) -> None:
    page = web.get("/checkins/new").get_data(as_text=True)
    key = page.split('name="client_key" value="', 1)[1].split('"', 1)[0]
    assert web.post("/checkins", {"client_key": key, "mood": "6"}).status_code == 303


def test_hot_pages_ask_the_same_few_statements_at_2_and_40_records_and_commit_nothing(app, web):
    web.sign_up("ana@example.org")
    _entries(web, 2)
    _check_in(web)
    pages = ("/timeline", "/entries", "/checkins", "/", "/new")
    for page in pages:
        web.get(page)  # the minutely last-seen write is done before counting
    counts = {}
    for page in pages:
        with statements(app) as (seen, commits):
            assert web.get(page).status_code == 200
        assert commits == [], (page, "a page that only reads committed")
        counts[page] = len(seen)
    assert counts["/new"] <= 2  # the session with its user, and at most one more
    assert counts["/timeline"] <= 4
    _entries(web, 38, start=2)
    for page in pages:
        with statements(app) as (seen, commits):
            assert web.get(page).status_code == 200
        assert len(seen) == counts[page], (page, seen)
        assert commits == []


def test_one_entry_page_opens_it_in_one_statement_and_finds_its_place_in_one_more(app, web):
    web.sign_up("ana@example.org")
    entry = web.new_entry("Once", "the river")
    web.get(f"/entries/{entry}")
    with statements(app) as (seen, commits):
        assert "the river" in web.get(f"/entries/{entry}").get_data(as_text=True)
    record_reads = [one for one in seen if one.lstrip().upper().startswith("SELECT") and "FROM records" in one]
    opened = [one for one in record_reads if "payload_ciphertext" in one]
    assert len(opened) == 1, record_reads
    # "Day N after session K": the sessions it follows, from their times alone (nothing opened).
    assert len(record_reads) == 2, record_reads
    assert commits == []
