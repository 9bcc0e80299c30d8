"""What a dosing session's record may hold beyond when and how: the dose in mg, how long it lasted, who was
there, what the body did, how dissociated it felt. Each is optional and stored only when given, so a record
written before these existed reads the same as one where they were left out. Pure: no database, no keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..checkins.service import clean_scale
from ..checkins.vocabulary import Scale
from ..forms import clean_text

DOSE_MG_MAX = 1000
# Common lengths of a session, in minutes, as the form offers them; anything else is "Other".
DURATIONS = (45, 60, 90, 120, 150, 180, 240)
OTHER = "other"
DURATION_MAX_MINUTES = 24 * 60
COMPANY_MAX = 200
BODY_NOTE_MAX = 500
BODY_EFFECTS = {
    "nausea": "Nausea",
    "headache": "Headache",
    "dizziness": "Dizziness",
    "blood_pressure": "Blood pressure noted by the clinic",
}
# Starts at "Not now" like a check-in's scales (checkins/_scale.html draws it): untouched, nothing is stored.
DISSOCIATION = Scale("dissociation", "How dissociated you felt", 0, 10, "Not at all", "Completely")

_MG_RE = re.compile(r"([0-9]{1,4})(?:[.,]([0-9]))?")
_COUNT_RE = re.compile(r"[0-9]{1,4}")

MG_MESSAGE = (
    f"Write the dose in mg as a number above 0 and up to {DOSE_MG_MAX:,}, with at most one decimal, "
    "like 50 or 62.5. Or leave it empty."
)


@dataclass(frozen=True)
class Details:
    """The optional parts of a session; None or empty where nothing was given."""

    dose_mg: float | None = None
    duration_minutes: int | None = None
    company: str = ""
    body_effects: tuple[str, ...] = ()
    body_note: str = ""
    dissociation: int | None = None

    @property
    def dose_words(self) -> str:
        """ "62.5 mg", or ""."""
        return f"{self.dose_mg:g} mg" if self.dose_mg is not None else ""

    @property
    def duration_words(self) -> str:
        return duration_words(self.duration_minutes) if self.duration_minutes else ""

    @property
    def body_words(self) -> str:
        """ "Nausea, dizziness": the ticked effects in the order of the form."""
        words = [BODY_EFFECTS[key] for key in BODY_EFFECTS if key in self.body_effects]
        return ", ".join(words[:1] + [word.lower() for word in words[1:]])

    @property
    def dissociation_words(self) -> str:
        """ "7 of 10", or "" when the scale was left at "Not now"."""
        return f"{self.dissociation} of {DISSOCIATION.high}" if self.dissociation is not None else ""

    @property
    def dissociation_ends(self) -> str:
        """What the ends of the scale meant: "0 not at all, 10 completely"."""
        low, high = DISSOCIATION.low_word.lower(), DISSOCIATION.high_word.lower()
        return f"{DISSOCIATION.low} {low}, {DISSOCIATION.high} {high}"


def duration_words(minutes: int) -> str:
    """ "45 minutes", "1 hour", "2 hours 30 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("" if hours == 1 else "s"))
    if rest:
        parts.append(f"{rest} minute" + ("" if rest == 1 else "s"))
    return " ".join(parts)


def clean_details(form: Mapping[str, Any], body_effects: list[str], errors: dict[str, str]) -> Details:
    """The optional parts of the session form; a message in `errors` per field that needs a change."""
    company = clean_text(
        form.get("company"),
        label="Who was with you",
        limit=COMPANY_MAX,
        single_line=True,
        errors=errors,
        field="company",
    )
    note = clean_text(
        form.get("body_note"), label="The note on your body", limit=BODY_NOTE_MAX, errors=errors, field="body_note"
    )
    return Details(
        clean_dose_mg(form.get("dose_mg"), errors),
        clean_duration(form, errors),
        company,
        clean_body_effects(body_effects, errors),
        note,
        clean_dissociation(form.get(DISSOCIATION.id), errors),
    )


def clean_dose_mg(raw: str | None, errors: dict[str, str]) -> float | None:
    text = (raw or "").strip()
    if text[-2:].lower() == "mg":  # "50 mg" is what is on the label: take it as 50
        text = text[:-2].strip()
    if not text:
        return None
    found = _MG_RE.fullmatch(text)
    value = float(f"{found[1]}.{found[2] or 0}") if found else None
    if value is None or not 0 < value <= DOSE_MG_MAX:
        errors["dose_mg"] = MG_MESSAGE
        return None
    return value


