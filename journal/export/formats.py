"""The small pieces every export writer shares: safe file names, local times, Markdown front matter, CSV rows.

File names inside the zip are built only from dates, ASCII slugs and ids: nothing a person typed
can name a path. A CSV text cell that could start a formula is kept as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..course.days import Dose, place_of
from ..records.service import RecordView

CSV_BOM = "\ufeff"  # so spreadsheet programs read the files as UTF-8
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WHEN = "%a %-d %b %Y, %H:%M"


def slug(text: str, fallback: str, limit: int = 40) -> str:
    """ASCII letters and digits joined by hyphens, at most `limit` long: safe in any file system."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:limit].rstrip("-") or fallback


def local(moment: datetime, zone: str) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return moment.astimezone(ZoneInfo("UTC"))


def iso(moment: datetime, zone: str) -> str:
    return local(moment, zone).replace(microsecond=0).isoformat()


def stamp(moment: datetime, zone: str) -> str:
    return local(moment, zone).strftime("%Y-%m-%d_%H%M")


def short_id(record_id: uuid.UUID) -> str:
    return record_id.hex[:8]


def front_matter(meta: dict[str, Any]) -> str:
    # JSON strings are valid YAML scalars: quotes, colons and line breaks in a title stay harmless.
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def row(values: Iterable[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(["" if value is None else value for value in values])
    return out.getvalue()


def text_cell(value: Any) -> str:
    """Words someone typed, kept from being read as a formula by a spreadsheet program."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def when(view: RecordView, doses: Sequence[Dose], zone: str) -> list[str]:
    """The columns "when (UTC)", "when (local)", "place in the course"."""
    return [
        view.occurred_at.isoformat(),
        local(view.occurred_at, zone).strftime("%Y-%m-%d %H:%M"),
        place_of(view.occurred_at, doses, zone).label,
    ]
