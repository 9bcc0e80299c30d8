"""What the benchmarks share: run a measurement on SQLite and on a throwaway PostgreSQL, print medians."""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from journal.cli import upgrade_database
from tests.postgres import PostgresServer
from tests.support import free_port

Times = dict[str, list[float]]


def on_both_databases(run: Callable[[str, str, Path], Times], prefix: str) -> dict[str, Times]:
    """`run(kind, database_url, workdir)` on a migrated SQLite file, then on a fresh PostgreSQL server."""
    results: dict[str, Times] = {}
    with tempfile.TemporaryDirectory(prefix=prefix) as temp:
        workdir = Path(temp)
        sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        upgrade_database(sqlite_url)
        results["SQLite"] = run("sqlite", sqlite_url, workdir)
        server = PostgresServer(free_port()).init()
        try:
            server.start()
            name = server.create_database("bench")
            upgrade_database(server.url(name))
            results["PostgreSQL"] = run("postgresql", server.url(name), workdir)
        finally:
            server.remove()
    return results


def print_medians(title: str, results: dict[str, Times], baseline: str, width: int = 36) -> None:
    """Median, min and max of each request, and its ratio to the baseline measured in the same run."""
    print(title)
    print("-" * (width + 50))
    print(f"{'database':<12}{'request':<{width}}{'median':>10}{'min':>10}{'max':>10}{'x base':>8}")
    for kind, times in results.items():
        base = statistics.median(times[baseline])
        for name, values in times.items():
            median = statistics.median(values)
            print(
                f"{kind:<12}{name:<{width}}{median:>8.2f}ms{min(values):>8.2f}ms{max(values):>8.2f}ms"
                f"{median / base:>7.2f}x"
            )


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` percent of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share / 100 * len(ordered)) - 1))]


WORDS = (
    "light river breath grief patience music chest letter summer colour warmth fear quiet held "
    "walk window morning father body space"
).split()


def write_record(db, keyring, kind: str, at, rng, *, photo=None, answer=None, mood=(2, 9), written_at=None):
    """One record of `kind` ("dose", "intention", "checkin", "entry", "art" or a questionnaire's name), written
    through its own service so it is sealed as in use; returns its id. `answer(rng)` gives each questionnaire
    item's value (default 0-2), `mood` the check-in's range, `written_at` when a dose was recorded (default `at`)."""
    import uuid

    from journal.art import service as art
    from journal.checkins import service as checkins
    from journal.dosing import service as dosing
    from journal.entries import service as entries
    from journal.intentions import service as intentions
    from journal.measures import service as measures
    from journal.measures.instruments import INSTRUMENTS

    key = uuid.uuid4().hex
    if kind == "dose":
        dose = dosing.DoseInput(at, "nasal", "music", "warm", ())
        return dosing.create_dose(db, keyring, key, dose, written_at or at)
    if kind == "intention":
        return intentions.create_intention(db, keyring, key, "to meet what comes with kindness", at)
    if kind == "checkin":
        fields = {"mood": str(rng.randint(*mood)), "anxiety": str(rng.randint(0, 8))}
        data, _ = checkins.clean_checkin(fields, ["calm", "tired"])
        return checkins.create_checkin(db, keyring, key, data, at)
    if kind == "entry":
        body = " ".join(rng.choices(WORDS, k=rng.randint(40, 120)))
        data, _ = entries.clean_entry(f"Day note {at:%Y-%m-%d %H}", body)
        return entries.create_entry(db, keyring, key, data, at)
    if kind == "art":
        return art.add_photos(db, keyring, key, [(0, photo)], art.Details("after the session", None), at)[0]
    instrument = INSTRUMENTS[kind]
    answers = {n: (answer or (lambda r: r.randint(0, 2)))(rng) for n in instrument.numbers}
    return measures.create_measure(db, keyring, key, instrument, answers, None, at)
