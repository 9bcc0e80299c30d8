"""Check-ins in an export zip: one CSV, a row each."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from ..course.days import Dose
from ..export.formats import CSV_BOM, row, text_cell, when
from .service import KIND, view_of


def members(source, doses: Sequence[Dose], made: datetime) -> Iterator:
    yield "checkins.csv", made, _csv(source, doses), True


def _csv(source, doses: Sequence[Dose]) -> Iterator[str]:
    yield CSV_BOM + row(
        [
            "id",
            "when (UTC)",
            "when (local)",
            "place in the course",
            "mood (0-10)",
            "anxiety (0-10)",
            "energy (0-10)",
            "sleep hours",
            "sleep quality (1-5)",
            "sleep",
            "emotion words",
            "note",
        ]
    )
    for view in source.records([KIND]):
        one = view_of(view)
        yield row(
            [
                view.id,
                *when(view, doses, source.zone),
                one.mood,
                one.anxiety,
                one.energy,
                one.sleep_hours,
                one.sleep_quality,
                one.sleep_text,
                text_cell("; ".join(one.emotions)),
                text_cell(one.note),
            ]
        )
