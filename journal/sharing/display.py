"""Times in the reader's zone, for the record partials (records/_content.html) on any page.

The same partials serve the client's preview on a share page and the clinician's record pages, so
nothing here knows who is looking or links anywhere. What each kind shows comes from its own
description (journal/records/kinds.py).
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIME_PATTERN = "%a %-d %b %Y, %H:%M"


def in_zone(moment: datetime | None, zone: str | None, pattern: str = TIME_PATTERN) -> str:
    """A UTC time shown in the given zone (the reader's), whoever is signed in."""
    if moment is None:
        return ""
    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return moment.astimezone(tz).strftime(pattern)
