"""Tables of gentle reminders by Web Push (journal/reminders): each device's subscription, each client's reminders
and what they share. In clear, as the sender works while nobody is signed in; nothing here is content."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import Boolean, ForeignKey, Index, String, Time, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class PushSubscription(Base):
    """One device's Web Push subscription (reminders): where its push service takes messages for it, and the
    device's keys they are encrypted to. Not sealed: the sender works while nobody is signed in.

    `session_handle` names the sign-in it was made under (vault.session_handle): signing out on that device
    ends it (vault/sessions.py), the idle lock does not. It also ends when the push service says it is gone
    (404, 410), when the client turns every reminder off, and with the account.
    """

    __tablename__ = "push_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # One device, one owner: the same browser subscribing for another account moves the row to it.
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    session_handle: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderSettings(Base):
    """What all of a client's reminders share: the neutral title a notification shows, and quiet hours."""

    __tablename__ = "reminder_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(String(40))
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)


class Reminder(Base):
    """One kind of reminder of one client (daily, course, eve: journal/reminders/schedule.py), and when the
    sender next looks at it. The times are the client's choice, in clear: the server must know when to send.

    `next_due_at` is empty while it is off; `zone` is the time zone it was computed in (a new zone recomputes
    it); `claimed_until` is a sender's lease, committed before sending, so no other sender takes it meanwhile.
    """

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("user_id", "kind"), Index("ix_reminders_due", "next_due_at"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    local_time: Mapped[time] = mapped_column(Time)
    # The days after a dosing session a prompt comes on ("1,3,7,13"); empty for the other kinds.
    days: Mapped[str] = mapped_column(String(20), default="")
    zone: Mapped[str] = mapped_column(String(64))
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
