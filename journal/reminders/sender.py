"""The sender: takes due reminders from the database, sends each to every device of its client, and finds the next
time. `flask reminders-send` runs it (`make worker`); several may run at once on PostgreSQL.

- Claiming: due reminders are taken a batch at a time with `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL: two
  senders never take the same row, and neither waits for the other) and given a lease (`claimed_until`) that is
  committed before anything is sent, so no other sender takes them while this one works. The UPDATE takes only
  rows still unclaimed, so on SQLite, which has no row locks, a second sender claims nothing twice either; one
  sender is all SQLite needs (its writes go one at a time anyway).
- Sending: every subscription of the client; one the push service says is gone (404, 410) is removed; a 429 or
  5xx is tried again after a wait that doubles, or the Retry-After asked for, at most REMINDERS_ATTEMPTS times in
  all; a wait longer than REMINDERS_RETRY_WAIT_MAX_SECONDS gives it up. What a reminder sends is fixed, neutral
  words (push.py).
- Then the next time (schedule.py): always the next occurrence after now. A reminder found more than
  REMINDERS_LATE_MINUTES after its time (the sender was down) is not sent late; one computed in another time zone
  than the client's now is computed again, not sent.
- The log holds counts only: never an endpoint, a key, a title or a message.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..course.service import dose_times_of
from ..db import changed_rows, utcnow
from ..models import PushSubscription, Reminder, ReminderSettings, User
from . import service
from .endpoints import endpoint_allowed, parse_services
from .push import Device, Outcome, Pusher, Result
from .schedule import COURSE, EVE, Due, Facts, next_due, occurrence_day, sends_on

log = logging.getLogger(__name__)

# A dosing session older than this cannot make a day the prompts are sent on (the last is day 13).
DOSES_LOOK_BACK = dt.timedelta(days=15)


@dataclass
class Counts:
    """What a pass did: messages sent, subscriptions removed, retries made, messages given up, and reminders
    looked at but not sent (not a prompt day, late, a new time zone, no device)."""

    sent: int = 0
    removed: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, other: Counts) -> None:
        for name in (item.name for item in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def words(self) -> str:
        return ", ".join(f"{item.name} {getattr(self, item.name)}" for item in fields(self))

    def __bool__(self) -> bool:
        return any(getattr(self, item.name) for item in fields(self))


@dataclass
class _Delivery:
    reminder_id: uuid.UUID
    subscription_id: uuid.UUID
    device: Device
    kind: str
    title: str
    attempts: int = 0
    not_before: float = 0.0


class Sender:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        config: Mapping,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._sleep = sleep
        self._pusher = Pusher(config["VAPID_PRIVATE_KEY"], config["VAPID_SUBJECT"], config["REMINDERS_TIMEOUT_SECONDS"])
        self._threads = max(1, int(config["REMINDERS_SEND_THREADS"]))
        self._services = parse_services(config.get("PUSH_SERVICES"))
        # Connections to push services are logged by the HTTP library with their paths: never in our logs.
        logging.getLogger("urllib3").setLevel(logging.WARNING)

    def run_once(self) -> Counts:
        """Send everything due now, a batch at a time, until nothing is due."""
        total = Counts()
        with ThreadPoolExecutor(self._threads, thread_name_prefix="push") as pool:
            while True:
                with self._sessions() as db:
                    batch, lease = self._claim(db)
                    if not batch:
                        break
                    total.add(self._send_batch(db, batch, lease, pool))
        if total:
            log.info("reminders: %s", total.words())
        return total

    def run_forever(self, stop: threading.Event) -> None:
        """A pass every REMINDERS_INTERVAL_SECONDS until `stop` is set (a batch under way is finished first)."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception as problem:  # noqa: BLE001 - the database away for a moment: the next pass tries again
                log.warning("reminders: pass failed (%s); trying again", type(problem).__name__)
            stop.wait(float(self._config["REMINDERS_INTERVAL_SECONDS"]))

    # Claiming ---------------------------------------------------------------------------------------------------

    def _claim(self, db: Session) -> tuple[list[Reminder], dt.datetime]:
        now = self._clock()
        free = or_(Reminder.claimed_until.is_(None), Reminder.claimed_until <= now)
        due = (
            select(Reminder.id)
            .where(Reminder.enabled.is_(True), Reminder.next_due_at <= now, free)
            .order_by(Reminder.next_due_at)
            .limit(int(self._config["REMINDERS_BATCH"]))
            .with_for_update(skip_locked=True)
        )
        lease = now + dt.timedelta(seconds=float(self._config["REMINDERS_LEASE_SECONDS"]))
        while True:
            ids = list(db.scalars(due))
            if not ids:
                db.rollback()
                return [], lease
            claimed = list(
                db.scalars(
                    update(Reminder)
                    .where(Reminder.id.in_(ids), free)
                    .values(claimed_until=lease)
                    .returning(Reminder.id)
                    .execution_options(synchronize_session=False)
                )
            )
            db.commit()  # the lease holds before anything is sent
            if claimed:  # (none: another sender took these a moment ago; look again)
                return list(db.scalars(select(Reminder).where(Reminder.id.in_(claimed)))), lease

    # Sending ----------------------------------------------------------------------------------------------------

    def _send_batch(self, db: Session, batch: list[Reminder], lease: dt.datetime, pool: ThreadPoolExecutor) -> Counts:
        counts = Counts()
        now = self._clock()
        context = _Context.load(db, batch, now, self._services)
        late = dt.timedelta(minutes=float(self._config["REMINDERS_LATE_MINUTES"]))
        deliveries: list[_Delivery] = []
        for reminder in batch:
            zone = context.zones[reminder.user_id]
            rule = service.rule_of(reminder, context.settings.get(reminder.user_id), zone)
            due_at = reminder.next_due_at
            sent_now = (
                due_at is not None
                and reminder.zone == zone
                and now - due_at <= late
                and sends_on(rule, Due(occurrence_day(rule, due_at), due_at), context.facts(reminder))
            )
            devices = context.devices.get(reminder.user_id, []) if sent_now else []
            if not devices:
                counts.skipped += 1
            title = context.title(reminder.user_id)
            deliveries += [_Delivery(reminder.id, sub_id, device, reminder.kind, title) for sub_id, device in devices]
        waiting = {reminder.id: reminder for reminder in batch}
        outstanding: dict[uuid.UUID, int] = defaultdict(int)
        for delivery in deliveries:
            outstanding[delivery.reminder_id] += 1
        self._finish(db, context, lease, waiting, outstanding)  # those with nothing to send: their next time now

        pending = deliveries
        while pending:
            clock = time.monotonic()
            ready = [delivery for delivery in pending if delivery.not_before <= clock]
            later = [delivery for delivery in pending if delivery.not_before > clock]
            if not ready:
                self._sleep(max(0.0, min(delivery.not_before for delivery in later) - clock))
                continue
            counts.retried += sum(1 for delivery in ready if delivery.attempts)
            for delivery, result in zip(ready, pool.map(self._attempt, ready), strict=True):
                if self._settle(db, delivery, result, counts):
                    later.append(delivery)
                else:
                    outstanding[delivery.reminder_id] -= 1
            self._finish(db, context, lease, waiting, outstanding)
            pending = later
        return counts

    def _attempt(self, delivery: _Delivery) -> Result:
        delivery.attempts += 1
        return self._pusher.send(delivery.device, delivery.kind, delivery.title)

    def _settle(self, db: Session, delivery: _Delivery, result: Result, counts: Counts) -> bool:
        """Count an answer; True when the message is to be tried again (its `not_before` set)."""
        if result.outcome is Outcome.SENT:
            counts.sent += 1
        elif result.outcome is Outcome.GONE:
            removed = db.execute(delete(PushSubscription).where(PushSubscription.id == delivery.subscription_id))
            counts.removed += changed_rows(removed)  # (once, when two reminders of a batch found it gone)
        elif result.outcome is Outcome.RETRY and delivery.attempts < int(self._config["REMINDERS_ATTEMPTS"]):
            backoff = float(self._config["REMINDERS_BACKOFF_SECONDS"]) * 2 ** (delivery.attempts - 1)
            wait = max(backoff, result.retry_after or 0.0)
            if wait <= float(self._config["REMINDERS_RETRY_WAIT_MAX_SECONDS"]):
                delivery.not_before = time.monotonic() + wait
                return True
            counts.failed += 1  # asked to wait longer than a reminder is worth: given up
        else:
            counts.failed += 1
        return False

    def _finish(
        self,
        db: Session,
        context: _Context,
        lease: dt.datetime,
        waiting: dict[uuid.UUID, Reminder],
        outstanding: dict[uuid.UUID, int],
    ) -> None:
        """Reminders whose every message has an answer get their next time, in the client's zone now, and lose
        their lease; committed. One the client changed meanwhile (their change ended the lease) keeps the change."""
        now = self._clock()
        for reminder_id in [reminder_id for reminder_id in waiting if outstanding[reminder_id] <= 0]:
            reminder = waiting.pop(reminder_id)
            zone = context.zones[reminder.user_id]
            rule = service.rule_of(reminder, context.settings.get(reminder.user_id), zone)
            db.execute(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.claimed_until == lease)
                .values(next_due_at=next_due(rule, now).at, zone=zone, claimed_until=None)
                .execution_options(synchronize_session=False)
            )
        db.commit()


