"""The intention as every reader of records sees it (journal/records/kinds.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..records import kinds
from ..records.service import RecordView
from ..web.links import url_for
from . import export
from .service import KIND, Reflection, reflections_of


@dataclass(frozen=True)
class IntentionDisplay:
    text: str
    active: bool
    answers: tuple[Reflection, ...] = ()  # how it showed up after sessions (the skipped ones left out)


def display(view: RecordView) -> IntentionDisplay:
    answers = tuple(one for one in reflections_of(view.data) if not one.skipped)
    return IntentionDisplay(view.data.get("text", ""), bool(view.data.get("active", True)), answers)


def summary(view: RecordView, _doses) -> tuple[str, str]:
    shown = display(view)
    return ("Intention" if shown.active else "Intention (archived)"), shown.text


def search_text(view: RecordView) -> tuple[str, ...]:
    """The intention's words and how it showed up after each session."""
    shown = display(view)
    return (shown.text, *(answer.text for answer in shown.answers))


INTENTION = kinds.register(
    kinds.RecordKind(
        name=KIND,
        label="Intention",
        words=("intention", "intentions"),
        display=display,
        summary=summary,
        owner_url=lambda view: url_for("intentions.read_intention", intention_id=view.id),
        partial="intentions/_intention.html",
        standing_share="Intentions",
        search_text=search_text,
        export=kinds.KindExport(
            export.members,
            summary="intentions/_export_item.html",
            readme=("  intentions.csv      Intentions, active and archived, with how each showed up after sessions.",),
        ),
    )
)
