"""Questionnaires as records of kind "measure": save once, open, list, compare over the course, delete.

The payload keeps the instrument, the answers and the score computed when saved; every read
scores the answers again with instruments.py, so a result shown is always the published scoring
of what the client answered.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import vault
from ..course import service as course
from ..course.days import Dose
from ..records import service as records
from .instruments import INSTRUMENTS, Instrument, Score, describe_missing, parse_answers, score, unanswered

__all__ = [
    "INSTRUMENTS",
    "KIND",
    "MeasureView",
    "Change",
    "SinceDose",
    "History",
    "read_form",
    "create_measure",
    "get_measure",
    "list_measures",
    "delete_measure",
    "scores",
    "history",
    "overview",
    "describe_missing",
]

KIND = "measure"


@dataclass(frozen=True)
class MeasureView:
    id: uuid.UUID
    instrument: Instrument
    answers: dict[int, int]
    difficulty: int | None
    occurred_at: datetime
    result: Score

    @property
    def total(self) -> int:
        return self.result.total


@dataclass(frozen=True)
class Change:
    """From one score to a later one."""

    start: MeasureView
    end: MeasureView

    @property
    def delta(self) -> int:
        return self.end.total - self.start.total


@dataclass(frozen=True)
class SinceDose:
    """The latest score against the latest one taken before the most recent dosing session.

    `before` is None when there is no score from before that session; `change` is None when
    there is also no score since it.
    """

    dose: Dose
    before: MeasureView | None
    latest: MeasureView | None

    @property
    def change(self) -> Change | None:
        if self.before is None or self.latest is None:
            return None
        return Change(self.before, self.latest)


@dataclass(frozen=True)
class History:
    instrument: Instrument
    measures: list[MeasureView]  # newest first
    baseline: Change | None  # None until there are two scores
    since_dose: SinceDose | None  # None when no dosing session is logged

    @property
    def latest(self) -> MeasureView | None:
        return self.measures[0] if self.measures else None

    @property
    def first(self) -> MeasureView | None:
        return self.measures[-1] if self.measures else None


def read_form(instrument: Instrument, form) -> tuple[dict[int, int], int | None, list[int]]:
    """The answers given, the optional difficulty, and the item numbers still unanswered."""
    answers, difficulty = parse_answers(instrument, form)
    return answers, difficulty, unanswered(instrument, answers)


def create_measure(
    db: Session,
    keyring: vault.Keyring,
    client_key: str,
    instrument: Instrument,
    answers: dict[int, int],
    difficulty: int | None,
    now: datetime,
) -> uuid.UUID:
    """Save once per client-made id; a repeat of the same form returns the first record."""
    result = score(instrument, answers)  # refuses an incomplete set
    payload: dict[str, Any] = {
        "instrument": instrument.id,
        "answers": [answers[n] for n in instrument.numbers],
        "difficulty": difficulty,
        "total": result.total,
        "band": result.band.id,
    }
    if result.clusters:
        payload["clusters"] = {cluster.id: subtotal for cluster, subtotal in result.clusters}
    measure_id, _created = records.create(db, keyring, KIND, client_key, payload, now, now)
    return measure_id


def get_measure(db: Session, keyring: vault.Keyring, measure_id: uuid.UUID) -> MeasureView | None:
    view = records.get(db, keyring, KIND, measure_id)
    return view_of(view) if view else None


def list_measures(db: Session, keyring: vault.Keyring, instrument: str | None = None) -> list[MeasureView]:
    """Newest first; of one instrument when `instrument` names one."""
    views = [view_of(view) for view in records.list_kind(db, keyring, KIND)]
    return [v for v in views if v is not None and (instrument is None or v.instrument.id == instrument)]


def delete_measure(db: Session, keyring: vault.Keyring, measure_id: uuid.UUID) -> bool:
    return records.delete(db, keyring, KIND, measure_id)


def scores(db: Session, keyring: vault.Keyring, instrument: str) -> list[tuple[datetime, int]]:
    """(occurred_at, total) of every result of one instrument, oldest first: for charts."""
    if instrument not in INSTRUMENTS:
        raise ValueError(f"unknown instrument {instrument!r}")
    return [(m.occurred_at, m.total) for m in reversed(list_measures(db, keyring, instrument))]


def history(db: Session, keyring: vault.Keyring, instrument: str) -> History:
    return _history(INSTRUMENTS[instrument], list_measures(db, keyring, instrument), course.doses(db, keyring))


def overview(db: Session, keyring: vault.Keyring) -> list[History]:
    """One history per instrument, in the order of INSTRUMENTS."""
    measures = list_measures(db, keyring)
    doses = course.doses(db, keyring)
    return [
        _history(instrument, [m for m in measures if m.instrument.id == instrument.id], doses)
        for instrument in INSTRUMENTS.values()
    ]


def _history(instrument: Instrument, measures: list[MeasureView], doses: list[Dose]) -> History:
    baseline = Change(measures[-1], measures[0]) if len(measures) >= 2 else None
    since_dose = None
    if doses:
        dose = doses[-1]
        # A score taken at the very moment of a dose counts as after it, as place_of does.
        before = next((m for m in measures if m.occurred_at < dose.occurred_at), None)
        latest = measures[0] if measures and measures[0].occurred_at >= dose.occurred_at else None
        since_dose = SinceDose(dose, before, latest)
    return History(instrument, measures, baseline, since_dose)


def view_of(view: records.RecordView) -> MeasureView | None:
    data = view.data
    instrument = INSTRUMENTS.get(data.get("instrument", ""))
    raw = data.get("answers")
    if instrument is None or not isinstance(raw, list) or len(raw) != len(instrument.items):
        return None
    answers = {n: value for n, value in zip(instrument.numbers, raw, strict=False)}
    if unanswered(instrument, answers):
        return None
    difficulty = data.get("difficulty")
    if not (isinstance(difficulty, int) and 0 <= difficulty < len(instrument.difficulty_options)):
        difficulty = None
    return MeasureView(view.id, instrument, answers, difficulty, view.occurred_at, score(instrument, answers))
