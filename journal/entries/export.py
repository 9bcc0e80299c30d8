"""Journal entries in an export zip: each as a Markdown file with front matter, drafts beside them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from ..course.days import Dose, place_of
from ..course.prompts import get_prompt
from ..export.formats import front_matter, iso, local, short_id, slug, stamp
from ..records.service import RecordView
from .service import KIND


def file_name(view: RecordView, zone: str) -> str:
    return f"entries/{stamp(view.occurred_at, zone)}_{slug(view.data.get('title', ''), 'entry')}_{short_id(view.id)}.md"


def draft_name(draft: dict[str, Any], zone: str) -> str:
    return f"drafts/{stamp(draft['updated_at'], zone)}_{slug(draft.get('title', ''), 'draft')}_{draft['id'].hex[:8]}.md"


def members(source, doses: Sequence[Dose], _made: datetime) -> Iterator:
    zone = source.zone
    for view in source.records([KIND]):
        yield file_name(view, zone), local(view.updated_at, zone), [markdown(view, doses, zone)], True
    for draft in source.drafts():
        yield draft_name(draft, zone), local(draft["updated_at"], zone), [draft_markdown(draft, zone)], True


def markdown(view: RecordView, doses: Sequence[Dose], zone: str) -> str:
    title = str(view.data.get("title", ""))
    prompt = get_prompt(view.data.get("prompt_id"))
    meta: dict[str, Any] = {"title": title, "date": iso(view.occurred_at, zone)}
    if view.updated_at > view.created_at:
        meta["updated"] = iso(view.updated_at, zone)
    meta.update({"id": str(view.id), "version": view.version, "place": place_of(view.occurred_at, doses, zone).label})
    if prompt is not None:
        meta["prompt"] = prompt.text
    return front_matter(meta) + _body(title, prompt.text if prompt else None, str(view.data.get("body", "")))


def draft_markdown(draft: dict[str, Any], zone: str) -> str:
    prompt = get_prompt(draft.get("prompt_id"))
    meta = {
        "title": draft.get("title", ""),
        "saved": iso(draft["updated_at"], zone),
        "id": str(draft["id"]),
        "draft": True,
    }
    if prompt is not None:
        meta["prompt"] = prompt.text
    return front_matter(meta) + _body(draft.get("title", ""), prompt.text if prompt else None, draft.get("body", ""))


def _body(title: str, prompt: str | None, body: str) -> str:
    parts = []
    if title.strip():
        parts.append(f"# {' '.join(title.split())}\n")
    if prompt:
        parts.append(f"> Answering: {prompt}\n")
    parts.append(body.rstrip() + "\n")
    return "\n".join(parts)
