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
