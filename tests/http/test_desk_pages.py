"""The desk at any size: a client's page and the brief show a first screen of the newest shared items, older ones a
page at a time (htmx, or a plain link), the whole brief to print; and who may see which page."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import select

from journal.db import get_db, utcnow
from journal.desk import brief as briefs
from journal.desk import service as desk
from journal.entries import service as entries
from journal.models import AccessEvent, AccessEventRecord
from journal.sharing import service as sharing

from ..support import WebClient, new_marker, statements
from . import test_desk
from .test_desk import _add, _events, _keyring, _link, _share

# The desk's fixtures: Ana, and Dr Rivera at the desk, linked.
doc, linked = test_desk.doc, test_desk.linked

RECORD_RE = re.compile(r'data-record="([0-9a-f-]{36})"')
OLDER_RE = re.compile(r'data-older hx-get="([^"]+)"')


def _entries(app, times, *, shared_at=None, title="entry") -> list[str]:
    """Ana's entries at these times (through the entries service), shared with the doctor; their ids."""
    ids = []
    with app.app_context():
        db = get_db()
        keyring, link, now = _keyring(db, "ana@example.org"), _link(db), utcnow()
        for n, at in enumerate(times):
            data, _ = entries.clean_entry(f"{title} {n}", f"words {n}")
            record_id = entries.create_entry(db, keyring, uuid.uuid4().hex, data, at)
            sharing.share(db, keyring, record_id, link, shared_at or now)
            ids.append(str(record_id))
        db.commit()
    return ids


def _newest_first(app, ids) -> list[str]:
    """The ids in the desk's order: occurred_at, then id, newest first."""
    from journal.models import Record

    with app.app_context():
        rows = (
            get_db()
            .execute(select(Record.id, Record.occurred_at).where(Record.id.in_([uuid.UUID(str(one)) for one in ids])))
            .all()
        )
    return [str(row.id) for row in sorted(rows, key=lambda row: (row.occurred_at, row.id), reverse=True)]


def _older(page: str) -> str | None:
    found = OLDER_RE.search(page)
    return found.group(1).replace("&amp;", "&") if found else None


def _walk(therapist: WebClient, first_url: str) -> tuple[list[list[str]], str]:
    """Every page from the first screen down, following the htmx "older" links; ids per page, and the first page."""
    first = therapist.get(first_url).get_data(as_text=True)
    pages, url = [RECORD_RE.findall(first)], _older(first)
    while url:
        fragment = therapist.get(url, htmx=True)
        assert fragment.status_code == 200, url
        text = fragment.get_data(as_text=True)
        assert not text.lstrip().lower().startswith("<!doctype")
        pages.append(RECORD_RE.findall(text))
        url = _older(text)
    return pages, first


# A client's page ----------------------------------------------------------------------------------------------


