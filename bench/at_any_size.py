"""Pages whose data grows: do they cost the same at 100, 1,000 and 10,000 records? On SQLite and PostgreSQL.

Run from the project root:  .venv/bin/python bench/at_any_size.py   (or: make bench)
Smaller, for a quick look:    .venv/bin/python bench/at_any_size.py --sizes 100,1000 --runs 5

For each database: one therapist, and for each size a client with that many records of mixed kinds over
the days they need (a check-in most days, journal entries, a PHQ-9 and a GAD-7 each week, a dosing session
every two weeks, a photo of art each month, three intentions at the start), written through each kind's
own service and shared with the therapist as they are written (as standing shares are), so everything is
sealed, signed and verified as in use. One transaction per client, the fast key derivation of the tests
(sign-in is not measured here) and one photo processed once and uploaded each time: the fill's time is
printed. Then, interleaved, through Flask's test client in this process: the client's GET /timeline (the
first page), the therapist's GET /desk/clients/<id> (the client's page, first screen) and GET
/desk/clients/<id>/brief (the brief since linking, first screen: the whole course), and a baseline GET
/help. Every desk read writes its access lines, as in use. Medians, and the ratio of each size to the
smallest (goal: 10,000 within 1.20 of 100). PostgreSQL is a throwaway server started here.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Times, on_both_databases, write_record  # noqa: E402
from journal import create_app  # noqa: E402
from journal.db import get_db, utcnow  # noqa: E402
from tests.support import FAST_KDF, PASSWORD, WebClient  # noqa: E402

SIZES = (100, 1000, 10000)
RUNS = 15
GOAL = 1.20
REQUESTS = ("GET /timeline (client, first page)", "desk: client's page", "desk: brief since linking")
BASELINE = "GET /help (baseline)"


def plan(count: int, rng: random.Random) -> list[tuple[str, int]]:
    """(kind, hours ago) for `count` records, the newest first: the latest days look alike at every size."""
    items: list[tuple[str, int]] = []
    day = 1
    while len(items) < count - 3:
        hours = day * 24
        items.append(("checkin", hours + rng.randint(0, 12)))
        if day % 2 == 0:
            items.append(("entry", hours + rng.randint(0, 12)))
        if day % 14 == 0:
            items.append(("dose", hours + 10))
        if day % 7 == 3:
            items += [("phq9", hours + 2), ("gad7", hours + 1)]
        if day % 30 == 1:
            items.append(("art", hours + 5))
        day += 1
    items = items[: count - 3]
    start = max(hours for _kind, hours in items) + 24
    return items + [("intention", start + n) for n in range(3)]


def fill(app, therapist: WebClient, email: str, count: int, photo, rng: random.Random) -> uuid.UUID:
    """A client with `count` records, each shared with the therapist as it is written; returns the client's id."""
    from sqlalchemy import select

    from journal import vault
    from journal.models import User
    from journal.sharing import service as sharing

    items = plan(count, rng)
    page = therapist.post("/desk/invites").get_data(as_text=True)
    code = page.split("data-invite-code>", 1)[1].split("<", 1)[0]
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == email))
        keyring = vault.unlock_with_password(user, PASSWORD)
        now = utcnow()
        invite, doc = sharing.find_invite(db, app.config, user, code, now)
        linked_at = now - timedelta(hours=max(hours for _kind, hours in items) + 24)
        link = sharing.link_client(db, keyring, user, invite, doc, [], linked_at, code=code)
        for kind, hours in sorted(items, key=lambda item: -item[1]):  # oldest first, as they were written
            at = now - timedelta(hours=hours)
            record_id = write_record(
                db, keyring, kind, at, rng, photo=photo, answer=lambda r: r.choice((0, 0, 0, 1)), mood=(3, 8)
            )
            sharing.share(db, keyring, record_id, link, at)
        db.commit()
        return user.id


def measure(clients: dict[int, tuple[WebClient, uuid.UUID]], therapist: WebClient, runs: int) -> Times:
    urls: dict[str, tuple[WebClient, str]] = {}
    for size, (web, client_id) in clients.items():
        urls[f"{REQUESTS[0]} @{size}"] = (web, "/timeline")
        urls[f"{REQUESTS[1]} @{size}"] = (therapist, f"/desk/clients/{client_id}")
        urls[f"{REQUESTS[2]} @{size}"] = (therapist, f"/desk/clients/{client_id}/brief")
    urls[BASELINE] = (therapist, "/help")
    times: Times = {name: [] for name in urls}
    for _ in range(runs):
        for name, (web, url) in urls.items():
            started = time.perf_counter()
            response = web.get(url)
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return times


def run_with(sizes: tuple[int, ...], runs: int):
    def run(kind: str, url: str, workdir: Path) -> Times:
        from sqlalchemy import text

        from journal.art import processing
        from tests import art_images

        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": workdir / kind, **FAST_KDF})
        therapist = WebClient(app.test_client())
        therapist.sign_up("doc@example.org", role="therapist")
        photo = processing.process(art_images.painting())
        rng = random.Random(11)
        clients = {}
        for size in sizes:
            web = WebClient(app.test_client())
            web.sign_up(f"client{size}@example.org")
            started = time.perf_counter()
            client_id = fill(app, therapist, f"client{size}@example.org", size, photo, rng)
            print(f"{kind}: filled {size:,} records, each shared, in {time.perf_counter() - started:.1f} s", flush=True)
            clients[size] = (web, client_id)
        if kind == "postgresql":  # the statistics autovacuum keeps on a server in use, for the planner
            with app.extensions["db_engine"].connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        for web, client_id in clients.values():  # what each page shows, once, before measuring
            assert 'class="entry-item' in web.get("/timeline").get_data(as_text=True)
            assert "data-record=" in therapist.get(f"/desk/clients/{client_id}").get_data(as_text=True)
        result = measure(clients, therapist, runs)
        app.extensions["db_engine"].dispose()
        return result

    return run


def report(results: dict[str, Times], sizes: tuple[int, ...], runs: int) -> None:
    smallest, largest = sizes[0], sizes[-1]
    print(f"\nServer time through the test client, median of {runs}, interleaved; x{smallest}: against {smallest}")
    print("-" * 96)
    print(f"{'database':<12}{'request':<38}" + "".join(f"{size:>10,}" for size in sizes) + f"{'x' + str(smallest):>10}")
    missed = []
    for kind, times in results.items():
        base = statistics.median(times[BASELINE])
        for request in REQUESTS:
            medians = [statistics.median(times[f"{request} @{size}"]) for size in sizes]
            ratio = medians[-1] / medians[0]
            cells = "".join(f"{median:>8.1f}ms" for median in medians)
            print(f"{kind:<12}{request:<38}{cells}{ratio:>9.2f}x")
            if ratio > GOAL:
                missed.append(f"{kind} {request}: {ratio:.2f}x")
        print(f"{kind:<12}{BASELINE:<38}{base:>8.1f}ms")
    print(
        f"goal: {largest:,} within {GOAL:.2f}x of {smallest:,}: "
        + ("met" if not missed else "missed: " + "; ".join(missed))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="record counts, smallest first")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    sizes = tuple(int(size) for size in args.sizes.split(","))
    started = time.perf_counter()
    results = on_both_databases(run_with(sizes, args.runs), "journal-bench-at-any-size-")
    report(results, sizes, args.runs)
    print(f"(whole run {time.perf_counter() - started:.1f} s; {datetime.now():%Y-%m-%d %H:%M})")


if __name__ == "__main__":
    main()
