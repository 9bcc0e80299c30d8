"""The safety plan in an export zip: Markdown, a heading per section, one item a line, as it was written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from ..course.days import Dose
from ..export.formats import front_matter, iso, local
from ..records.service import RecordView
from .service import KIND, plan_view

PLAN_FILE = "safety-plan.md"


def file_name(_view: RecordView, _zone: str) -> str:
    return PLAN_FILE


def members(source, _doses: Sequence[Dose], _made: datetime) -> Iterator:
    for view in source.records([KIND]):
        yield PLAN_FILE, local(view.updated_at, source.zone), [markdown(view, source.zone)], True


def markdown(view: RecordView, zone: str) -> str:
    shown = plan_view(view)
    meta = {
        "title": "Safety plan",
        "made": iso(view.created_at, zone),
        "updated": iso(view.updated_at, zone),
        "id": str(view.id),
        "version": view.version,
    }
    parts = ["# Safety plan\n"]
    for section in shown.sections:
        lines = "\n".join(f"- {line.text}" for line in section.lines) or "_Nothing written here yet._"
        parts.append(f"## {section.section.title}\n\n{lines}\n")
    return front_matter(meta) + "\n".join(parts)
