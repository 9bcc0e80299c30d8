"""Server time of the therapist's clients list at a practice's size: 50 clients, each sharing 200 records.

Run from the project root:  .venv/bin/python bench/caseload.py   (or: make bench)

For each database: a therapist linked with CLIENTS clients, each sharing SHARED records of mixed kinds (bench/desk.py's
plan: check-ins most days, entries, weekly questionnaires, a dosing session every two weeks, photos), written through
each kind's own service and shared one by one. Then GET /desk (the list in the order of what needs attention, each row
with its flags, mood line, course position, last check-in and next session) and a baseline GET /help, interleaved,
through Flask's test client in this process; medians, and the SQL statements one GET /desk sends. PostgreSQL is a
throwaway server started here from the machine's binaries. CASELOAD_CLIENTS and CASELOAD_SHARED change the size.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import os  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from bench.common import on_both_databases, print_medians  # noqa: E402
from bench.desk import fill  # noqa: E402
from journal import create_app  # noqa: E402
from tests.support import FAST_KDF, WebClient, statements  # noqa: E402

CLIENTS = int(os.environ.get("CASELOAD_CLIENTS", "50"))
SHARED = int(os.environ.get("CASELOAD_SHARED", "200"))
RUNS = 9
LIST = f"GET /desk ({CLIENTS} clients x {SHARED} shared)"
BASELINE = "GET /help (baseline)"


def statements_of_desk(app, doc: WebClient) -> int:
    """How many SQL statements one GET /desk sends."""
    with statements(app) as (seen, _commits):
        assert doc.get("/desk").status_code == 200
    return len(seen)


def run(kind: str, url: str, workdir: Path) -> dict[str, list[float]]:
    limits = {"SIGNUPS_PER_ADDRESS_PER_HOUR": CLIENTS + 5, "INVITES_PER_THERAPIST_PER_HOUR": CLIENTS + 5}
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": workdir / kind, **FAST_KDF, **limits})
    doc = WebClient(app.test_client())
    doc.sign_up("doc@example.org", role="therapist")
    rng = random.Random(19)
    started = time.perf_counter()
    for number in range(CLIENTS):
        email = f"client{number}@example.org"
        WebClient(app.test_client()).sign_up(email, name=f"Client {number:02d}")
        page = doc.post("/desk/invites").get_data(as_text=True)
        code = page.split("data-invite-code>", 1)[1].split("<", 1)[0]
        fill(app, email, SHARED, "doc@example.org", code, rng)
    print(f"{kind}: {CLIENTS} clients x {SHARED} shared records written in {time.perf_counter() - started:.0f} s")
    body = doc.get("/desk").get_data(as_text=True)
    assert body.count('class="card desk-client"') == CLIENTS
    print(f"{kind}: one GET /desk sends {statements_of_desk(app, doc)} SQL statements")
    times: dict[str, list[float]] = {LIST: [], BASELINE: []}
    for _ in range(RUNS):
        for name, path in ((LIST, "/desk"), (BASELINE, "/help")):
            begun = time.perf_counter()
            assert doc.get(path).status_code == 200
            times[name].append((time.perf_counter() - begun) * 1000)
    app.extensions["db_engine"].dispose()
    return times


def main() -> None:
    started = time.perf_counter()
    results = on_both_databases(run, "journal-bench-caseload-")
    print_medians(f"The clients list: server time through the test client, median of {RUNS}", results, BASELINE)
    print(f"(whole run {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