@dataclass
class _Context:
    """What the claimed reminders' clients need, read in a few statements for the whole batch: time zones, titles
    and quiet hours, devices, dosing session times (metadata only) and next integration sessions."""

    zones: dict[uuid.UUID, str]
    settings: dict[uuid.UUID, ReminderSettings]
    devices: dict[uuid.UUID, list[tuple[uuid.UUID, Device]]]
    doses: dict[uuid.UUID, list[dt.datetime]]
    sessions: dict[uuid.UUID, dt.datetime]

    @classmethod
    def load(cls, db: Session, batch: list[Reminder], now: dt.datetime, services: tuple[str, ...]) -> _Context:
        users = list({reminder.user_id for reminder in batch})
        zones = {
            user_id: zone for user_id, zone in db.execute(select(User.id, User.time_zone).where(User.id.in_(users)))
        }
        settings = {
            row.user_id: row for row in db.scalars(select(ReminderSettings).where(ReminderSettings.user_id.in_(users)))
        }
        devices: dict[uuid.UUID, list[tuple[uuid.UUID, Device]]] = defaultdict(list)
        for row in db.scalars(select(PushSubscription).where(PushSubscription.user_id.in_(users))):
            if endpoint_allowed(row.endpoint, services):  # a push service no longer on the list gets nothing
                devices[row.user_id].append((row.id, Device(row.endpoint, row.p256dh, row.auth)))
        course = [reminder.user_id for reminder in batch if reminder.kind == COURSE]
        doses = dose_times_of(db, course, now - DOSES_LOOK_BACK, now + dt.timedelta(days=1)) if course else {}
        eve = [reminder.user_id for reminder in batch if reminder.kind == EVE]
        sessions = service.next_sessions(db, eve, now) if eve else {}
        return cls(zones, settings, devices, doses, sessions)

    def facts(self, reminder: Reminder) -> Facts:
        return Facts(doses=self.doses.get(reminder.user_id, []), next_session_at=self.sessions.get(reminder.user_id))

    def title(self, user_id: uuid.UUID) -> str:
        settings = self.settings.get(user_id)
        return settings.title if settings is not None else service.DEFAULT_TITLE
