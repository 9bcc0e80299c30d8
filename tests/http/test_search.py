"""Search over the client's own writing: a word in each kind is found, highlighted, grouped by session and linked;
another person's writing never is; the words never travel in an address."""

from __future__ import annotations

import re
from datetime import timedelta

from journal.db import utcnow

from ..search_support import search, write_entry_at, write_one_of_each


def test_a_word_in_each_kind_is_found_marked_and_linked(app, web):
    web.sign_up("ana@example.org")
    words = write_one_of_each(web)
    for where, word in words.items():
        page = search(web, word.lower())  # as typed, in any case
        assert f"<mark>{word}</mark>" in page, where
        assert "1 result" in page, where
        links = re.findall(r'<li class="entry-item search-item">\s*<a href="([^"]+)"', page)
        assert len(links) == 1, where
        assert web.get(links[0]).status_code == 200
    assert "grieving" in search(web, "GRIEVING")  # an emotion word is found as the client picked it


def test_results_are_grouped_by_session_newest_first_and_every_word_is_needed(app, web):
    web.sign_up("ana@example.org")
    write_entry_at(app, "ana@example.org", "Before", "the lake at night, before anything", utcnow() - timedelta(days=9))
    write_one_of_each(web)  # a dosing session two days ago
    web.new_entry("After", "the lake again, quieter")
    page = search(web, "LAKE")
    headings = re.findall(r'<h3 class="timeline-heading"[^>]*>\s*(Session \d|Before the first session)', page)
    assert headings == ["Session 1", "Before the first session"]
    assert page.index("quieter") < page.index("before anything")
    assert "1 result" in search(web, "lake quieter")
    assert "Nothing found" in search(web, "lake ocean")


def test_another_persons_writing_is_never_found(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("ben@example.org")
    words = write_one_of_each(other_web, "BEN")
    for word in words.values():
        assert "Nothing found" in search(web, word)
        assert word not in search(web, word.split("-")[0])  # the word's start matches nothing of Ben's either
    assert words["title"] in search(other_web, words["title"])


def test_results_page_by_keyset_and_the_words_stay_out_of_the_address(app, web):
    web.sign_up("ana@example.org")
    for number in range(23):
        web.new_entry(f"Walk {number}", "a walk by the sea")
    page = search(web, "sea")
    assert "20 or more results" in page
    after = re.search(r'name="after" value="([^"]+)"', page).group(1)
    assert 'method="post"' in page and "?q=" not in page
    more = search(web, "sea", after=after)
    assert "3 results, further back" in more and "More results" not in more
    titles = re.findall(r'<span class="entry-title">([^<]+)</span>', page + more)
    assert titles == [f"Walk {n}" for n in range(22, -1, -1)]
    assert web.post("/search", {"q": "sea", "after": "not a cursor"}).status_code == 400
    assert web.post("/search", {"q": "sea"}, csrf=False).status_code == 403


def test_a_therapist_has_no_client_search(app, web, other_web):
    other_web.sign_up("doc@example.org", role="therapist")
    assert other_web.get("/search").status_code == 403
    assert web.get("/search").status_code in (302, 303)


def test_a_search_reads_at_most_its_cap_then_offers_to_look_further_back(app, web, monkeypatch):
    from journal.search import results

    monkeypatch.setattr(results, "READ_CAP", 12)  # what 2,500 records do, at a size a test writes quickly
    web.sign_up("ana@example.org")
    web.new_entry("Long ago", "the heron at the weir")
    for number in range(15):
        web.new_entry(f"Later {number}", "nothing of the bird")
    page = search(web, "heron")
    assert "Nothing found" in page and "Nothing in the writing looked through so far." in page
    assert "Look further back" in page and "Long ago" not in page
    after = re.search(r'name="after" value="([^"]+)"', page).group(1)
    further = search(web, "heron", after=after)
    assert (
        "1 result, further back" in further and "<mark>heron</mark>" in further and "Look further back" not in further
    )
