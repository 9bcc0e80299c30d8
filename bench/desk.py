"""Server time of the therapist's desk: a client's page and the session brief, 100 and 1000 shared records.

Run from the project root:  .venv/bin/python bench/desk.py   (or: make bench)

For each database: a therapist linked with two clients, one sharing 100 records and one sharing
1000, of mixed kinds over about a year (check-ins most days, journal entries, a PHQ-9 and a GAD-7
each week, a dosing session every two weeks, a few intentions and photos of art), written through
each kind's own service and shared one by one, so everything is sealed exactly as in use. Then
GET /desk (the clients list: open flags and a mood line per client, from the shared check-ins and
questionnaires of the last 30 days), GET /desk/clients/<id> (its first screen: the newest 40 shared
records, flags and charts of the last 30 days) and GET /desk/clients/<id>/brief (since linking: the first
screen of everything shared) for both clients, and a baseline GET /help, interleaved, through Flask's test
client in this process. bench/at_any_size.py takes the same pages to 10,000 records. Every desk read writes its access lines, as in use. Medians and ratios against the baseline of
the same run. PostgreSQL is a throwaway server started here from the machine's binaries.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import random  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import on_both_databases, print_medians, write_record  # noqa: E402
from journal import create_app  # noqa: E402
from journal.db import get_db, utcnow  # noqa: E402
from journal.desk.service import PAGE_SIZE  # noqa: E402
from tests.support import FAST_KDF, PASSWORD, WebClient  # noqa: E402

SIZES = (100, 1000)
RUNS = 12


def plan(count: int, rng: random.Random) -> list[tuple[str, int]]:
    """(kind, hours ago) for `count` records, newest last, spread over as many days as they need."""
    items: list[tuple[str, int]] = [("intention", 400 * 24 + n) for n in range(3)]
    day = 1
    while len(items) < count:
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
    return items[:count]


def fill(app, client_email: str, count: int, therapist_email: str, code: str, rng: random.Random) -> uuid.UUID:
    """A client with `count` records, all shared with the therapist; returns the client's id."""
    from sqlalchemy import select

    from journal import vault
    from journal.art import processing
    from journal.models import User
    from journal.sharing import service as sharing
    from tests import art_images

    photo = processing.process(art_images.painting())
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == client_email))
        keyring = vault.unlock_with_password(user, PASSWORD)
        now = utcnow()
        invite, therapist = sharing.find_invite(db, app.config, user, code, now)
        link = sharing.link_client(db, keyring, user, invite, therapist, [], now - timedelta(days=400), code=code)
        for kind, hours in plan(count, rng):
            record_id = write_record(db, keyring, kind, now - timedelta(hours=hours), rng, photo=photo, written_at=now)
            sharing.share(db, keyring, record_id, link, now)
        db.commit()
        return user.id


def measure(doc: WebClient, clients: dict[int, uuid.UUID]) -> dict[str, list[float]]:
    urls = {f"clients list (2 clients, {' + '.join(map(str, clients))} shared)": "/desk"}
    for size, client_id in clients.items():
        urls[f"client page, {size} shared"] = f"/desk/clients/{client_id}"
        urls[f"brief, {size} shared"] = f"/desk/clients/{client_id}/brief"
    urls["GET /help (baseline)"] = "/help"
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(RUNS):
        for name, url in urls.items():
            started = time.perf_counter()
            response = doc.get(url)
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return times


def run(kind: str, url: str, workdir: Path) -> dict[str, list[float]]:
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": workdir / kind, **FAST_KDF})
    doc = WebClient(app.test_client())
    doc.sign_up("doc@example.org", role="therapist")
    rng = random.Random(11)
    clients = {}
    for size in SIZES:
        WebClient(app.test_client()).sign_up(f"client{size}@example.org")
        page = doc.post("/desk/invites").get_data(as_text=True)
        code = page.split("data-invite-code>", 1)[1].split("<", 1)[0]
        clients[size] = fill(app, f"client{size}@example.org", size, "doc@example.org", code, rng)
    body = doc.get(f"/desk/clients/{clients[SIZES[-1]]}").get_data(as_text=True)
    assert body.count("data-record=") == PAGE_SIZE, body.count("data-record=")  # the first page
    flags = doc.get("/desk").get_data(as_text=True).count("data-flag=")
    print(f"{kind}: {flags} open flags on the clients list (random answers: item 9 and band rises happen)")
    result = measure(doc, clients)
    app.extensions["db_engine"].dispose()
    return result


def main() -> None:
    started = time.perf_counter()
    results = on_both_databases(run, "journal-bench-desk-")
    title = (
        f"Therapist's desk: server time through the test client, median of {RUNS}, interleaved "
        f"(every read writes its access lines)"
    )
    print_medians(title, results, "GET /help (baseline)", width=36)
    print(f"(whole run {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
