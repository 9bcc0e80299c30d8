"""Small checks shared by every form that takes writing: what PostgreSQL and a reader can store."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import TypeGuard
from zoneinfo import ZoneInfo

# Control characters other than tab and newlines: PostgreSQL refuses NUL, and none belong in writing.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CLIENT_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def clean_text(
    value: str | None, *, label: str, limit: int, single_line: bool = False, errors: dict[str, str], field: str
) -> str:
    """Normalised text; a message in `errors[field]` when it is too long or has control characters."""
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        errors[field] = f"{label} can be up to {limit:,} characters; it has {len(text):,}."
    elif CONTROL_RE.search(text) or (single_line and "\n" in text):
        errors[field] = f"{label} has characters that cannot be saved (control characters or line breaks)."
    return text


def valid_client_key(value: str | None) -> TypeGuard[str]:
    return bool(value and CLIENT_KEY_RE.match(value))


def local_inputs(moment: datetime, zone: str) -> tuple[str, str]:
    """The values for <input type=date> and <input type=time> showing `moment` in the client's zone."""
    local = moment.astimezone(ZoneInfo(zone))
    return local.date().isoformat(), local.strftime("%H:%M")


def parse_local(day: str | None, clock: str | None, zone: str) -> datetime | None:
    """A date and time typed in the client's zone, as UTC; None when either does not parse."""
    try:
        parsed_day = date.fromisoformat((day or "").strip())
        hours, minutes = (clock or "").strip().split(":")[:2]
        parsed_time = time(int(hours), int(minutes))
    except ValueError:
        return None
    return datetime.combine(parsed_day, parsed_time, tzinfo=ZoneInfo(zone)).astimezone(UTC)
