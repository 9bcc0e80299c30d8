"""The voice note as every reader of records sees it (journal/records/kinds.py)."""

from __future__ import annotations

from ..records import kinds
from ..records.service import RecordView
from ..web.links import url_for
from . import export
from .service import KIND, SOUND, view_of


def summary(view: RecordView, _doses) -> tuple[str, str]:
    note = view_of(view)
    return "Voice note", f"{kinds.short(note.title) or 'Untitled'} · {note.length}"


def search_text(view: RecordView) -> tuple[str, ...]:
    """Its title: the words of a recording are not transcribed."""
    return (view_of(view).title,)


VOICE = kinds.register(
    kinds.RecordKind(
        name=KIND,
        label="Voice note",
        words=("voice note", "voice notes"),
        display=view_of,
        summary=summary,
        owner_url=lambda view: url_for("voice.read_note", note_id=view.id),
        partial="voice/_voice.html",
        sound=SOUND,
        sound_url=lambda view: url_for("voice.sound", note_id=view.id),
        search_text=search_text,
        export=kinds.KindExport(
            export.members,
            export.file_name,
            "voice/_export_item.html",
            readme=("  voice/              Voice notes as sound files (WebM or M4A), named by date.",),
        ),
    )
)
