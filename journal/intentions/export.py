"""Intentions in an export zip: one CSV, active and archived."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from ..course.days import Dose
from ..export.formats import CSV_BOM, local, row, text_cell
from .service import KIND


def members(source, _doses: Sequence[Dose], made: datetime) -> Iterator:
    yield "intentions.csv", made, _csv(source), True


def _csv(source) -> Iterator[str]:
    yield CSV_BOM + row(["id", "set (UTC)", "set (local)", "status", "intention"])
    for view in source.records([KIND]):
        yield row(
            [
                view.id,
                view.occurred_at.isoformat(),
                local(view.occurred_at, source.zone).strftime("%Y-%m-%d %H:%M"),
                "active" if view.data.get("active", True) else "archived",
                text_cell(view.data.get("text", "")),
            ]
        )
