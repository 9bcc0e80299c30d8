"""Dosing sessions: when, by which route, the setting and how it felt, and the optional details (details.py):
dose, length, who was there, the body, dissociation. Numbered in time order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from .. import vault
from ..course.days import number_doses
from ..forms import clean_text, parse_local
from ..records import service as records
from .details import Details, clean_details, details_of
from .details import payload as details_payload

KIND = "dose"
ROUTES = {
    "lozenge": "Lozenge or sublingual",
    "nasal": "Nasal spray",
    "im": "Intramuscular injection",
    "iv": "Intravenous infusion",
    "other": "Other",
}
NOTES_MAX = 2000
FELT_MAX = 200


@dataclass(frozen=True)
class DoseInput:
    occurred_at: datetime | None
    route: str
    setting: str
    felt: str
    intention_ids: tuple[str, ...]
    details: Details = Details()


@dataclass(frozen=True)
class DoseView:
    id: uuid.UUID
    number: int
    occurred_at: datetime
    version: int
    route: str
    setting: str
    felt: str
    intention_ids: tuple[str, ...]
    details: Details = Details()

    @property
    def route_label(self) -> str:
        return ROUTES.get(self.route, "Other")


def clean_dose(form, zone: str, now: datetime) -> tuple[DoseInput, dict[str, str]]:
    """Form fields to a dose; a message per field that needs a change."""
    errors: dict[str, str] = {}
    occurred_at = parse_local(form.get("date"), form.get("time"), zone)
    if occurred_at is None:
        errors["when"] = "Enter the date and time of the session."
    elif occurred_at > now + timedelta(hours=1):
        errors["when"] = "That time is still to come. Log a session once it has happened."
    route = form.get("route", "")
    if route not in ROUTES:
        errors["route"] = "Choose how the medicine was taken."
    setting = clean_text(form.get("setting"), label="Setting notes", limit=NOTES_MAX, errors=errors, field="setting")
    felt = clean_text(form.get("felt"), label="How it felt", limit=FELT_MAX, errors=errors, field="felt")
    intention_ids = tuple(sorted({value for value in form.getlist("intention_ids") if _is_uuid(value)}))
    details = clean_details(form, form.getlist("body_effects"), errors)
    return DoseInput(occurred_at, route, setting, felt, intention_ids, details), errors


def create_dose(db: Session, keyring: vault.Keyring, client_key: str, data: DoseInput, now: datetime) -> uuid.UUID:
    if data.occurred_at is None:  # clean_dose gives an error for it: a form with errors is not saved
        raise ValueError("a session is saved with its time")
    dose_id, _created = records.create(db, keyring, KIND, client_key, _payload(data), data.occurred_at, now)
    return dose_id


def list_doses(db: Session, keyring: vault.Keyring) -> list[DoseView]:
    """Every session, newest first, each with its number in the course."""
    views = records.list_kind(db, keyring, KIND)
    numbers = {dose.id: dose.number for dose in number_doses([(v.id, v.occurred_at) for v in views])}
    return [_view(view, numbers[view.id]) for view in views]


def get_dose(db: Session, keyring: vault.Keyring, dose_id: uuid.UUID) -> DoseView | None:
    return next((dose for dose in list_doses(db, keyring) if dose.id == dose_id), None)


def carried_intentions(db: Session, keyring: vault.Keyring, dose_id: uuid.UUID) -> tuple[str, ...]:
    """The ids of the intentions the client carried into this session (one record opened)."""
    view = records.get(db, keyring, KIND, dose_id)
    return tuple(view.data.get("intention_ids", ())) if view is not None else ()


def update_dose(
    db: Session, keyring: vault.Keyring, dose_id: uuid.UUID, base_version: int, data: DoseInput, now: datetime
) -> DoseView | records.StaleVersion | None:
    result = records.update(db, keyring, KIND, dose_id, base_version, _payload(data), now, occurred_at=data.occurred_at)
    if isinstance(result, records.RecordView):
        return get_dose(db, keyring, dose_id)
    return result


def delete_dose(db: Session, keyring: vault.Keyring, dose_id: uuid.UUID) -> bool:
    return records.delete(db, keyring, KIND, dose_id)


def _payload(data: DoseInput) -> dict:
    return {
        "route": data.route,
        "setting": data.setting,
        "felt": data.felt,
        "intention_ids": list(data.intention_ids),
        **details_payload(data.details),
    }


def _view(view: records.RecordView, number: int) -> DoseView:
    data = view.data
    return DoseView(
        view.id,
        number,
        view.occurred_at,
        view.version,
        data.get("route", "other"),
        data.get("setting", ""),
        data.get("felt", ""),
        tuple(data.get("intention_ids", ())),
        details_of(data),
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except ValueError:
        return False
