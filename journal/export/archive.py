"""What goes into an export zip, from any source of opened records: the client's own, or what a client
shares with a clinician now (journal/desk/export.py). Nothing here knows who is asking or touches a key.

Each member is written in one pass over the records it needs, oldest first, a page at a time, so
the archive streams: entries as Markdown, check-ins and each questionnaire as CSV, dosing sessions
and intentions as CSV, photos as JPEG files, every record in one JSON file, and a printable HTML
summary by dosing session that needs nothing outside itself, and the safety plan as Markdown.

File names inside the zip are built only from dates, ASCII slugs and ids: nothing a person typed
can name a path.
"""
from __future__ import annotations

import base64
import csv
import io
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Iterator, Protocol, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app

from ..course.days import Dose, place_of
from ..course.prompts import get_prompt
from ..measures.instruments import INSTRUMENTS
from ..records.service import RecordView
from ..sharing.display import for_view, kind_label
from .zipstream import ZipStream

# The summary groups these by dosing session; records.json has every kind, the safety plan too.
KINDS = ("entry", "checkin", "measure", "dose", "intention", "art")
JSON_KINDS = KINDS + ("safety_plan",)
CSV_BOM = "\ufeff"  # so spreadsheet programs read the files as UTF-8
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WHEN = "%a %-d %b %Y, %H:%M"


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


# Names -----------------------------------------------------------------------------------------------

def slug(text: str, fallback: str, limit: int = 40) -> str:
    """ASCII letters and digits joined by hyphens, at most `limit` long: safe in any file system."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:limit].rstrip("-") or fallback


def local(moment: datetime, zone: str) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return moment.astimezone(ZoneInfo("UTC"))


def _iso(moment: datetime, zone: str) -> str:
    return local(moment, zone).replace(microsecond=0).isoformat()


def _stamp(moment: datetime, zone: str) -> str:
    return local(moment, zone).strftime("%Y-%m-%d_%H%M")


def _short_id(record_id: uuid.UUID) -> str:
    return record_id.hex[:8]


def entry_name(view: RecordView, zone: str) -> str:
    return f"entries/{_stamp(view.occurred_at, zone)}_{slug(view.data.get('title', ''), 'entry')}_{_short_id(view.id)}.md"


def draft_name(draft: dict[str, Any], zone: str) -> str:
    return f"drafts/{_stamp(draft['updated_at'], zone)}_{slug(draft.get('title', ''), 'draft')}_{draft['id'].hex[:8]}.md"


def art_name(view: RecordView, zone: str) -> str:
    return f"art/{_stamp(view.occurred_at, zone)}_{_short_id(view.id)}.jpg"


# The archive -----------------------------------------------------------------------------------------

def build(source: Source, about: About) -> Iterator[bytes]:
    """The zip, as chunks of bytes. Each member is one pass over the records it needs."""
    zone = source.zone
    doses = source.doses()
    made = local(about.exported_at, zone)
    archive = ZipStream()
    yield from archive.member("README.txt", made, [_readme(about, zone)])
    yield from archive.member("summary.html", made, _summary(source, about, doses))
    yield from archive.member("records.json", made, _json(source, about, doses))
    for view in source.records(["entry"]):
        yield from archive.member(entry_name(view, zone), local(view.updated_at, zone),
                                  [_markdown(view, doses, zone)])
    for draft in source.drafts():
        yield from archive.member(draft_name(draft, zone), local(draft["updated_at"], zone), [_draft_markdown(draft, zone)])
    yield from archive.member("checkins.csv", made, _checkins_csv(source, doses))
    for instrument in INSTRUMENTS.values():
        yield from archive.member(f"questionnaires/{instrument.id}.csv", made,
                                  _measures_csv(source, doses, instrument))
    yield from archive.member("sessions.csv", made, _doses_csv(source, doses))
    yield from archive.member("intentions.csv", made, _intentions_csv(source))
    for view in source.records(["safety_plan"]):
        yield from archive.member(PLAN_FILE, local(view.updated_at, zone), [_plan_markdown(view, zone)])
    for view in source.records(["art"]):
        picture = source.picture(view, "full")
        if picture is not None:
            yield from archive.member(art_name(view, zone), local(view.occurred_at, zone), [picture], compress=False)
        del picture
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
        "  entries/            Each journal entry as a Markdown file, named by date and title.",
        "  drafts/             Writing that was autosaved but not yet saved as an entry (if any).",
        "  checkins.csv        Mood check-ins, one row each.",
        "  questionnaires/     PHQ-9, GAD-7 and PCL-5: every answer, the total and the published band.",
        "  sessions.csv        Dosing sessions, numbered in order.",
        "  intentions.csv      Intentions, active and archived.",
        "  safety-plan.md      The safety plan, section by section (if there is one).",
        "  art/                Photos of art as JPEG files, named by date (the display version).",
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


# Markdown ------------------------------------------------------------------------------------------------

def _markdown(view: RecordView, doses: list[Dose], zone: str) -> str:
    title = str(view.data.get("title", ""))
    prompt = get_prompt(view.data.get("prompt_id"))
    meta = {"title": title, "date": _iso(view.occurred_at, zone)}
    if view.updated_at > view.created_at:
        meta["updated"] = _iso(view.updated_at, zone)
    meta.update({"id": str(view.id), "version": view.version,
                 "place": place_of(view.occurred_at, doses, zone).label})
    if prompt is not None:
        meta["prompt"] = prompt.text
    return _front_matter(meta) + _md_body(title, prompt.text if prompt else None, str(view.data.get("body", "")))


def _draft_markdown(draft: dict[str, Any], zone: str) -> str:
    prompt = get_prompt(draft.get("prompt_id"))
    meta = {"title": draft.get("title", ""), "saved": _iso(draft["updated_at"], zone),
            "id": str(draft["id"]), "draft": True}
    if prompt is not None:
        meta["prompt"] = prompt.text
    return _front_matter(meta) + _md_body(draft.get("title", ""), prompt.text if prompt else None,
                                          draft.get("body", ""))


def _front_matter(meta: dict[str, Any]) -> str:
    # JSON strings are valid YAML scalars: quotes, colons and line breaks in a title stay harmless.
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def _md_body(title: str, prompt: str | None, body: str) -> str:
    parts = []
    if title.strip():
        parts.append(f"# {' '.join(title.split())}\n")
    if prompt:
        parts.append(f"> Answering: {prompt}\n")
    parts.append(body.rstrip() + "\n")
    return "\n".join(parts)


PLAN_FILE = "safety-plan.md"


def _plan_markdown(view: RecordView, zone: str) -> str:
    """The safety plan: a heading per section, one item a line, as it was written."""
    shown = for_view(view)
    meta = {"title": "Safety plan", "made": _iso(view.created_at, zone), "updated": _iso(view.updated_at, zone),
            "id": str(view.id), "version": view.version}
    parts = ["# Safety plan\n"]
    for section in shown.sections:
        lines = "\n".join(f"- {line.text}" for line in section.lines) or "_Nothing written here yet._"
        parts.append(f"## {section.section.title}\n\n{lines}\n")
    return _front_matter(meta) + "\n".join(parts)


# CSV -----------------------------------------------------------------------------------------------------

def _row(values: Iterable[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(["" if value is None else value for value in values])
    return out.getvalue()


def text_cell(value: Any) -> str:
    """Words someone typed, kept from being read as a formula by a spreadsheet program."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _when(view: RecordView, doses: list[Dose], zone: str) -> list[str]:
    return [view.occurred_at.isoformat(), local(view.occurred_at, zone).strftime("%Y-%m-%d %H:%M"),
            place_of(view.occurred_at, doses, zone).label]


