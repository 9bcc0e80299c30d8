"""`make demo` makes accounts that sign in and a journal with entries in it."""

from __future__ import annotations

import re

from ..support import TOTP_SECRETS, WebClient


def _two_step_key(output: str) -> str:
    """The demo therapist has two-step sign-in on; `flask demo` prints the key for an authenticator app."""
    key = re.search(r"two-step sign-in key \(add it to an authenticator app\): ([A-Z2-7]{32})", output).group(1)
    TOTP_SECRETS["therapist@demo.example"] = key
    return key


def test_demo_accounts_sign_in(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    found = dict(re.findall(r"email: (\S+)\s+password: (\S+)", result.output))
    assert set(found) == {"therapist@demo.example", "client@demo.example"}
    web = WebClient(app.test_client())
    assert web.sign_in("client@demo.example", found["client@demo.example"]).status_code == 302
    assert web.get("/entries").get_data(as_text=True).count('class="entry-item"') == 3
    _two_step_key(result.output)
    other = WebClient(app.test_client())
    assert other.sign_in("therapist@demo.example", found["therapist@demo.example"]).status_code == 302
    # Run again: fresh accounts, new passwords; the old ones no longer work.
    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code == 0
    late = WebClient(app.test_client())
    assert late.sign_in("client@demo.example", found["client@demo.example"]).status_code == 422


def test_demo_therapist_sees_the_shared_entry(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    found = dict(re.findall(r"email: (\S+)\s+password: (\S+)", result.output))
    _two_step_key(result.output)
    doc = WebClient(app.test_client())
    doc.sign_in("therapist@demo.example", found["therapist@demo.example"])
    desk = doc.get("/desk").get_data(as_text=True)
    assert "Demo Client" in desk
    client_url = re.search(r'href="(/desk/clients/[0-9a-f-]{36})"', desk).group(1)
    assert "Day 3" in doc.get(client_url).get_data(as_text=True)
