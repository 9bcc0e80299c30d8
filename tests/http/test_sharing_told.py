"""Every form says who will see what is written in it, and every result page says who sees it now: the truth."""

from __future__ import annotations

import io
import re
import uuid

from sqlalchemy import select, update

from journal.db import get_db
from journal.models import Record, Share
from journal.sharing.audience import join_names, linked_message, saved_message

from .. import art_images
from .test_course_pages import add_intention, log_dose
from .test_sharing_client import DOC, KEY_RE, _checkin, _consent, _invite, _link_id

ONLY_YOU_FORM = "Only you can see this unless you share it."
ONLY_YOU_SAVED = "Only you can see this."
FORMS = {
    "entry": "/entries/new",
    "checkin": "/checkins/new",
    "measure": "/questionnaires/phq9/new",
    "dose": "/sessions/new",
    "intention": "/intentions/new",
    "art": "/art/new",
}
AUDIENCE_RE = re.compile(r'<p class="(?:hint )?audience" data-audience>(.*?)</p>', re.S)


def _told(page: str) -> str:
    """The one audience line of a page, its markup stripped and its spaces collapsed."""
    [found] = AUDIENCE_RE.findall(page)
    return " ".join(re.sub(r"<[^>]+>", "", found).split())


def _page(web, url: str) -> str:
    response = web.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _measure(web, item9: int = 0, instrument: str = "phq9") -> str:
    count = 9 if instrument == "phq9" else 7
    answers = {n: 1 for n in range(1, count + 1)} | ({9: item9} if instrument == "phq9" else {})
    response = web.answer(instrument, answers)
    assert response.status_code == 303
    return response.headers["Location"].rsplit("/", 1)[1]


def _second_clinician(app, web, other_web, auto_share=()):
    """Dr Okafor, linked too: a new therapist account in the other browser, then the client consents."""
    other_web.sign_out()
    other_web.sign_up("okafor@example.org", role="therapist", name="Dr Okafor")
    assert _consent(web, _invite(app, therapist="okafor@example.org"), auto_share=auto_share).status_code == 303


def test_names_are_joined_as_people_say_them():
    assert [join_names(names) for names in ([], ["A"], ["A", "B"], ["A", "B", "C"])] == [
        "",
        "A",
        "A and B",
        "A, B and C",
    ]
    assert saved_message("Check-in", ["Dr A", "Dr B"]) == "Check-in saved. Shared with Dr A and Dr B automatically."
    assert saved_message("Check-in", []) == "Check-in saved. Only you can see it unless you share it."
    assert linked_message("Dr A", ["measure", "bogus", "checkin"]) == (
        "You are linked with Dr A. Shared with them automatically from now on: check-ins and questionnaires. "
        "Anything else is shared only when you choose."
    )


def test_without_a_clinician_every_form_says_only_you(app, web):
    web.sign_up("ana@example.org")
    for kind, url in FORMS.items():
        assert _told(_page(web, url)) == ONLY_YOU_FORM, kind
    # The questionnaire no longer promises privacy in words of its own.
    assert "Only you can see them" not in _page(web, FORMS["measure"])


def test_standing_shares_are_named_on_the_forms_of_their_kinds_only(app, people):
    web, other_web = people
    _consent(web, _invite(app), auto_share=["checkin", "measure"])
    _second_clinician(app, web, other_web, auto_share=["checkin", "dose"])
    expected = {
        "checkin": "Shared with Dr Rivera and Dr Okafor automatically when you save.",
        "measure": "Shared with Dr Rivera automatically when you save.",
        "dose": "Shared with Dr Okafor automatically when you save.",
        "entry": ONLY_YOU_FORM,
        "intention": ONLY_YOU_FORM,
        "art": ONLY_YOU_FORM,
    }
    for kind, url in FORMS.items():
        page = _page(web, url)
        told = _told(page)
        assert told.startswith(expected[kind]), (kind, told)
        if kind in ("checkin", "measure", "dose"):
            [line] = AUDIENCE_RE.findall(page)
            assert 'href="/clinicians"' in line and "Change this" in told, kind


def test_the_check_in_flash_and_page_say_who_it_went_to(app, people, linked):
    web, _ = people
    # Linked, no standing share for check-ins: it stays with the client.
    private = _checkin(web, note="just mine")
    assert "Check-in saved. Only you can see it unless you share it." in _page(web, "/checkins")
    assert _told(_page(web, f"/checkins/{private}")) == ONLY_YOU_SAVED
    assert web.post(f"/clinicians/{linked}/standing", {"auto_share": ["checkin"]}).status_code == 303
    shared = _checkin(web, note="for the session")
    listing = _page(web, "/checkins")
    assert "Check-in saved. Shared with Dr Rivera automatically." in listing
    assert "Only you can see it unless you share it" not in listing
    page = _page(web, f"/checkins/{shared}")
    assert _told(page) == f"Shared with {DOC}."
    assert page.index("data-audience") < page.index(f'href="/share/{shared}"')  # beside the control that changes it


