"""Everything sealed under a user key, in one list: what a change of user key must seal again.

Each entry names the column, the column that says whose user key sealed it, and the context
(associated data) it was sealed with. Code that seals or opens one of these takes its context from
here, so the list cannot drift from what is really written. Rotating a user key means: open every
entry of `SEALED_UNDER_USER_KEY` for that user with the old key and context, seal it with the new
ones, in one transaction (tests/system/test_signed_shares.py checks that every sealed column is listed).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .primitives import context


def x25519_key_context(user_id: uuid.UUID, uk_version: int) -> bytes:
    return context("x25519-priv", user_id, uk_version)


def signing_key_context(user_id: uuid.UUID, uk_version: int) -> bytes:
    return context("ed25519-priv", user_id, uk_version)


def totp_secret_context(user_id: uuid.UUID, uk_version: int) -> bytes:
    return context("totp-secret", user_id, uk_version)


def therapist_key_pin_context(client_id: uuid.UUID, therapist_id: uuid.UUID) -> bytes:
    """The clinician's X25519 key, pinned by the client at consent."""
    return context("pin", client_id, therapist_id)


def client_signing_pin_context(therapist_id: uuid.UUID, link_id: uuid.UUID, client_id: uuid.UUID) -> bytes:
    """The client's Ed25519 key, pinned by the clinician once the invite code vouched for it."""
    return context("signing-pin", therapist_id, link_id, client_id)


def invite_code_context(therapist_id: uuid.UUID, invite_id: uuid.UUID) -> bytes:
    return context("invite-code", therapist_id, invite_id)


def record_key_context(row: Any) -> bytes:
    """A record's (or draft's) data key; the same context binds its payload and attachments (envelope.py)."""
    return context("dek", row.__tablename__, row.id, row.owner_id, row.kind, getattr(row, "version", 0))


def own_note_context(purpose: str, subject: uuid.UUID, owner_id: uuid.UUID) -> bytes:
    return context("note", "own", purpose, subject, owner_id)


# What a therapist's private session notes are sealed as (journal/session_notes): the words, and whom it is about.
SESSION_NOTE = "session-note"
SESSION_NOTE_ABOUT = "session-note-about"
# What a clinician's own copy of a request to a client is sealed as (journal/asks; vault/asks.py seals the client's).
ASK_COPY = "ask"


@dataclass(frozen=True)
class SealedColumn:
    table: str
    column: str
    sealed_by: str  # the column naming the user whose key sealed it
    context: Callable[[Any], bytes]  # the row -> the context it was sealed with
    what: str


SEALED_UNDER_USER_KEY: tuple[SealedColumn, ...] = (
    SealedColumn(
        "users",
        "x25519_priv_wrap",
        "id",
        lambda u: x25519_key_context(u.id, u.uk_version),
        "the X25519 private key (opens shares and notes sent to this user)",
    ),
    SealedColumn(
        "users",
        "ed25519_priv_wrap",
        "id",
        lambda u: signing_key_context(u.id, u.uk_version),
        "the Ed25519 signing key (signs every share this user makes)",
    ),
    SealedColumn(
        "users",
        "totp_secret_ciphertext",
        "id",
        lambda u: totp_secret_context(u.id, u.uk_version),
        "the authenticator's secret for two-step sign-in",
    ),
    SealedColumn("records", "dek_wrap", "owner_id", record_key_context, "each record's data key"),
    SealedColumn("drafts", "dek_wrap", "owner_id", record_key_context, "each draft's data key"),
    SealedColumn(
        "links",
        "pinned_key_ciphertext",
        "client_id",
        lambda link: therapist_key_pin_context(link.client_id, link.therapist_id),
        "the clinician's public key, pinned by the client",
    ),
    SealedColumn(
        "links",
        "flag_marks_ciphertext",
        "therapist_id",
        lambda link: own_note_context("flag-marks", link.id, link.therapist_id),
        "the flags the clinician marked seen",
    ),
    SealedColumn(
        "links",
        "client_sign_pin",
        "therapist_id",
        lambda link: client_signing_pin_context(link.therapist_id, link.id, link.client_id),
        "the client's signing key, pinned by the clinician",
    ),
    SealedColumn(
        "invites",
        "code_sealed",
        "therapist_id",
        lambda invite: invite_code_context(invite.therapist_id, invite.id),
        "an open invite's code, until the clinician pins the client's signing key",
    ),
    SealedColumn(
        "session_notes",
        "ciphertext",
        "therapist_id",
        lambda note: own_note_context(SESSION_NOTE, note.id, note.therapist_id),
        "a therapist's private session note",
    ),
    SealedColumn(
        "session_notes",
        "about_ciphertext",
        "therapist_id",
        lambda note: own_note_context(SESSION_NOTE_ABOUT, note.id, note.therapist_id),
        "whom a private session note is about (the client's name when it was written)",
    ),
    SealedColumn(
        "asks",
        "own_ciphertext",
        "therapist_id",
        lambda ask: own_note_context(ASK_COPY, ask.id, ask.therapist_id),
        "a clinician's own copy of what they asked a client (a questionnaire, or a prompt's words)",
    ),
)
