"""The database stops answering under writers, then comes back.

PostgreSQL is stopped (pg_ctl stop -m fast) for 15 s and started again. SQLite has no server to stop: another
connection holds its write lock for 10 s instead (the app's busy timeout is 15 s, so writers wait it out).
"""

from __future__ import annotations

import time

from .base import Context, check_entries, running, signed_up, wait_until
from .ledger import Ledger, Row, Writers
from .servers import SqliteDatabases, sqlite_write_lock

POSTGRES_DOWN_SECONDS = 15
SQLITE_LOCK_SECONDS = 10


def stopped(ctx: Context) -> list[Row]:
    row = Row("database stopped" if ctx.kind == "postgresql" else "database locked (SQLite)", ctx.kind)
    url = ctx.database("stopped")
    server = ctx.server("stopped", url)
    ledger = Ledger("stopped")
    with running(server):
        email = ctx.email("stopped")
        client = signed_up(server, email)
        with Writers(client, ledger, 6, give_up=30):
            time.sleep(3)
            if ctx.kind == "postgresql":
                postgres = ctx.databases.server
                ledger.phase = "stopped"
                postgres.stop()
                time.sleep(POSTGRES_DOWN_SECONDS)
                ledger.phase = "restarting"
                postgres.start()
                ledger.phase = "after"
                back = time.monotonic()
                wait_until(lambda: server_healthy(server), 30)
                row.notes.append(
                    f"PostgreSQL stopped {POSTGRES_DOWN_SECONDS} s; app healthy "
                    f"{time.monotonic() - back:.1f} s after it started"
                )
            else:
                ledger.phase = "locked"
                with sqlite_write_lock(SqliteDatabases.path(url)):
                    time.sleep(SQLITE_LOCK_SECONDS)
                ledger.phase = "after"
                row.notes.append(f"no server to stop: another connection held the write lock {SQLITE_LOCK_SECONDS} s")
            time.sleep(3)
        check_entries(server, email, ledger, row)
    slowest = {
        phase: max(seconds for p, seconds in ledger.latencies if p == phase)
        for phase in dict.fromkeys(p for p, _ in ledger.latencies)
    }
    row.notes.append("slowest answer " + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in slowest.items()))
    return [row]


def server_healthy(server) -> bool:
    import requests

    try:
        return requests.get(server.base + "/healthz", timeout=3).status_code == 200
    except requests.RequestException:
        return False
