"""A clinician's requests to a linked client, and the client's answers, "Not now"s and declines.

What is asked is sealed to the client's public key with the clinician's tag (vault.seal_ask), and under the
clinician's own user key for their list. The client's request opens it with their private key and checks the tag
against the clinician's key they pinned when linking: a request that does not verify is not shown. In clear, for
the state: the link, who asked whom, when, and when it was last answered (with which record), declined or put
away (docs/threat-model.md). Every query is scoped to the clinician who asked or to the client asked.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import vault
from ..integration import service as next_sessions
from ..measures.instruments import INSTRUMENTS
from ..models import Ask, Link, User
from ..records.key_hold import hold_sealing_key
from .cadence import (
    BEFORE_DAYS,
    BEFORE_SESSION,
    DAYS,
    LAST_DAY,
    MEASURE,
    MEASURE_CADENCES,
    ONCE,
    PROMPT,
    SNOOZE,
    WEEKLY,
    Asked,
    Moments,
    is_due,
    period_start,
    status,
)

log = logging.getLogger(__name__)
PROMPT_MAX = 1000
CADENCE_WORDS = {
    ONCE: "once",
    WEEKLY: "every week",
    BEFORE_SESSION: f"in the {BEFORE_DAYS} days before each integration session",
}


class AskProblem(ValueError):
    """What is wrong with a request as sent, in words for the form."""


def person_name(user: User) -> str:
    return user.display_name or user.email


def words_of(asked: Asked) -> str:
    """What the request asks, as the client reads it after "Dr Chen asked:"."""
    if asked.what == MEASURE:
        instrument = INSTRUMENTS.get(asked.measure or "")
        return f"Would you fill in the {instrument.name if instrument else 'questionnaire'}?"
    return asked.text or ""


def when_words(asked: Asked) -> str:
    """When it is asked, in the clinician's words on the desk."""
    if asked.what == MEASURE:
        return CADENCE_WORDS.get(asked.cadence, "")
    if asked.cadence == DAYS:
        return f"on days {asked.first_day} to {asked.last_day} after each dosing session"
    return "once"


def clean(form) -> Asked:
    """A request from the desk's form, or AskProblem."""
    what = form.get("what")
    if what == MEASURE:
        measure, cadence = form.get("instrument"), form.get("cadence")
        if measure not in INSTRUMENTS:
            raise AskProblem("Choose a questionnaire: PHQ-9, GAD-7 or PCL-5.")
        if cadence not in MEASURE_CADENCES:
            raise AskProblem("Choose how often to ask: once, every week, or before each integration session.")
        return Asked(MEASURE, cadence, measure=measure)
    if what == PROMPT:
        text = (form.get("text") or "").replace("\r\n", "\n").strip()
        if not text:
            raise AskProblem("Write the prompt, or go back.")
        if len(text) > PROMPT_MAX:
            raise AskProblem(f"A prompt holds up to {PROMPT_MAX:,} characters; this one has {len(text):,}.")
        first, last = (form.get("first_day") or "").strip(), (form.get("last_day") or "").strip()
        if not first and not last:
            return Asked(PROMPT, ONCE, text=text)
        if not (first.isdigit() and last.isdigit()) or not 0 <= int(first) <= int(last) <= LAST_DAY:
            raise AskProblem(
                f"Give both days as numbers from 0 (the day of the dose) to {LAST_DAY}, the first no later than "
                "the last, or leave both empty to ask once."
            )
        return Asked(PROMPT, DAYS, text=text, first_day=int(first), last_day=int(last))
    raise AskProblem("Choose a questionnaire or a prompt.")


# The clinician's side --------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskAsk:
    id: uuid.UUID
    asked: Asked
    words: str
    when: str
    created_at: datetime
    status: str
    acted_at: datetime | None
    answer_id: uuid.UUID | None
    snoozed_until: datetime | None


def ask(db: Session, keyring: vault.Keyring, link: Link, client: User, asked: Asked, now: datetime) -> Ask:
    """Seal the request to the client's key with the clinician's tag, and a copy under the clinician's key."""
    row = Ask(id=uuid.uuid4(), link_id=link.id, therapist_id=keyring.user_id, client_id=client.id, created_at=now)
    row.sealed, row.tag = vault.seal_ask(keyring, row.id, link.id, client.id, bytes(client.x25519_pub), asked.as_data())
    row.own_ciphertext = vault.seal_own_note(keyring, vault.ASK_COPY, row.id, asked.as_data())
    db.add(row)
    hold_sealing_key(db, keyring)
    db.flush()
    return row