def _checkins_csv(source: Source, doses: list[Dose]) -> Iterator[str]:
    yield CSV_BOM + _row(["id", "when (UTC)", "when (local)", "place in the course", "mood (0-10)",
                          "anxiety (0-10)", "energy (0-10)", "sleep hours", "sleep quality (1-5)", "sleep",
                          "emotion words", "note"])
    for view in source.records(["checkin"]):
        one = for_view(view)
        yield _row([view.id, *_when(view, doses, source.zone), one.mood, one.anxiety, one.energy, one.sleep_hours,
                    one.sleep_quality, one.sleep_text, text_cell("; ".join(one.emotions)), text_cell(one.note)])


def _measures_csv(source: Source, doses: list[Dose], instrument) -> Iterator[str]:
    items = [f"{number}. {text} (0-{len(instrument.options) - 1})"
             for number, text in zip(instrument.numbers, instrument.items)]
    difficulty = [instrument.difficulty] if instrument.difficulty else []
    yield CSV_BOM + _row(["id", "when (UTC)", "when (local)", "place in the course", *items, *difficulty,
                          "total", "out of", "band"])
    for view in source.records(["measure"]):
        if view.data.get("instrument") != instrument.id:
            continue
        measured = for_view(view)
        if measured is None:
            continue  # answers that cannot be scored as published: kept in records.json
        answered = [instrument.difficulty_options[measured.difficulty] if measured.difficulty is not None else ""
                    ] if instrument.difficulty else []
        yield _row([view.id, *_when(view, doses, source.zone), *(measured.answers[n] for n in instrument.numbers),
                    *answered, measured.total, instrument.max_total, measured.result.band.label])


