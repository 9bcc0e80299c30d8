"""Two-step sign-in in a real browser on a phone (Debian Chromium via Playwright, the real server under gunicorn):
turn it on from Me with a code computed from the key the page shows, sign out, sign in with the password and a
fresh code. A wrong code is refused on the way.

Screenshots go to test-output/screenshots/two-step-<database>/.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from ..support import PASSWORD, one_time_code
from .browser_support import PHONE, Shots, narrow_problems, new_email, sign_up

pytestmark = pytest.mark.browser


def _wrong_code(secret: str) -> str:
    """Six digits that are none of the codes the server would take around now."""
    totp, step = pyotp.TOTP(secret), int(time.time()) // 30
    taken = {totp.generate_otp(step + offset) for offset in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in taken)


def test_turn_on_two_step_sign_in_then_sign_in_with_a_fresh_code(server, open_context):
    base, database = server
    shots = Shots(f"two-step-{'sqlite' if database.startswith('sqlite') else 'postgresql'}")
    email = new_email("two-step")
    page = open_context(**PHONE).new_page()
    sign_up(page, base, email)

    # Me → Security → two-step sign-in (off): the set-up page with a QR code and the key as text.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Me", exact=True).click()
    page.get_by_role("link", name="Two-step sign-in: off").click()
    expect(page).to_have_url(base + "/account/two-step")
    expect(page.get_by_role("heading", level=1)).to_have_text("Turn on two-step sign-in")
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code did not draw"
    shown = page.locator("[data-totp-secret]").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", shown.strip()), shown
    secret = shown.replace(" ", "").strip()
    assert narrow_problems(page, "two-step set-up", width=PHONE["viewport"]["width"]) == []
    shots.take(page, "set-up")

    # A code computed here from the key on the screen, as an authenticator app would.
    page.get_by_label("6-digit code").fill(one_time_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page).to_have_url(base + "/account")
    expect(page.get_by_text("Two-step sign-in is on.")).to_be_visible()
    expect(page.get_by_role("link", name="Two-step sign-in: on")).to_be_visible()
    shots.take(page, "on")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin"))

    # Password first, then the code step.
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/signin/code"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Code from your app")
    expect(page.get_by_role("link", name="Use your recovery code instead.")).to_be_visible()
    shots.take(page, "code-step")

    page.get_by_label("6-digit code").fill(_wrong_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    expect(page.get_by_label("6-digit code")).to_have_attribute("aria-invalid", "true")
    shots.take(page, "wrong-code")

    page.get_by_label("6-digit code").fill(one_time_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Me", exact=True)).to_be_visible()
    shots.take(page, "signed-in")

    # The activity page tells the story, with this phone's browser named.
    page.goto(base + "/account/activity")
    activity = page.locator(".activity-list")
    expect(activity).to_contain_text("You signed in with a one-time code.")
    expect(activity).to_contain_text("A wrong or already used one-time code was entered when signing in.")
    expect(activity).to_contain_text("Two-step sign-in was turned on.")
    expect(activity).to_contain_text("Chrome on")
    shots.take(page, "activity")
