"""The photo of art as every reader of records sees it (journal/records/kinds.py)."""

from __future__ import annotations

from ..records import kinds
from ..records.service import RecordView
from ..web.links import url_for
from . import export
from .service import KIND, view_of


def summary(view: RecordView, _doses) -> tuple[str, str]:
    return "Photo of art", kinds.short(view_of(view).caption) or "No caption"


def search_text(view: RecordView) -> tuple[str, ...]:
    return (view_of(view).caption,)


ART = kinds.register(
    kinds.RecordKind(
        name=KIND,
        label="Photo of art",
        words=("photo of art", "photos of art"),
        display=view_of,
        summary=summary,
        owner_url=lambda view: url_for("art.read_art", art_id=view.id),
        picture_url=lambda view, variant: url_for("art.picture", art_id=view.id, variant=variant),
        partial="art/_art.html",
        search_text=search_text,
        export=kinds.KindExport(
            export.members,
            export.file_name,
            "art/_export_item.html",
            readme=("  art/                Photos of art as JPEG files, named by date (the display version).",),
        ),
    )
)