def test_record_pages_show_the_sharing_state_as_it_is_now(app, people, linked):
    web, _ = people
    entry = web.new_entry("For my session", "Some words")
    dose = log_dose(web, felt="warm")
    add_intention(web, "to rest")
    measure = _measure(web, instrument="gad7")
    page = _page(web, "/art/new")
    data = {
        "client_key": KEY_RE.search(page).group(1),
        "caption": "spiral",
        "dose_id": "none",
        "csrf_token": web.token,
        "photos": [(io.BytesIO(art_images.jpeg()), "spiral.jpg")],
    }
    assert web.raw.post("/art", data=data, content_type="multipart/form-data").status_code in (200, 303)
    art = re.findall(r'href="/art/([0-9a-f-]{36})"', _page(web, "/art"))[0]
    pages = {
        entry: f"/entries/{entry}",
        dose: f"/sessions/{dose}",
        measure: f"/questionnaires/{measure}",
        art: f"/art/{art}",
    }
    for record_id, url in pages.items():
        assert _told(_page(web, url)) == ONLY_YOU_SAVED, url
        assert web.post(f"/share/{record_id}", {"link_ids": [str(linked)]}).status_code == 303
        assert _told(_page(web, url)) == f"Shared with {DOC}.", url
    assert _told(_page(web, f"/art/{art}/edit")).startswith(f"Shared with {DOC}. They will see your changes")
    assert [_told(line) for line in re.findall(r'<li class="card"[^>]*>.*?</li>', _page(web, "/intentions"), re.S)] == [
        ONLY_YOU_SAVED
    ]
    # A wrap made for an older version opens nothing new: it does not count as shared.
    with app.app_context():
        db = get_db()
        db.execute(update(Share).where(Share.record_id == uuid.UUID(entry)).values(dek_version=Share.dek_version - 1))
        db.commit()
    assert _told(_page(web, f"/entries/{entry}")) == ONLY_YOU_SAVED
    # Stopping a share says so at once.
    assert web.post(f"/share/{dose}", {}).status_code == 303
    assert _told(_page(web, f"/sessions/{dose}")) == ONLY_YOU_SAVED


def test_edit_forms_say_who_sees_the_changes(app, people, linked):
    web, _ = people
    entry = web.new_entry("Draft thoughts", "Words")
    assert _told(_page(web, f"/entries/{entry}/edit")) == ONLY_YOU_FORM
    assert web.post(f"/share/{entry}", {"link_ids": [str(linked)]}).status_code == 303
    page = _page(web, f"/entries/{entry}/edit")
    assert _told(page).startswith(f"Shared with {DOC}. They will see your changes when you save. Change this")
    assert f'href="/share/{entry}"' in AUDIENCE_RE.search(page).group(1)
    dose = log_dose(web)
    assert _told(_page(web, f"/sessions/{dose}/edit")) == ONLY_YOU_FORM
    add_intention(web, "to listen")
    with app.app_context():
        intention = get_db().scalar(select(Record.id).where(Record.kind == "intention"))
    web.post(f"/share/{intention}", {"link_ids": [str(linked)]})
    assert _told(_page(web, f"/intentions/{intention}/edit")).startswith(f"Shared with {DOC}. They will see")


def test_the_offline_copies_name_nobody(app, people):
    web, _ = people
    _consent(web, _invite(app), auto_share=["checkin"])
    for url in ("/offline/checkin", "/offline/entry", "/offline/voice"):
        page = _page(web, url)
        assert _told(page) == "When it is sent, it is shared only as your sharing choices say.", url
        assert DOC not in page and "Only you can see" not in page, url


def test_the_consent_message_lists_the_standing_shares_just_turned_on(app, people):
    web, other_web = people
    response = _consent(web, _invite(app), auto_share=["measure", "checkin"])
    assert response.status_code == 303
    page = _page(web, "/clinicians")
    assert (
        f"You are linked with {DOC}. Shared with them automatically from now on: check-ins and questionnaires. "
        "Anything else is shared only when you choose."
    ) in page
    assert "Nothing is shared until you choose to share it" not in page
    _second_clinician(app, web, other_web)
    page = _page(web, "/clinicians")
    assert "You are linked with Dr Okafor. Nothing is shared until you choose to share it." in page
    assert "automatically from now on" not in page


def test_item_9_says_who_will_see_the_answer(app, people):
    web, _ = people
    # Not linked: only the client; telling a therapist may help.
    page = _page(web, f"/questionnaires/{_measure(web, item9=2)}")
    told = re.search(r"<p data-item9-told>(.*?)</p>", page, re.S).group(1)
    assert " ".join(told.split()) == (
        "Only you can see this answer. When you feel able, it can help to tell your therapist about it."
    )
    # Linked, not shared: only the client, and the way to share it.
    _consent(web, _invite(app))
    measure = _measure(web, item9=1)
    page = _page(web, f"/questionnaires/{measure}")
    told = " ".join(re.search(r"<p data-item9-told>(.*?)</p>", page, re.S).group(1).split())
    assert told.startswith("Only you can see this answer. It can help to tell your therapist about it, and you can")
    assert f'<a href="/share/{measure}">share it with them</a>' in told
    # Shared (a standing share for questionnaires): who will see it, when; that nobody watches in real time.
    link_id = _link_id(app)
    assert web.post(f"/clinicians/{link_id}/standing", {"auto_share": ["measure"]}).status_code == 303
    page = _page(web, f"/questionnaires/{_measure(web, item9=3)}")
    told = " ".join(re.search(r"<p data-item9-told>(.*?)</p>", page, re.S).group(1).split())
    assert told == f"{DOC} will see this answer when they next read what you share: not at once, and not as an alert."
    assert "does not watch this app in real time" in page  # said once, beside the numbers
    assert page.index('id="crisis-heading"') < page.index("data-item9-told") < page.index("<h1>")
    assert _told(page) == f"Shared with {DOC}."
    for wording in ("has been notified", "will be notified", "alerted", "is watching", "will contact you"):
        assert wording not in page
    # No crisis block, no item 9 words, when item 9 is "Not at all".
    assert "data-item9-told" not in _page(web, f"/questionnaires/{_measure(web, item9=0)}")
