"""`make demo` makes accounts that sign in and a journal with entries in it."""
from __future__ import annotations

import re

from .support import WebClient


def test_demo_accounts_sign_in(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    found = dict(re.findall(r"email: (\S+)\s+password: (\S+)", result.output))
    assert set(found) == {"therapist@demo.example", "client@demo.example"}
    web = WebClient(app.test_client())
    assert web.sign_in("client@demo.example", found["client@demo.example"]).status_code == 302
    assert web.get("/entries").get_data(as_text=True).count('class="entry-item"') == 3
    other = WebClient(app.test_client())
    assert other.sign_in("therapist@demo.example", found["therapist@demo.example"]).status_code == 302
    # Run again: fresh accounts, new passwords; the old ones no longer work.
    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code == 0
    late = WebClient(app.test_client())
    assert late.sign_in("client@demo.example", found["client@demo.example"]).status_code == 422
