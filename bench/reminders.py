"""The reminders' sender: how many reminders a second one sender gets out, for 10,000 due at once.

Run from the project root:  .venv/bin/python bench/reminders.py   (or: make bench)

For each database: 10,000 clients, each with a daily check-in due now and one device. The push service is
tests/push_service.py in a process of its own on 127.0.0.1, checking every message's VAPID signature and
claims as a real one would, answering 201, and leaving the payloads sealed (it holds no device's key). The
sender (`Sender.run_once`, what `flask reminders-send --once` runs) claims, encrypts to each device, signs,
posts and reschedules with the default settings (batches of 200, 8 sending threads). Each run puts the same
10,000 reminders back to due; median of RUNS runs. PostgreSQL is a throwaway server started here.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import datetime as dt  # noqa: E402
import multiprocessing  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, update  # noqa: E402

from bench.common import on_both_databases  # noqa: E402
from journal import create_app  # noqa: E402
from journal.db import utcnow  # noqa: E402
from journal.models import Reminder  # noqa: E402
from journal.reminders.sender import Sender  # noqa: E402
from tests.push_service import PushService, make_device  # noqa: E402
from tests.reminder_support import add_due_reminders  # noqa: E402

REMINDERS = 10_000
RUNS = 3


def _serve(server_key: str, pipe) -> None:
    """The push service, in its own process: says where it is, then counts what it took until told to stop."""
    service = PushService(server_key=server_key, decrypt=False)
    pipe.send(service.origin)
    pipe.recv()
    pipe.send((len(service.received), sum(1 for item in service.received if item.status == 201), service.problems[:3]))
    service.stop()


def run(kind: str, url: str, workdir: Path) -> dict[str, list[float]]:
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": workdir / f"instance-{kind}"})
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    service = multiprocessing.get_context("spawn").Process(target=_serve, args=(app.config["VAPID_PUBLIC_KEY"], theirs))
    service.start()
    origin = ours.recv()
    config = {**app.config, "PUSH_SERVICES": origin}
    sessions = app.extensions["db_sessionmaker"]
    due = utcnow().replace(microsecond=0)
    started = time.perf_counter()
    with sessions() as db:
        add_due_reminders(db, lambda: make_device(origin), REMINDERS, due)
    print(
        f"{kind}: {REMINDERS:,} clients with a reminder due, written in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    rates: list[float] = []
    for number in range(RUNS):
        with sessions() as db:
            db.execute(update(Reminder).values(next_due_at=due, claimed_until=None))
            db.commit()
        sender = Sender(sessions, config, clock=lambda: due + dt.timedelta(seconds=30))
        started = time.perf_counter()
        counts = sender.run_once()
        seconds = time.perf_counter() - started
        if counts.sent != REMINDERS:
            raise RuntimeError(f"run {number + 1} sent {counts.sent} of {REMINDERS}: {counts.words()}")
        rates.append(REMINDERS / seconds)
        print(f"  run {number + 1}: {seconds:.1f} s, {rates[-1]:,.0f} reminders/s", flush=True)
    with sessions() as db:
        left = db.scalar(select(func.count()).select_from(Reminder).where(Reminder.next_due_at <= due))
    ours.send("stop")
    received, accepted, problems = ours.recv()
    service.join(timeout=30)
    app.extensions["db_engine"].dispose()
    if left or problems or accepted != RUNS * REMINDERS:
        raise RuntimeError(f"{left} still due; the service took {accepted} of {received}; problems: {problems}")
    return {"reminders/s": rates}


def main() -> None:
    results = on_both_databases(run, "journal-bench-reminders-")
    print()
    print(f"The sender, {REMINDERS:,} reminders due at once, one device each (median of {RUNS} runs)")
    print("-" * 60)
    for kind, values in results.items():
        rates = values["reminders/s"]
        print(
            f"{kind:<12}{statistics.median(rates):>10,.0f} reminders/s   (min {min(rates):,.0f}, max {max(rates):,.0f})"
        )


if __name__ == "__main__":
    main()
