"""The check-in as every reader of records sees it (journal/records/kinds.py)."""

from __future__ import annotations

from ..records import kinds
from ..records.service import RecordView
from ..web.links import url_for
from . import export
from .service import KIND, view_of
from .vocabulary import EMOTION_GROUPS


def summary(view: RecordView, _doses) -> tuple[str, str]:
    """ "Check-in", "Mood 6 · anxiety 3 · calm, tender"."""
    return "Check-in", view_of(view).summary


def search_text(view: RecordView) -> tuple[str, ...]:
    """The note and the emotion words."""
    shown = view_of(view)
    return shown.note, ", ".join(shown.emotions)


def emotions(view: RecordView) -> tuple[str, ...]:
    return view_of(view).emotions


CHECKIN = kinds.register(
    kinds.RecordKind(
        name=KIND,
        label="Check-in",
        words=("check-in", "check-ins"),
        display=view_of,
        summary=summary,
        owner_url=lambda view: url_for("checkins.read_checkin", checkin_id=view.id),
        partial="checkins/_checkin.html",
        standing_share="Check-ins",
        search_text=search_text,
        emotions=emotions,
        emotion_groups=tuple((group.label, group.words) for group in EMOTION_GROUPS),
        export=kinds.KindExport(
            export.members,
            summary="checkins/_export_item.html",
            readme=("  checkins.csv        Mood check-ins, one row each.",),
        ),
    )
)
