"""Every record kind, described once: what the timeline, sharing, the desk, the brief and the export read.

Each kind's own package describes it in its `kind.py` and calls `register` there; `journal/kinds.py`
imports each of those modules once and lists them in the order kinds are shown everywhere (the export
page's counts, the brief's "since last" lines, the zip's members). The lookups below load that module
first and keep its order, so the registry is complete and in order whichever module is imported first.
Pure: no database, no keys.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .service import RecordView

# (name inside the zip, modified time, the member's text or bytes in chunks, compress)
Member = tuple[str, datetime, Iterable[str | bytes], bool]


@dataclass(frozen=True)
class KindExport:
    """How a kind goes into an export zip (journal/export/archive.py streams them).

    `members(source, doses, made)` yields the kind's own files, reading only its own records from the
    source; `file(view, zone)` names the file records.json points to for one record (None: no file of
    its own); `summary` is the template of one item in the printable summary (None: not in it);
    `readme` the lines of the zip's README.txt that say what its files are.
    """

    members: Callable[[Any, Sequence[Any], datetime], Iterator[Member]]
    file: Callable[[RecordView, str], str] | None = None
    summary: str | None = None
    readme: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordKind:
    """One kind of record, as every reader of records needs it.

    `display(view)` opens a payload into the values its partial shows (None: it cannot be shown);
    `summary(view, doses)` is its one line on a timeline, (title, detail), given the dosing sessions the
    reader can see; `owner_url(view)` is the owner's page of it (a clinician reads every kind on
    desk.record); `picture_url(view, variant)` the owner's address of its picture, for kinds that carry
    pictures (a clinician's goes through desk.image); `sound` names the attachment holding a kind's sound, and
    `sound_url(view)` is the owner's address of it (a clinician's goes through desk.sound). `partial` shows one record on the owner's and the
    clinician's pages alike; `share_note`, if any, is what the owner's share page adds under the preview
    (what does not go with the record when it is shared). `search_text(view)` is the text it offers to a
    search, field by field (None: not searched; journal/search opens and matches it in memory, nothing is
    indexed); `emotions(view)` the emotion words it carries, for the timeline's filter (None: none), and
    `emotion_groups` the words it offers to filter by, in groups: ((group label, (word, ...)), ...).
    """

    name: str
    label: str  # "Check-in"
    words: tuple[str, str]  # ("check-in", "check-ins"): counts in sentences
    display: Callable[[RecordView], Any]
    summary: Callable[[RecordView, Sequence[Any]], tuple[str, str]]
    owner_url: Callable[[RecordView], str]
    partial: str
    export: KindExport
    on_timeline: bool = True  # the timelines and the printable summary, grouped by dosing session
    shareable: bool = True
    standing_share: str | None = None  # the words of a standing share of this kind; None: shared one by one
    picture_url: Callable[[RecordView, str], str] | None = None
    share_note: str | None = None
    sound: str | None = None
    sound_url: Callable[[RecordView], str] | None = None
    search_text: Callable[[RecordView], Sequence[str]] | None = None
    emotions: Callable[[RecordView], Sequence[str]] | None = None
    emotion_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def has_pictures(self) -> bool:
        return self.picture_url is not None

    @property
    def has_sound(self) -> bool:
        return self.sound is not None

    @property
    def has_files(self) -> bool:
        """Whether its records carry attachments, whose digests its shares sign."""
        return self.has_pictures or self.has_sound


_KINDS: dict[str, RecordKind] = {}
_LOADED = False


def register(kind: RecordKind) -> RecordKind:
    """Add a kind (each kind's package does, once). A second, different kind of the same name is refused."""
    known = _KINDS.get(kind.name)
    if known is not None and known is not kind:
        raise ValueError(f"record kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def _load() -> dict[str, RecordKind]:
    global _LOADED
    if not _LOADED:
        listing = importlib.import_module("journal.kinds")
        if not getattr(listing, "COMPLETE", False):
            raise RuntimeError(
                "record kinds were looked up while they were being registered: a kind's "
                "package must not look them up as it is imported"
            )
        order = [one.name for one in listing.ORDER]
        if sorted(order) != sorted(_KINDS):
            raise RuntimeError(f"journal/kinds.py lists {order}, the packages registered {sorted(_KINDS)}")
        listed = {name: _KINDS[name] for name in order}  # in the listed order, whichever was imported first
        _KINDS.clear()
        _KINDS.update(listed)
        _LOADED = True
    return _KINDS


def kind(name: str) -> RecordKind:
    """The kind of this name; KeyError for a name no package registered."""
    return _load()[name]


def find(name: str | None) -> RecordKind | None:
    return _load().get(name) if name else None


def all_kinds() -> tuple[RecordKind, ...]:
    return tuple(_load().values())


def names(*, on_timeline: bool | None = None, shareable: bool | None = None) -> tuple[str, ...]:
    """Kind names, in order; only those on the timeline or shareable when asked."""
    return tuple(
        one.name
        for one in all_kinds()
        if (on_timeline is None or one.on_timeline == on_timeline) and (shareable is None or one.shareable == shareable)
    )


def label(name: str | None) -> str:
    found = find(name)
    return found.label if found else "Record"


def display(view: RecordView) -> Any:
    """The kind's display values, or None when the payload cannot be shown (an unknown questionnaire)."""
    found = find(view.kind)
    return found.display(view) if found else None


def summary(view: RecordView, doses: Sequence[Any]) -> tuple[str, str]:
    """(title, one line) of any record, for a timeline."""
    found = find(view.kind)
    return found.summary(view, doses) if found else ("Record", "")


def searchable(*, shareable: bool | None = None) -> tuple[RecordKind, ...]:
    """The kinds that offer text to a search, in order; only the shareable ones when asked."""
    return tuple(
        one for one in all_kinds() if one.search_text is not None and (shareable is None or one.shareable == shareable)
    )


def search_text(view: RecordView) -> Sequence[str]:
    """The text a record offers to a search, field by field (nothing for a kind that offers none)."""
    found = find(view.kind)
    return found.search_text(view) if found is not None and found.search_text is not None else ()


def emotions(view: RecordView) -> Sequence[str]:
    """The emotion words a record carries (none for a kind that carries none)."""
    found = find(view.kind)
    return found.emotions(view) if found is not None and found.emotions is not None else ()


def standing_share_choices() -> dict[str, str]:
    """{kind: words} of the kinds a clinician can be sent as they are saved."""
    return {one.name: one.standing_share for one in all_kinds() if one.standing_share}


def short(text: str, limit: int = 140) -> str:
    """Words on one line, cut to `limit` characters with an ellipsis."""
    words = " ".join(str(text).split())
    return words if len(words) <= limit else words[: limit - 3].rstrip() + "…"
