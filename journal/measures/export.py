"""Questionnaires in an export zip: a CSV per questionnaire, every answer, the total and the published band."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from ..course.days import Dose
from ..export.formats import CSV_BOM, row, when
from .instruments import INSTRUMENTS
from .service import KIND, view_of


def members(source, doses: Sequence[Dose], made: datetime) -> Iterator:
    for instrument in INSTRUMENTS.values():
        yield f"questionnaires/{instrument.id}.csv", made, _csv(source, doses, instrument), True


def _csv(source, doses: Sequence[Dose], instrument) -> Iterator[str]:
    items = [
        f"{number}. {text} (0-{len(instrument.options) - 1})"
        for number, text in zip(instrument.numbers, instrument.items, strict=True)
    ]
    difficulty = [instrument.difficulty] if instrument.difficulty else []
    yield CSV_BOM + row(
        ["id", "when (UTC)", "when (local)", "place in the course", *items, *difficulty, "total", "out of", "band"]
    )
    for view in source.records([KIND]):
        if view.data.get("instrument") != instrument.id:
            continue
        measured = view_of(view)
        if measured is None:
            continue  # answers that cannot be scored as published: kept in records.json
        answered = (
            [instrument.difficulty_options[measured.difficulty] if measured.difficulty is not None else ""]
            if instrument.difficulty
            else []
        )
        yield row(
            [
                view.id,
                *when(view, doses, source.zone),
                *(measured.answers[n] for n in instrument.numbers),
                *answered,
                measured.total,
                instrument.max_total,
                measured.result.band.label,
            ]
        )
