"""Risk flags: the rules in words, where the therapist sees them, marking them seen, and what the client is told."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from journal.db import get_db, utcnow
from journal.flags.rules import flags_for
from journal.measures.instruments import INSTRUMENTS, score
from journal.models import Link
from journal.sharing import service as sharing

from ..support import WebClient
from ..system.test_database_dump import _all_values, _raw_copy
from .test_desk import _add, _keyring, _link, _share, _user, doc, linked  # noqa: F401  (fixtures, used by name)

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


# The rules, on plain values ---------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    id: uuid.UUID
    occurred_at: datetime
    instrument: object
    answers: dict

    @property
    def result(self):
        return score(self.instrument, self.answers)

    @property
    def total(self) -> int:
        return self.result.total


@dataclass(frozen=True)
class Checked:
    id: uuid.UUID
    occurred_at: datetime
    mood: int | None


def _phq9(day: int, item9: int, rest: int = 1) -> Measured:
    answers = {n: rest for n in range(1, 9)} | {9: item9}
    return Measured(uuid.uuid4(), START + timedelta(days=day), INSTRUMENTS["phq9"], answers)


def _gad7(day: int, each: int) -> Measured:
    return Measured(uuid.uuid4(), START + timedelta(days=day), INSTRUMENTS["gad7"], {n: each for n in range(1, 8)})


def _moods(*values: int | None) -> list[Checked]:
    return [Checked(uuid.uuid4(), START + timedelta(days=day), value) for day, value in enumerate(values)]


def test_item_9_above_not_at_all_is_flagged_in_the_items_own_words():
    quiet, several = _phq9(0, 0), _phq9(30, 1)
    flags = flags_for([quiet, several], [], "Europe/Berlin")
    assert [(flag.rule, flag.record_id) for flag in flags] == [("item9", several.id)]
    assert flags[0].words == (
        "PHQ-9 item 9, “Thoughts that you would be better off dead or of hurting yourself "
        "in some way”: Several days, Tue 1 Dec"
    )
    assert "risk" not in flags[0].words.lower()


def test_a_total_in_a_higher_band_than_the_one_before_is_flagged():
    mild, moderate, still_moderate, minimal, severe = (
        _gad7(0, 1),
        _gad7(7, 2),
        _gad7(14, 2),
        _gad7(21, 0),
        _gad7(28, 3),
    )
    flags = flags_for([severe, mild, moderate, still_moderate, minimal], [], "UTC")
    assert [flag.record_id for flag in flags] == [severe.id, moderate.id]  # newest first
    assert flags[1].words == ("GAD-7 total 14 (Moderate), Sun 8 Nov; the one shared before it was 7 (Mild), Sun 1 Nov")
    # Another questionnaire's band does not count: each is compared with its own.
    assert flags_for([_gad7(0, 3), _phq9(1, 0, rest=0)], [], "UTC") == []


def test_a_sharp_mood_drop_is_flagged_once_per_episode():
    usual = [7, 8, 7, 6, 7, 7]  # median 7
    checkins = _moods(*usual, 4, 7, 3, 2, 3, 7, 7, 7, 3, 3)
    flags = flags_for([], checkins, "UTC")
    # 4 then 3 (two of three at 4 or below): a flag on the 3; 2 and 3 continue it; 7, 7, 7 end it; 3, 3 again.
    assert [flag.record_id for flag in flags] == [checkins[15].id, checkins[8].id]
    assert flags[1].words == (
        "Mood 4 on Sat 7 Nov and 3 on Mon 9 Nov: 3 or more below their usual 7 "
        "(the median of the 6 shared check-ins before)"
    )


def test_no_mood_flag_without_a_usual_mood_or_for_one_low_day():
    assert flags_for([], _moods(7, 7, 7, 7, 1, 1), "UTC") == []  # four before: no usual mood yet
    assert flags_for([], _moods(7, 7, 7, 7, 7, 2, 7, 7), "UTC") == []  # one low day in three
    assert flags_for([], _moods(7, 7, None, 7, 7, 7, 5, 4), "UTC") == []  # 5 and 4 are less than 3 below
    # Check-ins without a mood are not counted as low, nor in the usual mood.
    assert len(flags_for([], _moods(7, 7, 7, None, 7, 7, 7, 4, None, 4), "UTC")) == 1


# On the desk ---------------------------------------------------------------------------------------


def _flag_ids(page: str) -> list[str]:
    return re.findall(r'data-flag="([^"]+)"', page)


def test_a_shared_item_9_answer_shows_first_everywhere_the_therapist_looks(app, web, doc, linked):  # noqa: F811
    now = utcnow()
    quiet = _add(app, "phq9", now - timedelta(days=9), value=0)
    answer = _add(app, "phq9", now - timedelta(days=2), value=1)
    private = _add(app, "phq9", now - timedelta(days=1), value=2)  # never shared: never a flag
    entry = web.new_entry("After the session", "words")
    _share(app, quiet, answer, entry)
    # Its total (9, Mild) is also a band higher than the one before (0, Minimal): item 9 comes first.
    flag, band = f"item9:{answer}", f"band:{answer}"
    words = "Thoughts that you would be better off dead or of hurting yourself in some way”: Several days"

    listing = doc.get("/desk").get_data(as_text=True)
    assert _flag_ids(listing) == [flag, band] and words in listing and str(private) not in listing
    card = listing.split(f'data-client="{linked}"')[1]
    assert card.index("Flag:") < card.index("shared")  # first in the row
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert _flag_ids(page) == [flag, band] and page.index('id="flags-heading"') < page.index('id="shared-heading"')
    assert "2 of 3 shared check-ins" in page  # the rule, stated
    record = doc.get(f"/desk/clients/{linked}/records/{answer}").get_data(as_text=True)
    assert _flag_ids(record) == [flag, band] and record.index("Flag:") < record.index("record-meta")
    assert _flag_ids(doc.get(f"/desk/clients/{linked}/records/{quiet}").get_data(as_text=True)) == []
    brief = doc.get(f"/desk/clients/{linked}/brief").get_data(as_text=True)
    assert _flag_ids(brief) == [flag, band] and brief.index('id="flags-heading"') < brief.index('id="mood-heading"')

    # Marked seen: off the list and the client's open flags; still on the record and the brief, as seen.
    assert (
        doc.post(f"/desk/clients/{linked}/flags/seen", {"flag": flag, "next": "/desk"}).headers["Location"] == "/desk"
    )
    assert _flag_ids(doc.get("/desk").get_data(as_text=True)) == [band]
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    assert _flag_ids(page) == [band, flag] and "Marked seen (1)" in page
    record = doc.get(f"/desk/clients/{linked}/records/{answer}").get_data(as_text=True)
    assert "Flag, seen:" in record and "You marked it seen" in record and record.count(">Mark seen<") == 1
    # The client sees it in their access history.
    history = web.get("/access").get_data(as_text=True)
    assert "Marked as seen the flag on your answer to item 9 of the PHQ-9" in history
    assert f'href="/share/{answer}"' in history


def test_only_a_current_flag_of_ones_own_client_can_be_marked(app, web, doc, linked):  # noqa: F811
    answer = _add(app, "phq9", utcnow() - timedelta(days=1), value=3)
    _share(app, answer)
    for made_up in ("item9:" + str(uuid.uuid4()), f"band:{answer}", "", "x" * 500):
        assert doc.post(f"/desk/clients/{linked}/flags/seen", {"flag": made_up}).status_code == 404
    stranger = WebClient(app.test_client())
    stranger.sign_up("other@example.org", role="therapist")
    assert stranger.post(f"/desk/clients/{linked}/flags/seen", {"flag": f"item9:{answer}"}).status_code == 404
    assert web.post(f"/desk/clients/{linked}/flags/seen", {"flag": f"item9:{answer}"}).status_code == 403
    # The form carries the CSRF token like every state change.
    assert doc.post(f"/desk/clients/{linked}/flags/seen", {"flag": f"item9:{answer}"}, csrf=False).status_code == 403
    # Somewhere outside the desk is not a place to go back to.
    done = doc.post(f"/desk/clients/{linked}/flags/seen", {"flag": f"item9:{answer}", "next": "//evil.example/desk"})
    assert done.headers["Location"] == f"/desk/clients/{linked}"
    # Once the client stops sharing it, the flag goes with it.
    with app.app_context():
        db = get_db()
        assert sharing.revoke(db, _keyring(db, "ana@example.org"), answer, _link(db), utcnow())
        db.commit()
    assert _flag_ids(doc.get(f"/desk/clients/{linked}").get_data(as_text=True)) == []


def test_band_and_mood_flags_reach_the_list_and_the_brief(app, web, doc, linked):  # noqa: F811
    now = utcnow()
    shared = [_add(app, "gad7", now - timedelta(days=20), value=1), _add(app, "gad7", now - timedelta(days=3), value=2)]
    moods = [
        _add(app, "checkin", now - timedelta(days=12 - day), mood=value)
        for day, value in enumerate((7, 7, 8, 6, 7, 7, 2, 3))
    ]
    _share(app, *shared, *moods)
    listing = doc.get("/desk").get_data(as_text=True)
    assert _flag_ids(listing) == [f"band:{shared[1]}", f"mood:{moods[-1]}"]
    assert "GAD-7 total 14 (Moderate)" in listing and "below their usual 7" in listing
    brief = doc.get(f"/desk/clients/{linked}/brief").get_data(as_text=True)
    assert set(_flag_ids(brief)) == {f"band:{shared[1]}", f"mood:{moods[-1]}"}


def test_marks_are_sealed_nothing_in_the_database_tells_which_record_had_a_flag(
    app,
    web,
    doc,  # noqa: F811
    linked,  # noqa: F811
    database_url,
    request,
):
    answer = _add(app, "phq9", utcnow() - timedelta(days=1), value=2)
    _share(app, answer)

    def sealed() -> tuple[bytes, bytes]:
        with app.app_context():
            link = get_db().scalar(select(Link))
            return link.flag_marks_ciphertext, link.flag_notices_ciphertext

    assert sealed() == (None, None)
    assert doc.get("/desk").status_code == 200
    # Once the therapist has looked, every link holds sealed marks, none yet: their presence tells nothing.
    empty = sealed()
    assert empty[0] and empty[1]
    assert doc.post(f"/desk/clients/{linked}/flags/seen", {"flag": f"item9:{answer}"}).status_code == 303
    assert "Marked as seen" in web.get("/access").get_data(as_text=True)
    marked = sealed()
    # Padded: one mark and none at all are the same length; sealed anew, so not the same bytes.
    assert [len(one) for one in marked] == [len(one) for one in empty] and marked != empty
    raw = _raw_copy(database_url, request)
    assert b"item9" not in raw and b"Several days" not in raw
    app.extensions["db_engine"].dispose()
    for value in _all_values(database_url):
        assert b"item9" not in value and b"Several days" not in value


def test_a_client_with_a_flag_comes_first_in_the_list(app, web, doc, linked):  # noqa: F811
    ben = WebClient(app.test_client())
    ben.sign_up("ben@example.org")
    with app.app_context():
        db = get_db()
        code_page = doc.post("/desk/invites").get_data(as_text=True)
        code = re.search(r"data-invite-code>([A-Z2-7]{4}-[A-Z2-7]{4})<", code_page).group(1)
        benny = _user(db, "ben@example.org")
        invite, therapist = sharing.find_invite(db, app.config, benny, code, utcnow())
        sharing.link_client(db, _keyring(db, "ben@example.org"), benny, invite, therapist, [], utcnow(), code=code)
        db.commit()
    ben_entries = [ben.new_entry("new", "words"), ben.new_entry("newer", "words")]
    with app.app_context():
        db = get_db()
        link = db.scalar(select(Link).where(Link.client_id == _user(db, "ben@example.org").id))
        for entry in ben_entries:
            sharing.share(db, _keyring(db, "ben@example.org"), uuid.UUID(entry), link, utcnow())
        db.commit()
    answer = _add(app, "phq9", utcnow() - timedelta(days=25), value=1)
    _share(app, answer, when=utcnow() - timedelta(days=25))
    order = re.findall(r'data-client="([0-9a-f-]{36})"', doc.get("/desk").get_data(as_text=True))
    assert order[0] == str(linked)  # Ana's one flagged item before Ben's two new ones


def test_the_list_shows_three_flags_and_the_page_marks_them_all(app, web, doc, linked):  # noqa: F811
    answers = [_add(app, "phq9", utcnow() - timedelta(days=days), value=1) for days in (25, 20, 15, 10, 5)]
    _share(app, *answers)
    listing = doc.get("/desk").get_data(as_text=True)
    assert len(_flag_ids(listing)) == 3 and "2 more open flags" in listing
    page = doc.get(f"/desk/clients/{linked}").get_data(as_text=True)
    every = _flag_ids(page)
    assert len(every) == 5 and "Mark all 5 seen" in page
    # One id that is no current flag and nothing is marked.
    assert doc.post(f"/desk/clients/{linked}/flags/seen", {"flag": every[:2] + ["item9:nothing"]}).status_code == 404
    assert len(_flag_ids(doc.get("/desk").get_data(as_text=True))) == 3
    done = doc.post(f"/desk/clients/{linked}/flags/seen", {"flag": every})
    after = doc.get("/desk").get_data(as_text=True)
    assert done.status_code == 303 and _flag_ids(after) == [] and "5 flags marked as seen" in after
    assert web.get("/access").get_data(as_text=True).count("Marked as seen the flag") == 5
