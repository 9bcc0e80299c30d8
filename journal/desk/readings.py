"""What the desk reads out of shared records beyond their one line and their partial: the mood of check-ins,
the scores of questionnaires, the tiles of photos.

A therapist never owns the records, so the features' own getters (scoped to the owner's key) do
not apply: these take a `RecordView` that `sharing.reads` already opened, and read it as its kind
describes (journal/records/kinds.py), the same reading the record partials show. Pure.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from ..art.service import alt_text
from ..checkins.service import KIND as CHECKIN
from ..measures.service import KIND as MEASURE
from ..records.kinds import display
from ..records.service import RecordView


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
    return ArtTile(
        view.id,
        view.occurred_at,
        str(data.get("caption", "")),
        _int(data.get("thumb_width")),
        _int(data.get("thumb_height")),
    )


def mood(view: RecordView) -> tuple[datetime, int | None, int | None] | None:
    """(occurred_at, mood, anxiety) of a check-in, as the charts take it; None for what was not answered.

    None for anything but a check-in, and for a check-in with neither mood nor anxiety.
    """
    shown = display(view) if view.kind == CHECKIN else None
    if shown is None or (shown.mood is None and shown.anxiety is None):
        return None
    return view.occurred_at, shown.mood, shown.anxiety


def measure(view: RecordView):
    """The questionnaire scored again from its answers as published (a MeasureView), or None."""
    return display(view) if view.kind == MEASURE else None


def _int(value) -> int:
    return value if isinstance(value, int) and value >= 0 else 0
