"""The dosing session as every reader of records sees it (journal/records/kinds.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..course.days import Dose
from ..records import kinds
from ..records.service import RecordView
from ..web.links import url_for
from . import export
from .details import Details, details_of
from .service import KIND, ROUTES


@dataclass(frozen=True)
class DoseDisplay:
    route_label: str
    felt: str
    setting: str
    details: Details = Details()


def display(view: RecordView) -> DoseDisplay:
    # The session's number depends on every other session, which a reader may not have: not shown.
    data = view.data
    return DoseDisplay(
        ROUTES.get(data.get("route", "other"), "Other"), data.get("felt", ""), data.get("setting", ""), details_of(data)
    )


def number(view: RecordView, doses: Sequence[Dose]) -> int | None:
    """The session's number among the sessions the reader can see (all of them, or those shared)."""
    return next((one.number for one in doses if one.id == view.id), None)


def summary(view: RecordView, doses: Sequence[Dose]) -> tuple[str, str]:
    """ "Dosing session 2", "Nasal spray · calm"."""
    shown, found = display(view), number(view, doses)
    return (f"Dosing session {found}" if found else "Dosing session"), shown.route_label + (
        f" · {shown.felt}" if shown.felt else ""
    )


def search_text(view: RecordView) -> tuple[str, ...]:
    """How it felt, the setting, who was there and the note on the body."""
    shown = display(view)
    return shown.felt, shown.setting, shown.details.company, shown.details.body_note


DOSE = kinds.register(
    kinds.RecordKind(
        name=KIND,
        label="Dosing session",
        words=("dosing session", "dosing sessions"),
        display=display,
        summary=summary,
        owner_url=lambda view: url_for("dosing.read_dose", dose_id=view.id),
        partial="dosing/_dose.html",
        standing_share="Dosing sessions",
        search_text=search_text,
        export=kinds.KindExport(
            export.members,
            summary="dosing/_export_item.html",
            readme=("  sessions.csv        Dosing sessions, numbered in order.",),
        ),
    )
)
