"""A therapist's private notes about a client, maybe tied to one integration session.

Each note's words, and whom it is about (the client's name and email when it was written), are sealed under
the therapist's own user key (vault.seal_own_note): the client never sees them, the server cannot read them,
and a key rotation seals them again (vault/rotation.py). What the server knows: that this therapist wrote a note
about this client, the session's date, and when (docs/threat-model.md). A note stays the therapist's when the
link ends or the client's account goes (`client_id` is emptied then; the sealed label still says whom).

Every query is scoped to the therapist who wrote the note: anyone else finds nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from .. import vault
from ..integration import service as next_sessions
from ..models import Link, SessionNote, User

MAX_CHARS = 20_000
NO_SESSION, OTHER_DATE = "none", "other"


class NoteProblem(ValueError):
    """What is wrong with a note as sent, in words for the form."""


class Stale(Exception):
    """The note changed since the form was opened (another tab, another device)."""


@dataclass(frozen=True)
class Note:
    id: uuid.UUID
    client_id: uuid.UUID | None
    about: str
    text: str
    session_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def edited(self) -> bool:
        return self.updated_at != self.created_at


@dataclass(frozen=True)
class Choice:
    value: str  # an ISO date, NO_SESSION or OTHER_DATE
    label: str


@dataclass(frozen=True)
class Panel:
    """The "Your private notes" section of a client's page or brief."""

    client_id: uuid.UUID
    notes: list[Note]
    choices: list[Choice]


def clean(text: str | None, session: str | None, other_day: str | None) -> tuple[str, date | None]:
    """The note's words and its session's date, or NoteProblem."""
    words = (text or "").replace("\r\n", "\n").strip()
    if not words:
        raise NoteProblem("Write something in the note, or go back.")
    if len(words) > MAX_CHARS:
        raise NoteProblem(f"A note holds up to {MAX_CHARS:,} characters; this one has {len(words):,}.")
    choice = session or NO_SESSION
    if choice == NO_SESSION:
        return words, None
    typed = other_day if choice == OTHER_DATE else choice
    try:
        return words, date.fromisoformat((typed or "").strip())
    except ValueError:
        raise NoteProblem("Choose the session's date (as on a calendar), or no particular session.") from None


def choices(link: Link | None, zone: str, now: datetime, current: date | None = None) -> list[Choice]:
    """The sessions a note may be about: the one marked held, the next one noted, the note's own date."""
    found: list[Choice] = []
    if link is not None and link.session_held_at is not None:
        held = link.session_held_at.astimezone(ZoneInfo(zone)).date()
        found.append(Choice(held.isoformat(), f"The session marked held on {day_words(held)}"))
    when = next_sessions.of_link(link) if link is not None else None
    if when is not None:
        ahead = when.day(zone)
        if all(one.value != ahead.isoformat() for one in found):
            found.append(Choice(ahead.isoformat(), f"The next session, on {day_words(ahead)}"))
    if current is not None and all(one.value != current.isoformat() for one in found):
        found.append(Choice(current.isoformat(), f"The session on {day_words(current)}"))
    return [*found, Choice(NO_SESSION, "No particular session"), Choice(OTHER_DATE, "Another date")]


