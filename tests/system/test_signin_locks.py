"""Sign-in as an attacker meets it, on the production stack: gunicorn with several worker processes behind nginx
(TLS), each person connecting from an address of their own (127.0.0.x: nginx passes the address it saw).

A stranger's wrong passwords, recovery codes and one-time codes for the owner's account slow the stranger and
never keep the owner out; the CSRF token changes at sign-in, sign-out and recovery; cookies are __Host- over
HTTPS; a form with too many fields gets 413; a forged Host gets 400 and never reaches an invite link.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import dataclass, field

import pyotp
import pytest
import requests
from requests.adapters import HTTPAdapter

from ..production_stack import nginx_in_front, production_gunicorn
from ..support import CODE_RE, CSRF_RE, PASSWORD, TOTP_SECRET_RE, database_for, one_time_code, remember_secret

FREE = 2  # SIGNIN_FAILURES_BEFORE_WAIT and TOTP_FAILURES_BEFORE_WAIT on this server
NEW_ADDRESS_WAIT = 3  # SIGNIN_NEW_ADDRESS_WAIT_SECONDS on this server
RECOVERY_LIMIT = 4  # RECOVERY_FAILURES_PER_ADDRESS_PER_HOUR on this server
PUBLIC_HOST = "journal.example.test"
SERVER_ENV = {
    "WEB_CONCURRENCY": "3",
    "THREADS": "4",
    "SIGNIN_FAILURES_BEFORE_WAIT": str(FREE),
    "TOTP_FAILURES_BEFORE_WAIT": str(FREE),
    "SIGNIN_NEW_ADDRESS_WAIT_SECONDS": str(NEW_ADDRESS_WAIT),
    "RECOVERY_FAILURES_PER_ADDRESS_PER_HOUR": str(RECOVERY_LIMIT),
    "SIGNUPS_PER_ADDRESS_PER_HOUR": "100",
    "PUBLIC_URL": f"https://{PUBLIC_HOST}",
    "TRUSTED_HOSTS": f"{PUBLIC_HOST},127.0.0.1",  # and the address the tests (and the probes) reach it at
}
OWNER_ADDRESS = "127.0.0.2"
TIMEOUT = 30


class _FromAddress(HTTPAdapter):
    """Connections leave from one loopback address (Linux routes all of 127/8 to the loopback)."""

    def __init__(self, address: str):
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class Browser:
    """One browser at one address, through the proxy."""

    base: str
    certificate: str
    address: str
    http: requests.Session = field(init=False)

    def __post_init__(self):
        self.http = requests.Session()
        self.http.trust_env = False  # this certificate, and no proxy from the environment
        self.http.verify = self.certificate
        self.http.mount("https://", _FromAddress(self.address))

    def page(self, path: str) -> tuple[requests.Response, str | None]:
        response = self.http.get(self.base + path, timeout=TIMEOUT)
        found = CSRF_RE.search(response.text)
        return response, found.group(1) if found else None

    def post(self, path: str, fields: dict, token: str | None, **kwargs) -> requests.Response:
        return self.http.post(
            self.base + path, data={"csrf_token": token, **fields}, allow_redirects=False, timeout=TIMEOUT, **kwargs
        )

    def sign_up(self, email: str, role: str = "client") -> str:
        fields = {
            "email": email,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": role,
            "display_name": "Dr Test" if role == "therapist" else "",
        }
        response = self.post("/signup", fields, self.page("/signup")[1])
        assert response.status_code == 200, response.status_code
        code = remember_secret(CODE_RE.search(response.text).group(1))
        assert (
            self.post(
                "/recovery-code/saved", {"saved": "yes"}, token=CSRF_RE.search(response.text).group(1)
            ).status_code
            == 302
        )
        return code

    def sign_in(self, email: str, password: str) -> requests.Response:
        return self.post("/signin", {"email": email, "password": password, "next": "/"}, token=self.page("/signin")[1])

    def sign_out(self) -> requests.Response:
        return self.post("/signout", {}, token=self.page("/account")[1])

    def turn_on_two_step(self) -> str:
        html = self.page("/account/two-step")[0].text
        secret = remember_secret(TOTP_SECRET_RE.search(html).group(1))
        response = self.post("/account/two-step", {"code": one_time_code(secret)}, token=CSRF_RE.search(html).group(1))
        assert response.status_code in (302, 303), response.status_code
        return secret


def _retry_after(response: requests.Response) -> int:
    return int(response.headers["Retry-After"])


def _assert_slowed(response: requests.Response) -> None:
    """The answer to an attempt before its wait is over: 429, how long in words, no password tried."""
    assert response.status_code == 429, response.status_code
    assert re.search(r"Please wait \d+ (second|minute)s?, then", response.text), response.text[:500]
    assert _retry_after(response) >= 1
    assert "do not match" not in response.text and "not right" not in response.text
    assert not any(name.endswith("sid") for name in response.cookies.keys())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request, tmp_path_factory):
    """The production server (3 worker processes) behind nginx, on each database."""
    workdir = tmp_path_factory.mktemp(f"signin-locks-{request.param}")
    database = None if request.param == "sqlite" else database_for("postgresql", workdir, request)
    with production_gunicorn(workdir, f"signin-locks-{request.param}", env=SERVER_ENV, database_url=database) as app:
        with nginx_in_front(workdir, f"signin-locks-{request.param}", app) as proxy:
            yield proxy


def _browser(stack, address: str) -> Browser:
    return Browser(stack.url, stack.certificate, address)


def _new_email(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.org"


class Stream(threading.Thread):
    """A stranger sending `attempt()` again and again from its addresses until stopped; keeps every answer."""

    def __init__(self, attempt, addresses):
        super().__init__(daemon=True)
        self.attempt, self.addresses = attempt, addresses
        self.answers: list[requests.Response] = []
        self.stop = threading.Event()

    def run(self):
        n = 0
        while not self.stop.is_set():
            self.answers.append(self.attempt(self.addresses[n % len(self.addresses)]))
            n += 1
            time.sleep(0.1)

    def failures(self, status: int) -> int:
        return sum(1 for answer in self.answers if answer.status_code == status)

    def wait_for(self, status: int, count: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while self.failures(status) < count:
            assert time.monotonic() < deadline, [answer.status_code for answer in self.answers]
            time.sleep(0.1)

    def finish(self) -> list[requests.Response]:
        self.stop.set()
        self.join(timeout=TIMEOUT)
        return self.answers


def _owner_gets_in(attempt) -> tuple[requests.Response, float]:
    """The owner tries; told to wait, waits as long as told and tries again. Returns the answer and the time."""
    started = time.monotonic()
    answer = attempt()
    while answer.status_code == 429:
        assert _retry_after(answer) <= NEW_ADDRESS_WAIT, answer.headers["Retry-After"]
        time.sleep(_retry_after(answer))
        answer = attempt()
    return answer, time.monotonic() - started


@pytest.mark.parametrize("attackers", [1, 3])
def test_a_strangers_wrong_passwords_never_keep_the_owner_out(stack, attackers):
    email = _new_email("owner")
    owner = _browser(stack, OWNER_ADDRESS)
    owner.sign_up(email)
    owner.sign_out()
    addresses = [f"127.0.0.{10 + n}" for n in range(attackers)]
    browsers = {address: _browser(stack, address) for address in addresses}
    stream = Stream(lambda address: browsers[address].sign_in(email, "a wrong guess at it"), addresses)
    stream.start()
    try:
        # Past the free guesses, and past a wait longer than the owner's address will ever wait.
        stream.wait_for(422, FREE + 2)
        stream.wait_for(429, 5)
        # The owner, at their own address, with the right password, while the guessing goes on.
        answer, took = _owner_gets_in(lambda: owner.sign_in(email, PASSWORD))
        assert answer.status_code == 302 and answer.headers["Location"] == "/"
        assert answer.cookies.get("__Host-sid")
        assert took <= NEW_ADDRESS_WAIT + 5
        assert owner.page("/account")[0].status_code == 200
    finally:
        answers = stream.finish()
    # The stranger was slowed: a handful of guesses were tried; every other attempt was told to wait.
    guesses = [answer for answer in answers if answer.status_code == 422]
    slowed = [answer for answer in answers if answer.status_code == 429]
    assert len(guesses) <= FREE + 3 + attackers, len(guesses)
    assert len(slowed) >= 5
    for answer in slowed:
        _assert_slowed(answer)
    # And the waits grew: the latest one asked for is longer than the first.
    assert max(_retry_after(answer) for answer in slowed[-3:]) > 5


def test_a_strangers_wrong_recovery_codes_never_stop_the_owners_right_code(stack):
    email = _new_email("recovers")
    owner = _browser(stack, OWNER_ADDRESS)
    code = owner.sign_up(email)
    owner.sign_out()
    stranger = _browser(stack, "127.0.0.20")
    fields = {"email": email, "password": "a stranger's password", "confirm": "a stranger's password"}
    answers = [
        stranger.post("/recover", {**fields, "code": f"WRONG-{n:04d}-CODE-{n:04d}"}, token=stranger.page("/recover")[1])
        for n in range(RECOVERY_LIMIT + 2)
    ]
    assert [answer.status_code for answer in answers] == [422] * RECOVERY_LIMIT + [429, 429]
    assert "Too many recovery codes tried from this network" in answers[-1].text
    # The owner's right code, from their own address: a new password, a new code, signed in.
    new_password = "a new calm passphrase"
    recovered = owner.post(
        "/recover",
        {"email": email, "code": code, "password": new_password, "confirm": new_password},
        token=owner.page("/recover")[1],
    )
    assert recovered.status_code == 200 and CODE_RE.search(recovered.text)
    remember_secret(CODE_RE.search(recovered.text).group(1))
    assert recovered.cookies.get("__Host-sid")
    # Password guesses made before the recovery no longer slow anyone either.
    assert _browser(stack, "127.0.0.21").sign_in(email, new_password).status_code == 302


def test_a_strangers_wrong_one_time_codes_never_keep_the_owner_out(stack):
    email = _new_email("two-step")
    owner = _browser(stack, OWNER_ADDRESS)
    owner.sign_up(email)
    secret = owner.turn_on_two_step()
    owner.sign_out()
    # The stranger has the password (the code step is the one under attack) and guesses codes.
    stranger = _browser(stack, "127.0.0.30")
    assert stranger.sign_in(email, PASSWORD).status_code == 303
    wrong = next(
        code
        for code in ("000000", "111111", "222222", "333333")
        if code not in {pyotp.TOTP(secret).at(time.time() + offset) for offset in range(-60, 120, 30)}
    )
    stream = Stream(
        lambda _address: stranger.post("/signin/code", {"code": wrong}, token=stranger.page("/signin/code")[1]),
        ["127.0.0.30"],
    )
    stream.start()
    try:
        stream.wait_for(422, FREE + 1)
        stream.wait_for(429, 5)
        assert owner.sign_in(email, PASSWORD).status_code == 303  # the password: no wait
        answer, took = _owner_gets_in(
            lambda: owner.post(
                "/signin/code", {"code": one_time_code(secret), "next": "/"}, token=owner.page("/signin/code")[1]
            )
        )
        assert answer.status_code == 302 and answer.cookies.get("__Host-sid")
        assert took <= NEW_ADDRESS_WAIT + 5
        assert owner.page("/account")[0].status_code == 200
    finally:
        answers = stream.finish()
    slowed = [answer for answer in answers if answer.status_code == 429]
    assert len([answer for answer in answers if answer.status_code == 422]) <= FREE + 3
    for answer in slowed:
        assert answer.status_code == 429 and re.search(r"Please wait \d+ (second|minute)s?", answer.text)
    assert stranger.page("/account")[0].url.startswith(stack.url + "/signin")  # never got in


def test_the_csrf_token_changes_at_sign_in_sign_out_and_recovery(stack):
    email = _new_email("csrf")
    person = _browser(stack, "127.0.0.40")
    code = person.sign_up(email)
    signed_in = person.page("/account")[1]
    assert person.sign_out().status_code == 302
    signed_out = person.page("/signin")[1]
    assert signed_out != signed_in
    # The token of the signed-in page no longer works, for anything.
    assert person.post("/signin", {"email": email, "password": PASSWORD}, token=signed_in).status_code == 403
    before = person.page("/signin")[1]
    assert person.sign_in(email, PASSWORD).status_code == 302
    after = person.page("/account")[1]
    assert after != before
    planted = person.post("/entries", {"client_key": uuid.uuid4().hex, "title": "planted", "body": "x"}, token=before)
    assert planted.status_code == 403
    assert (
        person.post("/entries", {"client_key": uuid.uuid4().hex, "title": "mine", "body": "x"}, token=after).status_code
        == 303
    )
    # Recovery, from a signed-out browser: a new token again.
    person.sign_out()
    before = person.page("/recover")[1]
    recovered = person.post(
        "/recover",
        {"email": email, "code": code, "password": "another calm passphrase", "confirm": "another calm passphrase"},
        token=before,
    )
    assert recovered.status_code == 200
    remember_secret(CODE_RE.search(recovered.text).group(1))
    after = CSRF_RE.search(recovered.text).group(1)
    assert after != before
    assert person.post("/recovery-code/saved", {"saved": "yes"}, token=before).status_code == 403
    assert person.post("/recovery-code/saved", {"saved": "yes"}, token=after).status_code == 302


def test_over_https_the_cookies_are_host_cookies(stack):
    person = _browser(stack, "127.0.0.41")
    response = person.http.get(stack.url + "/signup", timeout=TIMEOUT)
    person.sign_up(_new_email("cookies"))
    names = {cookie.name for cookie in person.http.cookies}
    assert names == {"__Host-journal_csrf", "__Host-sid"}
    for cookie in person.http.cookies:
        assert cookie.secure and cookie.path == "/" and not cookie.domain_specified, cookie
    assert "__Host-journal_csrf=" in response.headers["Set-Cookie"]


def test_too_many_form_fields_get_a_plain_413(stack):
    person = _browser(stack, "127.0.0.42")
    person.sign_up(_new_email("fields"))
    page, token = person.page("/entries/new")
    client_key = re.search(r'name="client_key" value="([^"]+)"', page.text).group(1)
    fields = [("csrf_token", token), ("client_key", client_key), ("title", "t"), ("body", "b")]
    refused = person.http.post(
        stack.url + "/entries",
        data=fields + [(f"x{n}", "1") for n in range(197)],
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert refused.status_code == 413 and "Nothing was saved" in refused.text
    accepted = person.http.post(
        stack.url + "/entries",
        data=fields + [(f"x{n}", "1") for n in range(196)],
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert accepted.status_code == 303


def test_a_forged_host_is_refused_and_never_reaches_an_invite_link(stack):
    therapist = _browser(stack, "127.0.0.50")
    therapist.sign_up(_new_email("doc"), role="therapist")
    therapist.turn_on_two_step()
    _page, token = therapist.page("/desk/invites")
    made = therapist.post("/desk/invites", {}, token=token)
    assert made.status_code == 200
    link = re.search(r"data-invite-link>([^<]+)<wbr>([^<]+)</code>", made.text)
    assert link and re.fullmatch(rf"https://{re.escape(PUBLIC_HOST)}/link#[A-Z0-9-]+", "".join(link.groups()))
    for path in ("/desk/invites", "/signin", "/help"):
        forged = therapist.http.get(stack.url + path, headers={"Host": "evil.example"}, timeout=TIMEOUT)
        assert forged.status_code == 400 and "evil.example" not in forged.text, path
    forged = therapist.http.post(
        stack.url + "/desk/invites",
        data={"csrf_token": token},
        headers={"Host": "evil.example"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert forged.status_code == 400 and "evil.example" not in forged.text
