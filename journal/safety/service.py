"""The client's safety plan (Stanley-Brown): seven sections, one item a line, at most one plan per client.

It is a record like every other (kind "safety_plan", sealed in the one envelope); a fixed
idempotency key makes it one per client. Saving is one rule for making and changing it: the form
carries the version it started from (0 for a new plan), and a plan saved meanwhile from another
device is never overwritten unseen.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import vault
from ..forms import clean_text
from ..models import Record
from ..records import service as records
from . import phones

KIND = "safety_plan"
# The colon keeps it apart from every client-made id (forms.CLIENT_KEY_RE has none), so no form can take it.
PLAN_KEY = "plan:safety"
SECTION_MAX = 2000
LINE_MAX = 300
LINES_MAX = 30


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    hint: str
    calls: bool = False  # lines with a phone number get a call link


SECTIONS = (
    Section(
        "warning_signs",
        "Warning signs",
        "Thoughts, feelings, situations or habits that tell you a hard time may be starting.",
    ),
    Section(
        "coping",
        "Things I can do on my own",
        "Small things that help you feel steadier without anyone else: a walk, music, a shower, slow breaths.",
    ),
    Section(
        "distractions",
        "People and places that take my mind off things",
        "People you like being around and places you can go. You do not have to talk about how you feel there.",
    ),
    Section(
        "people",
        "People I can ask for help",
        "People you can tell that you are having a hard time. Add their number to call them with one tap.",
        calls=True,
    ),
    Section(
        "professionals",
        "Professionals and agencies I can contact",
        "Your therapist, your doctor, an after-hours or crisis line, each with their number.",
        calls=True,
    ),
    Section(
        "surroundings",
        "Making my surroundings safer",
        "Ways to keep things you could hurt yourself with out of reach for now, or with someone you trust.",
    ),
    Section("reasons", "My reasons for living", "The people, hopes and things that matter to you."),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)


@dataclass(frozen=True)
class Line:
    text: str
    parts: list[phones.Part]  # the text in pieces, numbers with their call link where the section has them


@dataclass(frozen=True)
class SectionView:
    step: int  # 1 to 7, as the plan goes: the same number whichever sections are filled in
    section: Section
    lines: list[Line]


@dataclass(frozen=True)
class PlanView:
    """A plan opened for one request: every section in order, empty ones too."""

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    sections: list[SectionView]

    @property
    def filled(self) -> list[SectionView]:
        return [one for one in self.sections if one.lines]

    def text(self, key: str) -> str:
        """A section as the form shows it: one item a line."""
        return "\n".join(line.text for one in self.sections if one.section.key == key for line in one.lines)


@dataclass(frozen=True)
class Conflict:
    """Saved from another device meanwhile: nothing was written; here is the plan as it is now."""

    current: PlanView


def clean_form(form: Mapping[str, str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each section as a list of items (blank lines dropped), and a message per section that cannot be saved."""
    items: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for section in SECTIONS:
        text = clean_text(
            form.get(section.key), label=section.title, limit=SECTION_MAX, errors=errors, field=section.key
        )
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if section.key not in errors:
            longest = max(lines, key=len, default="")
            if len(lines) > LINES_MAX:
                errors[section.key] = (
                    f"{section.title} can have up to {LINES_MAX} lines; it has {len(lines)}. "
                    "Some could go together on one line."
                )
            elif len(longest) > LINE_MAX:
                errors[section.key] = (
                    f"A line in {section.title} has {len(longest):,} characters; a line can "
                    f"have up to {LINE_MAX}. Try breaking it into two lines."
                )
        items[section.key] = lines
    if not errors and not any(items.values()):
        errors[SECTIONS[0].key] = "Write at least one thing in any section. You can add the rest another time."
    return items, errors


def has_plan(db: Session, owner_id: uuid.UUID) -> bool:
    """Whether the client has a plan, from metadata alone (nothing is opened)."""
    return (
        db.scalar(
            select(Record.id).where(
                Record.owner_id == owner_id, Record.idempotency_key == PLAN_KEY, Record.kind == KIND
            )
        )
        is not None
    )


def plan_id(db: Session, keyring: vault.Keyring) -> uuid.UUID | None:
    """The plan's id, from metadata alone; None when there is no plan."""
    return records.id_by_client_key(db, keyring, PLAN_KEY)


def get_plan(db: Session, keyring: vault.Keyring) -> PlanView | None:
    found = plan_id(db, keyring)
    view = records.get(db, keyring, KIND, found) if found else None
    return plan_view(view) if view else None


def save_plan(
    db: Session, keyring: vault.Keyring, base_version: int, items: dict[str, list[str]], now: datetime
) -> PlanView | Conflict:
    """Make the plan (base_version 0) or save a new version of it, unless it changed elsewhere meanwhile.

    The same new plan sent twice is saved once: a repeat finds the same words and is no conflict.
    """
    payload = {"sections": {key: list(items.get(key, [])) for key in SECTION_KEYS}}
    if base_version == 0:
        made, created = records.create(db, keyring, KIND, PLAN_KEY, payload, now, now)
        current = records.get(db, keyring, KIND, made)
        if current is None:  # made or found just now, in this same transaction
            raise LookupError(f"safety plan {made} is not there")
        if created or current.data == payload:
            return plan_view(current)
        return Conflict(plan_view(current))
    found = plan_id(db, keyring)
    result = records.update(db, keyring, KIND, found, base_version, payload, now) if found else None
    if result is None:  # deleted elsewhere meanwhile: these words make it again
        return save_plan(db, keyring, 0, items, now)
    if isinstance(result, records.StaleVersion):
        return Conflict(plan_view(result.current))
    return plan_view(result)


def delete_plan(db: Session, keyring: vault.Keyring) -> bool:
    found = plan_id(db, keyring)
    return records.delete(db, keyring, KIND, found) if found else False


def plan_view(view: records.RecordView) -> PlanView:
    """The opened payload as sections in order; anything that is not a list of words is left out."""
    stored = view.data.get("sections")
    stored = stored if isinstance(stored, dict) else {}
    sections = []
    for step, section in enumerate(SECTIONS, start=1):
        lines = stored.get(section.key)
        texts = [str(line) for line in lines if str(line).strip()] if isinstance(lines, list) else []
        sections.append(
            SectionView(
                step,
                section,
                [Line(text, phones.call_parts(text) if section.calls else [phones.Part(text)]) for text in texts],
            )
        )
    return PlanView(view.id, view.version, view.created_at, view.updated_at, sections)
