"""The journal entry as every reader of records sees it (journal/records/kinds.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from markupsafe import Markup

from ..course.prompts import get_prompt
from ..records import kinds
from ..records.service import RecordView
from ..web.links import url_for
from . import export, photos
from .render import plain_text, render_markdown
from .service import KIND


@dataclass(frozen=True)
class EntryDisplay:
    title: str
    body_html: Markup
    prompt: str | None
    photo_ids: tuple[uuid.UUID, ...] = ()  # shown to the owner only; each photo is shared on its own


def display(view: RecordView) -> EntryDisplay:
    prompt = get_prompt(view.data.get("prompt_id"))
    return EntryDisplay(
        view.data.get("title", ""),
        render_markdown(view.data.get("body", "")),
        prompt.text if prompt else None,
        photos.of_payload(view.data),
    )


def summary(view: RecordView, _doses) -> tuple[str, str]:
    # The plain text: no need to render the Markdown for one line.
    return view.data.get("title") or "Journal entry", kinds.short(view.data.get("body", ""))


def search_text(view: RecordView) -> tuple[str, ...]:
    """The title and the text's words as a reader sees them (the Markdown's marks left out, never rendered)."""
    return str(view.data.get("title", "")), plain_text(str(view.data.get("body", "")))


ENTRY = kinds.register(
    kinds.RecordKind(
        name=KIND,
        label="Journal entry",
        words=("journal entry", "journal entries"),
        display=display,
        summary=summary,
        owner_url=lambda view: url_for("entries.read_entry", entry_id=view.id),
        partial="entries/_entry.html",
        share_note="entries/_share_note.html",
        search_text=search_text,
        export=kinds.KindExport(
            export.members,
            export.file_name,
            "entries/_export_item.html",
            readme=(
                "  entries/            Each journal entry as a Markdown file, named by date and title.",
                "  drafts/             Writing that was autosaved but not yet saved as an entry (if any).",
            ),
        ),
    )
)
