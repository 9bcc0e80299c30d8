"""A record as a reader sees it: the display values the canonical partials (templates/records/) show.

The same values serve the client's preview on a share page and the clinician's record pages, so
nothing here knows who is looking or links anywhere. Each kind's own service turns the opened
payload into its view (checkins, measures, dosing, intentions, art); entries render Markdown.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ..course.prompts import get_prompt
from ..dosing.service import ROUTES
from ..entries.render import render_markdown
from ..records.service import RecordView

KIND_LABELS = {
    "entry": "Journal entry",
    "checkin": "Check-in",
    "measure": "Questionnaire",
    "dose": "Dosing session",
    "intention": "Intention",
    "art": "Photo of art",
    "safety_plan": "Safety plan",
}


@dataclass(frozen=True)
class EntryDisplay:
    title: str
    body_html: Markup
    prompt: str | None


@dataclass(frozen=True)
class DoseDisplay:
    route_label: str
    felt: str
    setting: str


@dataclass(frozen=True)
class IntentionDisplay:
    text: str
    active: bool


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, "Record")


def for_view(view: RecordView) -> Any:
    """The kind's display values, or None when the payload cannot be shown (an unknown questionnaire)."""
    return _BUILDERS.get(view.kind, lambda _view: None)(view)


def _entry(view: RecordView) -> EntryDisplay:
    prompt = get_prompt(view.data.get("prompt_id"))
    return EntryDisplay(view.data.get("title", ""), render_markdown(view.data.get("body", "")),
                        prompt.text if prompt else None)


def _checkin(view: RecordView):
    from ..checkins.service import _view

    return _view(view)


def _measure(view: RecordView):
    from ..measures.service import _view

    return _view(view)


def _dose(view: RecordView) -> DoseDisplay:
    # The session's number depends on every other session, which a reader may not have: not shown.
    data = view.data
    return DoseDisplay(ROUTES.get(data.get("route", "other"), "Other"), data.get("felt", ""), data.get("setting", ""))


def _intention(view: RecordView) -> IntentionDisplay:
    return IntentionDisplay(view.data.get("text", ""), bool(view.data.get("active", True)))


def _art(view: RecordView):
    from ..art.service import _view

    return _view(view)


def _safety_plan(view: RecordView):
    from ..safety.service import plan_view

    return plan_view(view)


_BUILDERS = {"entry": _entry, "checkin": _checkin, "measure": _measure, "dose": _dose, "intention": _intention,
             "art": _art, "safety_plan": _safety_plan}
