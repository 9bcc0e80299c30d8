"""People on real sockets, for tests and benchmarks against a live server: a signed-in browser (requests),
and a phone sending a photo upload slowly, or stalling halfway, byte by byte over its own connection."""

from __future__ import annotations

import re
import select
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from .support import CSRF_RE, PASSWORD

CLIENT_KEY_RE = re.compile(r'name="client_key" value="([^"]+)"')


class Person:
    """A signed-in client in a browser: their cookies, and the CSRF token of the last page they opened."""

    def __init__(self, base: str, certificate: str | bool = True):
        self.base = base
        self.http = requests.Session()
        self.certificate = certificate  # given with each request: REQUESTS_CA_BUNDLE would win over the session's
        self.token = ""

    def get(self, path: str) -> requests.Response:
        response = self.http.get(self.base + path, timeout=60, verify=self.certificate)
        found = CSRF_RE.search(response.text)
        if found:
            self.token = found.group(1)
        return response

    def post(self, path: str, fields: dict) -> requests.Response:
        response = self.http.post(
            self.base + path,
            data={"csrf_token": self.token, **fields},
            allow_redirects=False,
            timeout=60,
            verify=self.certificate,
        )
        found = CSRF_RE.search(response.text)
        if found:  # a page answered to a post (signing up renews the token) carries the token to use next
            self.token = found.group(1)
        return response

    def sign_up(self, email: str) -> Person:
        self.get("/signup")
        response = self.post("/signup", {"email": email, "password": PASSWORD, "confirm": PASSWORD, "role": "client"})
        assert response.status_code == 200, response.status_code
        assert self.post("/recovery-code/saved", {"saved": "yes"}).status_code == 302
        return self

    def save_entry(self, title: str, body: str) -> requests.Response:
        """Open "New entry" and save it, as two requests: the page, then the form."""
        page = self.get("/entries/new").text
        return self.post("/entries", {"client_key": CLIENT_KEY_RE.search(page).group(1), "title": title, "body": body})

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.http.cookies)

    def photo_ids(self) -> list[str]:
        return re.findall(r'href="/art/([0-9a-f-]{36})"', self.get("/art").text)


def upload_body(photos: list[tuple[str, bytes]], csrf_token: str, caption: str = "") -> tuple[str, bytes]:
    """The photo upload form as a browser sends it: (Content-Type, body), with a fresh client-made id."""
    boundary = "----journal" + uuid.uuid4().hex
    fields = {"csrf_token": csrf_token, "client_key": uuid.uuid4().hex, "dose_id": "none", "caption": caption}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    for name, data in photos:
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="{name}"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


@dataclass(frozen=True)
class Reply:
    status: int  # 0: no answer (the connection was closed or reset)
    seconds: float  # from the first byte sent to the whole answer
    text: str


def slow_post(
    base: str,
    path: str,
    person: Person,
    content_type: str,
    body: bytes,
    *,
    seconds: float,
    stop_after: float = 1.0,
    certificate: str | None = None,
    chunk: int = 4096,
    timeout: float = 60,
) -> Reply:
    """POST `body` over one connection, spread evenly over `seconds` in `chunk`-byte pieces, like a phone on a
    slow network; with `stop_after` < 1, only that share of the body is sent, then nothing more (a stalled
    phone) until the server answers or closes. TLS for an https:// base (trusting `certificate`)."""
    address = urlsplit(base)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nCookie: {person.cookie_header()}\r\n"
        f"X-CSRF-Token: {person.token}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    sent_part = body[: int(len(body) * stop_after)]
    pieces = [sent_part[i : i + chunk] for i in range(0, len(sent_part), chunk)]
    pause = seconds / max(1, len(pieces))
    raw = socket.create_connection((address.hostname, address.port), timeout=timeout)
    if address.scheme == "https":
        raw = ssl.create_default_context(cafile=certificate).wrap_socket(raw, server_hostname=address.hostname)
    started = time.monotonic()
    reply = b""
    with raw:
        try:
            raw.sendall(head)
            for number, piece in enumerate(pieces):
                early = _early_answer(raw)
                if early is not None:
                    reply = early  # the server answered before the body was all sent: as a browser, stop and read
                    break
                raw.sendall(piece)
                # Keep to the schedule (sending can take a while itself on a busy machine).
                time.sleep(max(0.0, started + (number + 1) * pause - time.monotonic()))
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            pass
        try:
            while chunk_in := raw.recv(65536):
                reply += chunk_in
        except (TimeoutError, ConnectionResetError, ssl.SSLError):
            pass
    elapsed = time.monotonic() - started
    status_line = reply.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    return Reply(status, elapsed, reply.decode("utf-8", errors="replace"))


def _early_answer(raw: socket.socket) -> bytes | None:
    """What the server has sent already (b"" when it closed), or None when it has sent nothing yet. Over TLS the
    socket is also readable for the server's session tickets, which are not an answer."""
    if not select.select([raw], [], [], 0)[0]:
        return None
    timeout = raw.gettimeout()
    raw.setblocking(False)
    try:
        return raw.recv(65536)
    except (ssl.SSLWantReadError, BlockingIOError):
        return None
    except ConnectionResetError:
        return b""
    finally:
        raw.settimeout(timeout)
