"""Tables. Ciphertext columns say so in their names; nothing here decrypts.

Here: accounts, sessions, records and their attachments, sharing, the access and security histories.
reminders.py: Web Push subscriptions and reminders. practice.py: a therapist's private notes and requests.
Every table is importable from here (`from journal.models import Ask`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false, true

from ..db import Base, UTCDateTime, utcnow

ROLES = ("client", "therapist")


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    # The name clients see when they link with a therapist; clients may leave it empty.
    display_name: Mapped[str | None] = mapped_column(String(100))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recovery_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whether new entries and check-ins written without a network wait on the device to be sent.
    offline_capture: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Argon2id parameters per user, so they can rise later; bounded when read.
    kdf_salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    kdf_memory_kib: Mapped[int] = mapped_column(Integer)
    kdf_iterations: Mapped[int] = mapped_column(Integer)
    kdf_lanes: Mapped[int] = mapped_column(Integer)
    auth_verifier: Mapped[bytes] = mapped_column(LargeBinary(32))
    uk_version: Mapped[int] = mapped_column(Integer, default=1)
    uk_wrap_pw: Mapped[bytes] = mapped_column(LargeBinary(64))
    recovery_salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    uk_wrap_recovery: Mapped[bytes] = mapped_column(LargeBinary(64))
    x25519_pub: Mapped[bytes] = mapped_column(LargeBinary(32))
    x25519_priv_wrap: Mapped[bytes] = mapped_column(LargeBinary(64))
    # A key rotation under way (vault/rotation.py): the new user key wrapped under the one it replaces, under
    # the password and (once a code was made during the rotation) under the recovery code. Empty otherwise.
    rotation_uk_wrap: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    rotation_uk_wrap_pw: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    rotation_uk_wrap_recovery: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    rotation_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The recovery code a finished rotation made, sealed under the new user key until it is shown once.
    unseen_recovery_code_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    # Ed25519: signs every share this user makes. The private half is sealed under the user key; accounts
    # from before signing keys get theirs the next time their keys are unlocked.
    ed25519_pub: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    ed25519_priv_wrap: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    # Two-step sign-in: the authenticator's secret sealed under the user key (never in clear), set
    # while it is being set up; on once `totp_enabled_at` is set. The last time step a code was
    # accepted for, so a code is never accepted twice.
    totp_secret_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # A therapist's practice line for out-of-hours crises: their linked clients see it first among the
    # crisis resources. The practice's own public details, never a client's.
    practice_line_name: Mapped[str | None] = mapped_column(String(100))
    practice_line_phone: Mapped[str | None] = mapped_column(String(40))
    practice_line_hours: Mapped[str | None] = mapped_column(String(120))
    # A client's own note of their next integration session, for when no clinician is linked: scheduling
    # metadata, in clear (docs/threat-model.md). A day (no time given) or an instant (a time given), not both.
    next_integration_on: Mapped[date | None] = mapped_column(Date)
    next_integration_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuthSession(Base):
    """A signed-in browser. Deleting the row shreds the only server-side wrap of the user key."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    uk_wrap: Mapped[bytes] = mapped_column(LargeBinary(64))
    priv_wrap: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # "Chrome on Android": a short description of the browser, from its user agent at sign-in.
    device: Mapped[str | None] = mapped_column(String(80))
    # When the password was last entered in this session (sign-in, or asked again for a sensitive action).
    password_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Password right, one-time code not yet given: refused everywhere but the code form.
    second_factor_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Record(Base):
    """Everything a client writes: plaintext metadata for ordering, the fields sealed in the payload."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("owner_id", "idempotency_key"),
        # Newest (or oldest) first, a page at a time, in the order of the keyset cursor: of one kind, or across
        # kinds (the timeline, the desk).
        Index("ix_records_owner_kind_occurred_id", "owner_id", "kind", "occurred_at", "id"),
        Index("ix_records_owner_occurred_id", "owner_id", "occurred_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on every write; each version has its own data key and is bound into the AAD.
    version: Mapped[int] = mapped_column(Integer, default=1)
    uk_version: Mapped[int] = mapped_column(Integer)
    dek_wrap: Mapped[bytes] = mapped_column(LargeBinary(64))
    payload_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class Draft(Base):
    """Autosaved writing not yet saved as a record: a new one (by its client-made id) or an edit."""

    __tablename__ = "drafts"
    __table_args__ = (
        UniqueConstraint("owner_id", "idempotency_key"),
        UniqueConstraint("owner_id", "record_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    base_version: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uk_version: Mapped[int] = mapped_column(Integer)
    dek_wrap: Mapped[bytes] = mapped_column(LargeBinary(64))
    payload_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class RateEvent(Base):
    """One counted attempt (a failed sign-in, a sign-up) under a hashed key, seen by every process."""

    __tablename__ = "rate_events"
    # Unique per key: a token can be claimed by one process only (journal/security/throttle.py's turns).
    __table_args__ = (
        Index("ix_rate_events_key_at", "key_hash", "at"),
        Index("ix_rate_events_at", "at"),
        Index("uq_rate_events_key_token", "key_hash", "token", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Blob(Base):
    """Encrypted bytes that belong to a record (a photo's display and thumbnail versions).

    Stored in the database by default, so a record and its images commit or roll back together.
    The id is a random object name; the record id lets deletes cascade.
    """

    __tablename__ = "blobs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    variant: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # SHA-256 of the ciphertext: signed into every share of the record, checked when the bytes are served.
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32))


class Invite(Base):
    """A single-use code a therapist gives a client. The code is never kept in clear (vault/invites.py)."""

    __tablename__ = "invites"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    therapist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # An HMAC of the code under a key derived from the server's secret: finds the invite.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A tag keyed by the code over the therapist's X25519 public key: checked by the client at consent.
    key_tag: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # The code sealed under the therapist's user key, until it has checked the client's signing key.
    code_sealed: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Link(Base):
    """A client and a clinician they chose. The clinician's public key is pinned under the client's key."""

    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("client_id", "therapist_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    therapist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pinned_key_ciphertext: Mapped[bytes] = mapped_column(LargeBinary(64))
    # Kinds shared automatically when created ("checkin,measure"); plain, as it says nothing of content.
    auto_share_kinds: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which risk flags the therapist marked seen, and when: sealed under the therapist's user key, and
    # the same list sealed to the client's public key, so the client sees it in their access history.
    # Which record carried a flag, or that one did, never shows in clear.
    flag_marks_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    flag_notices_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The invite the link was made with, and the tag the client left (keyed by its code) over their signing
    # key; the therapist's next request checks it and pins the client's signing key under its own user key.
    invite_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invites.id", ondelete="SET NULL"))
    client_sign_tag: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    client_sign_pin: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    # When the client's signing key did not match the tag: nothing from this link is shown on the desk.
    client_sign_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the client's request found the therapist's key changed since the pin: nothing new is shared.
    key_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The next integration session, as the client or the therapist noted it: scheduling metadata, in clear
    # (docs/threat-model.md). A day (no time given) or an instant (a time given), not both; who set it last.
    next_session_on: Mapped[date | None] = mapped_column(Date)
    next_session_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_session_set_by: Mapped[str | None] = mapped_column(String(16))


class Share(Base):
    """A record's data key sealed to one clinician's pinned public key (HPKE)."""

    __tablename__ = "shares"
    __table_args__ = (
        UniqueConstraint("record_id", "recipient_id"),
        # What one clinician has of one client, and (by when it was shared) what is new or shared since a date.
        Index("ix_shares_recipient_owner_created", "recipient_id", "owner_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    dek_version: Mapped[int] = mapped_column(Integer)
    wrap: Mapped[bytes] = mapped_column(LargeBinary(128))
    # The owner's Ed25519 signature over the share (vault/signing.py); the desk shows nothing without it.
    sig: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PendingRekey(Base):
    """A record whose share ended while its owner was away: re-keyed at the owner's next sign-in."""

    __tablename__ = "pending_rekeys"

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class AccessEvent(Base):
    """One line of a client's access history: a clinician opened something they share, or saw summaries.

    `what` says what: "record" (a shared record's page), "picture" (a photo at full size), "brief",
    "export", or "summary" (what list pages show: one line per visit, from `at` to `last_at`). The
    records a line covers are in access_event_records; `kind` names the kind of a one-record line, so
    the line still reads right after the client deletes the record. Rows from before these words
    say "page" or "image" (one row per record read).
    """

    __tablename__ = "access_events"
    __table_args__ = (Index("ix_access_events_owner_at", "owner_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    therapist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    what: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str | None] = mapped_column(String(16))
    items: Mapped[int | None] = mapped_column(Integer)  # how many shared items a summary, brief or export held
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessEventRecord(Base):
    """A record that one access line covers (one for a record page, every item for a brief or an export)."""

    __tablename__ = "access_event_records"

    event_id: Mapped[int] = mapped_column(ForeignKey("access_events.id", ondelete="CASCADE"), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SecurityEvent(Base):
    """One line of a user's security activity: what happened, when, on which device. Never content.

    Append-only for the app (journal/activity refuses updates and deletes); rows go only with the
    account (ON DELETE CASCADE).
    """

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_user_newest", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    device: Mapped[str | None] = mapped_column(String(80))
    # A short, non-content detail: a count, a clinician's name.
    detail: Mapped[str | None] = mapped_column(String(120))


from .practice import Ask as Ask  # noqa: E402  (the tables of a therapist's practice, after the ones they refer to)
from .practice import SessionNote as SessionNote  # noqa: E402
from .reminders import PushSubscription as PushSubscription  # noqa: E402
from .reminders import Reminder as Reminder  # noqa: E402
from .reminders import ReminderSettings as ReminderSettings  # noqa: E402
