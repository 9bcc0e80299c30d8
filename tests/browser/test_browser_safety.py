"""A safety plan in a real browser (Debian Chromium via Playwright) against the real server under gunicorn:
a client on a phone writes their plan, then from any page one tap on "Need help now?" shows it above the crisis
lines, their therapist's after-hours line first; offline, the page the phone keeps shows that line too, and
nothing of the plan is stored on the phone.

SQLite only: the database plays no part here that the HTTP tests do not cover on both.
Screenshots go to test-output/screenshots/safety/.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from ..support import CSRF_RE, PASSWORD, new_marker
from .browser_support import PHONE, Shots, new_email, set_up_two_factor, sign_up
from .test_browser_pwa import STORAGE_JS, controlled

pytestmark = pytest.mark.browser

THERAPIST = "Dr Ada Lindqvist"
LINE = {"name": "Riverside Clinic, after hours", "phone": "+1 555 010 7788", "hours": "Weekdays 6 pm to 8 am"}


def _csrf(api, url: str) -> str:
    return CSRF_RE.search(api.get(url).text()).group(1)


def _therapist_with_a_line_and_an_invite(api, base: str) -> str:
    """A therapist signed up with two-step sign-in and an after-hours line, set through the forms; returns an invite code."""
    email = new_email("safety-therapist")
    signed_up = api.post(
        base + "/signup",
        form={
            "csrf_token": _csrf(api, base + "/signup"),
            "email": email,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": "therapist",
            "display_name": THERAPIST,
        },
    )
    assert signed_up.status == 200, signed_up.status
    saved = api.post(
        base + "/recovery-code/saved",
        form={"csrf_token": CSRF_RE.search(signed_up.text()).group(1), "saved": "yes"},
        max_redirects=0,
    )
    assert saved.status == 302, saved.status
    set_up_two_factor(api, base, email)
    line = api.post(
        base + "/account/after-hours-line",
        max_redirects=0,
        form={"csrf_token": _csrf(api, base + "/account/after-hours-line"), **LINE},
    )
    assert line.status == 303, line.status
    invites = api.post(base + "/desk/invites", form={"csrf_token": _csrf(api, base + "/desk/invites")}).text()
    return re.search(r"data-invite-code[^>]*>\s*([^<\s]+)", invites).group(1)


def test_the_plan_is_one_tap_away_with_the_practice_line_first_and_that_line_offline(server, open_context):
    base, _ = server
    shots = Shots("safety")
    code = _therapist_with_a_line_and_an_invite(open_context().request, base)

    # The client, on a phone: signs up and links with the therapist.
    page = open_context(**PHONE).new_page()
    sign_up(page, base, new_email("safety-client"))
    page.goto(f"{base}/link#{code}")
    page.get_by_role("button", name=f"Link with {THERAPIST}").click()
    expect(page).to_have_url(base + "/clinicians")

    # Without a plan, help offers one quietly, below the lines; the plan is written from there.
    page.get_by_role("link", name="Need help now?").click()
    page.get_by_role("link", name="About safety plans").click()
    page.get_by_role("link", name="Make my safety plan").click()
    sign, reason = new_marker("SIGN"), new_marker("REASON")
    page.get_by_label("1. Warning signs").fill(f"Not sleeping\nPacing at night {sign}")
    page.get_by_label("2. Things I can do on my own").fill("A walk by the river")
    page.get_by_label("4. People I can ask for help").fill("Mum 07700 900123")
    page.get_by_label("7. My reasons for living").fill(f"My daughter {reason}")
    shots.take(page, "plan-form")
    page.get_by_role("button", name="Save my plan").click()
    expect(page).to_have_url(base + "/safety-plan")
    expect(page.get_by_text("Your safety plan is saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Call 07700 900123")).to_have_attribute("href", "tel:07700900123")
    shots.take(page, "plan")

    # From any page, one tap: the plan first, then the crisis lines with the practice's line at their top.
    page.goto(base + "/timeline")
    page.get_by_role("link", name="Need help now?").click()
    expect(page).to_have_url(base + "/help")
    plan = page.get_by_role("region", name="My safety plan")
    expect(plan).to_contain_text(sign)
    expect(plan.get_by_role("link", name="Call 07700 900123")).to_be_visible()
    lines = page.locator("#help-lines .crisis-list > li")
    expect(lines.first).to_contain_text(LINE["name"])
    expect(lines.first).to_contain_text(f"from {THERAPIST}")
    expect(lines.first.get_by_role("link")).to_have_attribute("href", "tel:+15550107788")
    expect(lines.nth(1).get_by_role("link")).to_have_attribute("href", "tel:988")
    above = page.evaluate("""() => {
      const plan = document.querySelector('.plan-now'), lines = document.querySelector('#help-lines');
      return plan.getBoundingClientRect().top < lines.getBoundingClientRect().top;
    }""")
    assert above
    shots.take(page, "help-with-plan")

    # Without a network: the page the phone keeps shows the practice's line it learned, above the built-in ones.
    controlled(page)
    page.context.set_offline(True)
    page.goto(base + "/timeline")
    expect(page.get_by_role("heading", name="This page needs a connection")).to_be_visible()
    kept = page.locator("[data-stored-crisis-lines] > li")
    expect(kept).to_have_count(1)
    expect(kept.first).to_contain_text(f"{LINE['name']} from {THERAPIST}")
    expect(kept.first.get_by_role("link", name=f"Call {LINE['phone']}")).to_have_attribute("href", "tel:+15550107788")
    expect(page.get_by_text("it opens when you are back online")).to_be_visible()
    assert page.evaluate("""() => {
      const kept = document.querySelector('[data-stored-crisis-lines]');
      const builtIn = document.querySelector('.crisis-list:not([data-stored-crisis-lines])');
      return kept.getBoundingClientRect().top < builtIn.getBoundingClientRect().top;
    }""")
    shots.take(page, "offline-with-practice-line")
    stored = page.evaluate(STORAGE_JS)
    everything = repr(stored)
    assert sign not in everything and reason not in everything and "07700" not in everything
    assert "Not sleeping" not in everything and "river" not in everything
    kept = dict(stored["local"])["crisis-lines"]  # the one thing kept beside the theme: the practice's public line
    assert json.loads(kept) == [
        {
            "name": LINE["name"],
            "action": f"Call {LINE['phone']}",
            "href": "tel:+15550107788",
            "therapist": THERAPIST,
            "hours": LINE["hours"],
        }
    ]
    page.context.set_offline(False)
