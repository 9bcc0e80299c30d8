"""Runs last: no marker written into the journal during the whole suite appears in any log.

Marked `canary`: the suite's hook (tests/conftest.py) puts it after every other test of a run, and `make test`
runs the rest in parallel, then `-m canary` on its own in the same run folder (JOURNAL_TEST_RUN): it reads
every process's logs, the PostgreSQL servers' included, which are kept there when they stop.

It also writes markers of its own (through every kind of write and a failed one), so it means
something when run alone.
"""

from __future__ import annotations

import re

import pytest

from ..support import LOGS, MARKERS, new_marker

pytestmark = pytest.mark.canary


def test_no_marker_in_any_log(web, postgres):
    own = new_marker("CANARY")
    web.sign_up("canary@example.org", password=f"pw {own}")
    entry = web.new_entry(f"title {own}", f"body {own}")
    web.post(f"/entries/{entry}/draft", {"version": "1", "title": own, "body": f"draft {own}"}, htmx=True)
    web.post(f"/entries/{entry}/edit", {"version": "1", "title": "t" * 300 + own, "body": own})  # refused: 422
    web.post(f"/entries/{entry}/edit", {"version": "1", "title": own, "body": f"edited {own}"})
    web.post("/entries", {"client_key": "bad key", "body": own})  # 400
    assert own in web.post("/search", {"q": f"{own} edited"}).get_data(as_text=True)  # the words asked, and found
    assert web.post("/search", {"q": f"nowhere {own}", "after": "a bad cursor"}).status_code == 400
    # Account security: the authenticator key, a password change, the password asked again, a wrong code.
    web.enable_two_factor("canary@example.org")
    web.post("/confirm-password", {"password": f"wrong again {own}"})
    web.post("/account/password", {"current": f"pw {own}", "password": f"new pw {own}", "confirm": f"new pw {own}"})
    web.sign_out()
    web.sign_in("canary@example.org", password=f"wrong {own}")
    web.sign_in("canary@example.org", password=f"new pw {own}", code="000000")

    markers = [line for line in MARKERS.read_text(encoding="utf-8").splitlines() if line]
    assert own in markers
    logs = {path.name: path.read_text(encoding="utf-8", errors="replace") for path in LOGS.glob("*.log")}
    logs["postgresql server log"] = postgres.log.read_text(encoding="utf-8", errors="replace")
    assert any(re.search(r"\S", text) for name, text in logs.items() if name.startswith("in-process")), (
        "in-process logging was not captured"
    )
    for name, text in logs.items():
        for marker in markers:
            assert marker not in text, f"{marker} found in {name}"
