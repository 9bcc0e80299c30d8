"""What a shared record says, in the few forms the desk needs beyond the canonical record partials.

A therapist never owns the records, so the features' own getters (scoped to the owner's key) do
not apply: these take a `RecordView` that `sharing.reads` already opened. The kind's display
values come from `sharing.display.for_view`, the same reading the record partials show. Pure.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from ..course.days import Dose
from ..art.service import alt_text
from ..records.service import RecordView
from ..sharing.display import for_view, kind_label


@dataclass(frozen=True)
class ArtTile:
    id: uuid.UUID
    occurred_at: datetime
    caption: str
    thumb_width: int
    thumb_height: int

    @property
    def alt(self) -> str:
        return alt_text(self.caption, "Photo of art, no caption")


def art(view: RecordView) -> ArtTile:
    data = view.data
    return ArtTile(view.id, view.occurred_at, str(data.get("caption", "")), _int(data.get("thumb_width")),
                   _int(data.get("thumb_height")))


def mood(view: RecordView) -> tuple[datetime, int | None, int | None] | None:
    """(occurred_at, mood, anxiety) of a check-in, as the charts take it; None for what was not answered.

    None for anything but a check-in, and for a check-in with neither mood nor anxiety.
    """
    shown = for_view(view) if view.kind == "checkin" else None
    if shown is None or (shown.mood is None and shown.anxiety is None):
        return None
    return view.occurred_at, shown.mood, shown.anxiety


def measure(view: RecordView):
    """The questionnaire scored again from its answers as published (a MeasureView), or None."""
    return for_view(view) if view.kind == "measure" else None


def dose_number(view: RecordView, doses: Sequence[Dose]) -> int | None:
    return next((one.number for one in doses if one.id == view.id), None)


def summary(view: RecordView, doses: Sequence[Dose]) -> tuple[str, str]:
    """(title, one line) for the desk's timeline of a client's shared items."""
    if view.kind == "entry":  # the plain text: no need to render the Markdown for one line
        return view.data.get("title") or "Journal entry", _short(view.data.get("body", ""), 140)
    shown = for_view(view)
    if shown is None:
        return kind_label(view.kind), ""
    if view.kind == "checkin":
        return "Check-in", shown.summary
    if view.kind == "measure":
        return shown.instrument.name, (f"Score {shown.total} of {shown.instrument.max_total} · "
                                       f"{shown.result.band.label}")
    if view.kind == "dose":
        number = dose_number(view, doses)
        title = f"Dosing session {number}" if number else "Dosing session"
        return title, shown.route_label + (f" · {shown.felt}" if shown.felt else "")
    if view.kind == "intention":
        return ("Intention" if shown.active else "Intention (archived)"), shown.text
    if view.kind == "art":
        return "Photo of art", _short(shown.caption, 140) or "No caption"
    if view.kind == "safety_plan":
        return "Safety plan", f"{len(shown.filled)} of {len(shown.sections)} sections filled in"
    return kind_label(view.kind), ""


def _short(text: str, limit: int) -> str:
    words = " ".join(str(text).split())
    return words if len(words) <= limit else words[:limit - 3].rstrip() + "…"


def _int(value) -> int:
    return value if isinstance(value, int) and value >= 0 else 0
