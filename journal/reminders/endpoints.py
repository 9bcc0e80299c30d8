"""Which push services a subscription may point at, and what a subscription's keys must look like. Pure.

A browser hands the page an endpoint URL and the server later POSTs to it: without a list, anyone signed in could
make the sender post to any address it reaches (an internal service, a metadata address). Only the push services
browsers use are allowed by default (PUSH_SERVICES): scheme and host, a "*." host for any name under it; a port
only when the pattern names one.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

# Chrome and Edge on Android and desktop, Firefox, Safari and iOS (16.4+, installed app), Windows.
DEFAULT_PUSH_SERVICES = (
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://*.push.apple.com",
    "https://*.notify.windows.com",
)
ENDPOINT_MAX = 1024


def parse_services(raw: str | None) -> tuple[str, ...]:
    """PUSH_SERVICES: comma-separated origins; the default list when unset."""
    if not raw:
        return DEFAULT_PUSH_SERVICES
    return tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())


def endpoint_allowed(endpoint: str, services: tuple[str, ...]) -> bool:
    """Whether `endpoint` is an address of one of the allowed push services."""
    if len(endpoint) > ENDPOINT_MAX or any(ord(char) <= 32 for char in endpoint):
        return False
    try:
        url = urlsplit(endpoint)
        port = url.port
    except ValueError:
        return False
    if url.username or url.password or not url.hostname:
        return False
    for service in services:
        allowed = urlsplit(service)
        if url.scheme != allowed.scheme or port != allowed.port:
            continue
        host = (allowed.hostname or "").lower()
        if url.hostname == host or (host.startswith("*.") and url.hostname.endswith(host[1:])):
            return True
    return False


def device_keys_valid(p256dh: str, auth: str) -> bool:
    """The subscription's keys: a P-256 public point (65 bytes, uncompressed) and a 16-byte secret, base64url."""
    point, secret = _b64(p256dh), _b64(auth)
    return point is not None and len(point) == 65 and point[0] == 4 and secret is not None and len(secret) == 16


def _b64(value: str) -> bytes | None:
    if not value or len(value) > 100:
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
