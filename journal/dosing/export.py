"""Dosing sessions in an export zip: one CSV, numbered in order. Columns added later come last, so a reader
of the earlier columns reads the file as before; a cell is empty where nothing was written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from ..course.days import Dose
from ..export.formats import CSV_BOM, local, row, text_cell
from .details import BODY_EFFECTS, details_of
from .service import KIND, ROUTES


def members(source, doses: Sequence[Dose], made: datetime) -> Iterator:
    yield "sessions.csv", made, _csv(source, doses), True


def _csv(source, doses: Sequence[Dose]) -> Iterator[str]:
    numbers = {dose.id: dose.number for dose in doses}
    yield CSV_BOM + row(
        [
            "id",
            "session",
            "when (UTC)",
            "when (local)",
            "how taken",
            "how it felt",
            "setting notes",
            "intention ids",
            "dose (mg)",
            "length (minutes)",
            "who was with me",
            "body",
            "body note",
            "dissociation (0-10)",
        ]
    )
    for view in source.records([KIND]):
        data = view.data
        more = details_of(data)
        yield row(
            [
                view.id,
                numbers.get(view.id, ""),
                view.occurred_at.isoformat(),
                local(view.occurred_at, source.zone).strftime("%Y-%m-%d %H:%M"),
                ROUTES.get(data.get("route", "other"), "Other"),
                text_cell(data.get("felt", "")),
                text_cell(data.get("setting", "")),
                " ".join(str(one) for one in data.get("intention_ids", [])),
                f"{more.dose_mg:g}" if more.dose_mg is not None else "",
                more.duration_minutes if more.duration_minutes is not None else "",
                text_cell(more.company),
                "; ".join(BODY_EFFECTS[key] for key in more.body_effects),
                text_cell(more.body_note),
                more.dissociation if more.dissociation is not None else "",
            ]
        )
