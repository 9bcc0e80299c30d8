"""Answering a clinician's request: the questionnaire or the entry is saved, shared with that clinician through the
sharing service, and the request marked answered (a weekly or before-session one comes due again next period)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from .. import vault
from ..course.prompts import Prompt
from ..entries import service as entries
from ..measures import service as measures
from ..measures.instruments import INSTRUMENTS, Instrument
from ..sharing import service as sharing
from . import service
from .cadence import MEASURE, PROMPT

ASKED_PHASE = "asked"


def instrument_of(asked: service.ClientAsk) -> Instrument | None:
    return INSTRUMENTS.get(asked.asked.measure or "") if asked.asked.what == MEASURE else None


def answer_measure(
    db: Session,
    keyring: vault.Keyring,
    asked: service.ClientAsk,
    client_key: str,
    answers: dict[int, int],
    difficulty: int | None,
    now: datetime,
) -> tuple[uuid.UUID, str | None]:
    """Save the questionnaire, share it with the clinician who asked, mark the request answered.

    Returns (record id, None), or (record id, what to tell) when the clinician's key changed since linking: the
    answers are kept, nothing is shared, and the request stays open.
    """
    instrument = instrument_of(asked)
    if instrument is None:
        raise LookupError(asked.id)
    record_id = measures.create_measure(db, keyring, client_key, instrument, answers, difficulty, now)
    return _shared(db, keyring, asked, record_id, now)


def answer_prompt(
    db: Session, keyring: vault.Keyring, asked: service.ClientAsk, client_key: str, data, now: datetime
) -> tuple[uuid.UUID, str | None]:
    """Save the entry (cleaned by entries.clean_entry), share it with the clinician, mark the request answered;
    as answer_measure when the clinician's key changed."""
    if asked.asked.what != PROMPT:
        raise LookupError(asked.id)
    record_id = entries.create_entry(db, keyring, client_key, data, now)
    return _shared(db, keyring, asked, record_id, now)


def first_title(asked: service.ClientAsk) -> str:
    """The title an answer to a prompt starts with: the prompt's words, as short as a title is."""
    words = " ".join(asked.words.split())
    limit = entries.TITLE_MAX
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def prompts_of(asks: list[service.ClientAsk]) -> list[Prompt]:
    """The due prompts clinicians wrote, for the day's prompt rotation on Today."""
    return [
        Prompt(f"ask-{one.id}", ASKED_PHASE, one.words, asked_by=one.clinician, ask_id=one.id)
        for one in asks
        if one.due and one.asked.what == PROMPT
    ]


def _shared(
    db: Session, keyring: vault.Keyring, asked: service.ClientAsk, record_id: uuid.UUID, now
) -> tuple[uuid.UUID, str | None]:
    try:
        sharing.share(db, keyring, record_id, asked.link, now)
    except sharing.SharingProblem as problem:
        return record_id, str(problem)
    service.mark_answered(db, keyring.user_id, asked.id, record_id, now)
    return record_id, None
