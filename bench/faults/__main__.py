"""Run the fault scenarios against real servers and print what was acknowledged, lost, duplicated, partial.

    .venv/bin/python -m bench.faults                      # every scenario on SQLite and PostgreSQL (make faults)
    .venv/bin/python -m bench.faults --only edits         # one scenario (repeat --only for more)
    .venv/bin/python -m bench.faults --database sqlite

Needs root (tmpfs mounts; PostgreSQL runs as the postgres user) and the PostgreSQL 15 binaries (make servers).
Exits 1 when anything acknowledged was lost, duplicated or saved half, or another check failed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.dont_write_bytecode = True

from . import backup, crash, outage, races, slow, space  # noqa: E402
from .base import Context  # noqa: E402
from .ledger import Row  # noqa: E402
from .servers import ROOT, open_databases  # noqa: E402

DATABASES = ("sqlite", "postgresql")
# name -> (what it does, run(ctx) -> rows, the databases it makes sense on)
SCENARIOS = {
    "kill9": ("kill -9 of master and workers under 10 writers, restart", crash.kill9, DATABASES),
    "db-stopped": ("PostgreSQL stopped ~15 s (SQLite: write lock held 10 s)", outage.stopped, DATABASES),
    "disk-full": ("database on a small tmpfs that fills, then grows", space.disk_full, DATABASES),
    "tmp-full": ("TMPDIR full while photos are uploaded", space.tmp_full, DATABASES),
    "same-create": ("the same client_key sent 4 times at once", races.same_create, DATABASES),
    "edits": ("two edits of one version at once (entries, captions)", races.edits, DATABASES),
    "slow-uploads": ("slow uploads while another user saves (direct, then through nginx)", slow.uploads, ("sqlite",)),
    "reload": ("three SIGHUPs under writers", crash.reload, DATABASES),
    "backup": ("backup under writers, restore into a fresh database, sign in", backup.backup_restore, DATABASES),
}
NOT_ON = {"slow-uploads": "the database plays no part here (the HTTP layer); run on SQLite only"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", choices=list(SCENARIOS), help="run only this scenario")
    parser.add_argument("--database", choices=DATABASES, help="run on this database only")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("The fault scenarios mount tmpfs and run PostgreSQL as another user: run them as root.")
        return 2
    names = args.only or list(SCENARIOS)
    kinds = [args.database] if args.database else list(DATABASES)
    started = time.monotonic()
    run_dir = ROOT / "test-output" / "faults" / time.strftime("%Y%m%d-%H%M%S")
    rows: list[Row] = []
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix=f"journal-faults-{kind}-") as temp:
            workdir = Path(temp)
            os.chmod(workdir, 0o755)
            databases = open_databases(kind, workdir)
            try:
                ctx = Context(kind, databases, workdir, run_dir / "logs", secrets.token_urlsafe(48))
                for name in names:
                    rows += run_one(name, ctx)
            finally:
                databases.close()
    print()
    print(table(rows))
    print(f"\nTotal {time.monotonic() - started:.0f} s; server logs in {run_dir.relative_to(ROOT)}/logs")
    return 0 if all(row.ok for row in rows) else 1


def run_one(name: str, ctx: Context) -> list[Row]:
    title, run, kinds = SCENARIOS[name]
    if ctx.kind not in kinds:
        row = Row(name, ctx.kind, skipped=True, notes=[f"not run: {NOT_ON.get(name, 'does not apply')}"])
        print(f"[{name} / {ctx.kind}] skipped: {row.notes[0]}", flush=True)
        return [row]
    print(f"[{name} / {ctx.kind}] {title} ...", flush=True)
    started = time.monotonic()
    try:
        rows = run(ctx)
    except Exception as error:  # noqa: BLE001 - a scenario that breaks is a finding, the others still run
        traceback.print_exc()
        rows = [Row(name, ctx.kind, problems=[f"the scenario itself failed: {type(error).__name__}: {error}"])]
    seconds = time.monotonic() - started
    for row in rows:
        row.seconds = seconds / len(rows)
        print("   " + line(row), flush=True)
    return rows


def line(row: Row) -> str:
    return (
        f"{row.scenario} | {row.database} | ack {row.acknowledged} | lost {row.lost} | dup {row.duplicated} | "
        f"partial {row.partial} | refused {row.refused} | {notes(row)}"
    )


def notes(row: Row) -> str:
    parts = [f"FAIL: {problem}" for problem in row.problems] + [note for note in row.notes if note]
    if not row.skipped and (row.lost or row.duplicated or row.partial) and not row.problems:
        parts.insert(0, "FAIL")
    return "; ".join(parts).replace("|", "/")


def table(rows: list[Row]) -> str:
    out = [
        "| scenario | database | acknowledged | lost | duplicated | partial | refused | s | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        if row.skipped:
            out.append(f"| {row.scenario} | {row.database} | – | – | – | – | – | – | {notes(row)} |")
            continue
        out.append(
            f"| {row.scenario} | {row.database} | {row.acknowledged} | {row.lost} | {row.duplicated} | "
            f"{row.partial} | {row.refused} | {row.seconds:.0f} | {notes(row)} |"
        )
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
