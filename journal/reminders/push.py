"""One reminder to one device: fixed, neutral words encrypted to the device (aes128gcm, RFC 8291), signed with the
server's VAPID key (RFC 8292), posted to the device's push service; and what its answer means.

What a notification says is chosen here and nowhere else: the client's neutral title, one of a few fixed
sentences and the screen to open. Never a diagnosis, a medicine, a score, a clinician's name or a word the client
wrote: nothing here can reach any of them. The push service sees only that a message of this size went to this
device at this time.
"""

from __future__ import annotations

import email.utils
import enum
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException

from .schedule import COURSE, DAILY, EVE


@dataclass(frozen=True)
class Words:
    body: str
    url: str


# The screen each opens: the check-in, Today (with the day's prompt), getting ready for the session.
WORDS = {
    DAILY: Words("A moment for yourself?", "/checkins/new"),
    COURSE: Words("A few quiet minutes to write?", "/"),
    EVE: Words("A moment to gather your thoughts?", "/share/prepare"),
}
ACTIONS = (
    {"action": "not-today", "title": "Not today"},
    {"action": "stop", "title": "Stop these reminders"},
)
# How long a push service keeps a message for a device that is off: a reminder that would arrive hours late is
# better dropped. Urgency: a check-in and a prompt at the time chosen; the eve may wait for a charger or Wi-Fi.
TTL_SECONDS = {DAILY: 2 * 3600, COURSE: 3 * 3600, EVE: 3 * 3600}
URGENCY = {DAILY: "normal", COURSE: "normal", EVE: "low"}
# One topic for every reminder: a newer one replaces one still waiting for the device, never two at once.
TOPIC = "reminder"
# A signed VAPID token is good for 12 hours (at most 24 are allowed); one is made again after an hour.
TOKEN_HOURS = 12
TOKEN_REUSE_SECONDS = 3600


def payload(kind: str, title: str) -> bytes:
    """What the device decrypts and its service worker shows."""
    words = WORDS[kind]
    message = {"title": title, "body": words.body, "url": words.url, "actions": list(ACTIONS)}
    return json.dumps(message, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Device:
    endpoint: str
    p256dh: str
    auth: str


class Outcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # 404, 410: the subscription has ended; the device will never take another message there
    RETRY = "retry"  # 429, 5xx, no answer: worth trying again a little later
    FAILED = "failed"  # refused for good (a message or a key the service will not take)


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    retry_after: float | None = None  # seconds the push service asked to wait (Retry-After), when it did


class Pusher:
    """Sends with the server's key; each thread keeps its own connections. Safe to share between threads."""

    def __init__(self, private_key: str, subject: str, timeout: float) -> None:
        self._vapid = Vapid02.from_string(private_key)
        self._subject = subject
        self._timeout = timeout
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    def send(self, device: Device, kind: str, title: str) -> Result:
        headers = {
            "Authorization": self._authorization(device.endpoint),
            "Urgency": URGENCY[kind],
            "Topic": TOPIC,
        }
        subscription = {"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}}
        try:
            response = WebPusher(subscription, requests_session=self._session()).send(
                payload(kind, title), headers, ttl=TTL_SECONDS[kind], timeout=self._timeout
            )
        except requests.TooManyRedirects:
            return Result(Outcome.FAILED)  # a push service does not redirect; nothing is followed elsewhere
        except requests.RequestException:
            return Result(Outcome.RETRY)  # no connection, no answer in time
        except (WebPushException, ValueError, TypeError):
            return Result(Outcome.FAILED)  # keys that cannot be encrypted to
        return classify(response.status_code, response.headers.get("Retry-After"))

    def _authorization(self, endpoint: str) -> str:
        url = urlsplit(endpoint)
        audience = f"{url.scheme}://{url.netloc}"
        now = time.time()
        with self._lock:
            token = self._tokens.get(audience)
            if token is None or now - token[1] > TOKEN_REUSE_SECONDS:
                claims = {"aud": audience, "exp": int(now) + TOKEN_HOURS * 3600, "sub": self._subject}
                token = (self._vapid.sign(claims)["Authorization"], now)
                self._tokens[audience] = token
            return token[0]

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.max_redirects = 0
            session.trust_env = False  # no proxy or .netrc from the environment sees the device's address
            self._local.session = session
        return session


def classify(status: int, retry_after: str | None) -> Result:
    """What a push service's answer means for this message and this subscription."""
    if status in (200, 201, 202):
        return Result(Outcome.SENT)
    if status in (404, 410):
        return Result(Outcome.GONE)
    if status == 429 or status >= 500:
        return Result(Outcome.RETRY, seconds_to_wait(retry_after))
    return Result(Outcome.FAILED)


def seconds_to_wait(retry_after: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds, or an HTTP date. None when absent or unreadable."""
    if not retry_after:
        return None
    value = retry_after.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
