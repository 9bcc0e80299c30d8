"""Deleting an account: keys first, then everything of the person, in one transaction.

Order inside the transaction:

1. Keys. Every session row (each holds a wrap of the user key under a browser's cookie) is
   deleted, and the wraps on the user's row (under the password, under the recovery code, of the
   private key, of the two-step secret) are overwritten, so no statement after this can open
   anything of theirs. (The database may keep old row versions for a while: SQLite's WAL until a
   checkpoint, PostgreSQL's until VACUUM; backups until they expire. Each needs the password too.)
2. Links. A client's clinicians lose every share at once; a clinician's links all end, and the
   records their clients had shared are re-keyed at each client's next sign-in (as when a
   clinician ends one link). The other side's security activity says the link was ended.
3. Rows: shares, access events, pending re-keys, drafts, blobs, records, invites, reminders, a clinician's private
   session notes (a client's clinicians keep theirs, emptied of the account's id) and each
   device's push subscription, rate counters keyed to the account, then the user row. Tables added later that point at the user (security
   events, ...) go with it through ON DELETE CASCADE; a table that does not cascade stops the
   deletion (an integrity error rolls everything back) rather than leave rows behind, and a last
   check reads every column that references `users.id` before the caller commits.

Blobs live in the database (records/blobs.py), so they go in the same transaction. A blob store
outside the database would drop its objects in `after_commit`, once nothing references them.
What a clinician already read, printed or wrote down cannot be taken back; the pages say so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from .. import vault
from ..activity import service as activity
from ..db import Base
from ..models import (
    AccessEvent,
    Ask,
    AuthSession,
    Blob,
    Draft,
    Invite,
    Link,
    PendingRekey,
    PushSubscription,
    RateEvent,
    Record,
    Reminder,
    ReminderSettings,
    SessionNote,
    Share,
    User,
)
from ..records import blobs
from ..security import ratelimit
from ..sharing import service as sharing

CLIENT_PHRASE = "delete my journal"
THERAPIST_PHRASE = "delete my account"
# Rate counters keyed to one account (see every ratelimit.rate_key call): by email or by id.
ACCOUNT_RATE_SCOPES_BY_EMAIL = ("signin-account", "signin-turns")
ACCOUNT_RATE_SCOPES_BY_ID = ("totp-account", "totp-turns", "password-again", "invite-create", "invite-redeem")
KEY_COLUMNS = ("auth_verifier", "uk_wrap_pw", "uk_wrap_recovery", "x25519_priv_wrap")
ROTATION_COLUMNS = (
    "rotation_uk_wrap",
    "rotation_uk_wrap_pw",
    "rotation_uk_wrap_recovery",
    "unseen_recovery_code_ciphertext",
)


class RowsLeft(Exception):
    """A table still references the account after deleting it: nothing is committed."""


@dataclass(frozen=True)
class Deleted:
    user_id: uuid.UUID
    role: str
    records: int
    links_ended: int
    rate_keys: list[str] = field(repr=False)
    blob_ids: list[uuid.UUID] = field(repr=False)


def phrase_for(role: str) -> str:
    return THERAPIST_PHRASE if role == "therapist" else CLIENT_PHRASE


def phrase_matches(role: str, typed: str | None) -> bool:
    """The confirmation phrase, in any case, with any spacing."""
    return " ".join((typed or "").lower().split()) == phrase_for(role)


@dataclass(frozen=True)
class Consequences:
    """What the confirmation page tells the person before they decide."""

    records: int
    linked: list[str]  # names of the people on the other side of each link


def consequences(db: Session, user: User) -> Consequences:
    records = db.scalar(select(func.count()).select_from(Record).where(Record.owner_id == user.id)) or 0
    links = (
        sharing.links_for_therapist(db, user.id) if user.role == "therapist" else sharing.links_for_client(db, user.id)
    )
    return Consequences(int(records), [link.name for link in links])


def delete_account(db: Session, user: User, now: datetime) -> Deleted:
    """Everything of the account, in the caller's transaction (the caller commits, then `after_commit`)."""
    user_id = user.id
    # 1. Keys first.
    vault.end_all_sessions(db, user_id)
    for row in [obj for obj in db.identity_map.values() if isinstance(obj, AuthSession) and obj.user_id == user_id]:
        db.expunge(row)  # deleted above; nothing may write to them later in this request
    for column in KEY_COLUMNS:
        setattr(user, column, bytes(len(getattr(user, column) or b"")))
    user.totp_secret_ciphertext = None  # two-step sign-in's secret, sealed under the user key
    for column in ROTATION_COLUMNS:  # a key rotation under way: the new key's wraps, a code waiting to be shown
        setattr(user, column, None)
    db.flush()

    # 2. Links, with a line in the other side's security activity.
    # A client's line names the clinician as clients know them (the name they chose to show clients); a
    # clinician's line does not name the client: nothing that identifies a deleted client stays behind.
    links_ended = 0
    if user.role == "therapist":
        told = f"{user.display_name or 'your clinician'} (account deleted)"
        for linked in sharing.links_for_therapist(db, user_id):
            activity.record(db, linked.other.id, "link_ended", detail=told, now=now)
            sharing.end_link(db, linked.link, now)  # the client's shared records are re-keyed at their next sign-in
            links_ended += 1
    else:
        clinicians = [linked.other.id for linked in sharing.links_for_client(db, user_id)]
        for clinician in clinicians:
            activity.record(db, clinician, "link_ended", detail="a client (account deleted)", now=now)
            links_ended += 1
        # Lines name a client by reference, so they say "a client who has since deleted their account" once
        # the row is gone; older lines that copied the name lose it here.
        activity.forget_names(db, clinicians, [user.display_name or "", user.email])

    # 3. Every row of theirs.
    blob_ids = list(db.scalars(select(Blob.id).where(Blob.owner_id == user_id)))
    records = db.scalar(select(func.count()).select_from(Record).where(Record.owner_id == user_id)) or 0
    db.execute(delete(Share).where(or_(Share.owner_id == user_id, Share.recipient_id == user_id)))
    db.execute(delete(Ask).where(or_(Ask.client_id == user_id, Ask.therapist_id == user_id)))  # requests either way
    db.execute(delete(Link).where(or_(Link.client_id == user_id, Link.therapist_id == user_id)))
    db.execute(delete(AccessEvent).where(or_(AccessEvent.owner_id == user_id, AccessEvent.therapist_id == user_id)))
    db.execute(delete(PendingRekey).where(PendingRekey.owner_id == user_id))
    db.execute(delete(Draft).where(Draft.owner_id == user_id))
    db.execute(delete(Blob).where(Blob.owner_id == user_id))
    db.execute(delete(Record).where(Record.owner_id == user_id))
    db.execute(delete(Invite).where(Invite.therapist_id == user_id))
    db.execute(delete(Reminder).where(Reminder.user_id == user_id))
    db.execute(delete(ReminderSettings).where(ReminderSettings.user_id == user_id))
    db.execute(delete(PushSubscription).where(PushSubscription.user_id == user_id))  # signed out above, already
    # A clinician's private notes go with them; a client's clinicians keep theirs, no longer pointing at the account.
    db.execute(delete(SessionNote).where(SessionNote.therapist_id == user_id))
    db.execute(update(SessionNote).where(SessionNote.client_id == user_id).values(client_id=None))
    rate_keys = account_rate_keys(user)
    db.execute(delete(RateEvent).where(RateEvent.key_hash.in_(rate_keys)))
    db.flush()
    db.expunge(user)
    db.execute(delete(User).where(User.id == user_id))  # security events and the like: ON DELETE CASCADE
    left = rows_referencing(db, user_id)
    if left:
        raise RowsLeft(", ".join(sorted(left)))
    return Deleted(user_id, user.role, int(records), links_ended, rate_keys, blob_ids)


def after_commit(deleted: Deleted) -> None:
    """Once the transaction is committed: counters kept outside the database, blobs kept outside it."""
    for key in deleted.rate_keys:
        ratelimit.clear(key)  # Redis counters; with database counters the rows are gone already
    blobs.STORE.discard(deleted.blob_ids)


def account_rate_keys(user: User) -> list[str]:
    return [ratelimit.rate_key(scope, user.email) for scope in ACCOUNT_RATE_SCOPES_BY_EMAIL] + [
        ratelimit.rate_key(scope, str(user.id)) for scope in ACCOUNT_RATE_SCOPES_BY_ID
    ]


def rows_referencing(db: Session, user_id: uuid.UUID) -> dict[str, int]:
    """Every column of every table that references users.id, and how many rows still hold this id."""
    found: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if table.name == "users" and column.name == "id":
                column_refers = True
            else:
                column_refers = any(
                    fk.column.table.name == "users" and fk.column.name == "id" for fk in column.foreign_keys
                )
            if not column_refers:
                continue
            count = db.scalar(select(func.count()).select_from(table).where(column == user_id)) or 0
            if count:
                found[f"{table.name}.{column.name}"] = int(count)
    return found
