"""Server time of the timeline with 500 records of mixed kinds, on SQLite and on PostgreSQL.

Run from the project root:  .venv/bin/python bench/timeline_databases.py   (or: make bench)

For each database: a client with 500 records over about 200 days (a dosing session every two
weeks, three intentions, a check-in most days, journal entries, a PHQ-9 and a GAD-7 each week),
written through each kind's own service so everything is sealed exactly as in use. Then
GET /timeline (the newest page), GET /timeline?before=... (a page deep in the course),
GET /entries (the journal list) and a baseline GET /help, interleaved, 40 times each, through
Flask's test client in this process. Medians and ratios against the baseline measured in the same run.
PostgreSQL is a throwaway server started here from the machine's binaries; everything lives in
temporary folders that are removed at the end.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import random  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import on_both_databases, print_medians  # noqa: E402
from journal import create_app  # noqa: E402
from journal.db import get_db, utcnow  # noqa: E402
from journal.entries import service as entries  # noqa: E402
from tests.support import FAST_KDF, PASSWORD, WebClient  # noqa: E402

RECORDS = 500
RUNS = 40
WORDS = (
    "light river breath grief patience music chest letter summer colour warmth fear quiet held "
    "walk window morning father body space"
).split()


def fill(app, web: WebClient) -> str:
    """500 mixed records over the last ~200 days; returns a cursor 12 pages into the timeline."""
    from sqlalchemy import select

    from journal import vault
    from journal.checkins import service as checkins
    from journal.dosing import service as dosing
    from journal.intentions import service as intentions
    from journal.measures import service as measures
    from journal.measures.instruments import INSTRUMENTS
    from journal.models import User

    web.sign_up("bench@example.org")
    rng = random.Random(7)
    plan: list[tuple[str, int]] = []  # (kind, hours ago)
    for day in range(200, 0, -1):
        if day % 14 == 0:
            plan.append(("dose", day * 24 + 10))
        plan.append(("checkin", day * 24 + rng.randint(0, 12)))
        if day % 2 == 0 or day % 14 in (13, 12):
            plan.append(("entry", day * 24 + rng.randint(0, 12)))
        if day % 7 == 3:
            plan += [("phq9", day * 24 + 2), ("gad7", day * 24 + 1)]
    plan = [("intention", 205 * 24 + n) for n in range(3)] + plan
    plan = (
        plan[-RECORDS:]
        if len(plan) >= RECORDS
        else plan + [("entry", rng.randint(1, 4000)) for _ in range(RECORDS - len(plan))]
    )
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == "bench@example.org"))
        keyring = vault.unlock_with_password(user, PASSWORD)
        now = utcnow()
        for kind, hours in plan:
            at, key = now - timedelta(hours=hours), uuid.uuid4().hex
            if kind == "dose":
                dosing.create_dose(db, keyring, key, dosing.DoseInput(at, "nasal", "eye mask, music", "warm", ()), now)
            elif kind == "intention":
                intentions.create_intention(db, keyring, key, "to meet what comes with kindness", at)
            elif kind == "checkin":
                data, _ = checkins.clean_checkin(
                    {
                        "mood": str(rng.randint(2, 9)),
                        "anxiety": str(rng.randint(0, 8)),
                        "energy": str(rng.randint(1, 9)),
                    },
                    ["calm", "tired"],
                )
                checkins.create_checkin(db, keyring, key, data, at)
            elif kind == "entry":
                body = "\n\n".join(
                    " ".join(rng.choices(WORDS, k=rng.randint(30, 90))) for _ in range(rng.randint(1, 3))
                )
                data, _ = entries.clean_entry(f"Day note {hours}", body)
                entries.create_entry(db, keyring, key, data, at)
            else:
                instrument = INSTRUMENTS[kind]
                answers = {n: rng.randint(0, 2) for n in instrument.numbers}
                measures.create_measure(db, keyring, key, instrument, answers, None, at)
        db.commit()
    page = web.get("/timeline").get_data(as_text=True)
    assert page.count('class="entry-item') == 30, page.count('class="entry-item')
    cursor = None
    for _ in range(12):  # walk 12 pages down: a page from the middle of the course
        found = re.search(r'hx-get="/timeline\?before=([^"]+)"', page)
        cursor = found.group(1).replace("&amp;", "&")
        page = web.get(f"/timeline?before={cursor}", htmx=True).get_data(as_text=True)
    return cursor


def measure(web: WebClient, cursor: str) -> dict[str, list[float]]:
    urls = {
        "GET /timeline (newest 30)": ("/timeline", False),
        "GET /timeline?before= (page 13)": (f"/timeline?before={cursor}", True),
        "GET /entries (journal, 20)": ("/entries", False),
        "GET / (Today)": ("/", False),
        "GET /help (baseline)": ("/help", False),
    }
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(RUNS):
        for name, (url, htmx) in urls.items():
            started = time.perf_counter()
            response = web.get(url, htmx=htmx)
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return times


def run(kind: str, url: str, workdir: Path) -> dict[str, list[float]]:
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": workdir / kind, **FAST_KDF})
    web = WebClient(app.test_client())
    cursor = fill(app, web)
    result = measure(web, cursor)
    app.extensions["db_engine"].dispose()
    return result


def main() -> None:
    started = time.perf_counter()
    results = on_both_databases(run, "journal-bench-")
    title = (
        f"Timeline with {RECORDS} records of mixed kinds: server time through the test client, "
        f"median of {RUNS}, interleaved"
    )
    print_medians(title, results, "GET /help (baseline)", width=34)
    print(f"(whole run {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
