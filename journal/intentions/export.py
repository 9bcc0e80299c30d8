"""Intentions in an export zip: one CSV, active and archived."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from ..course.days import Dose
from ..export.formats import CSV_BOM, local, row, text_cell
from .service import KIND, reflections_of


def members(source, doses: Sequence[Dose], made: datetime) -> Iterator:
    yield "intentions.csv", made, _csv(source, doses), True


def _csv(source, doses: Sequence[Dose]) -> Iterator[str]:
    numbers = {str(dose.id): dose.number for dose in doses}
    yield CSV_BOM + row(["id", "set (UTC)", "set (local)", "status", "intention", "how it showed up"])
    for view in source.records([KIND]):
        shown = [
            (f"After session {numbers[one.dose_id]}" if one.dose_id in numbers else "After a session") + f": {one.text}"
            for one in reflections_of(view.data)
            if not one.skipped
        ]
        yield row(
            [
                view.id,
                view.occurred_at.isoformat(),
                local(view.occurred_at, source.zone).strftime("%Y-%m-%d %H:%M"),
                "active" if view.data.get("active", True) else "archived",
                text_cell(view.data.get("text", "")),
                text_cell("\n".join(shown)),
            ]
        )
