"""Security activity: every sign-in, change and share in plain sentences, per person, append-only, never content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import delete, event, func, select, text, update

from journal.activity import service as activity
from journal.db import get_db, utcnow
from journal.models import SecurityEvent, User

from ..security_support import ANDROID_CHROME, IPHONE, age_password, kinds, link_through_pages, with_agent
from ..support import PASSWORD, ROOT, WebClient, new_marker
from ..system.test_database_dump import _all_values

ITEM_RE = re.compile(
    r'<p class="activity-what">([^<]+)</p>\s*<p class="muted"><time[^>]*>[^<]+</time>(?: · ([^<]+))?</p>'
)


def _sentences(web: WebClient, url: str = "/account/activity") -> list[tuple[str, str | None]]:
    page = web.get(url).get_data(as_text=True)
    return [(sentence.replace("&#39;", "'"), device) for sentence, device in ITEM_RE.findall(page)]


def _full_flow(app, web: WebClient, doc: WebClient, markers: list[str]) -> None:
    """A client and a clinician through everything the activity log records, with distinctive text written."""
    with_agent(web, ANDROID_CHROME).sign_up("ana@example.org")
    doc.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    entry = web.new_entry(f"title {markers[0]}", f"body {markers[1]}")
    second = web.new_entry(f"title {markers[2]}", "more")
    stranger = WebClient(app.test_client())
    assert stranger.sign_in("ana@example.org", f"wrong {markers[3]}").status_code == 422
    assert stranger.sign_in("nobody@example.org", "wrong password here").status_code == 422
    with_agent(stranger, IPHONE)
    assert stranger.sign_in("ana@example.org").status_code == 302
    link = link_through_pages(doc, web)
    assert web.post(f"/share/{entry}", {"link_ids": [link]}).status_code == 303
    assert web.post(f"/share/{entry}", {}).status_code == 303  # unticked: revoked
    assert web.post("/share/prepare", {"items": [f"{link}:{entry}", f"{link}:{second}"]}).status_code == 303
    assert web.post(f"/clinicians/{link}/standing", {"auto_share": ["checkin"]}).status_code == 303
    assert web.post(f"/clinicians/{link}/stop-sharing").status_code == 303
    assert web.post(f"/clinicians/{link}/end").status_code == 303
    assert web.post("/recovery-code/new", {"password": PASSWORD}).status_code == 200
    web.enable_two_factor("ana@example.org")
    assert web.post("/account/two-step/off").status_code == 303
    assert web.post("/account/sessions/end-others").status_code == 303
    assert (
        web.post(
            "/account/password",
            {"current": PASSWORD, "password": "a new river at dusk", "confirm": "a new river at dusk"},
        ).status_code
        == 303
    )
    web.sign_out()
    assert web.sign_in("ana@example.org", "a new river at dusk").status_code == 302


def test_the_page_tells_every_event_in_plain_sentences_newest_first(app, web, other_web):
    markers = [new_marker("ACTIVITY") for _ in range(4)]
    _full_flow(app, web, other_web, markers)
    rows = _sentences(web)
    sentences = [sentence for sentence, _device in rows]
    assert sentences == [
        "You signed in.",
        "You signed out.",
        "Your password was changed. Every other device was signed out.",
        "You signed out another device.",
        "Two-step sign-in was turned off.",
        "Two-step sign-in was turned on.",
        "You made a new recovery code. The old one no longer works.",
        "The link with Dr Rivera was ended.",
        "You stopped sharing everything (2 records) with Dr Rivera.",
        "You changed what is shared automatically with Dr Rivera.",
        "You shared 2 records with Dr Rivera.",
        "You stopped sharing a journal entry with Dr Rivera.",
        "You shared a journal entry with Dr Rivera.",
        "You linked with Dr Rivera.",
        "You signed in.",
        "Someone tried to sign in to your account with a wrong password.",
        "Your account was made.",
    ]
    devices = [device for _sentence, device in rows]
    assert devices[-1] == "Chrome on Android" and devices[-3] == "Safari on iPhone"
    assert devices[-2] == "Unknown browser"  # the test client's own user agent
    doc_sentences = [sentence for sentence, _device in _sentences(other_web)]
    assert "ana@example.org linked with you." in doc_sentences
    assert "The link with ana@example.org was ended." in doc_sentences
    assert "Two-step sign-in was turned on." in doc_sentences
    assert not any("Dr Rivera" in sentence for sentence in doc_sentences)  # each sees their own
    assert 'href="/account/activity"' in web.get("/account").get_data(as_text=True)


def test_events_never_hold_what_anyone_wrote(app, web, other_web, database_url):
    markers = [new_marker("NOCONTENT") for _ in range(4)]
    _full_flow(app, web, other_web, markers)
    with app.app_context():
        db = get_db()
        assert db.scalar(select(func.count()).select_from(SecurityEvent)) > 20
        values = [str(value) for row in db.execute(select(SecurityEvent)).all() for value in row[0].__dict__.values()]
    assert not any(marker in value for marker in markers for value in values)
    assert not any(PASSWORD in value or "a new river" in value for value in values)
    app.extensions["db_engine"].dispose()
    assert any(b"Dr Rivera" in value for value in _all_values(database_url))


def test_the_app_never_updates_or_deletes_an_event_in_a_full_flow(app, web, other_web):
    seen: list[str] = []

    def watch(_conn, _cursor, statement, _params, _context, _many):
        if re.match(r'\s*(UPDATE|DELETE\s+FROM)\s+"?security_events', statement, re.IGNORECASE):
            seen.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", watch)
    try:
        _full_flow(app, web, other_web, [new_marker("APPEND") for _ in range(4)])
        age_password(app, "ana@example.org")
        assert web.get("/account/activity").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert seen == []
    assert len(kinds(app, "ana@example.org")) == 17


def test_updates_and_deletes_of_events_are_refused(app, web):
    web.sign_up("ana@example.org")
    with app.app_context():
        db = get_db()
        row = db.scalar(select(SecurityEvent))
        row.kind = "signin"
        with pytest.raises(activity.AppendOnly):
            db.flush()
        db.rollback()
        row = db.scalar(select(SecurityEvent))
        db.delete(row)
        with pytest.raises(activity.AppendOnly):
            db.flush()
        db.rollback()
        for statement in (update(SecurityEvent).values(detail="x"), delete(SecurityEvent)):
            with pytest.raises(activity.AppendOnly):
                db.execute(statement)
            db.rollback()
        assert db.scalar(select(func.count()).select_from(SecurityEvent)) == 1


def test_no_code_in_the_package_changes_or_removes_events():
    """Only account deletion removes events, through ON DELETE CASCADE; the one change is forget_names, which
    takes a deleted client's name out of lines written before names were kept by reference."""
    forbidden = re.compile(
        r"(update|delete)\(\s*SecurityEvent|(UPDATE|DELETE\s+FROM)\s+\"?security_events|"
        r"security_events\b.*\b(update|delete)\b",
        re.IGNORECASE,
    )
    found = []
    for path in sorted((ROOT / "journal").rglob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if forbidden.search(line) and "AppendOnly" not in line:
                found.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert found == ["journal/activity/service.py: update(SecurityEvent)"]
    users = [
        path.relative_to(ROOT)
        for path in (ROOT / "journal").rglob("*.py")
        if "SecurityEvent" in path.read_text(encoding="utf-8")
    ]
    assert sorted(map(str, users)) == ["journal/activity/service.py", "journal/models/__init__.py"]


def test_a_deleted_client_is_named_nowhere_in_their_clinicians_activity(app, web, other_web, database_url):
    web.sign_up("ana@example.org", name="Ana Lindqvist")
    other_web.sign_up("doc@example.org", role="therapist", name="Dr Rivera")
    link = link_through_pages(other_web, web)
    entry = web.new_entry("a day", "shared")
    assert web.post(f"/share/{entry}", {"link_ids": [link]}).status_code == 303
    with app.app_context():
        db = get_db()
        client_id, doc_id = (
            db.scalar(select(User.id).where(User.email == email)) for email in ("ana@example.org", "doc@example.org")
        )
        activity.record(db, doc_id, "client_linked", detail="Ana Lindqvist")  # a line from before names were
        db.commit()  # kept by reference
    assert other_web.post(f"/desk/clients/{client_id}/export", {}).status_code == 200
    before = [sentence for sentence, _device in _sentences(other_web)]
    assert before.count("Ana Lindqvist linked with you.") == 2
    assert "You exported the records Ana Lindqvist shared with you." in before
    page = web.get("/account/delete").get_data(as_text=True)
    phrase = page.split('<label for="phrase">Type <strong>', 1)[1].split("</strong>", 1)[0]
    assert web.post("/account/delete", {"phrase": phrase, "password": PASSWORD}).status_code == 303
    after = [sentence for sentence, _device in _sentences(other_web)]
    assert len(after) == len(before) + 1  # and the line saying the link ended
    assert not any("Ana" in sentence or "ana@example.org" in sentence for sentence in after)
    assert after.count("A client who has since deleted their account linked with you.") == 2
    assert "You exported the records a client who has since deleted their account shared with you." in after
    app.extensions["db_engine"].dispose()
    assert not any(b"Ana Lindqvist" in value or b"ana@example.org" in value for value in _all_values(database_url))


def test_deleting_the_account_removes_its_events_and_no_one_elses(app, web, other_web):
    web.sign_up("ana@example.org")
    other_web.sign_up("ben@example.org")
    with app.app_context():
        db = get_db()
        db.execute(delete(User).where(User.email == "ana@example.org"))
        db.commit()
        owners = set(db.scalars(select(SecurityEvent.user_id)))
        ben = db.scalar(select(User.id).where(User.email == "ben@example.org"))
        assert owners == {ben}


def test_pages_of_fifty_newest_first(app, web):
    web.sign_up("ana@example.org")
    with app.app_context():
        db = get_db()
        user_id = db.scalar(select(User.id).where(User.email == "ana@example.org"))
        for number in range(120):
            activity.record(db, user_id, "sessions_ended", detail=str(number + 2), now=utcnow())
        db.commit()
    first = web.get("/account/activity").get_data(as_text=True)
    assert first.count('class="activity-what"') == 50
    assert "You signed out 121 other devices." in first
    older = re.search(r'href="(/account/activity\?before=\d+)"', first).group(1)
    second = web.get(older).get_data(as_text=True)
    assert second.count('class="activity-what"') == 50 and "You signed out 71 other devices." in second
    third_url = re.search(r'href="(/account/activity\?before=\d+)"', second).group(1)
    third = web.get(third_url).get_data(as_text=True)
    assert third.count('class="activity-what"') == 21 and "Your account was made." in third
    assert "Older activity" not in third
    assert web.get("/account/activity?before=nonsense").status_code == 200
    assert web.get("/account/activity?before=1").get_data(as_text=True).count('class="activity-what"') == 0


def test_every_kind_reads_as_a_sentence_and_details_stay_short():
    for kind in activity.KINDS:
        for detail in (None, "3", "Dr Rivera"):
            sentence = activity.describe(kind, detail)
            assert sentence.endswith(".") and "{" not in sentence and "None" not in sentence, (kind, detail)
    assert {"export", "therapist_export"} <= set(activity.KINDS)
    assert activity.describe("export") == "You downloaded an export of your journal."
    assert activity.describe("therapist_export", "Ana") == "You exported the records Ana shared with you."
    assert activity.describe("no-such-kind") == "Something changed in your account's security."
    assert activity._clean("a\x00b\n  c" + "x" * 300, 120) == ("a b c" + "x" * 300)[:120]


def test_unknown_kinds_are_refused(app, web):
    web.sign_up("ana@example.org")
    with app.app_context():
        db = get_db()
        user_id = db.scalar(select(User.id))
        with pytest.raises(ValueError):
            activity.record(db, user_id, "something_new")


def test_a_failed_sign_in_for_no_account_records_nothing(app, web):
    web.sign_up("ana@example.org")
    with app.app_context():
        before = get_db().scalar(select(func.count()).select_from(SecurityEvent))
    stranger = WebClient(app.test_client())
    assert stranger.sign_in("nobody@example.org", "wrong password").status_code == 422
    with app.app_context():
        assert get_db().scalar(select(func.count()).select_from(SecurityEvent)) == before
        assert get_db().scalar(text("SELECT count(*) FROM security_events WHERE kind = 'signin_failed'")) == 0


def test_activity_is_only_for_the_signed_in(app, web):
    response = web.get("/account/activity")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_sources_mention_the_log_in_one_place():
    assert (ROOT / "journal" / "activity" / "service.py").exists()
    assert Path(activity.__file__).name == "service.py"
