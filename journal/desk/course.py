"""The course as the therapist sees it: the dosing sessions a client shares now, numbered among themselves (from
metadata, nothing opened), and the charts drawn from shared records and nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..charts.service import Chart, mood_chart, score_chart, window
from ..course.days import Dose, number_doses
from ..course.service import doses_between
from ..dosing.service import KIND as DOSE
from ..measures.instruments import Instrument
from ..models import Record
from ..records.service import RecordView
from ..records.shares import current_shares
from . import readings


def shared_doses(views: Iterable[RecordView]) -> list[Dose]:
    """The dosing sessions among what is shared, numbered among themselves: all the therapist can see."""
    return number_doses([(view.id, view.occurred_at) for view in views if view.kind == DOSE])


def shared_dose_times_query(therapist_id: uuid.UUID, client_id: uuid.UUID):
    """(id, occurred_at) of the dosing sessions shared now, as a query (nothing opened)."""
    return current_shares(select(Record.id, Record.occurred_at), therapist_id, client_id).where(Record.kind == DOSE)


def shared_doses_between(
    db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID, start: datetime, end: datetime
) -> list[Dose]:
    """The shared dosing sessions a stretch of time needs, numbered among all the shared ones (from metadata)."""
    return doses_between(db, shared_dose_times_query(therapist_id, client_id), start, end)


def shared_dose_times(db: Session, therapist_id: uuid.UUID, client_id: uuid.UUID) -> list[tuple[uuid.UUID, datetime]]:
    """(id, occurred_at) of the dosing sessions shared now, from metadata, without opening them."""
    return [(row.id, row.occurred_at) for row in db.execute(shared_dose_times_query(therapist_id, client_id))]


def course_charts(
    views: Sequence[RecordView],
    doses: Sequence[Dose],
    zone: str,
    now: datetime,
    *,
    span: tuple[datetime, datetime] | None,
    words: str,
) -> list[Chart]:
    """Mood and anxiety, then one chart per questionnaire, from the shared records given and nothing else."""
    moods = sorted(filter(None, map(readings.mood, views)), key=lambda one: one[0])
    scores: dict[str, tuple[Instrument, list[tuple[datetime, int]]]] = {}
    for view in views:
        measured = readings.measure(view)
        if measured is not None:
            scores.setdefault(measured.instrument.id, (measured.instrument, []))[1].append(
                (measured.occurred_at, measured.total)
            )
    if span is None:
        times = [at for at, *_ in moods] + [dose.occurred_at for dose in doses]
        times += [at for _instrument, points in scores.values() for at, _total in points]
        span = window("all", now, min(times) if times else None)
    charts = [mood_chart(moods, doses, span, words, zone)]
    for instrument, points in sorted(scores.values(), key=lambda item: item[0].name):
        charts.append(
            score_chart(instrument.id, instrument.name, instrument.max_total, sorted(points), doses, span, words, zone)
        )
    return charts
