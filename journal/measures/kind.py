"""The questionnaire as every reader of records sees it (journal/records/kinds.py)."""

from __future__ import annotations

from ..records import kinds
from ..records.service import RecordView
from ..web.links import url_for
from . import export
from .service import KIND, view_of


def summary(view: RecordView, _doses) -> tuple[str, str]:
    """ "PHQ-9", "Score 12 of 27 · Moderate"; a questionnaire that cannot be scored as published says nothing."""
    measure = view_of(view)
    if measure is None:
        return "Questionnaire", ""
    return measure.instrument.name, (
        f"Score {measure.total} of {measure.instrument.max_total} · {measure.result.band.label}"
    )


MEASURE = kinds.register(
    kinds.RecordKind(
        name=KIND,
        label="Questionnaire",
        words=("questionnaire", "questionnaires"),
        display=view_of,
        summary=summary,
        owner_url=lambda view: url_for("measures.result", measure_id=view.id),
        partial="measures/_measure.html",
        standing_share="Questionnaires",
        export=kinds.KindExport(
            export.members,
            summary="measures/_export_item.html",
            readme=("  questionnaires/     PHQ-9, GAD-7 and PCL-5: every answer, the total and the published band.",),
        ),
    )
)
