"""Runs last: no marker written into the journal during the whole suite appears in any log."""
from __future__ import annotations

from .support import LOGS, MARKERS


def test_no_marker_in_any_log():
    markers = [line for line in MARKERS.read_text(encoding="utf-8").splitlines() if line] if MARKERS.exists() else []
    assert len(markers) >= 5, "the suite wrote too few markers for this check to mean anything"
    logs = {path.name: path.read_text(encoding="utf-8", errors="replace") for path in LOGS.glob("*.log")}
    assert "in-process.log" in logs and logs["in-process.log"], "in-process logging was not captured"
    for name, text in logs.items():
        for marker in markers:
            assert marker not in text, f"{marker} found in {name}"
