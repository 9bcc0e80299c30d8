"""Signed-in devices: what each session is, ending one or all others, and never another person's."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from journal.accounts.useragent import describe_device
from journal.db import get_db
from journal.models import AuthSession

from ..security_support import ANDROID_CHROME, IPHONE, WINDOWS_FIREFOX, events, with_agent
from ..support import PASSWORD, WebClient

END_RE = re.compile(r'action="/account/sessions/([0-9a-f]{32})/end"')


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (IPHONE, "Safari on iPhone"),
        (WINDOWS_FIREFOX, "Firefox on Windows"),
        (ANDROID_CHROME, "Chrome on Android"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
            "Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 "
            "Safari/537.36 Edg/125.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 "
            "Chrome/117.0.0.0 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "CriOS/125.0.6422.80 Mobile/15E148 Safari/604.1",
            "Chrome on iPhone",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/126.0 "
            "Mobile/15E148 Safari/605.1.15",
            "Firefox on iPad",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/125.0.0.0 "
            "Safari/537.36",
            "Chrome on Linux",
        ),
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 "
            "Safari/537.36",
            "Chrome on ChromeOS",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0", "Firefox on Linux"),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
        (None, "Unknown browser"),
        ("x" * 5000, "Unknown browser"),
    ],
)
def test_user_agents_in_a_few_words(agent, device):
    assert describe_device(agent) == device


def _rows(app) -> int:
    with app.app_context():
        return get_db().scalar(select(func.count()).select_from(AuthSession))


def _signed_in(app, agent: str, email: str = "ana@example.org") -> WebClient:
    client = with_agent(WebClient(app.test_client()), agent)
    assert client.sign_in(email).status_code == 302
    return client


def test_the_page_lists_every_device_with_this_one_marked(app, web):
    with_agent(web, ANDROID_CHROME).sign_up("ana@example.org")
    _signed_in(app, IPHONE)
    _signed_in(app, WINDOWS_FIREFOX)
    page = web.get("/account/sessions").get_data(as_text=True)
    for device in ("Chrome on Android", "Safari on iPhone", "Firefox on Windows"):
        assert device in page
    assert page.count("This device") == 1
    this = page.index("This device")
    assert page.rindex("Chrome on Android", 0, this) > page.find('class="session-list"')  # this one is first
    assert len(END_RE.findall(page)) == 2  # a button for each other device, none for this one
    assert "Signed in" in page and "Last used" in page
    assert "Sign out all other devices" in page
    assert 'href="/account/sessions"' in web.get("/account").get_data(as_text=True)


def test_ending_one_device_refuses_its_cookie_and_leaves_the_others(app, web):
    with_agent(web, ANDROID_CHROME).sign_up("ana@example.org")
    phone = _signed_in(app, IPHONE)
    laptop = _signed_in(app, WINDOWS_FIREFOX)
    page = web.get("/account/sessions").get_data(as_text=True)
    iphone_block = page[page.index("Safari on iPhone") :]
    handle = END_RE.search(iphone_block).group(1)
    response = web.post(f"/account/sessions/{handle}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/account/sessions"
    assert phone.get("/entries").status_code == 302
    assert laptop.get("/entries").status_code == 200
    assert web.get("/entries").status_code == 200
    assert "Safari on iPhone" not in web.get("/account/sessions").get_data(as_text=True)
    assert web.post(f"/account/sessions/{handle}/end").status_code == 404  # already gone
    assert ("sessions_ended", "1", "Chrome on Android") in events(app, "ana@example.org")


def test_ending_all_others_keeps_this_one(app, web):
    web.sign_up("ana@example.org")
    others = [_signed_in(app, agent) for agent in (IPHONE, WINDOWS_FIREFOX, ANDROID_CHROME)]
    assert _rows(app) == 4
    response = web.post("/account/sessions/end-others")
    assert response.status_code == 303
    assert all(other.get("/entries").status_code == 302 for other in others)
    assert web.get("/entries").status_code == 200
    assert _rows(app) == 1
    assert "No other device is signed in" in web.get("/account/sessions").get_data(as_text=True)
    assert ("sessions_ended", "3") == events(app, "ana@example.org")[-1][:2]


def test_nobody_ends_another_persons_session(app, web, other_web):
    web.sign_up("ana@example.org")
    ana_phone = _signed_in(app, IPHONE)
    other_web.sign_up("ben@example.org")
    ana_page = web.get("/account/sessions").get_data(as_text=True)
    ana_handles = END_RE.findall(ana_page)
    assert len(ana_handles) == 1
    ben_page = other_web.get("/account/sessions").get_data(as_text=True)
    assert "Safari on iPhone" not in ben_page and not END_RE.findall(ben_page)
    for handle in ana_handles:
        assert other_web.post(f"/account/sessions/{handle}/end").status_code == 404
    assert other_web.post("/account/sessions/end-others").status_code == 303
    assert ana_phone.get("/entries").status_code == 200
    assert web.get("/entries").status_code == 200
    assert _rows(app) == 3
    # Not a session handle at all, or this device's own: 404 as well.
    assert web.post("/account/sessions/" + "0" * 32 + "/end").status_code == 404
    assert web.post("/account/sessions/" + "x" * 500 + "/end").status_code == 404


def test_ending_sessions_needs_the_csrf_token(app, web):
    web.sign_up("ana@example.org")
    phone = _signed_in(app, IPHONE)
    handle = END_RE.search(web.get("/account/sessions").get_data(as_text=True)).group(1)
    assert web.post(f"/account/sessions/{handle}/end", csrf=False).status_code == 403
    assert web.post("/account/sessions/end-others", csrf=False).status_code == 403
    assert phone.get("/entries").status_code == 200


def test_a_sign_in_waiting_for_its_code_is_not_listed_but_ends_with_the_others(app, web):
    web.sign_up("ana@example.org", two_factor=True)
    waiting = WebClient(app.test_client())
    assert waiting.post("/signin", {"email": "ana@example.org", "password": PASSWORD}).status_code == 303
    assert _rows(app) == 2
    assert not END_RE.findall(web.get("/account/sessions").get_data(as_text=True))
    web.post("/account/sessions/end-others")
    assert _rows(app) == 1
    assert waiting.get("/signin/code").status_code == 302  # its wait is over


def test_the_device_is_kept_short_and_the_raw_user_agent_never(app, web):
    agent = IPHONE + " " + "Extra/1.0 " * 200
    with_agent(web, agent).sign_up("ana@example.org")
    with app.app_context():
        row = get_db().scalar(select(AuthSession))
        assert row.device == "Safari on iPhone"
    assert all(agent not in (device or "") for _kind, _detail, device in events(app, "ana@example.org"))