def clean_duration(form: Mapping[str, Any], errors: dict[str, str]) -> int | None:
    """Minutes: one of DURATIONS, or "Other" with hours and minutes typed; None when not given."""
    choice = (form.get("duration") or "").strip()
    if not choice:
        return None
    if choice != OTHER:
        if choice.isdigit() and int(choice) in DURATIONS:
            return int(choice)
        errors["duration"] = "Choose how long the session lasted from the list, or “Other”."
        return None
    hours, minutes = _count(form.get("duration_hours")), _count(form.get("duration_minutes"))
    if hours is None and minutes is None:
        errors["duration"] = "Write how many hours and minutes the session lasted, or choose a length from the list."
        return None
    total = None if -1 in (hours, minutes) or (minutes or 0) > 59 else (hours or 0) * 60 + (minutes or 0)
    if total is None or not 0 < total <= DURATION_MAX_MINUTES:
        errors["duration"] = "Write whole hours (0 to 24) and minutes (0 to 59): more than nothing, up to 24 hours."
        return None
    return total


def _count(raw: str | None) -> int | None:
    """A whole number typed, None for nothing, -1 for anything else."""
    text = (raw or "").strip()
    if not text:
        return None
    return int(text) if _COUNT_RE.fullmatch(text) else -1


def clean_body_effects(picked: list[str], errors: dict[str, str]) -> tuple[str, ...]:
    chosen = set(picked)
    if chosen - set(BODY_EFFECTS):
        errors["body_effects"] = "Some of the choices sent are not in the list. Tick from the ones shown."
    return tuple(key for key in BODY_EFFECTS if key in chosen)


def clean_dissociation(raw: str | None, errors: dict[str, str]) -> int | None:
    return clean_scale(raw, DISSOCIATION, errors)


def payload(details: Details) -> dict[str, Any]:
    """What is sealed of them: only what was given."""
    sealed: dict[str, Any] = {}
    if details.dose_mg is not None:
        sealed["dose_mg"] = details.dose_mg
    if details.duration_minutes is not None:
        sealed["duration_minutes"] = details.duration_minutes
    if details.company:
        sealed["company"] = details.company
    if details.body_effects:
        sealed["body_effects"] = list(details.body_effects)
    if details.body_note:
        sealed["body_note"] = details.body_note
    if details.dissociation is not None:
        sealed["dissociation"] = details.dissociation
    return sealed


def details_of(data: Mapping[str, Any]) -> Details:
    """The details in a sealed payload; a record from before they existed has none of them."""
    mg, minutes, level = data.get("dose_mg"), data.get("duration_minutes"), data.get("dissociation")
    return Details(
        float(mg) if isinstance(mg, int | float) else None,
        int(minutes) if isinstance(minutes, int) else None,
        str(data.get("company", "")),
        tuple(key for key in data.get("body_effects", ()) if key in BODY_EFFECTS),
        str(data.get("body_note", "")),
        int(level) if isinstance(level, int) else None,
    )


def form_values(details: Details | None) -> dict[str, Any]:
    """The form's fields filled in from saved details (an edit), or empty (a new session)."""
    if details is None:
        return {
            "dose_mg": "",
            "duration": "",
            "duration_hours": "",
            "duration_minutes": "",
            "company": "",
            "body_note": "",
        }
    minutes = details.duration_minutes
    preset = minutes is None or minutes in DURATIONS
    return {
        "dose_mg": f"{details.dose_mg:g}" if details.dose_mg is not None else "",
        "duration": "" if minutes is None else (str(minutes) if preset else OTHER),
        "duration_hours": "" if preset or minutes is None else str(minutes // 60),
        "duration_minutes": "" if preset or minutes is None else str(minutes % 60),
        "company": details.company,
        "body_note": details.body_note,
    }


def dissociation_state(value: int | str | None) -> dict[str, int | None]:
    """What checkins/_scale.html reads: the number chosen (saved, or sent with a form that needs a change), or
    None for "Not now" (and for anything out of range)."""
    if isinstance(value, str):
        value = clean_dissociation(value, {})
    return {DISSOCIATION.id: value}