def for_desk(db: Session, keyring: vault.Keyring, link: Link, zone: str, now: datetime) -> list[DeskAsk]:
    """The keyring owner's requests on this link, newest first, each with what the client did."""
    rows = db.scalars(
        select(Ask)
        .where(Ask.therapist_id == keyring.user_id, Ask.link_id == link.id)
        .order_by(Ask.created_at.desc(), Ask.id)
    )
    when = next_sessions.of_link(link)
    session_day = when.day(zone) if when is not None else None
    found = []
    for row in rows:
        try:
            asked = Asked.from_data(vault.open_own_note(keyring, vault.ASK_COPY, row.id, bytes(row.own_ciphertext)))
        except (vault.VaultError, KeyError, ValueError):
            log.warning("security: a request's own copy did not open: therapist=%s ask=%s", keyring.user_id, row.id)
            continue
        moments = _moments(row)
        start = period_start(asked, row.created_at, now, zone, session_day=session_day)
        found.append(
            DeskAsk(
                row.id,
                asked,
                words_of(asked),
                when_words(asked),
                row.created_at,
                status(moments, now, start),
                moments.acted_at,
                row.answer_id,
                row.snoozed_until,
            )
        )
    return found


def withdraw(db: Session, therapist_id: uuid.UUID, ask_id: uuid.UUID) -> Ask | None:
    """Delete the clinician's own request; None when it is not theirs."""
    row = db.scalar(select(Ask).where(Ask.id == ask_id, Ask.therapist_id == therapist_id))
    if row is not None:
        db.delete(row)
        db.flush()
    return row


# The client's side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientAsk:
    id: uuid.UUID
    link: Link
    clinician: str
    asked: Asked
    words: str
    due: bool


def for_client(
    db: Session, keyring: vault.Keyring, client: User, now: datetime, dose_at: datetime | None
) -> list[ClientAsk]:
    """Every request to the keyring owner that verifies against the clinician's pinned key, oldest first; due
    ones are asked now (`dose_at`: the latest dosing session, for a prompt's days after one)."""
    zone = client.time_zone
    rows = db.execute(
        select(Ask, Link, User)
        .join(Link, Link.id == Ask.link_id)
        .join(User, User.id == Ask.therapist_id)
        .where(Ask.client_id == keyring.user_id, Link.client_id == keyring.user_id)
        .order_by(Ask.created_at, Ask.id)
    ).all()
    found = []
    for row, link, therapist in rows:
        asked = _open(keyring, row, link)
        if asked is None:
            continue
        when = next_sessions.of_link(link) or next_sessions.of_user(client)
        start = period_start(
            asked,
            row.created_at,
            now,
            zone,
            session_day=_day(when, zone),
            dose_at=dose_at,
        )
        due = is_due(asked, _moments(row), now, start)
        found.append(ClientAsk(row.id, link, person_name(therapist), asked, words_of(asked), due))
    return found


def one_for_client(db: Session, keyring: vault.Keyring, ask_id: uuid.UUID) -> ClientAsk | None:
    """One request to the keyring owner (due or not), if it verifies; None for anyone else's."""
    found = db.execute(
        select(Ask, Link, User)
        .join(Link, Link.id == Ask.link_id)
        .join(User, User.id == Ask.therapist_id)
        .where(Ask.id == ask_id, Ask.client_id == keyring.user_id, Link.client_id == keyring.user_id)
    ).first()
    if found is None:
        return None
    row, link, therapist = found
    asked = _open(keyring, row, link)
    if asked is None:
        return None
    return ClientAsk(row.id, link, person_name(therapist), asked, words_of(asked), True)


def snooze(db: Session, client_id: uuid.UUID, ask_id: uuid.UUID, now: datetime) -> bool:
    row = _client_row(db, client_id, ask_id)
    if row is None:
        return False
    row.snoozed_until = now + SNOOZE
    db.flush()
    return True


def decline(db: Session, client_id: uuid.UUID, ask_id: uuid.UUID, now: datetime) -> bool:
    row = _client_row(db, client_id, ask_id)
    if row is None:
        return False
    row.declined_at, row.snoozed_until = now, None
    db.flush()
    return True


def mark_answered(db: Session, client_id: uuid.UUID, ask_id: uuid.UUID, record_id: uuid.UUID, now: datetime) -> None:
    row = _client_row(db, client_id, ask_id)
    if row is None:
        raise LookupError(ask_id)
    row.answered_at, row.answer_id, row.snoozed_until = now, record_id, None
    db.flush()


def _client_row(db: Session, client_id: uuid.UUID, ask_id: uuid.UUID) -> Ask | None:
    return db.scalar(select(Ask).where(Ask.id == ask_id, Ask.client_id == client_id))


def _open(keyring: vault.Keyring, row: Ask, link: Link) -> Asked | None:
    try:
        pinned = vault.pinned_key(keyring, link.therapist_id, bytes(link.pinned_key_ciphertext))
        data = vault.open_ask(keyring, row.id, link.id, link.therapist_id, pinned, bytes(row.sealed), row.tag)
        return Asked.from_data(data)
    except (vault.VaultError, KeyError, ValueError, TypeError):
        log.warning("security: a request did not verify and was not shown: client=%s ask=%s", keyring.user_id, row.id)
        return None


def _moments(row: Ask) -> Moments:
    return Moments(row.created_at, row.answered_at, row.declined_at, row.snoozed_until)


def _day(when, zone: str) -> date | None:
    return when.day(zone) if when is not None else None
