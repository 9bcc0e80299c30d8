"""Told the truth, in a real browser: a therapist at a desk invites, a client on a phone links with standing
shares for check-ins and questionnaires; the forms and result pages say who will see what, and the entry form
(no standing share) says only the client can.

SQLite only: the HTTP tests (test_sharing_told.py) cover both databases. Screenshots: test-output/screenshots/told/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..support import new_marker
from .browser_support import PHONE, Shots, make_invite, new_email, sign_up
from .test_browser_sharing import DESK, sign_up_therapist

pytestmark = pytest.mark.browser


def test_forms_and_results_say_who_will_see_them(server, open_context):
    base, _ = server
    shots = Shots("told")
    name = f"Dr Ines Moreau {new_marker('THERAPIST')[-6:]}"

    desk = open_context(**DESK).new_page()
    sign_up_therapist(desk, base, new_email("told-therapist"), name)
    code = make_invite(desk, base)

    phone = open_context(**PHONE).new_page()
    sign_up(phone, base, new_email("told-client"))
    phone.goto(f"{base}/link#{code}")
    phone.get_by_label("Share all my check-ins automatically").check()
    phone.get_by_label("Share all my questionnaires automatically").check()
    phone.get_by_role("button", name=f"Link with {name}").click()
    expect(phone).to_have_url(base + "/clinicians")
    expect(
        phone.get_by_text(
            f"You are linked with {name}. Shared with them automatically from now on: check-ins "
            "and questionnaires. Anything else is shared only when you choose."
        )
    ).to_be_visible()
    shots.take(phone, "linked")

    # The check-in form names the clinician, with the way to change it; the result says where it went.
    phone.goto(base + "/checkins/new")
    told = phone.locator("[data-audience]")
    expect(told).to_have_text(re.compile(rf"^\s*Shared with {name} automatically when you save\.\s*Change this"))
    expect(told.get_by_role("link", name=re.compile("^Change this"))).to_have_attribute("href", "/clinicians")
    phone.get_by_role("slider", name="Mood").press("ArrowRight")
    shots.take(phone, "checkin-form")
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone).to_have_url(re.compile(r"/checkins/[0-9a-f-]{36}$"))
    expect(phone.get_by_text(f"Check-in saved. Shared with {name} automatically.")).to_be_visible()
    shots.take(phone, "checkin-saved")
    delete_link = phone.locator(".checkin-delete").first.get_attribute("href")
    phone.goto(base + delete_link.removesuffix("/delete"))
    expect(phone.locator("[data-audience]")).to_have_text(f"Shared with {name}.")
    expect(phone.get_by_role("link", name=re.compile(r"^Share with my clinician"))).to_be_visible()
    shots.take(phone, "checkin-page")

    # The PHQ-9 form, then its result with item 9 above "Not at all": who will see the answer, truly.
    phone.goto(base + "/questionnaires/phq9/new")
    expect(phone.locator("[data-audience]")).to_contain_text(f"Shared with {name} automatically when you save.")
    for number in range(1, 10):
        phone.locator(f'input[name="q{number}"][value="1"]').check()
    shots.take(phone, "phq9-form")
    phone.get_by_role("button", name="Save answers").click()
    expect(phone).to_have_url(re.compile(r"/questionnaires/[0-9a-f-]{36}$"))
    expect(phone.locator("[data-item9-told]")).to_have_text(
        re.compile(
            rf"^\s*{name} will see this answer when they next read what you share: not at once, and not\s+as an alert\.\s*$"
        )
    )
    expect(phone.locator("[data-audience]")).to_have_text(f"Shared with {name}.")
    shots.take(phone, "phq9-result")

    # No standing share for entries: the entry form says only the client can see it.
    phone.goto(base + "/entries/new")
    expect(phone.locator("[data-audience]")).to_have_text("Only you can see this unless you share it.")
    shots.take(phone, "entry-form")
