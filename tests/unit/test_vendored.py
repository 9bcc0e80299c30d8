"""The vendored htmx is the published file whose version and checksum are recorded."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent.parent / "journal" / "static"


def test_vendored_files_match_their_recorded_checksums():
    table = (STATIC / "VENDORED.md").read_text(encoding="utf-8")
    rows = re.findall(r"\| `([^`]+)` \|[^|]+\| ([0-9.]+) \| `([0-9a-f]{64})` \|", table)
    assert rows
    for filename, version, checksum in rows:
        assert version in filename
        assert hashlib.sha256((STATIC / filename).read_bytes()).hexdigest() == checksum
    head = (STATIC.parent / "templates" / "_head.html").read_text(encoding="utf-8")  # every page's head
    assert f"asset('{rows[0][0]}')" in head