def test_the_client_page_shows_the_newest_page_and_older_pages_follow_without_repeats_or_gaps(app, web, doc, linked):
    now = utcnow()
    # 95 entries, five at each moment: pages must tell equal times apart by id.
    ids = _entries(app, [now - timedelta(hours=n // 5) for n in range(95)])
    pages, first = _walk(doc, f"/desk/clients/{linked}")
    assert [len(page) for page in pages] == [desk.PAGE_SIZE, desk.PAGE_SIZE, 95 - 2 * desk.PAGE_SIZE]
    assert [one for page in pages for one in page] == _newest_first(app, ids)
    assert 'data-shared="95"' in first and "(95)" in first and 'data-new="95"' in first
    assert "older ones load as you scroll down" in first
    # The same link without JavaScript: a whole page of the next ones, with a way back to the newest.
    plain = re.search(r'<a class="button" href="([^"]+)">Older</a>', first).group(1).replace("&amp;", "&")
    page = doc.get(plain).get_data(as_text=True)
    assert page.lstrip().lower().startswith("<!doctype html>") and "Back to the newest" in page
    assert RECORD_RE.findall(page) == pages[1]


def test_a_bad_cursor_is_400(app, web, doc, linked):
    _entries(app, [utcnow()])
    for url in (
        f"/desk/clients/{linked}?before=bad",
        f"/desk/clients/{linked}?before=2026-01-01T00:00:00_not-an-id",
        f"/desk/clients/{linked}?before=2026-01-01T00:00:00_{uuid.uuid4()}x",
        f"/desk/clients/{linked}/brief?before=bad",
        f"/desk/clients/{linked}/brief?before=",
        f"/desk/clients/{linked}/brief?before=shared-yesterday",
    ):
        assert doc.get(url).status_code == 400, url
        assert doc.get(url, htmx=True).status_code == 400, url


def test_another_therapist_or_an_ended_link_gets_404_for_every_page(app, web, doc, linked):
    now = utcnow()
    ids = _entries(app, [now - timedelta(hours=n) for n in range(45)])
    first = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    cursor = _older(first)
    brief = doc.get(f"/desk/clients/{linked}/brief").get_data(as_text=True)
    brief_cursor = _older(brief)
    assert cursor and brief_cursor
    urls = [
        f"/desk/clients/{linked}",
        cursor,
        f"/desk/clients/{linked}/brief",
        brief_cursor,
        f"/desk/clients/{linked}/brief?all=1",
        f"/desk/clients/{linked}/records/{ids[0]}",
    ]
    stranger = WebClient(app.test_client())
    stranger.sign_up("other@example.org", role="therapist")
    for url in urls:
        assert stranger.get(url).status_code == 404, url
        assert stranger.get(url, htmx=True).status_code == 404, url
    assert doc.post(f"/desk/clients/{linked}/end").status_code == 303
    for url in urls:
        assert doc.get(url).status_code == 404, url
        assert doc.get(url, htmx=True).status_code == 404, url


def test_a_share_revoked_between_pages_is_not_shown(app, web, doc, linked):
    now = utcnow()
    ids = _entries(app, [now - timedelta(hours=n) for n in range(60)])
    order = _newest_first(app, ids)
    first = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    revoked = order[desk.PAGE_SIZE + 3]  # on the next page
    with app.app_context():
        db = get_db()
        assert sharing.revoke(db, _keyring(db, "ana@example.org"), uuid.UUID(revoked), _link(db), utcnow())
        db.commit()
    following = doc.get(_older(first), htmx=True).get_data(as_text=True)
    assert RECORD_RE.findall(following) == [one for one in order[desk.PAGE_SIZE :] if one != revoked]
    assert doc.get(f"/desk/clients/{linked}/records/{revoked}").status_code == 404


def test_older_pages_are_one_summary_line_saying_the_most_items_seen(app, web, doc, linked):
    now = utcnow()
    _entries(app, [now - timedelta(hours=n) for n in range(90)])
    pages, _first = _walk(doc, f"/desk/clients/{linked}")
    assert [len(page) for page in pages] == [40, 40, 10]
    doc.get(f"/desk/clients/{linked}")  # back to the top
    assert _events(app) == 1 and _events(app, "summary") == 1
    with app.app_context():
        assert get_db().scalar(select(AccessEvent.items)) == 90  # scrolled down past every one of them
    line = web.get("/access").get_data(as_text=True)
    assert "Saw the summaries of what you share on their desk (90 items)" in line


def test_counts_stop_at_a_cap_and_say_so(app, web, doc, linked, monkeypatch):
    monkeypatch.setattr(desk, "COUNT_CAP", 5)
    _entries(app, [utcnow() - timedelta(hours=n) for n in range(8)])
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert "(more than 5)" in page and "more than 5 new</strong>" in page
    assert len(RECORD_RE.findall(page)) == 8


def test_a_page_costs_the_same_queries_for_50_or_200_shared_records(app, web, doc, linked):
    now = utcnow()
    _entries(app, [now - timedelta(hours=n) for n in range(50)])
    doc.get(f"/desk/clients/{linked}")  # warm up
    counts = {}
    for total in (50, 200):
        if total == 200:
            _entries(app, [now - timedelta(hours=50 + n) for n in range(150)])
        pages = {}
        first = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
        for name, url, htmx in (
            ("page", f"/desk/clients/{linked}", False),
            ("older", _older(first), True),
            ("brief", f"/desk/clients/{linked}/brief", False),
        ):
            with statements(app) as (seen, _commits):
                response = doc.get(url, htmx=htmx)
            assert response.status_code == 200
            pages[name] = len(seen)
            if name == "page":
                assert len(RECORD_RE.findall(response.get_data(as_text=True))) == desk.PAGE_SIZE
        counts[total] = pages
    assert counts[50] == counts[200], counts


# Flags of a long history ------------------------------------------------------------------------------------------


def test_flags_come_from_the_last_30_days_and_older_ones_from_their_page_and_the_whole_brief(app, web, doc, linked):
    now = utcnow()
    old = _add(app, "phq9", now - timedelta(days=80), value=1)  # item 9 "Several days", long ago
    _share(app, old, when=now - timedelta(days=80))
    late = _add(app, "phq9", now - timedelta(days=70), value=2)  # long ago, but shared today
    _share(app, late)
    fresh = _add(app, "phq9", now - timedelta(days=3), value=1)
    _share(app, fresh, when=now - timedelta(days=3))
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    flags = re.findall(r'data-flag="([^"]+)"', page)
    assert f"item9:{fresh}" in flags and f"item9:{late}" in flags and f"item9:{old}" not in flags
    assert "Flags here come from the questionnaires and check-ins of the last 30 days" in page
    record = doc.get(f"/desk/clients/{linked}/records/{old}").get_data(as_text=True)
    assert f'data-flag="item9:{old}"' in record
    whole = doc.get(f"/desk/clients/{linked}/brief?all=1").get_data(as_text=True)
    assert f'data-flag="item9:{old}"' in whole and "The whole brief" in whole
    # An old flag can be marked seen from its page: then it is seen everywhere it shows.
    assert doc.post(f"/desk/clients/{linked}/flags/seen", {"flag": f"item9:{old}"}).status_code == 303
    assert "Flag, seen:" in doc.get(f"/desk/clients/{linked}/records/{old}").get_data(as_text=True)


def test_a_mood_flag_reads_the_usual_mood_from_before_the_last_30_days(app, web, doc, linked):
    """The usual mood of a flag of the last 30 days comes from check-ins shared before them: found all the same."""
    now = utcnow()
    usual = [_add(app, "checkin", now - timedelta(days=60 - day), mood=7) for day in range(10)]
    lows = [_add(app, "checkin", now - timedelta(days=2, hours=hours), mood=2) for hours in (2, 1)]
    _share(app, *usual, *lows)
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert re.findall(r'data-flag="([^"]+)"', page) == [f"mood:{lows[-1]}"]
    assert "below their usual 7 (the median of the 9 shared check-ins before)" in page


# The brief --------------------------------------------------------------------------------------------------------


def test_the_brief_shows_the_latest_items_first_and_prints_whole(app, web, doc, linked):
    now = utcnow()
    markers = [new_marker(f"BRIEF{n}") for n in range(55)]
    ids = []
    with app.app_context():
        db = get_db()
        keyring, link = _keyring(db, "ana@example.org"), _link(db)
        for n, marker in enumerate(markers):
            data, _ = entries.clean_entry(f"entry {n}", marker)
            record_id = entries.create_entry(db, keyring, uuid.uuid4().hex, data, now - timedelta(hours=n // 3))
            sharing.share(db, keyring, record_id, link, now)
            ids.append(str(record_id))
        db.commit()
    before_date = _entries(app, [now - timedelta(days=40)], shared_at=now - timedelta(days=40), title="before")
    late = _entries(app, [now - timedelta(days=30)], title="late")  # written before the date, shared after it
    since = (now - timedelta(days=5)).date().isoformat()

    # Older items follow a page at a time: the rest of what happened since the date, then what was shared since.
    pages, first = _walk(doc, f"/desk/clients/{linked}/brief?since={since}")
    assert pages[0] == _newest_first(app, ids)[: briefs.FIRST_SCREEN][::-1]  # in order of time, oldest first
    assert f'data-narrowed="{briefs.FIRST_SCREEN}"' in first and "more than 40 items" in first
    assert f'href="/desk/clients/{linked}/brief?since={since}&amp;all=1">Print the whole brief' in first
    older = [one for page in pages[1:] for one in page]
    assert older == _newest_first(app, ids)[briefs.FIRST_SCREEN :] + late
    assert before_date[0] not in first + "".join(str(page) for page in pages)
    # The whole brief: everything since the date, the one written before it but shared since too.
    whole = doc.get(f"/desk/clients/{linked}/brief?since={since}&all=1").get_data(as_text=True)
    assert all(marker in whole for marker in markers) and late[0] in whole and before_date[0] not in whole
    assert "data-narrowed" not in whole and "data-desk-print" in whole
    # Read as one brief: the first screen, its older items and the whole brief are one line covering all.
    with app.app_context():
        db = get_db()
        lines = db.scalars(select(AccessEvent).where(AccessEvent.what == "brief")).all()
        assert len(lines) == 1 and lines[0].items == 56
        covered = set(
            map(str, db.scalars(select(AccessEventRecord.record_id).where(AccessEventRecord.event_id == lines[0].id)))
        )
        assert covered == set(ids) | set(late)


def test_a_brief_of_a_short_period_is_whole_on_its_first_screen(app, web, doc, linked):
    now = utcnow()
    ids = _entries(app, [now - timedelta(hours=n) for n in range(12)])
    page = doc.get(f"/desk/clients/{linked}/brief").get_data(as_text=True)
    assert all(f'data-record="{one}"' in page for one in ids) and "12 items" in page
    assert "data-narrowed" not in page and "data-older" not in page


def test_what_was_shared_late_follows_what_happened_in_the_period_wherever_the_screen_ends(app, web, doc, linked):
    """The first screen full with what happened since the date, or with room for some of what was shared since then
    from before it: either way the older items bring the rest, once each."""
    now = utcnow()
    since = (now - timedelta(days=5)).date().isoformat()
    late = _entries(app, [now - timedelta(days=30 + n) for n in range(3)], title="late")
    for in_period in (briefs.FIRST_SCREEN - 2, 2):  # room for two of the three; then none
        _entries(app, [now - timedelta(hours=1, minutes=n) for n in range(in_period)])
        pages, first = _walk(doc, f"/desk/clients/{linked}/brief?since={since}")
        every = [one for page in pages for one in page]
        assert sorted(every) == sorted(set(every)) and set(late) <= set(every)
        assert len(pages[0]) == briefs.FIRST_SCREEN and len(every) == len(set(every))
