"""Tables of a therapist's practice: private session notes (journal/session_notes) and requests to a client
(journal/asks). Their words are sealed; what is in clear is said on each table (docs/threat-model.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class SessionNote(Base):
    """A therapist's private note about a client, maybe about one integration session (journal/session_notes).

    The words and whom it is about are sealed under the therapist's own user key: the client never sees it, the
    server cannot read it. In clear: whose it is, which client it was about (emptied when that account goes),
    the session's date, and when it was written and changed (docs/threat-model.md).
    """

    __tablename__ = "session_notes"
    __table_args__ = (Index("ix_session_notes_therapist_client", "therapist_id", "client_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    therapist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # SET NULL: when the client deletes their account, the note stays the therapist's, with its sealed label.
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    about_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    session_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class Ask(Base):
    """A clinician's request to a linked client: a questionnaire or a prompt they wrote (journal/asks).

    What is asked (the questionnaire or the prompt's words, the cadence, the days) is sealed with HPKE to the
    client's public key (`sealed`, with the clinician's `tag` over it), and under the clinician's own user key
    (`own_ciphertext`, for their list). In clear, what the server needs to keep the request's state: who asked
    whom on which link, when, and when the client last answered (and with which record), declined or snoozed it
    (docs/threat-model.md). The request goes with the link and with either account (ON DELETE CASCADE).
    """

    __tablename__ = "asks"
    __table_args__ = (Index("ix_asks_client_created", "client_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), index=True)
    therapist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    tag: Mapped[bytes] = mapped_column(LargeBinary(32))
    own_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The record that answered it last (shared with the clinician); emptied if the client deletes it.
    answer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("records.id", ondelete="SET NULL"))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
