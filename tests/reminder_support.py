"""Many clients with a reminder due and a device each, written straight into the database (the sender's tests and
its benchmark): accounts with placeholder keys, since the sender opens nothing of anyone's."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from journal.models import PushSubscription, Reminder, User
from journal.reminders.schedule import DAILY

from .push_service import FakeDevice

_PLACEHOLDER = {
    "role": "client",
    "time_zone": "UTC",
    "offline_capture": True,
    "kdf_salt": b"s" * 16,
    "kdf_memory_kib": 1024,
    "kdf_iterations": 1,
    "kdf_lanes": 1,
    "auth_verifier": b"v" * 32,
    "uk_version": 1,
    "uk_wrap_pw": b"w" * 61,
    "recovery_salt": b"r" * 16,
    "uk_wrap_recovery": b"w" * 61,
    "x25519_pub": b"p" * 32,
    "x25519_priv_wrap": b"w" * 61,
}


def add_due_reminders(
    db: Session, new_device: Callable[[], FakeDevice], count: int, due_at: dt.datetime
) -> list[FakeDevice]:
    """`count` clients (time zone UTC), each with a daily check-in due at `due_at` and one device (made by
    `new_device`: a PushService's, or push_service.make_device for a service in another process); committed."""
    users, reminders, subscriptions, devices = [], [], [], []
    for _ in range(count):
        user_id = uuid.uuid4()
        device = new_device()
        devices.append(device)
        users.append({**_PLACEHOLDER, "id": user_id, "email": f"{user_id.hex}@example.org", "created_at": due_at})
        reminders.append(
            {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "kind": DAILY,
                "enabled": True,
                "local_time": due_at.time().replace(second=0, microsecond=0),
                "days": "",
                "zone": "UTC",
                "next_due_at": due_at,
                "updated_at": due_at,
            }
        )
        subscriptions.append(
            {
                "id": uuid.uuid4(),
                "user_id": user_id,
                "endpoint": device.endpoint,
                "p256dh": device.p256dh,
                "auth": device.auth,
                "created_at": due_at,
            }
        )
    for table, rows in ((User, users), (Reminder, reminders), (PushSubscription, subscriptions)):
        for start in range(0, len(rows), 1000):
            db.execute(insert(table), rows[start : start + 1000])
    db.commit()
    return devices
