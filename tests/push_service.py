"""A push service on 127.0.0.1 for the tests and the benchmark: it takes the sender's real HTTP POST, checks it as a
browser vendor's service would, and opens the message with the private key of the device it was sent to.

Each message is checked for: a VAPID token (RFC 8292) whose ES256 signature verifies with the key in the
Authorization header ("vapid t=..., k=..."), that key being the server's, `aud` this service's origin, `exp` to
come and within 24 hours, `sub` a contact; a TTL, an Urgency, `Content-Encoding: aes128gcm`. Then the body is
decrypted (RFC 8188/8291) with the fake device's private key and auth secret, which only the test holds. A check
that fails is answered 400 or 401 and kept in `problems`. It answers 201, or what a test planned for a device
(404, 410, 429 with Retry-After, 500...), and can hold every request until a test opens a gate.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class FakeDevice:
    """A browser's subscription: the endpoint its push service gave it, and the keys the test made for it."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(point)

    @property
    def auth(self) -> str:
        return b64(self.auth_secret)


def make_device(origin: str) -> FakeDevice:
    """A new subscription at the push service at `origin`, with keys of its own."""
    token = b64(os.urandom(18))
    return FakeDevice(token, f"{origin}/push/{token}", ec.generate_private_key(ec.SECP256R1()), os.urandom(16))


@dataclass
class Received:
    token: str
    at: float  # time.monotonic() when it arrived
    status: int
    headers: dict[str, str]
    claims: dict | None = None
    message: bytes | None = None  # the decrypted payload

    @property
    def payload(self) -> dict:
        return json.loads(self.message or b"null")


@dataclass
class PushService:
    server_key: str | None = None  # the VAPID public key messages must be signed with (base64url)
    delay: float = 0.0  # seconds each answer takes
    devices: dict[str, FakeDevice] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    plans: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=lambda: defaultdict(list))
    gate: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    decrypt: bool = True  # False: take any device's messages unopened, as a real push service (the benchmark)

    def __post_init__(self) -> None:
        self.gate.set()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - the name http.server calls
                service._take(self)

            def log_message(self, format, *args):  # noqa: A002 - never print the paths (they are the endpoints)
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def new_device(self) -> FakeDevice:
        device = make_device(self.origin)
        self.devices[device.token] = device
        return device

    def plan(self, device: FakeDevice, *answers: int | tuple[int, dict[str, str]]) -> None:
        """The next answers for this device, in order (then 201)."""
        self.plans[device.token] += [answer if isinstance(answer, tuple) else (answer, {}) for answer in answers]

    def to(self, device: FakeDevice) -> list[Received]:
        return [item for item in self.received if item.token == device.token]

    # The service ---------------------------------------------------------------------------------------------

    def _take(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        self.gate.wait(timeout=60)
        if self.delay:
            time.sleep(self.delay)
        token = request.path.removeprefix("/push/")
        headers = {name.lower(): value for name, value in request.headers.items()}
        status, extra = 201, {}
        item = Received(token, time.monotonic(), status, headers)
        try:
            device = self.devices[token] if self.decrypt else None
            item.claims = self._check_token(headers.get("authorization", ""))
            if headers.get("content-encoding") != "aes128gcm":
                raise Problem(400, "content encoding")
            if not headers.get("ttl", "").isdigit() or headers.get("urgency") not in (
                "very-low",
                "low",
                "normal",
                "high",
            ):
                raise Problem(400, "TTL or Urgency")
            if device is not None:
                item.message = http_ece.decrypt(
                    body, private_key=device.private_key, auth_secret=device.auth_secret, version="aes128gcm"
                )
            with self.lock:
                if self.plans[token]:
                    status, extra = self.plans[token].pop(0)
        except KeyError:
            status = 404
        except Problem as problem:
            status = problem.status
            with self.lock:
                self.problems.append(problem.what)
        item.status = status
        with self.lock:
            self.received.append(item)
        request.send_response(status)
        for name, value in extra.items():
            request.send_header(name, value)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _check_token(self, authorization: str) -> dict:
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise Problem(401, "not a VAPID authorization")
        parts = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        if self.server_key is not None and parts.get("k") != self.server_key:
            raise Problem(401, "signed with another key than the server's")
        try:
            head, claims, signature = parts["t"].split(".")
            if json.loads(unb64(head)).get("alg") != "ES256":
                raise Problem(401, "not ES256")
            raw = unb64(signature)
            der = utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(parts["k"]))
            key.verify(der, f"{head}.{claims}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
        except (KeyError, ValueError, InvalidSignature) as error:
            raise Problem(401, f"token does not verify ({type(error).__name__})") from None
        found = json.loads(unb64(claims))
        now = time.time()
        if found.get("aud") != self.origin:
            raise Problem(401, "aud is not this service's origin")
        if not now < found.get("exp", 0) <= now + 24 * 3600:
            raise Problem(401, "exp past, or more than 24 hours ahead")
        if not str(found.get("sub", "")).startswith(("mailto:", "https://")):
            raise Problem(401, "no contact in sub")
        return found


class Problem(Exception):
    def __init__(self, status: int, what: str) -> None:
        super().__init__(what)
        self.status, self.what = status, what
