"""The timeline: everything the client wrote, newest first, grouped by the dosing session it follows."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from flask import url_for
from sqlalchemy.orm import Session

from .. import vault
from ..course.days import Dose, place_of
from ..course.service import doses as course_doses
from ..dosing.service import ROUTES
from ..records import service as records

PAGE_SIZE = 30
KINDS = ("entry", "checkin", "measure", "dose", "intention", "art")


@dataclass(frozen=True)
class TimelineItem:
    id: uuid.UUID
    kind: str
    occurred_at: datetime
    title: str
    detail: str
    url: str
    day: int | None


@dataclass
class TimelineGroup:
    dose: Dose | None
    items: list[TimelineItem] = field(default_factory=list)


def timeline_page(db: Session, keyring: vault.Keyring, zone: str, before: str | None,
                  limit: int = PAGE_SIZE) -> tuple[list[TimelineGroup], str | None]:
    """One page of the timeline, in groups by session. ValueError on a bad cursor."""
    views, cursor = records.page(db, keyring, KINDS, before, limit)
    numbered = course_doses(db, keyring)
    groups: list[TimelineGroup] = []
    for view in views:
        place = place_of(view.occurred_at, numbered, zone)
        if not groups or groups[-1].dose != place.dose:
            groups.append(TimelineGroup(place.dose))
        title, detail, url = _summary(view, numbered)
        groups[-1].items.append(TimelineItem(view.id, view.kind, view.occurred_at, title, detail, url, place.day))
    return groups, cursor


def _entry(view: records.RecordView, _doses) -> tuple[str, str, str]:
    body = " ".join(view.data.get("body", "").split())
    return (view.data.get("title") or "Journal entry", body if len(body) <= 140 else body[:137] + "…",
            url_for("entries.read_entry", entry_id=view.id))


def _dose(view: records.RecordView, numbered: list[Dose]) -> tuple[str, str, str]:
    number = next((dose.number for dose in numbered if dose.id == view.id), "?")
    detail = ROUTES.get(view.data.get("route"), "Other")
    if view.data.get("felt"):
        detail += " · " + view.data["felt"]
    return f"Dosing session {number}", detail, url_for("dosing.read_dose", dose_id=view.id)


def _intention(view: records.RecordView, _doses) -> tuple[str, str, str]:
    state = "Intention" if view.data.get("active", True) else "Intention (archived)"
    return state, view.data.get("text", ""), url_for("intentions.list_intentions")


def _checkin(view: records.RecordView, _doses) -> tuple[str, str, str]:
    from ..checkins.service import timeline_summary

    return timeline_summary(view)


def _measure(view: records.RecordView, _doses) -> tuple[str, str, str]:
    from ..measures.service import timeline_summary

    return timeline_summary(view)


def _art(view: records.RecordView, _doses) -> tuple[str, str, str]:
    from ..art.service import timeline_summary

    return timeline_summary(view)


def _safety_plan(view: records.RecordView, _doses) -> tuple[str, str, str]:
    from ..safety.service import summary

    return "Safety plan", summary(view), url_for("safety.show_plan")


# Every shareable kind (the prepare page uses these); the timeline itself lists only KINDS.
SUMMARIES: dict[str, Callable] = {
    "entry": _entry, "dose": _dose, "intention": _intention, "checkin": _checkin, "measure": _measure,
    "art": _art, "safety_plan": _safety_plan,
}


def _summary(view: records.RecordView, numbered: list[Dose]) -> tuple[str, str, str]:
    return SUMMARIES[view.kind](view, numbered)
