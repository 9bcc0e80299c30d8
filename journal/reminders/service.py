"""A client's reminders and devices: turning reminders on and off, their times, title and quiet hours, a new
time zone, and each device's push subscription. Services flush; the caller commits.

Every reminder is off until the client turns it on; nothing here invents a time the client did not choose.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from .. import vault
from ..db import changed_rows
from ..integration import service as integration
from ..models import AuthSession, Link, PushSubscription, Reminder, ReminderSettings, User
from .endpoints import device_keys_valid, endpoint_allowed
from .schedule import COURSE, COURSE_DAYS, KINDS, QuietHours, Rule, next_due

DEFAULT_TITLE = "Integration journal"
TITLE_MAX = 40


class Refused(ValueError):
    """What was sent cannot be saved; the message says why, in words a client can act on."""


def settings_of(db: Session, user_id: uuid.UUID) -> ReminderSettings | None:
    return db.get(ReminderSettings, user_id)


def reminders_of(db: Session, user_id: uuid.UUID) -> dict[str, Reminder]:
    rows = db.scalars(select(Reminder).where(Reminder.user_id == user_id))
    return {row.kind: row for row in rows}


def rule_of(reminder: Reminder, settings: ReminderSettings | None, zone: str) -> Rule:
    """The schedule's view of a reminder row, in `zone` (the client's zone now)."""
    quiet = None
    if settings is not None and settings.quiet_start is not None and settings.quiet_end is not None:
        quiet = QuietHours(settings.quiet_start, settings.quiet_end)
    days = frozenset(int(day) for day in reminder.days.split(",") if day) if reminder.kind == COURSE else frozenset()
    return Rule(reminder.kind, reminder.local_time, zone, quiet, days)


def save_reminder(
    db: Session,
    user: User,
    kind: str,
    *,
    enabled: bool,
    at: dt.time,
    now: dt.datetime,
    days: Iterable[int] = COURSE_DAYS,
) -> Reminder:
    """Turn one kind of reminder on (at a local time; for prompts, on the chosen days) or off.

    Turning the last one off ends every device's subscription: nothing would be sent to them.
    """
    if kind not in KINDS:
        raise Refused("There is no such reminder.")
    chosen = sorted(set(days))
    if kind == COURSE and (not chosen or not set(chosen) <= set(COURSE_DAYS)):
        raise Refused("Choose at least one of the days after a session: 1, 3, 7 or 13.")
    settings = settings_of(db, user.id)
    row = reminders_of(db, user.id).get(kind)
    if row is None:
        row = Reminder(id=uuid.uuid4(), user_id=user.id, kind=kind)
        db.add(row)
    row.enabled = enabled
    row.local_time = at.replace(second=0, microsecond=0, tzinfo=None)
    row.days = ",".join(str(day) for day in chosen) if kind == COURSE else ""
    _schedule(row, settings, user.time_zone, now)
    db.flush()
    if not enabled and not any(other.enabled for other in reminders_of(db, user.id).values()):
        end_subscriptions(db, user.id)
    return row


def save_settings(
    db: Session, user: User, *, title: str | None, quiet: QuietHours | None, now: dt.datetime
) -> ReminderSettings:
    """The neutral title notifications show (the default when empty) and quiet hours (None: none)."""
    clean = " ".join((title or "").split())
    if len(clean) > TITLE_MAX or not clean.isprintable():
        raise Refused(f"A title can be up to {TITLE_MAX} letters, on one line.")
    settings = settings_of(db, user.id)
    if settings is None:
        settings = ReminderSettings(user_id=user.id)
        db.add(settings)
    settings.title = clean or DEFAULT_TITLE
    settings.quiet_start = quiet.start if quiet else None
    settings.quiet_end = quiet.end if quiet else None
    for row in reminders_of(db, user.id).values():
        _schedule(row, settings, user.time_zone, now)
    db.flush()
    return settings


def stop_all(db: Session, user_id: uuid.UUID) -> int:
    """ "Stop these reminders": every reminder of the client off, every device's subscription gone. How many were on."""
    rows = [row for row in reminders_of(db, user_id).values() if row.enabled]
    for row in rows:
        row.enabled, row.next_due_at, row.claimed_until = False, None, None
    end_subscriptions(db, user_id)
    db.flush()
    return len(rows)


