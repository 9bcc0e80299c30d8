"""The safety plan as every reader of records sees it (journal/records/kinds.py).

One living document, not a moment in the course: it is not on the timelines, and it is shared only by
choice, one plan at a time, never as a standing share.
"""

from __future__ import annotations

from ..records import kinds
from ..records.service import RecordView
from ..web.links import url_for
from . import export
from .service import KIND, plan_view


def summary(view: RecordView, _doses) -> tuple[str, str]:
    """How much of the plan is filled in, never what it says."""
    shown = plan_view(view)
    return "Safety plan", f"{len(shown.filled)} of {len(shown.sections)} sections filled in"


SAFETY_PLAN = kinds.register(
    kinds.RecordKind(
        name=KIND,
        label="Safety plan",
        words=("safety plan", "safety plans"),
        display=plan_view,
        summary=summary,
        owner_url=lambda _view: url_for("safety.show_plan"),
        partial="safety/_plan.html",
        on_timeline=False,
        export=kinds.KindExport(
            export.members,
            export.file_name,
            readme=("  safety-plan.md      The safety plan, section by section (if there is one).",),
        ),
    )
)
