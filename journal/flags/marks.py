"""Which flags a therapist marked seen: kept on the link, sealed, and told to the client.

The marks are a list of {flag id, when}. The therapist's copy is sealed under the therapist's user
key; the same list is sealed to the client's public key, so the client's access history can say
"marked as seen" while nothing in the database tells which record carried a flag, or that one did.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from .. import vault
from ..models import Link, User
from ..records.key_hold import hold_sealing_key

PURPOSE = vault.FLAG_MARKS
# What the client reads of each rule: what the flag was about, in their own terms, never the answer itself.
ABOUT = {
    "item9": "your answer to item 9 of the PHQ-9",
    "band": "a questionnaire score in a higher band than the one before it",
    "mood": "a drop in the mood of your check-ins",
}


@dataclass(frozen=True)
class Notice:
    """For the client: a clinician marked a flag on one of their records as seen."""

    therapist: str
    flag_id: str
    rule: str
    record_id: uuid.UUID | None
    at: datetime

    @property
    def words(self) -> str:
        return f"Marked as seen the flag on {ABOUT.get(self.rule, 'something you share')}"


def seen(keyring: vault.Keyring, link: Link) -> dict[str, datetime]:
    """The therapist's marks on this link: flag id -> when it was marked seen."""
    if link.flag_marks_ciphertext is None:
        return {}
    return _parse(vault.open_own_note(keyring, PURPOSE, link.id, link.flag_marks_ciphertext))


def mark(keyring: vault.Keyring, link: Link, client: User, flag_ids: Iterable[str], now: datetime) -> None:
    """Add marks (a flag already marked keeps its first time) and seal both copies again."""
    marks = seen(keyring, link)
    for flag_id in flag_ids:
        marks.setdefault(flag_id, now)
    data = [{"id": flag_id, "at": at.isoformat()} for flag_id, at in sorted(marks.items(), key=lambda one: one[1])]
    link.flag_marks_ciphertext = vault.seal_own_note(keyring, PURPOSE, link.id, data)
    link.flag_notices_ciphertext = vault.seal_note_to(client.id, bytes(client.x25519_pub), PURPOSE, link.id, data)
    db = object_session(link)
    if db is not None:
        hold_sealing_key(db, keyring)  # the therapist's copy is sealed under their user key


def notices(db: Session, keyring: vault.Keyring) -> list[Notice]:
    """Every mark the keyring owner's clinicians made on their flags, newest first."""
    rows = db.execute(
        select(Link, User.display_name, User.email)
        .join(User, User.id == Link.therapist_id)
        .where(Link.client_id == keyring.user_id, Link.flag_notices_ciphertext.is_not(None))
    )
    found = []
    for link, name, email in rows:
        if link.flag_notices_ciphertext is None:  # the query keeps only links with notices
            raise vault.VaultError("no flag notices to open")
        try:
            marks = _parse(vault.open_note_sent_to_me(keyring, PURPOSE, link.id, link.flag_notices_ciphertext))
        except vault.VaultError:
            continue  # sealed to a key this account no longer has: nothing to tell
        for flag_id, at in marks.items():
            rule, _, raw = flag_id.partition(":")
            try:
                record_id: uuid.UUID | None = uuid.UUID(raw)
            except ValueError:
                record_id = None
            found.append(Notice(name or email, flag_id, rule, record_id, at))
    return sorted(found, key=lambda one: one.at, reverse=True)


def _parse(data) -> dict[str, datetime]:
    return {str(item["id"]): datetime.fromisoformat(item["at"]) for item in data}
