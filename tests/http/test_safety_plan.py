"""The client's safety plan: make, edit, conflict, delete, limits, privacy, sharing, export, deletion, and /help.

Every test that touches the database runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from journal.db import get_db
from journal.models import Record, User
from journal.safety import phones
from journal.safety.service import PLAN_KEY, SECTIONS
from journal.sharing.service import AUTO_SHARE_CHOICES

from ..support import PASSWORD, WebClient, new_marker
from .test_desk import _link_ana, _make_invite
from .test_export import _download, _text

UUID_RE = r"[0-9a-f-]{36}"


def _form(**sections) -> dict[str, str]:
    return {section.key: sections.get(section.key, "") for section in SECTIONS}


def _save(web: WebClient, version: int = 0, **sections):
    web.get("/safety-plan/edit")
    return web.post("/safety-plan", {"version": str(version), **_form(**sections)})


def _plan_rows(app, email: str = "ana@example.org") -> list[tuple[int, str]]:
    """(version, idempotency key) of each of the client's safety plan rows."""
    with app.app_context():
        db = get_db()
        owner = db.scalar(select(User.id).where(User.email == email))
        return [
            tuple(row)
            for row in db.execute(
                select(Record.version, Record.idempotency_key).where(
                    Record.owner_id == owner, Record.kind == "safety_plan"
                )
            )
        ]


def _plan_id(web: WebClient) -> str:
    page = web.get("/safety-plan").get_data(as_text=True)
    return re.search(rf'href="/share/({UUID_RE})"', page).group(1)


def _ana(web: WebClient) -> WebClient:
    web.sign_up("ana@example.org")
    return web


# Phone numbers in a line: conservative, pure (no database) ------------------------------------------


def _links(line: str) -> list[tuple[str, str]]:
    return [(part.text, part.href) for part in phones.call_parts(line) if part.href]


def test_numbers_become_call_links_and_dates_do_not():
    assert _links("Mum 07700 900123 (after 6)") == [("07700 900123", "tel:07700900123")]
    assert _links("Dr Rivera: +1 (555) 010-7788, weekdays") == [("+1 (555) 010-7788", "tel:+15550107788")]
    assert _links("Samaritans 116 123") == [("116 123", "tel:116123")]
    assert _links("Sam (0151 234 5678)") == [("0151 234 5678", "tel:01512345678")]
    for words in (
        "Since 2024-05-01 it helps",
        "Call 988",
        "room 12, 9 - 5",
        "kids born 2019-2021",
        "3 walks",
        "ID12345678",
        "0151  234",
        "1234567890123456",
    ):
        assert _links(words) == [], words
    assert (
        "".join(part.text for part in phones.call_parts("Ana 0151 234 5678 or Bo 07700 900123!"))
        == "Ana 0151 234 5678 or Bo 07700 900123!"
    )
    assert phones.problem_with("+44 (151) 234-5678.") is None
    assert "6 to 15 digits" in phones.problem_with("12345")
    assert "Use digits" in phones.problem_with("call 555 0101")
    assert "Use digits" in phones.problem_with("555+0101234")


# Making, reading, editing -----------------------------------------------------------------------------


def test_empty_state_then_make_read_and_edit_the_plan(app, web):
    _ana(web)
    empty = web.get("/safety-plan")
    page = empty.get_data(as_text=True)
    assert empty.status_code == 200 and empty.headers["Cache-Control"] == "no-store"
    assert "A safety plan is a short list you write for yourself" in page and "Make my safety plan" in page
    form = web.get("/safety-plan/edit").get_data(as_text=True)
    assert 'name="csrf_token"' in form and 'name="version" value="0"' in form
    assert form.count("<textarea") == 7 and "data-audience" in form  # who will see it, as on every form
    for section in SECTIONS:
        assert section.title in form and section.hint in form

    sign = new_marker("SIGN")
    response = _save(
        web,
        warning_signs=f"Not sleeping\r\n\r\n  {sign}  \n",
        coping="A walk by the river",
        people="Mum 07700 900123\nJo, next door",
        professionals="Dr Rivera +1 (555) 010-7788",
        reasons="My daughter\nSeeing spring again",
        distractions="The library, 2024-05-01",
    )
    assert response.status_code == 303 and response.headers["Location"] == "/safety-plan"
    page = web.get("/safety-plan").get_data(as_text=True)
    assert "Your safety plan is saved." in page
    assert page.index("Warning signs") < page.index(sign) < page.index("My reasons for living")
    assert f"<li>{sign}</li>" in page and "<li>Not sleeping</li>" in page  # blank lines gone, spaces trimmed
    assert 'href="tel:07700900123"' in page and 'href="tel:+15550107788"' in page
    assert "tel:20240501" not in page  # a date in a section without call links, and not a number anyway
    assert page.count("Nothing here yet.") == 1  # "Making my surroundings safer" is empty
    assert 'href="/safety-plan/print"' in page and 'href="/safety-plan/delete"' in page
    assert 'class="button share-control"' in page

    edit = web.get("/safety-plan/edit").get_data(as_text=True)
    assert 'name="version" value="1"' in edit and f"Not sleeping\n{sign}</textarea>" in edit
    assert _save(web, 1, warning_signs="Not sleeping", reasons="My daughter").status_code == 303
    page = web.get("/safety-plan").get_data(as_text=True)
    assert sign not in page and "My daughter" in page
    assert _plan_rows(app) == [(2, PLAN_KEY)]

    printed = web.get("/safety-plan/print")
    text = printed.get_data(as_text=True)
    assert printed.status_code == 200 and printed.headers["Cache-Control"] == "no-store"
    assert "My daughter" in text and "If I am in danger now" in text and "Call or text 988" in text
    assert "safety.css" in text and 'class="plan-blank"' in text  # empty sections get lines to write on


def test_one_plan_per_client_a_repeat_saves_once_and_another_device_is_never_overwritten(app, web):
    _ana(web)
    assert _save(web, warning_signs="Pacing at night").status_code == 303
    assert _save(web, warning_signs="Pacing at night").status_code == 303  # the same form sent twice
    assert _plan_rows(app) == [(1, PLAN_KEY)]

    # A second "new plan" with other words, made on another device before this one knew of the first.
    conflict = _save(web, warning_signs="Written on the laptop")
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and "changed on another device" in page
    assert "Written on the laptop</textarea>" in page and "<li>Pacing at night</li>" in page
    assert 'name="version" value="1"' in page

    # Two edits from version 1: the second is shown both texts and replaces only when sent again.
    assert _save(web, 1, warning_signs="From the phone").status_code == 303
    stale = _save(web, 1, warning_signs="From the tablet")
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "From the tablet</textarea>" in page and "<li>From the phone</li>" in page
    assert 'name="version" value="2"' in page
    assert _save(web, 2, warning_signs="From the tablet").status_code == 303
    assert _plan_rows(app) == [(3, PLAN_KEY)] and "From the tablet" in web.get("/safety-plan").get_data(as_text=True)


def test_limits_say_what_is_wrong_and_keep_everything_typed(app, web):
    _ana(web)
    kept = new_marker("KEPT")
    cases = [
        ({"warning_signs": "x" * 2001, "reasons": kept}, "Warning signs can be up to 2,000 characters; it has 2,001."),
        ({"coping": "y" * 301, "reasons": kept}, "A line in Things I can do on my own has 301 characters"),
        (
            {"people": "\n".join(f"Friend {n}" for n in range(31)), "reasons": kept},
            "People I can ask for help can have up to 30 lines; it has 31.",
        ),
        ({"surroundings": "bad \x07 bell", "reasons": kept}, "cannot be saved"),
        ({}, "Write at least one thing in any section."),
    ]
    for sections, message in cases:
        response = _save(web, **sections)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, message
        assert message in page and "Nothing is saved yet." in page, message
        assert 'aria-invalid="true"' in page
        if kept in str(sections):
            assert f"{kept}</textarea>" in page
    assert _plan_rows(app) == []
    assert web.post("/safety-plan", {"version": "0", **_form(reasons="x")}, csrf=False).status_code == 403
    assert web.post("/safety-plan", _form(reasons="x")).status_code == 400
    assert web.post("/safety-plan", {"version": "-1", **_form(reasons="x")}).status_code == 400
    assert web.post("/safety-plan", {"version": "²", **_form(reasons="x")}).status_code == 400
    assert _plan_rows(app) == []


def test_another_client_a_therapist_and_a_visitor_never_reach_it(app, web, other_web):
    _ana(web)
    secret = new_marker("ANAPLAN")
    assert _save(web, reasons=secret).status_code == 303
    plan_id = _plan_id(web)
    other_web.sign_up("bo@example.org")
    assert secret not in other_web.get("/safety-plan").get_data(as_text=True)
    for path in ("/safety-plan/print", "/safety-plan/delete", f"/share/{plan_id}"):
        assert other_web.get(path).status_code == 404, path
    assert other_web.post("/safety-plan/delete").status_code == 404
    assert other_web.post(f"/share/{plan_id}", {"link_ids": []}).status_code == 404
    assert secret not in other_web.get("/help").get_data(as_text=True)
    assert _save(other_web, reasons="Bo's own").status_code == 303  # Bo's own plan, beside Ana's
    assert len(_plan_rows(app)) == 1 and len(_plan_rows(app, "bo@example.org")) == 1
    assert secret in web.get("/safety-plan").get_data(as_text=True)

    doc = WebClient(app.test_client())
    doc.sign_up("doc@example.org", role="therapist")
    for path in ("/safety-plan", "/safety-plan/edit", "/safety-plan/print"):
        assert doc.get(path).status_code == 403, path
    visitor = WebClient(app.test_client())
    assert visitor.get("/safety-plan").headers["Location"].startswith("/signin")


