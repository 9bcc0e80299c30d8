"""A therapist's after-hours line: their practice's own public details, which their linked clients see first."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..forms import clean_text
from ..models import User
from . import phones

NAME_MAX = 100
PHONE_MAX = 40
HOURS_MAX = 120


@dataclass(frozen=True)
class PracticeLine:
    name: str
    phone: str  # as the therapist wrote it
    hours: str

    @property
    def href(self) -> str:
        return phones.tel_href(self.phone)


def own_row(db: Session, user_id: uuid.UUID) -> User:
    """The therapist's own row in this request's session, to change their line on."""
    user = db.get(User, user_id)
    if user is None:  # the signed-in user's row: it exists while they are signed in
        raise LookupError(f"no user {user_id}")
    return user


def of(user: User) -> PracticeLine | None:
    """The therapist's line, or None when they have not set one."""
    if user.role != "therapist" or not user.practice_line_name or not user.practice_line_phone:
        return None
    return PracticeLine(user.practice_line_name, user.practice_line_phone, user.practice_line_hours or "")


def clean_form(form: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The three fields, trimmed, and a message for each that cannot be saved."""
    errors: dict[str, str] = {}
    name = clean_text(form.get("name"), label="The name", limit=NAME_MAX, single_line=True, errors=errors, field="name")
    phone = clean_text(
        form.get("phone"), label="The phone number", limit=PHONE_MAX, single_line=True, errors=errors, field="phone"
    )
    hours = clean_text(
        form.get("hours"), label="Hours or a note", limit=HOURS_MAX, single_line=True, errors=errors, field="hours"
    )
    if not name and "name" not in errors:
        errors["name"] = "Give the line a name your clients will recognise, such as “Riverside Clinic, after hours”."
    if not phone and "phone" not in errors:
        errors["phone"] = "Enter the number your clients can call."
    elif "phone" not in errors:
        problem = phones.problem_with(phone)
        if problem:
            errors["phone"] = problem
    return {"name": name, "phone": phone, "hours": hours}, errors


def save(user: User, name: str, phone: str, hours: str) -> None:
    user.practice_line_name, user.practice_line_phone, user.practice_line_hours = name, phone, hours or None


def remove(user: User) -> bool:
    """Clear the line; False when there was none."""
    had = of(user) is not None
    user.practice_line_name = user.practice_line_phone = user.practice_line_hours = None
    return had


def activity_detail(line: PracticeLine) -> str:
    """What the security activity says about a line: its public name and number."""
    return f"{line.name}, {line.phone}"
