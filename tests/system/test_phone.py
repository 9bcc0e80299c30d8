"""`make phone`: phone.py serves the app over HTTPS for the address it prints, with the app's own rules for it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import requests

from journal.cli import upgrade_database

from ..support import CODE_RE, CSRF_RE, FAST_KDF, LOGS, PASSWORD, ROOT, free_port, running

QR_LINE = re.compile(r"^[\u2588\u2580\u2584 ]{25,}$")


def _wait_for(path, process, seconds=30.0) -> None:
    """Until phone.py has written `path` (the process is stopped if it never does)."""
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise AssertionError(f"phone.py made no {path.name}")
        time.sleep(0.05)


def test_phone_serves_https_for_its_address_and_prints_it_with_a_qr_code(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    upgrade_database(f"sqlite:///{instance / 'journal.sqlite3'}")  # what `make phone` runs first (`migrate`)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PHONE_", "PUBLIC_URL", "TRUSTED_"))}
    env.pop("DATABASE_URL", None)
    env.update({key: str(value) for key, value in FAST_KDF.items()})
    env.update(INSTANCE_PATH=str(instance), PHONE_HOST="127.0.0.1", PHONE_PORT=str(port), WEB_CONCURRENCY="1")
    LOGS.mkdir(parents=True, exist_ok=True)
    output = LOGS / f"phone-{port}.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "phone.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"https://127.0.0.1:{port}"
    authority = str(instance / "phone" / "phone-ca.crt")
    _wait_for(instance / "phone" / "phone-ca.crt", process)
    with running(process, url + "/help", f"phone.py did not serve; see {output}", verify=authority):
        # The certificate made for the address checks out against the authority it printed.
        assert "Create an account" in requests.get(url + "/", verify=authority, timeout=10).text
        page = requests.get(url + "/signin", verify=authority, timeout=10)
        assert page.status_code == 200 and 'name="password"' in page.text
        assert "__Host-journal_csrf=" in page.headers["Set-Cookie"] and "Secure" in page.headers["Set-Cookie"]
        assert "Strict-Transport-Security" not in page.headers  # as the app does: the proxy in front sets it
        # No proxy in front: a forwarded scheme is not believed, cookies stay Secure.
        forged = requests.get(url + "/signin", headers={"X-Forwarded-Proto": "http"}, verify=authority, timeout=10)
        assert forged.headers["Set-Cookie"].startswith("__Host-journal_csrf=")
        # Only the printed address is served.
        assert (
            requests.get(url + "/", headers={"Host": "evil.example"}, verify=authority, timeout=10).status_code == 400
        )
        # Signing up works over it: the session cookie is Secure too.
        with requests.Session() as browser:  # its connection closed before the server stops
            form = browser.get(url + "/signup", verify=authority, timeout=10)
            answer = browser.post(
                url + "/signup",
                data={
                    "csrf_token": CSRF_RE.search(form.text).group(1),
                    "role": "client",
                    "email": "phone@example.org",
                    "password": PASSWORD,
                    "confirm": PASSWORD,
                    "time_zone": "UTC",
                },
                verify=authority,
                timeout=30,
            )
            assert answer.status_code == 200 and CODE_RE.search(answer.text), answer.status_code  # the recovery code
            assert {cookie.name: cookie.secure for cookie in browser.cookies}.get("__Host-sid") is True
    assert process.returncode == 0  # stopped cleanly by SIGTERM

    printed = output.read_text(encoding="utf-8")
    assert f"{url}/" in printed
    assert len([line for line in printed.splitlines() if QR_LINE.match(line)]) >= 12
    assert "warn that the connection is not private" in printed and authority in printed
