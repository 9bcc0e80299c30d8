"""Voice notes in an export zip: each sound as a file, as it is kept (WebM or M4A), named by date."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from ..course.days import Dose
from ..export.formats import local, short_id, stamp
from ..records.service import RecordView
from .service import KIND, SOUND, view_of


def file_name(view: RecordView, zone: str) -> str:
    extension = "m4a" if view_of(view).content_type == "audio/mp4" else "webm"
    return f"voice/{stamp(view.occurred_at, zone)}_{short_id(view.id)}.{extension}"


def members(source, _doses: Sequence[Dose], _made: datetime) -> Iterator:
    zone = source.zone
    for view in source.records([KIND]):
        sound = source.picture(view, SOUND)
        if sound is not None:
            yield file_name(view, zone), local(view.occurred_at, zone), [sound], False
        del sound
