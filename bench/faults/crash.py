"""The server process goes away under writers: kill -9 of everything, or a graceful reload (SIGHUP)."""

from __future__ import annotations

import time

from .base import Context, check_entries, running, signed_up, wait_until
from .ledger import Ledger, Row, Writers

KILLS = 2
RELOADS = 3


def kill9(ctx: Context) -> list[Row]:
    """SIGKILL to the gunicorn master and its workers at once under 10 writers, a restart, twice; writers
    carry on (retrying what got no answer with the same id) and everything is read back."""
    row = Row("kill -9 under writers", ctx.kind)
    server = ctx.server("kill9", ctx.database("kill9"))
    ledger = Ledger("kill9")
    restarts = []
    with running(server):
        email = ctx.email("kill9")
        client = signed_up(server, email)
        with Writers(client, ledger, 10, give_up=20):
            time.sleep(3)
            for n in range(1, KILLS + 1):
                ledger.phase = f"killed {n}"
                processes = server.kill9()
                started = time.monotonic()
                server.start()
                restarts.append(time.monotonic() - started)
                ledger.phase = f"after {n}"
                time.sleep(3)
        check_entries(server, email, ledger, row)
    row.notes.append(
        f"{KILLS} kills of {processes} processes; restarts took "
        + ", ".join(f"{seconds:.1f} s" for seconds in restarts)
    )
    return [row]


def reload(ctx: Context) -> list[Row]:
    """Three SIGHUPs to the gunicorn master under 6 writers: new workers take over, old ones finish."""
    row = Row("graceful reload (3x HUP)", ctx.kind)
    server = ctx.server("reload", ctx.database("reload"))
    ledger = Ledger("reload")
    replaced = 0
    with running(server):
        email = ctx.email("reload")
        client = signed_up(server, email)
        with Writers(client, ledger, 6, give_up=10):
            time.sleep(2)
            for n in range(1, RELOADS + 1):
                before = set(server.workers())
                ledger.phase = f"reload {n}"
                server.reload()
                if wait_until(
                    lambda before=before: before.isdisjoint(server.workers()) and len(server.workers()) >= 2, 30
                ):
                    replaced += 1
                time.sleep(2)
            ledger.phase = "after"
            time.sleep(1)
        check_entries(server, email, ledger, row)
    row.notes.append(f"workers replaced on {replaced} of {RELOADS} reloads")
    if replaced < RELOADS:
        row.problems.append("old workers still running after a reload")
    return [row]
