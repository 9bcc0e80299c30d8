"""Search time and memory: a client's search over 1,000 and 5,000 records, on SQLite and PostgreSQL.

Run from the project root:  .venv/bin/python bench/search.py   (or: make bench)
Smaller, for a quick look:    .venv/bin/python bench/search.py --sizes 1000 --runs 3

For each database and size, a client with that many records of the kinds a search reads (journal entries of 40 to
120 words, check-ins with a note and emotion words, a dosing session every two weeks with notes, a photo each month
with a caption, three intentions), written through each kind's own service so each is sealed as in use. Then,
through Flask's test client in this process, POST /search (the whole request: reading, opening, matching, the
page) for: a common word (the first page fills within the first batch), a rare word (in one record out of 500:
the page reads on until it is full or the read cap), a word found nowhere (the worst case: every record up to
the read cap is opened and matched), and the next page of that (read on from where the cap stopped). Medians of
the runs, interleaved. Peak memory is measured apart (tracemalloc slows what it watches): the search service
alone, for the word found nowhere, each record opened in its batch and let go.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import argparse  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
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

SIZES = (1000, 5000)
RUNS = 7
RARE = "kingfisher"  # in one entry of 500
QUERIES = {"common word": "river", "rare word": RARE, "found nowhere": "zeppelin"}
NEXT = "found nowhere, next page"


def plan(count: int) -> list[tuple[str, int]]:
    """(kind, hours ago) for `count` records of the searched kinds, the newest first."""
    items: list[tuple[str, int]] = []
    day = 1
    while len(items) < count - 3:
        hours = day * 24
        items += [("checkin", hours + 3), ("entry", hours + 6)]
        if day % 14 == 0:
            items.append(("dose", hours + 10))
        if day % 30 == 1:
            items.append(("art", hours + 5))
        day += 1
    items = items[: count - 3]
    start = max(hours for _kind, hours in items) + 24
    return items + [("intention", start + n) for n in range(3)]


def fill(app, email: str, count: int, photo, rng: random.Random) -> None:
    from sqlalchemy import select

    from journal import vault
    from journal.checkins import service as checkins
    from journal.entries import service as entries
    from journal.models import User

    with app.app_context():
        db = get_db()
        keyring = vault.unlock_with_password(db.scalar(select(User).where(User.email == email)), PASSWORD)
        now = utcnow()
        for number, (kind, hours) in enumerate(sorted(plan(count), key=lambda item: -item[1])):
            at = now - timedelta(hours=hours)
            key = uuid.uuid4().hex
            if kind == "entry":
                words = rng.choices(
                    ("light", "river", "breath", "grief", "music", "window", "quiet"), k=rng.randint(40, 120)
                )
                if number % 500 == 7:
                    words.insert(rng.randint(0, len(words)), RARE)
                data, _ = entries.clean_entry(f"Day note {at:%Y-%m-%d}", " ".join(words))
                entries.create_entry(db, keyring, key, data, at)
            elif kind == "checkin":
                data, _ = checkins.clean_checkin(
                    {"mood": "6", "note": "slept a little, walked to the river"}, ["calm", "tired"]
                )
                checkins.create_checkin(db, keyring, key, data, at)
            else:
                write_record(db, keyring, kind, at, rng, photo=photo)
        db.commit()


def _post(web: WebClient, query: str, after: str | None = None) -> str:
    response = web.post("/search", {"q": query, **({"after": after} if after else {})})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def measure(clients: dict[int, WebClient], runs: int) -> Times:
    times: Times = {}
    afters: dict[int, str | None] = {}
    for size, web in clients.items():
        found = re.search(r'name="after" value="([^"]+)"', _post(web, QUERIES["found nowhere"]))
        afters[size] = found.group(1) if found else None
    for _ in range(runs):
        for size, web in clients.items():
            for name, query in QUERIES.items():
                started = time.perf_counter()
                _post(web, query)
                times.setdefault(f"{name} @{size}", []).append((time.perf_counter() - started) * 1000)
            if afters[size]:
                started = time.perf_counter()
                _post(web, QUERIES["found nowhere"], afters[size])
                times.setdefault(f"{NEXT} @{size}", []).append((time.perf_counter() - started) * 1000)
    return times


def peak_memory(app, email: str) -> float:
    """MiB at the peak of one search for a word found nowhere, the service alone."""
    from sqlalchemy import select

    from journal import vault
    from journal.models import User
    from journal.search import service

    with app.app_context():
        db = get_db()
        keyring = vault.unlock_with_password(db.scalar(select(User).where(User.email == email)), PASSWORD)
        service.search(db, keyring, "UTC", "warmup")
        tracemalloc.start()
        service.search(db, keyring, "UTC", QUERIES["found nowhere"])
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.rollback()
    return peak / 2**20


def run_with(sizes: tuple[int, ...], runs: int):
    def run(kind: str, url: str, workdir: Path) -> Times:
        from sqlalchemy import text

        from journal.art import processing
        from tests import art_images

        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": workdir / kind, **FAST_KDF})
        photo = processing.process(art_images.painting())
        rng = random.Random(5)
        clients = {}
        for size in sizes:
            web = WebClient(app.test_client())
            web.sign_up(f"searcher{size}@example.org")
            started = time.perf_counter()
            fill(app, f"searcher{size}@example.org", size, photo, rng)
            print(f"{kind}: filled {size:,} records in {time.perf_counter() - started:.1f} s", flush=True)
            clients[size] = web
        if kind == "postgresql":
            with app.extensions["db_engine"].connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        result = measure(clients, runs)
        for size in sizes:
            result[f"peak MiB, found nowhere @{size}"] = [peak_memory(app, f"searcher{size}@example.org")]
        app.extensions["db_engine"].dispose()
        return result

    return run


def report(results: dict[str, Times], sizes: tuple[int, ...], runs: int) -> None:
    from journal.search.results import BATCH, PAGE_SIZE, READ_CAP

    print(f"\nPOST /search through the test client, median of {runs} (ms); peak memory of the search service (MiB)")
    print(f"(pages of {PAGE_SIZE} results, records read in batches of {BATCH}, at most {READ_CAP:,} per request)")
    print("-" * 80)
    print(f"{'database':<12}{'search':<40}" + "".join(f"{size:>12,}" for size in sizes))
    for kind, times in results.items():
        for name in [*QUERIES, NEXT, "peak MiB, found nowhere"]:
            cells = ""
            for size in sizes:
                values = times.get(f"{name} @{size}")
                unit = "MiB" if name.startswith("peak") else "ms"
                cells += f"{statistics.median(values):>9.1f}{unit:<3}" if values else f"{'-':>12}"
            print(f"{kind:<12}{name:<40}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="record counts, smallest first")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    sizes = tuple(int(size) for size in args.sizes.split(","))
    started = time.perf_counter()
    results = on_both_databases(run_with(sizes, args.runs), "journal-bench-search-")
    report(results, sizes, args.runs)
    print(f"(whole run {time.perf_counter() - started:.1f} s; {datetime.now():%Y-%m-%d %H:%M})")


if __name__ == "__main__":
    main()
