"""What goes into an export zip, from any source of opened records: the client's own, or what a client
shares with a clinician now (journal/desk/export.py). Nothing here knows who is asking or touches a key.

Each member is written in one pass over the records it needs, oldest first, a page at a time, so
the archive streams: a README, a printable HTML summary by dosing session that needs nothing outside
itself, every record in one JSON file, then each kind's own files as its package writes them
(journal/records/kinds.py: entries as Markdown, check-ins and each questionnaire as CSV, ...).

File names inside the zip are built only from dates, ASCII slugs and ids (formats.py): nothing a
person typed can name a path.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from flask import current_app

from ..course.days import Dose, place_of
from ..entries.export import draft_name
from ..records import kinds
from ..records.service import RecordView
from .formats import WHEN, local
from .zipstream import ZipStream


class Source(Protocol):
    """Where the records come from. `zone` is the client's: names, local times and day labels use it."""

    zone: str

    def records(self, kinds: Sequence[str]) -> Iterator[RecordView]:
        """Oldest first, opened a page at a time."""

    def picture(self, view: RecordView, variant: str) -> bytes | None:
        """A photo's display ("full") or thumbnail ("thumb") picture, decrypted."""

    def doses(self) -> list[Dose]:
        """The dosing sessions this source holds, numbered, oldest first (from metadata)."""

    def drafts(self) -> list[dict[str, Any]]:
        """Unsaved drafts ({"id", "updated_at", "title", "body", "prompt_id"}); none for a clinician."""


@dataclass(frozen=True)
class About:
    """Words and facts for the README, the JSON header and the summary's title."""

    title: str  # "Your integration journal" / "Shared by Ana with Dr Rivera"
    scope: str  # a sentence: what this archive holds
    exported_at: datetime
    people: dict[str, Any]  # for the JSON header: who and whose
    before_first: str = "Before your first dosing session"
    counts: list[str] = field(default_factory=list)  # "3 journal entries", ...


# The archive -----------------------------------------------------------------------------------------


def build(source: Source, about: About, extra: Sequence[tuple[str, str]] = ()) -> Iterator[bytes]:
    """The zip, as chunks of bytes. Each member is one pass over the records it needs. `extra`: more text files
    (name, text) at the end, as a clinician's own notes in their export."""
    zone = source.zone
    doses = source.doses()
    made = local(about.exported_at, zone)
    archive = ZipStream()
    yield from archive.member("README.txt", made, [_readme(about, zone)])
    yield from archive.member("summary.html", made, _summary(source, about, doses))
    yield from archive.member("records.json", made, _json(source, about, doses))
    for kind in kinds.all_kinds():
        for name, modified, chunks, compress in kind.export.members(source, doses, made):
            yield from archive.member(name, modified, chunks, compress=compress)
    for name, text in extra:
        yield from archive.member(name, made, [text])
    yield from archive.close()


def _readme(about: About, zone: str) -> str:
    counts = about.counts
    lines = [
        about.title,
        "=" * len(about.title),
        "",
        about.scope,
        f"Made {local(about.exported_at, zone).strftime(WHEN)} ({zone}).",
        "",
        "What is inside",
        "  summary.html        Everything, grouped by dosing session, to read or print. Opens in any",
        "                      browser without the internet.",
        "  records.json        Every record with all its fields, ids, times and version, for other programs.",
        *(line for kind in kinds.all_kinds() for line in kind.export.readme),
        "",
        ("Inside: " + ", ".join(counts) + ".") if counts else "Nothing was written yet.",
        "",
        f"Local times are in {zone}; the columns marked UTC are exact.",
        "The CSV files are UTF-8. A text cell that begins with =, +, - or @ has an apostrophe put in front,",
        "so that spreadsheet programs show it as text; records.json has every text exactly as written.",
        "",
        "This copy is not encrypted. Keep it somewhere only you (or your clinical records) can reach.",
        "",
    ]
    return "\r\n".join(lines)


# JSON ----------------------------------------------------------------------------------------------------


def _json(source: Source, about: About, doses: list[Dose]) -> Iterator[str]:
    head = {
        "format": "integration-journal-export",
        "format_version": 1,
        "exported_at": about.exported_at.isoformat(),
        "time_zone": source.zone,
        "scope": about.scope,
        **about.people,
    }
    opening = json.dumps(head, ensure_ascii=False, indent=2)
    yield opening[:-2] + ',\n  "records": ['
    first = True
    for view in source.records(kinds.names()):
        place = place_of(view.occurred_at, doses, source.zone)
        record: dict[str, Any] = {
            "id": str(view.id),
            "kind": view.kind,
            "occurred_at": view.occurred_at.isoformat(),
            "created_at": view.created_at.isoformat(),
            "updated_at": view.updated_at.isoformat(),
            "version": view.version,
            "place": place.label,
            "session": place.dose.number if place.dose else None,
            "day": place.day,
        }
        kind = kinds.find(view.kind)
        if kind is not None and kind.export.file is not None:
            record["file"] = kind.export.file(view, source.zone)
        record["data"] = view.data
        text = json.dumps(record, ensure_ascii=False, indent=2, default=str)
        yield ("\n    " if first else ",\n    ") + text.replace("\n", "\n    ")
        first = False
    drafts = [
        {
            "id": str(draft["id"]),
            "updated_at": draft["updated_at"].isoformat(),
            "file": draft_name(draft, source.zone),
            "data": {key: draft[key] for key in ("title", "body", "prompt_id") if draft.get(key) is not None},
        }
        for draft in source.drafts()
    ]
    closing = json.dumps(drafts, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    yield ("\n  ]" if not first else "]") + f',\n  "drafts": {closing}\n}}\n'


# The printable summary ----------------------------------------------------------------------------------


def _summary(source: Source, about: About, doses: list[Dose]) -> Iterator[str]:
    """The whole course, oldest first, a section per dosing session; rendered piece by piece."""
    # The template's macros are attributes Jinja sets on its module at run time: its type does not list them.
    parts: Any = current_app.jinja_env.get_template("export/summary.html").module
    zone = source.zone
    yield str(parts.head(about=about, made=local(about.exported_at, zone).strftime(WHEN), zone=zone))
    group: Dose | None | bool = False  # False: no section open yet
    count = 0
    for view in source.records(kinds.names(on_timeline=True)):
        kind = kinds.kind(view.kind)
        place = place_of(view.occurred_at, doses, zone)
        if group is False or place.dose != group:
            if group is not False:
                yield str(parts.group_end())
            group = place.dose
            yield str(
                parts.group_start(
                    dose=place.dose,
                    when=local(place.dose.occurred_at, zone).strftime(WHEN) if place.dose else "",
                    before_first=about.before_first,
                )
            )
        thumb = None
        if kind.has_pictures:
            picture = source.picture(view, "thumb")
            thumb = "data:image/jpeg;base64," + base64.b64encode(picture).decode("ascii") if picture else None
        yield str(
            parts.item(
                view=view,
                shown=kind.display(view),
                label=kind.label,
                when=local(view.occurred_at, zone).strftime(WHEN),
                day=place.day,
                dose=place.dose,
                thumb=thumb,
                file=kind.export.file(view, zone) if kind.export.file else None,
                template=kind.export.summary,
            )
        )
        count += 1
    if group is not False:
        yield str(parts.group_end())
    yield str(parts.foot(count=count))
