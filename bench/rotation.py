"""Time of "Rotate my keys" for a client with 1,000 records: the whole rotation and the time per record.

Run from the project root:  .venv/bin/python bench/rotation.py   (or: make bench)

For each database: a therapist and a client linked with them; the client's 1,000 records (journal
entries and check-ins, a photo of art every 100th) written through each kind's own service, every
third one shared, plus a few drafts. Then the rotation as the page runs it: started with the password
(one Argon2id run at the test parameters), re-keyed in batches of the default size, each committed,
and the last transaction with its row-count check, in this process. Each run rotates the keys the
previous run made. Medians of RUNS runs; PostgreSQL is a throwaway server started here.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.common import on_both_databases  # noqa: E402
from journal import create_app  # noqa: E402
from journal.account_security import rotation  # noqa: E402
from journal.db import get_db, utcnow  # noqa: E402
from journal.models import AuthSession  # noqa: E402
from tests import rotation_support as support  # noqa: E402
from tests.support import FAST_KDF, PASSWORD, WebClient  # noqa: E402

RECORDS = 1000
RUNS = 3
CLIENT, THERAPIST = "client@example.org", "doc@example.org"


def run(kind: str, url: str, workdir: Path) -> dict[str, list[float]]:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": workdir / f"instance-{kind}", **FAST_KDF})
    WebClient(app.test_client()).sign_up(CLIENT)
    WebClient(app.test_client()).sign_up(THERAPIST, role="therapist", two_factor=False)
    link_id = support.link(app, CLIENT, THERAPIST)
    started = time.perf_counter()
    journal = support.fill(
        app, CLIENT, RECORDS, link_id=link_id, share_every=3, photo_every=100, drafts=3, markers=False
    )
    print(
        f"{kind}: {len(journal.records)} records ({len(journal.shared)} shared, {len(journal.photos)} photos) "
        f"written in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    times: dict[str, list[float]] = {"start (password checked, new key)": [], "whole rotation": [], "per record": []}
    for _ in range(RUNS):
        with app.app_context():
            db = get_db()
            user = support.user(db, CLIENT)
            session = db.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
            if session is None:  # the last run's finish ended every session: sign in again
                WebClient(app.test_client()).sign_in(CLIENT)
                session = db.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
            began = time.perf_counter()
            keyring = rotation.start(db, app.config, user, support.keyring(db, CLIENT), session, PASSWORD, utcnow())
            db.commit()
            after_start = time.perf_counter()
            status = rotation.advance(db, user, keyring, None, 3600)
            ended = time.perf_counter()
            assert status.finished and status.total == RECORDS, status
        times["start (password checked, new key)"].append((after_start - began) * 1000)
        times["whole rotation"].append((ended - began) * 1000)
        times["per record"].append((ended - began) * 1000 / RECORDS)
    app.extensions["db_engine"].dispose()
    return times


def main() -> None:
    results = on_both_databases(run, "bench-rotation-")
    print()
    print(f"Rotate my keys: {RECORDS:,} records, every third shared, a photo every 100th; median of {RUNS} runs")
    print("-" * 72)
    print(f"{'database':<12}{'step':<38}{'median':>11}{'min':>11}")
    for kind, times in results.items():
        for name, values in times.items():
            print(f"{kind:<12}{name:<38}{statistics.median(values):>9.2f}ms{min(values):>9.2f}ms")


if __name__ == "__main__":
    main()
