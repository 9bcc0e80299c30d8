"""Crisis lines by region and clinic: a therapist's after-hours line, set on Me, shown first to linked clients only.

Every test that touches the database runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from journal.db import get_db
from journal.models import SecurityEvent, User

from ..support import WebClient
from .test_desk import _link_ana, _make_invite

LINE = {"name": "Riverside Clinic, after hours", "phone": "+1 (555) 010-7788", "hours": "Weekdays 6 pm to 8 am"}
PATH = "/account/after-hours-line"


def _set_line(doc: WebClient, **fields):
    doc.get(PATH)
    return doc.post(PATH, {**LINE, **fields})


def _stored(app, email: str = "doc@example.org") -> tuple:
    with app.app_context():
        return tuple(
            get_db()
            .execute(
                select(User.practice_line_name, User.practice_line_phone, User.practice_line_hours).where(
                    User.email == email
                )
            )
            .one()
        )


def _device_lines(page: str) -> list[dict] | None:
    """The practice lines the page hands to the phone, or None when it carries none."""
    found = re.search(r"data-crisis-lines='([^']*)'", page)
    return json.loads(found.group(1)) if found else None


def _activity(app, email: str = "doc@example.org") -> list[tuple[str, str | None]]:
    with app.app_context():
        db = get_db()
        user_id = db.scalar(select(User.id).where(User.email == email))
        return [
            tuple(row)
            for row in db.execute(
                select(SecurityEvent.kind, SecurityEvent.detail)
                .where(SecurityEvent.user_id == user_id)
                .order_by(SecurityEvent.id)
            )
        ]


@pytest.fixture
def doc(app, other_web):
    other_web.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    return other_web


def test_only_a_therapist_with_two_step_sign_in_sets_a_line(app, web, doc):
    web.sign_up("ana@example.org")
    assert web.get(PATH).status_code == 403
    assert web.post(PATH, LINE).status_code == 403
    assert web.post(PATH + "/remove").status_code == 403
    assert WebClient(app.test_client()).get(PATH).headers["Location"].startswith("/signin")
    without = WebClient(app.test_client())
    without.sign_up("new@example.org", role="therapist", two_factor=False)
    response = without.get(PATH)
    assert response.status_code == 303 and response.headers["Location"].startswith("/account/two-step")
    assert without.post(PATH, LINE).status_code == 403
    assert _stored(app, "new@example.org") == (None, None, None)

    me = doc.get("/account").get_data(as_text=True)
    assert "Your practice's after-hours line" in me and f'href="{PATH}">Set your after-hours line' in me
    assert "after-hours line" not in web.get("/account").get_data(as_text=True)
    form = doc.get(PATH).get_data(as_text=True)
    assert 'name="csrf_token"' in form and 'type="tel"' in form and "Remove" not in form
    assert doc.post(PATH, LINE, csrf=False).status_code == 403


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"name": ""}, "name", "Give the line a name"),
        ({"name": "x" * 101}, "name", "The name can be up to 100 characters; it has 101."),
        ({"phone": ""}, "phone", "Enter the number your clients can call."),
        ({"phone": "call 555 0101"}, "phone", "Use digits only"),
        ({"phone": "555+0101234"}, "phone", "Use digits only"),
        ({"phone": "12345"}, "phone", "A phone number has 6 to 15 digits; this one has 5."),
        ({"phone": "1234 5678 9012 3456"}, "phone", "A phone number has 6 to 15 digits; this one has 16."),
        ({"hours": "y" * 121}, "hours", "Hours or a note can be up to 120 characters; it has 121."),
        ({"hours": "two\nlines"}, "hours", "cannot be saved"),
    ],
)
def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(app, doc, fields, field, message):
    response = _set_line(doc, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert f'id="{field}-error"' in page and 'aria-invalid="true"' in page
    for name, value in {**LINE, **fields}.items():
        if "\n" not in value:
            assert f'value="{value}"' in page.replace("&#39;", "'"), name
    assert _stored(app) == (None, None, None)


def test_a_saved_line_shows_first_to_linked_clients_only_until_removed(app, web, doc):
    web.sign_up("ana@example.org")
    _link_ana(app, _make_invite(doc))
    bo = WebClient(app.test_client())
    bo.sign_up("bo@example.org")
    assert _device_lines(web.get("/help").get_data(as_text=True)) == []  # a client's page: nothing to keep yet

    response = _set_line(doc)
    assert response.status_code == 303 and response.headers["Location"] == "/account#after-hours"
    assert _stored(app) == (LINE["name"], LINE["phone"], LINE["hours"])
    assert ("practice_line_set", f"{LINE['name']}, {LINE['phone']}") in _activity(app)
    me = doc.get("/account").get_data(as_text=True)
    assert LINE["name"] in me and LINE["phone"] in me and "Change or remove the line" in me
    activity = doc.get("/account/activity").get_data(as_text=True)
    assert "You set your practice&#39;s after-hours line to Riverside Clinic" in activity

    # Ana, linked: the line first, labelled, with one-tap call; and handed to her phone for the offline page.
    page = web.get("/help").get_data(as_text=True)
    assert page.index('href="tel:+15550107788"') < page.index('href="tel:988"')
    assert f'{LINE["name"]} <span class="crisis-from">from Dr Rivera</span>' in page
    assert LINE["hours"] in page
    assert _device_lines(page) == [
        {
            "name": LINE["name"],
            "action": f"Call {LINE['phone']}",
            "href": "tel:+15550107788",
            "therapist": "Dr Rivera",
            "hours": LINE["hours"],
        }
    ]
    # The same on a questionnaire's crisis section.
    result = web.get(web.answer("phq9", {n: 0 for n in range(1, 9)} | {9: 2}).headers["Location"])
    page = result.get_data(as_text=True)
    assert page.index('href="tel:+15550107788"') < page.index('href="tel:988"')
    assert _device_lines(page)[0]["href"] == "tel:+15550107788"

    # Bo is not linked, a visitor is nobody's client, and the offline page is the same for everyone.
    for other in (bo, WebClient(app.test_client())):
        page = other.get("/help").get_data(as_text=True)
        assert "tel:+15550107788" not in page and LINE["name"] not in page and 'href="tel:988"' in page
    assert _device_lines(bo.get("/help").get_data(as_text=True)) == []
    assert _device_lines(WebClient(app.test_client()).get("/help").get_data(as_text=True)) is None
    assert _device_lines(doc.get("/help").get_data(as_text=True)) is None
    offline = web.get("/offline").get_data(as_text=True)
    assert offline == WebClient(app.test_client()).get("/offline").get_data(as_text=True)
    assert LINE["name"] not in offline and "data-stored-crisis-lines" in offline and "crisis-lines.js" in offline

    # Removed: the form offers it, then Ana sees the usual lines and her phone is told to forget it.
    assert "Remove" in doc.get(PATH).get_data(as_text=True)
    assert doc.post(PATH + "/remove", csrf=False).status_code == 403
    response = doc.post(PATH + "/remove")
    assert response.status_code == 303 and _stored(app) == (None, None, None)
    assert _activity(app)[-1] == ("practice_line_removed", None)
    page = web.get("/help").get_data(as_text=True)
    assert "tel:+15550107788" not in page and _device_lines(page) == []
    assert "Set your after-hours line" in doc.get("/account").get_data(as_text=True)


def test_two_clinicians_lines_come_in_link_order_and_one_number_is_shown_once(app, web, doc):
    web.sign_up("ana@example.org")
    _link_ana(app, _make_invite(doc))
    second = WebClient(app.test_client())
    second.sign_up("bea@example.org", role="therapist", name="Dr Moreno")
    code = _make_invite(second)
    web.post("/link/code", {"code": code})
    assert web.post("/link", {"code": code}).status_code == 303
    assert _set_line(doc).status_code == 303
    name = "Hillside <b>Practice</b> O'Neil's \"after hours\""
    assert _set_line(second, name=name, phone="0151 234 5678", hours="").status_code == 303
    page = web.get("/help").get_data(as_text=True)
    assert page.index("tel:+15550107788") < page.index("tel:01512345678") < page.index("tel:988")
    assert (
        "Hillside &lt;b&gt;Practice&lt;/b&gt; O&#39;Neil&#39;s &#34;after hours&#34; "
        '<span class="crisis-from">from Dr Moreno</span>'
    ) in page
    assert [line["name"] for line in _device_lines(page)] == [LINE["name"], name]  # the data stays data
    # The same practice number from both: one line, naming both.
    assert _set_line(second, name="Riverside Clinic", phone="+1 555 010 7788").status_code == 303
    page = web.get("/help").get_data(as_text=True)
    assert page.count('href="tel:+15550107788"') == 1 and "from Dr Rivera and Dr Moreno" in page