def test_delete_asks_first_then_the_plan_is_gone(app, web):
    _ana(web)
    assert _save(web, reasons="My dog").status_code == 303
    confirm = web.get("/safety-plan/delete").get_data(as_text=True)
    assert "Delete your safety plan?" in confirm and "cannot be undone" in confirm
    assert web.post("/safety-plan/delete", csrf=False).status_code == 403
    response = web.post("/safety-plan/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/safety-plan"
    assert _plan_rows(app) == []
    page = web.get("/safety-plan").get_data(as_text=True)
    assert "Your safety plan is deleted." in page and "Make my safety plan" in page
    assert web.post("/safety-plan/delete").status_code == 404
    assert _save(web, reasons="A new start").status_code == 303  # a new plan after deleting one
    assert len(_plan_rows(app)) == 1


# Sharing ----------------------------------------------------------------------------------------------


def test_shared_it_reads_on_the_desk_without_call_links_and_closes_when_revoked(app, web, other_web):
    _ana(web)
    other_web.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    _link_ana(app, _make_invite(other_web))
    assert "safety_plan" not in AUTO_SHARE_CHOICES
    words = new_marker("SHAREDPLAN")
    assert _save(web, coping=words, people="Mum 07700 900123").status_code == 303
    plan_id = _plan_id(web)
    share_page = web.get(f"/share/{plan_id}").get_data(as_text=True)
    assert "Share this safety plan" in share_page and words in share_page and 'href="/safety-plan">Back' in share_page
    assert "tel:07700900123" not in share_page  # the preview is exactly the reader's view: no links
    link_id = re.search(r'name="link_ids" value="([^"]+)"', share_page).group(1)
    assert "Dr Rivera" not in web.get("/safety-plan/edit").get_data(as_text=True)
    assert web.post(f"/share/{plan_id}", {"link_ids": [link_id]}).status_code == 303
    assert "Dr Rivera" in web.get("/safety-plan/edit").get_data(as_text=True)  # the form says who sees changes

    with app.app_context():
        ana_id = get_db().scalar(select(User.id).where(User.email == "ana@example.org"))
    desk = other_web.get(f"/desk/clients/{ana_id}").get_data(as_text=True)
    assert "Safety plan" in desk and "2 of 7 sections filled in" in desk
    record = other_web.get(f"/desk/clients/{ana_id}/records/{plan_id}")
    page = record.get_data(as_text=True)
    assert record.status_code == 200 and words in page and "Things I can do on my own" in page
    assert "07700 900123" in page and "tel:" not in page.split("<main", 1)[1]
    # An edit after sharing is what the clinician reads next.
    assert _save(web, 1, coping=f"{words} and tea").status_code == 303
    assert f"{words} and tea" in other_web.get(f"/desk/clients/{ana_id}/records/{plan_id}").get_data(as_text=True)
    # The brief shows it whatever its period (one living document), near the top, and counts it as read.
    brief = other_web.get(f"/desk/clients/{ana_id}/brief?since=2100-01-01").get_data(as_text=True)
    assert f"{words} and tea" in brief and brief.index('id="plan-heading"') < brief.index('id="mood-heading"')
    prepare = web.get("/share/prepare")
    assert prepare.status_code == 200 and "Safety plan" in prepare.get_data(as_text=True)
    assert "Safety plan" not in web.get("/timeline").get_data(as_text=True)  # the timeline lists its own kinds

    assert web.post(f"/share/{plan_id}", {"link_ids": []}).status_code == 303
    assert other_web.get(f"/desk/clients/{ana_id}/records/{plan_id}").status_code == 404
    assert words not in other_web.get(f"/desk/clients/{ana_id}").get_data(as_text=True)


# Export and account deletion --------------------------------------------------------------------------


def test_export_has_the_plan_as_markdown_and_in_records_json(app, web):
    _ana(web)
    reason = new_marker("REASON")
    assert _save(web, warning_signs="Not sleeping", reasons=f"{reason}\nThe sea").status_code == 303
    assert "1 safety plan" in web.get("/account/export").get_data(as_text=True)
    archive = _download(web)
    plan = _text(archive, "safety-plan.md")
    assert plan.startswith("---\n") and "# Safety plan" in plan
    assert plan.index("## Warning signs") < plan.index("- Not sleeping") < plan.index("## My reasons for living")
    assert f"- {reason}\n- The sea" in plan and "_Nothing written here yet._" in plan
    records = json.loads(_text(archive, "records.json"))["records"]
    [entry] = [one for one in records if one["kind"] == "safety_plan"]
    assert entry["file"] == "safety-plan.md" and entry["data"]["sections"]["reasons"] == [reason, "The sea"]
    assert "safety-plan.md" in _text(archive, "README.txt")
    assert reason not in _text(archive, "summary.html")  # the summary groups session by session; the plan is apart


def test_deleting_the_account_removes_the_plan(app, web):
    _ana(web)
    assert _save(web, reasons=new_marker("GONE")).status_code == 303
    web.get("/account/delete")
    response = web.post("/account/delete", {"password": PASSWORD, "phrase": "delete my journal"})
    assert response.status_code in (302, 303)
    with app.app_context():
        assert get_db().scalar(select(func.count()).select_from(Record).where(Record.kind == "safety_plan")) == 0


# One tap from "Need help now?" -------------------------------------------------------------------------


def test_help_shows_the_plan_above_the_crisis_lines(app, web, other_web):
    _ana(web)
    offer = web.get("/help").get_data(as_text=True)
    assert "About safety plans" in offer and "My safety plan" not in offer
    sign = new_marker("HELPSIGN")
    assert _save(web, warning_signs=sign, people="Jo 07700 900123").status_code == 303
    response = web.get("/help")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert (
        page.index("My safety plan")
        < page.index(sign)
        < page.index('href="tel:07700900123"')
        < page.index('href="tel:988"')
    )
    assert 'href="/safety-plan/edit">Edit my plan' in page and "About safety plans" not in page
    assert "Open my safety plan" not in page  # the plan is on the page itself
    assert "Making my surroundings safer" not in page  # only the steps filled in
    assert "does not watch this app in real time" in page

    # Wherever else crisis lines show for her (a PHQ-9 answer to item 9), the plan is one tap away above them.
    result = web.get(web.answer("phq9", {n: 0 for n in range(1, 9)} | {9: 1}).headers["Location"])
    page = result.get_data(as_text=True)
    assert page.index('href="/safety-plan">Open my safety plan') < page.index('href="tel:988"')

    # Nobody else sees it or the offer.
    other_web.sign_up("bo@example.org")
    bo = other_web.get("/help").get_data(as_text=True)
    assert sign not in bo and "Open my safety plan" not in bo
    visitor = WebClient(app.test_client()).get("/help").get_data(as_text=True)
    assert sign not in visitor and "About safety plans" not in visitor and "data-crisis-lines" not in visitor
    offline = WebClient(app.test_client()).get("/offline").get_data(as_text=True)
    assert offline == web.get("/offline").get_data(as_text=True) and sign not in offline
    assert "it opens when you are back online" in offline