def day_words(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def panel(db: Session, keyring: vault.Keyring, link: Link, zone: str, now: datetime) -> Panel:
    return Panel(link.client_id, about_client(db, keyring, link.client_id), choices(link, zone, now))


def about_client(db: Session, keyring: vault.Keyring, client_id: uuid.UUID) -> list[Note]:
    """The keyring owner's notes about this client, newest first."""
    rows = db.scalars(
        select(SessionNote)
        .where(SessionNote.therapist_id == keyring.user_id, SessionNote.client_id == client_id)
        .order_by(SessionNote.created_at.desc(), SessionNote.id)
    )
    return [_open(keyring, row) for row in rows]


def add(db: Session, keyring: vault.Keyring, client: User, text: str, session_on: date | None, now: datetime) -> Note:
    note = SessionNote(
        id=uuid.uuid4(),
        therapist_id=keyring.user_id,
        client_id=client.id,
        session_on=session_on,
        created_at=now,
        updated_at=now,
        version=1,
    )
    about = {"name": client.display_name or client.email, "email": client.email}
    note.about_ciphertext = vault.seal_own_note(keyring, vault.SESSION_NOTE_ABOUT, note.id, about)
    note.ciphertext = vault.seal_own_note(keyring, vault.SESSION_NOTE, note.id, {"text": text})
    db.add(note)
    db.flush()
    return _open(keyring, note)


def own(db: Session, keyring: vault.Keyring, note_id: uuid.UUID) -> Note | None:
    row = _row(db, keyring.user_id, note_id)
    return _open(keyring, row) if row is not None else None


def update(
    db: Session,
    keyring: vault.Keyring,
    note_id: uuid.UUID,
    text: str,
    session_on: date | None,
    version: int,
    now: datetime,
) -> Note | None:
    """The note with new words and date; None when it is not the keyring owner's; Stale when it moved on."""
    row = _row(db, keyring.user_id, note_id)
    if row is None:
        return None
    if row.version != version:
        raise Stale()
    row.ciphertext = vault.seal_own_note(keyring, vault.SESSION_NOTE, row.id, {"text": text})
    row.session_on = session_on
    row.updated_at = now
    row.version += 1
    db.flush()
    return _open(keyring, row)


def remove(db: Session, therapist_id: uuid.UUID, note_id: uuid.UUID) -> bool:
    row = _row(db, therapist_id, note_id)
    if row is None:
        return False
    db.delete(row)
    db.flush()
    return True


def linked_client_id(db: Session, note: Note, therapist_id: uuid.UUID) -> uuid.UUID | None:
    """The note's client while still linked with the therapist (their page is where the note lives)."""
    if note.client_id is None:
        return None
    found = db.scalar(select(Link.id).where(Link.therapist_id == therapist_id, Link.client_id == note.client_id))
    return note.client_id if found is not None else None


def _former_clause(therapist_id: uuid.UUID):
    linked = exists().where(Link.therapist_id == therapist_id, Link.client_id == SessionNote.client_id)
    return and_(SessionNote.therapist_id == therapist_id, or_(SessionNote.client_id.is_(None), ~linked))


def has_former(db: Session, therapist_id: uuid.UUID) -> bool:
    return db.scalar(select(exists().where(_former_clause(therapist_id)))) or False


def former(db: Session, keyring: vault.Keyring) -> list[tuple[str, list[Note]]]:
    """Notes about clients no longer linked (or whose account is gone), by whom, each newest first."""
    rows = db.scalars(
        select(SessionNote)
        .where(_former_clause(keyring.user_id))
        .order_by(SessionNote.created_at.desc(), SessionNote.id)
    )
    groups: dict[tuple[str, str], list[Note]] = {}
    for row in rows:
        note = _open(keyring, row)
        groups.setdefault((note.about, str(row.client_id or "")), []).append(note)
    return sorted(((about, notes) for (about, _client), notes in groups.items()), key=lambda one: one[0].lower())


def as_markdown(notes: list[Note], zone: str) -> str:
    """The notes as one Markdown file, newest first, for the therapist's export."""
    lines = ["# My private session notes", ""]
    if not notes:
        lines.append("No notes.")
    for note in notes:
        written = note.created_at.astimezone(ZoneInfo(zone))
        session = f"Session of {day_words(note.session_on)}" if note.session_on else "No particular session"
        lines += [f"## {session}", "", f"Written {written:%Y-%m-%d %H:%M} ({zone})", "", note.text, ""]
    return "\n".join(lines) + "\n"


def _row(db: Session, therapist_id: uuid.UUID, note_id: uuid.UUID) -> SessionNote | None:
    return db.scalar(select(SessionNote).where(SessionNote.id == note_id, SessionNote.therapist_id == therapist_id))


def _open(keyring: vault.Keyring, row: SessionNote) -> Note:
    about = vault.open_own_note(keyring, vault.SESSION_NOTE_ABOUT, row.id, bytes(row.about_ciphertext))
    data = vault.open_own_note(keyring, vault.SESSION_NOTE, row.id, bytes(row.ciphertext))
    return Note(
        id=row.id,
        client_id=row.client_id,
        about=str(about.get("name") or about.get("email") or "A former client"),
        text=str(data.get("text", "")),
        session_on=row.session_on,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )
