"""Photos of art in an export zip: the display picture of each as a JPEG file, stored as it is."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from ..course.days import Dose
from ..export.formats import local, short_id, stamp
from ..records.service import RecordView
from .service import KIND


def file_name(view: RecordView, zone: str) -> str:
    return f"art/{stamp(view.occurred_at, zone)}_{short_id(view.id)}.jpg"


def members(source, _doses: Sequence[Dose], _made: datetime) -> Iterator:
    zone = source.zone
    for view in source.records([KIND]):
        picture = source.picture(view, "full")
        if picture is not None:
            yield file_name(view, zone), local(view.occurred_at, zone), [picture], False
        del picture
