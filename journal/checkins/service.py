"""Mood check-ins: check the form, save once, list, delete, and the mood series other pages chart.

A check-in is a record of kind "checkin". Its payload holds only what was answered: mood, anxiety,
energy, sleep hours, sleep quality, emotion words and a note, each only when given, and at least one
of them. A key that is absent means "not answered", which is different from a 0.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import vault
from ..forms import CONTROL_RE
from ..records import service as records
from .vocabulary import (
    NOTE_MAX,
    NOTHING_ANSWERED,
    SCALES,
    SLEEP_HOURS_MAX,
    SLEEP_QUALITY,
    Scale,
    hours_text,
    in_vocabulary_order,
)

KIND = "checkin"
PAGE_SIZE = 30
_INT_RE = re.compile(r"-?[0-9]{1,3}")
_HOURS_RE = re.compile(r"[0-9]{1,2}(?:\.[05]0*)?")


@dataclass(frozen=True)
class CheckinInput:
    mood: int | None = None
    anxiety: int | None = None
    energy: int | None = None
    sleep_hours: float | None = None
    sleep_quality: int | None = None
    emotions: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class CheckinView:
    id: uuid.UUID
    occurred_at: datetime
    mood: int | None
    anxiety: int | None
    energy: int | None
    sleep_hours: float | None
    sleep_quality: int | None
    emotions: tuple[str, ...]
    note: str

    @property
    def sleep_text(self) -> str:
        """ "7.5 hours, good", "7.5 hours", "Good", or "" when neither was answered."""
        parts = []
        if self.sleep_hours is not None:
            parts.append(f"{hours_text(self.sleep_hours)} {'hour' if self.sleep_hours == 1 else 'hours'}")
        if self.sleep_quality in SLEEP_QUALITY:
            word = SLEEP_QUALITY[self.sleep_quality]
            parts.append(word.lower() if parts else word)
        return ", ".join(parts)

    @property
    def summary(self) -> str:
        """ "Mood 6 · anxiety 3 · sleep 7 hours · calm, tender · the note": what was answered, in one line."""
        ours = [
            f"{label} {value}"
            for label, value in (("mood", self.mood), ("anxiety", self.anxiety), ("energy", self.energy))
            if value is not None
        ]
        if self.sleep_text:
            ours.append(f"sleep {self.sleep_text.lower()}")
        if ours:
            ours[0] = ours[0][:1].upper() + ours[0][1:]  # the client's own words stay as written
        parts = ours + ([", ".join(self.emotions)] if self.emotions else [])
        note = " ".join(self.note.split())
        if note:
            parts.append(note if len(note) <= 80 else note[:77].rstrip() + "…")
        return " · ".join(parts)


def clean_checkin(fields: Mapping[str, str], emotions: list[str]) -> tuple[CheckinInput | None, dict[str, str]]:
    """The check-in as typed, or a message per field that needs a change ("nothing" when nothing was answered)."""
    # A scale sent empty is not answered. Items kept by an older page may still arrive from a phone's outbox
    # with a "Not now" box (`skip_<scale>`) beside the number its slider rested on: ticked means not answered.
    errors: dict[str, str] = {}
    mood, anxiety, energy = (
        None if fields.get(f"skip_{scale.id}") else clean_scale(fields.get(scale.id), scale, errors) for scale in SCALES
    )
    sleep_hours = _sleep_hours(fields.get("sleep_hours"), errors)
    sleep_quality = _sleep_quality(fields.get("sleep_quality"), errors)
    picked = set(emotions)
    known = in_vocabulary_order(picked)
    if len(known) != len(picked):
        errors["emotions"] = "Some of the words sent are not in the list. Pick from the words shown."
    note = (fields.get("note") or "").replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = (
            f"A note can be up to {NOTE_MAX:,} characters; this one has {len(note):,}. Shorten it a little?"
        )
    elif CONTROL_RE.search(note):
        errors["note"] = "The note has invisible control characters that cannot be saved. Remove them and try again."
    if errors:
        return None, errors
    data = CheckinInput(mood, anxiety, energy, sleep_hours, sleep_quality, tuple(known), note)
    if not payload(data):
        return None, {"nothing": NOTHING_ANSWERED}
    return data, errors


def create_checkin(
    db: Session, keyring: vault.Keyring, client_key: str, data: CheckinInput, now: datetime
) -> uuid.UUID:
    """Create once per client-made id: sending the same check-in again returns the first one."""
    checkin_id, _created = records.create(db, keyring, KIND, client_key, payload(data), now, now)
    return checkin_id


def get_checkin(db: Session, keyring: vault.Keyring, checkin_id: uuid.UUID) -> CheckinView | None:
    view = records.get(db, keyring, KIND, checkin_id)
    return view_of(view) if view else None


def list_checkins(
    db: Session, keyring: vault.Keyring, before: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[CheckinView], str | None]:
    """Newest first, a page at a time. ValueError on a bad cursor."""
    views, cursor = records.page(db, keyring, [KIND], before, limit)
    return [view_of(view) for view in views], cursor


def delete_checkin(db: Session, keyring: vault.Keyring, checkin_id: uuid.UUID) -> bool:
    return records.delete(db, keyring, KIND, checkin_id)


def mood_series(
    db: Session, keyring: vault.Keyring, since: datetime | None
) -> list[tuple[datetime, int | None, int | None]]:
    """(occurred_at, mood, anxiety; None: not answered) of each check-in since `since` with either, oldest first."""
    views = map(view_of, records.list_kind(db, keyring, KIND, since=since, newest_first=False))
    return [
        (view.occurred_at, view.mood, view.anxiety)
        for view in views
        if view.mood is not None or view.anxiety is not None
    ]


def payload(data: CheckinInput) -> dict[str, Any]:
    """What is sealed: the answered fields only."""
    answered = {
        "mood": data.mood,
        "anxiety": data.anxiety,
        "energy": data.energy,
        "sleep_hours": data.sleep_hours,
        "sleep_quality": data.sleep_quality,
    }
    sealed: dict[str, Any] = {key: value for key, value in answered.items() if value is not None}
    if data.emotions:
        sealed["emotions"] = list(data.emotions)
    if data.note:
        sealed["note"] = data.note
    return sealed


def scale_state(fields: Mapping[str, str] | None) -> dict[str, int | None]:
    """Per scale, the number chosen or None ("Not now"): all None for a fresh form (None), else as sent."""
    # Out of range, or beside an older page's ticked "Not now" box, is not a choice: back to "Not now".
    state: dict[str, int | None] = {scale.id: None for scale in SCALES}
    if fields is None:
        return state
    for scale in SCALES:
        raw = (fields.get(scale.id) or "").strip()
        if _INT_RE.fullmatch(raw) and scale.low <= int(raw) <= scale.high and not fields.get(f"skip_{scale.id}"):
            state[scale.id] = int(raw)
    return state


def clean_scale(sent: str | None, scale: Scale, errors: dict[str, str]) -> int | None:
    """A 0-10 answer as sent: None when left unset; out of range or not a number is a message under its id."""
    raw = (sent or "").strip()
    if not raw:
        return None
    value = int(raw) if _INT_RE.fullmatch(raw) else None
    if value is None or not scale.low <= value <= scale.high:
        errors[scale.id] = (
            f"{scale.label} goes from {scale.low} ({scale.low_word}) to {scale.high} "
            f"({scale.high_word}). Choose a number in between, or “Not now”."
        )
        return None
    return value


def _sleep_hours(raw: str | None, errors: dict[str, str]) -> float | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not _HOURS_RE.fullmatch(raw) or float(raw) > SLEEP_HOURS_MAX:
        errors["sleep_hours"] = f"Sleep can be from 0 to {SLEEP_HOURS_MAX} hours, in half hours."
        return None
    return float(raw)


def _sleep_quality(raw: str | None, errors: dict[str, str]) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    value = int(raw) if _INT_RE.fullmatch(raw) else None
    if value not in SLEEP_QUALITY:
        errors["sleep_quality"] = "Choose how well you slept, from 1 (Very poor) to 5 (Very good), or “Not now”."
        return None
    return value


def view_of(view: records.RecordView) -> CheckinView:
    data = view.data
    hours = data.get("sleep_hours")
    mood = data.get("mood")
    return CheckinView(
        view.id,
        view.occurred_at,
        int(mood) if mood is not None else None,
        data.get("anxiety"),
        data.get("energy"),
        float(hours) if hours is not None else None,
        data.get("sleep_quality"),
        tuple(data.get("emotions", ())),
        data.get("note", ""),
    )
