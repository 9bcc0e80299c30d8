"""The server's Web Push key pair (VAPID, RFC 8292): it signs every reminder the server sends to a push service.

It opens nobody's data: it proves to push services that a message comes from the server a browser subscribed
with, whose public half the browser was given. Kept as VAPID tools print it: the private P-256 scalar (32 bytes)
and the public point (65 bytes, uncompressed), each base64url without padding.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

PRIVATE_BYTES = 32


def new_push_private_key() -> str:
    """A new private key, base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _b64(key.private_numbers().private_value.to_bytes(PRIVATE_BYTES, "big"))


def push_public_key(private_key: str) -> str:
    """The public half of a private key (base64url), as a browser's applicationServerKey wants it.

    ValueError when `private_key` is not a base64url P-256 private scalar.
    """
    try:
        raw = base64.urlsafe_b64decode(private_key.strip() + "=" * (-len(private_key.strip()) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None
    if len(raw) != PRIVATE_BYTES:
        raise ValueError(f"a P-256 private key is {PRIVATE_BYTES} bytes")
    key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    return _b64(
        key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
