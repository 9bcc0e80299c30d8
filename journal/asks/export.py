"""A clinician's requests to one client, in the clinician's export (desk/export.py): what they asked, how often,
when, and what the client did. Read from the clinician's own sealed copies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from .cadence import ANSWERED, DECLINED, SNOOZED
from .service import DeskAsk

FILE_NAME = "my-requests.md"


def as_markdown(asks: Sequence[DeskAsk], zone: str) -> str:
    """The requests as one Markdown file, newest first."""
    lines = ["# What I asked", ""]
    if not asks:
        lines.append("No requests.")
    for one in asks:
        when = one.when[:1].upper() + one.when[1:]
        lines += [f"## {one.words}", "", f"{when}; asked {_at(one.created_at, zone)} ({zone}).", ""]
        lines += [_what_happened(one, zone), ""]
    return "\n".join(lines) + "\n"


def _what_happened(one: DeskAsk, zone: str) -> str:
    if one.status == ANSWERED and one.acted_at is not None:
        return f"Answered {_at(one.acted_at, zone)}" + (f" (shared record {one.answer_id})." if one.answer_id else ".")
    if one.status == DECLINED and one.acted_at is not None:
        return f"Declined {_at(one.acted_at, zone)}."
    if one.status == SNOOZED and one.snoozed_until is not None:
        return f"Snoozed (“Not now”) until {_at(one.snoozed_until, zone)}."
    return "Waiting."


def _at(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"
