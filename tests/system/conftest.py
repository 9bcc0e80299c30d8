"""The browser fixtures, for the few system tests that end in a real browser (signed shares, key rotation)."""

from __future__ import annotations

from ..browser.conftest import chromium, open_context, server  # noqa: F401  (fixtures, used by name)