def _doses_csv(source: Source, doses: list[Dose]) -> Iterator[str]:
    numbers = {dose.id: dose.number for dose in doses}
    yield CSV_BOM + _row(["id", "session", "when (UTC)", "when (local)", "how taken", "how it felt",
                          "setting notes", "intention ids"])
    for view in source.records(["dose"]):
        shown = for_view(view)
        yield _row([view.id, numbers.get(view.id, ""), view.occurred_at.isoformat(),
                    local(view.occurred_at, source.zone).strftime("%Y-%m-%d %H:%M"), shown.route_label,
                    text_cell(shown.felt), text_cell(shown.setting),
                    " ".join(str(one) for one in view.data.get("intention_ids", []))])


def _intentions_csv(source: Source) -> Iterator[str]:
    yield CSV_BOM + _row(["id", "set (UTC)", "set (local)", "status", "intention"])
    for view in source.records(["intention"]):
        shown = for_view(view)
        yield _row([view.id, view.occurred_at.isoformat(),
                    local(view.occurred_at, source.zone).strftime("%Y-%m-%d %H:%M"),
                    "active" if shown.active else "archived", text_cell(shown.text)])


# JSON ----------------------------------------------------------------------------------------------------

def _json(source: Source, about: About, doses: list[Dose]) -> Iterator[str]:
    head = {"format": "integration-journal-export", "format_version": 1,
            "exported_at": about.exported_at.isoformat(), "time_zone": source.zone, "scope": about.scope,
            **about.people}
    opening = json.dumps(head, ensure_ascii=False, indent=2)
    yield opening[:-2] + ',\n  "records": ['
    first = True
    for view in source.records(JSON_KINDS):
        place = place_of(view.occurred_at, doses, source.zone)
        record: dict[str, Any] = {
            "id": str(view.id), "kind": view.kind, "occurred_at": view.occurred_at.isoformat(),
            "created_at": view.created_at.isoformat(), "updated_at": view.updated_at.isoformat(),
            "version": view.version, "place": place.label,
            "session": place.dose.number if place.dose else None, "day": place.day,
        }
        if view.kind == "entry":
            record["file"] = entry_name(view, source.zone)
        elif view.kind == "art":
            record["file"] = art_name(view, source.zone)
        elif view.kind == "safety_plan":
            record["file"] = PLAN_FILE
        record["data"] = view.data
        text = json.dumps(record, ensure_ascii=False, indent=2, default=str)
        yield ("\n    " if first else ",\n    ") + text.replace("\n", "\n    ")
        first = False
    drafts = [{"id": str(draft["id"]), "updated_at": draft["updated_at"].isoformat(), "file": draft_name(draft, source.zone),
               "data": {key: draft[key] for key in ("title", "body", "prompt_id") if draft.get(key) is not None}}
              for draft in source.drafts()]
    closing = json.dumps(drafts, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    yield ("\n  ]" if not first else "]") + f',\n  "drafts": {closing}\n}}\n'


# The printable summary ----------------------------------------------------------------------------------

def _summary(source: Source, about: About, doses: list[Dose]) -> Iterator[str]:
    """The whole course, oldest first, a section per dosing session; rendered piece by piece."""
    parts = current_app.jinja_env.get_template("export/summary.html").module
    zone = source.zone
    yield str(parts.head(about=about, made=local(about.exported_at, zone).strftime(WHEN), zone=zone))
    group: Dose | None | bool = False  # False: no section open yet
    count = 0
    for view in source.records(KINDS):
        place = place_of(view.occurred_at, doses, zone)
        if group is False or place.dose != group:
            if group is not False:
                yield str(parts.group_end())
            group = place.dose
            yield str(parts.group_start(dose=place.dose, when=local(place.dose.occurred_at, zone).strftime(WHEN)
                                        if place.dose else "", before_first=about.before_first))
        thumb = None
        if view.kind == "art":
            picture = source.picture(view, "thumb")
            thumb = "data:image/jpeg;base64," + base64.b64encode(picture).decode("ascii") if picture else None
        yield str(parts.item(view=view, shown=for_view(view), label=kind_label(view.kind),
                             when=local(view.occurred_at, zone).strftime(WHEN),
                             day=place.day, dose=place.dose, thumb=thumb,
                             file=art_name(view, zone) if view.kind == "art" else None,
                             prompt=get_prompt(view.data.get("prompt_id")) if view.kind == "entry" else None))
        count += 1
    if group is not False:
        yield str(parts.group_end())
    yield str(parts.foot(count=count))
