"""The intention as every reader of records sees it (journal/records/kinds.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..records import kinds
from ..records.service import RecordView
from ..web.links import url_for
from . import export
from .service import KIND


@dataclass(frozen=True)
class IntentionDisplay:
    text: str
    active: bool


def display(view: RecordView) -> IntentionDisplay:
    return IntentionDisplay(view.data.get("text", ""), bool(view.data.get("active", True)))


def summary(view: RecordView, _doses) -> tuple[str, str]:
    shown = display(view)
    return ("Intention" if shown.active else "Intention (archived)"), shown.text


INTENTION = kinds.register(
    kinds.RecordKind(
        name=KIND,
        label="Intention",
        words=("intention", "intentions"),
        display=display,
        summary=summary,
        owner_url=lambda _view: url_for("intentions.list_intentions"),
        partial="intentions/_intention.html",
        standing_share="Intentions",
        export=kinds.KindExport(
            export.members,
            summary="intentions/_export_item.html",
            readme=("  intentions.csv      Intentions, active and archived.",),
        ),
    )
)