def zone_changed(db: Session, user: User, now: dt.datetime) -> None:
    """The client's time zone changed: each reminder's next time is found again, at the same local time there.
    (The sender also notices a reminder computed in another zone than the client's, and recomputes it.)"""
    settings = settings_of(db, user.id)
    for row in reminders_of(db, user.id).values():
        _schedule(row, settings, user.time_zone, now)
    db.flush()


def _schedule(row: Reminder, settings: ReminderSettings | None, zone: str, now: dt.datetime) -> None:
    """The next time from now. A sender at work on the reminder loses its lease: this change is the one kept."""
    row.zone = zone
    row.updated_at = now
    row.next_due_at = next_due(rule_of(row, settings, zone), now).at if row.enabled else None
    row.claimed_until = None


def device_handle(session: AuthSession) -> str:
    """The handle of the sign-in a request came with (the vault's): a device's subscription is tied to it, so
    signing out on that device ends it."""
    return vault.session_handle(session)


def subscribe(
    db: Session,
    user_id: uuid.UUID,
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
    session_handle: str | None,
    services: Sequence[str],
    now: dt.datetime,
) -> PushSubscription:
    """This device's subscription, under the sign-in it came from. The same device again (after the idle lock,
    or with new keys) updates its row; a device another account had subscribed becomes this one's."""
    if not endpoint_allowed(endpoint, tuple(services)):
        raise Refused("This browser's push service is not one this journal sends reminders through.")
    if not device_keys_valid(p256dh, auth):
        raise Refused("This browser's subscription could not be read. Turn reminders off and on again.")
    row = db.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if row is None:
        row = PushSubscription(id=uuid.uuid4(), endpoint=endpoint, created_at=now)
        db.add(row)
    row.user_id, row.p256dh, row.auth, row.session_handle = user_id, p256dh, auth, session_handle
    db.flush()
    return row


def unsubscribe(db: Session, user_id: uuid.UUID, endpoint: str) -> bool:
    """This device no longer takes reminders (the client turned them off on it)."""
    return bool(
        changed_rows(
            db.execute(
                delete(PushSubscription).where(
                    PushSubscription.user_id == user_id, PushSubscription.endpoint == endpoint
                )
            )
        )
    )


def end_subscriptions(db: Session, user_id: uuid.UUID) -> None:
    db.execute(delete(PushSubscription).where(PushSubscription.user_id == user_id))


def next_integration_at(db: Session, user_id: uuid.UUID, now: dt.datetime) -> dt.datetime | None:
    """When the client's next integration session is (UTC, after `now`), or None when no date is set."""
    return next_sessions(db, [user_id], now).get(user_id)


def next_sessions(db: Session, user_ids: Sequence[uuid.UUID], now: dt.datetime) -> dict[uuid.UUID, dt.datetime]:
    """The next integration session of each of these clients that has one, as an instant (UTC) after `now`: the
    earliest date to come noted on one of the client's links (by either side), else the client's own note, as
    their Today reads it (journal/integration). A date noted without a time counts as midday of that day in the
    client's zone: the eve reminder only needs its day. Two statements for any number of clients."""
    ids = list(user_ids)
    if not ids:
        return {}
    noted: dict[uuid.UUID, list[integration.When]] = {}
    for row in db.execute(
        select(Link.client_id, Link.next_session_on, Link.next_session_at).where(
            Link.client_id.in_(ids), or_(Link.next_session_on.is_not(None), Link.next_session_at.is_not(None))
        )
    ):
        noted.setdefault(row.client_id, []).append(integration.When(row.next_session_on, row.next_session_at))
    found: dict[uuid.UUID, dt.datetime] = {}
    for user in db.execute(
        select(User.id, User.time_zone, User.next_integration_on, User.next_integration_at).where(User.id.in_(ids))
    ):
        own = integration.When(user.next_integration_on, user.next_integration_at)
        whens = noted.get(user.id) or ([own] if own.on is not None or own.at is not None else [])
        ahead = [when.instant(user.time_zone) for when in whens if not when.passed(user.time_zone, now)]
        ahead = [moment for moment in ahead if moment > now]
        if ahead:
            found[user.id] = min(ahead)
    return found
