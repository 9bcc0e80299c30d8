"""Lighthouse scores and bytes over the wire of the sign-in page, Today and the journal list, first and repeat load.

Run from the project root:  .venv/bin/python bench/lighthouse.py [--runs N]   (or: make bench)

The app runs as a real server (gunicorn, as in tests.support.live_server) on a free 127.0.0.1 port
with a fresh, migrated SQLite database holding the demo accounts of `flask demo`. Each page gets a
Chromium of its own (Debian's /usr/bin/chromium, headless, a throwaway profile, a remote-debugging
port) that Lighthouse 12 (bench/node_modules, mobile form factor, simulated throttling) drives:

  first load   Lighthouse's storage reset: HTTP cache, service workers and Cache Storage cleared
  repeat load  --disable-storage-reset right after it, so the cache and the service worker are kept

Cookies survive the reset, so for Today and the journal list the demo client signs in once through
the sign-in form in that Chromium (Playwright over CDP) and every run is checked to have ended on
the page asked for, not on the sign-in page. Bytes are the transferSize (compressed, headers
included) summed over Lighthouse's network-requests audit. With --runs N each figure is the median
of N runs. The first loads of the sign-in page and Today are held to 40 KB and listed request by request,
and no load may fetch the apple-touch icon (only Safari reads it). The JSON reports are kept in
test-output/lighthouse/. Nothing reaches the internet.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from journal import create_app  # noqa: E402
from journal.cli import upgrade_database  # noqa: E402
from journal.demo import make_demo  # noqa: E402
from tests.support import FAST_KDF, PASSWORD, free_port, live_server, running  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_PACKAGE = ROOT / "bench" / "node_modules" / "lighthouse" / "package.json"
REPORTS = ROOT / "test-output" / "lighthouse"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    *(["--no-sandbox"] if os.geteuid() == 0 else []),
]
CATEGORIES = ("performance", "accessibility", "best-practices")
DEMO_CLIENT = "client@demo.example"
LOADS = ("first", "repeat")


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    signed_in: bool


PAGES = (Page("sign-in", "/signin", False), Page("Today", "/", True), Page("journal list", "/entries", True))

# Category targets (score 0-100), and the first load of these pages (bytes over the wire, headers included).
SCORE_TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
FIRST_LOAD_BYTES = 40 * 1024
FIRST_LOAD_PAGES = ("sign-in", "Today")
NEVER_FETCHED = "apple-touch-icon"  # only Safari reads it, when adding to the home screen


@dataclass(frozen=True)
class Lost:
    """An audit that scored below 1; weight 0 means it is shown but not counted in the category score."""

    category: str
    title: str
    score: float
    weight: float
    examples: tuple[str, ...]  # what it found, for the counted audits


@dataclass
class Result:
    """One Lighthouse run: category scores 0-100, bytes and requests over the wire, audits below 1 by id."""

    scores: dict[str, float]
    transferred: int
    requests: int
    lost: dict[str, Lost]
    fetched: tuple[tuple[str, int], ...]  # (path and query, transferSize) of each request, in order


# --- the app and the browser -----------------------------------------------------------------------


@contextmanager
def demo_server(workdir: Path):
    """The app under gunicorn on a fresh, migrated SQLite database with the demo accounts; yields its base URL."""
    database = f"sqlite:///{workdir / 'journal.sqlite3'}"
    upgrade_database(database)
    app = create_app({"DATABASE_URL": database, "INSTANCE_PATH": str(workdir / "instance"), **FAST_KDF})
    try:
        with app.app_context():
            make_demo(password_for=lambda _email: PASSWORD)
    finally:
        app.extensions["db_engine"].dispose()
    with live_server(workdir, "lighthouse", database_url=database) as base:
        yield base


@contextmanager
def chromium(profile: Path):
    """A headless Chromium with its own profile and a remote-debugging port; yields the port."""
    port = free_port()
    REPORTS.mkdir(parents=True, exist_ok=True)
    with (REPORTS / "chromium.log").open("ab") as log:
        process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--remote-debugging-port={port}", f"--user-data-dir={profile}", "about:blank"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    with running(
        process,
        f"http://127.0.0.1:{port}/json/version",
        f"bench: Chromium did not start; see {REPORTS / 'chromium.log'}",
    ):
        yield port


def sign_in(port: int, base: str) -> None:
    """The demo client signs in through the form, in the Chromium on `port`: its cookie jar keeps the session."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        page = browser.contexts[0].new_page()
        page.goto(base + "/signin")
        page.fill("#email", DEMO_CLIENT)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        if page.locator("#password").count():
            raise SystemExit("bench: signing in the demo client left the browser on the sign-in page")
        page.close()


# --- Lighthouse ------------------------------------------------------------------------------------


def run_lighthouse(port: int, url: str, report: Path, keep_storage: bool) -> dict:
    """One Lighthouse run against the Chromium on `port`; returns the JSON report (also kept in `report`).

    Lighthouse now and then loses its trace (NO_NAVSTART, ...) and asks to be run again: it gets one more go.
    """
    # --chrome-flags and CHROME_PATH only count if nothing answers on the port: then Lighthouse starts its own.
    command = [
        str(LIGHTHOUSE),
        url,
        f"--port={port}",
        "--form-factor=mobile",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}",
        *(["--disable-storage-reset"] if keep_storage else []),
    ]
    for _attempt in range(2):
        done = subprocess.run(
            command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=300
        )
        if done.returncode == 0:
            break
    else:
        raise SystemExit(f"bench: Lighthouse failed twice on {url}:\n{done.stderr[-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    landed = urlsplit(data["finalDisplayedUrl"]).path
    if landed != urlsplit(url).path:
        raise SystemExit(f"bench: Lighthouse asked for {url} and ended on {data['finalDisplayedUrl']} (signed out?)")
    return data


def examples(audit: dict, limit: int = 3) -> tuple[str, ...]:
    """The first few things an audit found: a console message, an element, a URL."""
    found = []
    for item in (audit.get("details") or {}).get("items", [])[:limit]:
        node = item.get("node") or {}
        text = item.get("description") or node.get("snippet") or node.get("nodeLabel") or item.get("url")
        if text:
            where = (item.get("sourceLocation") or {}).get("url")
            found.append(f"{text} ({where})" if where else text)
    return tuple(found)


def summarise(data: dict) -> Result:
    items = data["audits"]["network-requests"]["details"]["items"]
    lost = {}
    for category in CATEGORIES:
        for ref in data["categories"][category]["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if audit["score"] is not None and audit["score"] < 1 and audit["scoreDisplayMode"] != "informative":
                lost[ref["id"]] = Lost(
                    category, audit["title"], audit["score"], ref["weight"], examples(audit) if ref["weight"] else ()
                )
    return Result(
        scores={c: data["categories"][c]["score"] * 100 for c in CATEGORIES},
        transferred=sum(item.get("transferSize") or 0 for item in items),
        requests=len(items),
        lost=lost,
        fetched=tuple((_path(item["url"]), item.get("transferSize") or 0) for item in items),
    )


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def measure_page(page: Page, base: str, runs: int, workdir: Path) -> dict[str, list[Result]]:
    """`runs` pairs of first and repeat loads of one page in one Chromium profile."""
    results: dict[str, list[Result]] = {load: [] for load in LOADS}
    slug = page.name.replace(" ", "-").lower()
    with chromium(workdir / f"profile-{slug}") as port:
        if page.signed_in:
            sign_in(port, base)
        for run in range(1, runs + 1):
            for load in LOADS:
                report = REPORTS / f"{slug}-{load}-{run}.json"
                data = run_lighthouse(port, base + page.path, report, keep_storage=load == "repeat")
                results[load].append(summarise(data))
    return results


def versions() -> str:
    lighthouse = json.loads(LIGHTHOUSE_PACKAGE.read_text(encoding="utf-8"))["version"]
    browser = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return f"Lighthouse {lighthouse}, {browser}"


# --- output ----------------------------------------------------------------------------------------

Measured = dict[str, dict[str, list[Result]]]  # page name -> load -> one Result per run


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def kb(size: float) -> str:
    return f"{size / 1024:.1f} KB"


def median_of(results: list[Result], figure) -> float:
    return statistics.median(figure(result) for result in results)


def print_scores(measured: Measured) -> None:
    print(
        f"{'page':<14}{'load':<8}{'performance':>16}{'accessibility':>16}{'best practices':>16}"
        f"{'transferred':>18}{'requests':>10}"
    )
    for name, loads in measured.items():
        for load, results in loads.items():
            cells = ""
            for category in CATEGORIES:
                score = median_of(results, lambda result, category=category: result.scores[category])
                cells += f"{score:>11.0f} {verdict(score >= SCORE_TARGETS[category])}"
            transferred = median_of(results, lambda result: result.transferred)
            held = name in FIRST_LOAD_PAGES and load == "first"
            target = verdict(transferred <= FIRST_LOAD_BYTES) if held else ""
            print(
                f"{name:<14}{load:<8}{cells}{kb(transferred):>13} {target:<4}"
                f"{median_of(results, lambda result: result.requests):>10.0f}"
            )
    print(
        f"Targets: performance >= {SCORE_TARGETS['performance']}, accessibility {SCORE_TARGETS['accessibility']},"
        f" best practices {SCORE_TARGETS['best-practices']} (every load);"
    )
    print(f"the first load of {' and '.join(FIRST_LOAD_PAGES)} <= {kb(FIRST_LOAD_BYTES)} transferred.")
    print(
        "Transferred: transferSize (compressed body + headers) summed over the network-requests audit;"
        " KB = 1,024 bytes."
    )


def print_first_loads(measured: Measured) -> None:
    """Each request of every page's first load (median transferSize over the runs), and the icon never fetched."""
    print("First load, request by request (transferSize: body as sent + headers; median over the runs)")
    for name, loads in measured.items():
        sizes: dict[str, list[int]] = {}
        for result in loads["first"]:
            for path, size in result.fetched:
                sizes.setdefault(path, []).append(size)
        print(f"  {name}")
        for path, values in sizes.items():
            print(f"    {path.split('?', 1)[0]:<40}{statistics.median(values):>9,.0f}")
    seen = {
        path
        for loads in measured.values()
        for results in loads.values()
        for result in results
        for path, _size in result.fetched
        if NEVER_FETCHED in path
    }
    print(f"  {NEVER_FETCHED} fetched by Chromium in any load: {'YES ' + ', '.join(sorted(seen)) if seen else 'no'}")


def print_repeat_savings(measured: Measured) -> None:
    print("Repeat load against first load (HTTP cache and service worker kept)")
    for name, loads in measured.items():
        first = median_of(loads["first"], lambda result: result.transferred)
        repeat = median_of(loads["repeat"], lambda result: result.transferred)
        print(f"  {name:<14}{kb(first):>10} -> {kb(repeat):>9}  ({1 - repeat / first:.0%} less)")


def lost_on_page(loads: dict[str, list[Result]]) -> dict[str, tuple[Lost, list[str]]]:
    """Each audit below 1 in any run of a page: its lowest-scoring finding and the loads it lost points in."""
    worst: dict[str, Lost] = {}
    seen_in: dict[str, list[str]] = {}
    for load, results in loads.items():
        for result in results:
            for audit_id, lost in result.lost.items():
                if audit_id not in worst or lost.score < worst[audit_id].score:
                    worst[audit_id] = lost
                if load not in seen_in.setdefault(audit_id, []):
                    seen_in[audit_id].append(load)
    return {audit_id: (lost, seen_in[audit_id]) for audit_id, lost in worst.items()}


def print_lost_points(measured: Measured) -> None:
    print("Audits that lost points, lowest score over the runs (w=0: shown by Lighthouse, not counted in the score)")
    for name, loads in measured.items():
        worst = lost_on_page(loads)
        print(f"  {name}:" + ("" if worst else " none"))
        by_weight = sorted(worst.items(), key=lambda item: (-item[1][0].weight, item[1][0].category, item[1][0].score))
        for audit_id, (lost, seen_in) in by_weight:
            print(
                f"    {lost.category:<15}{lost.score:>5.2f}  w={lost.weight:<3g} {audit_id:<34} {lost.title}"
                f"  ({'+'.join(seen_in)})"
            )
            for example in lost.examples:
                print(f"{'':<30}- {example}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="pairs of first and repeat loads per page (medians)")
    runs = parser.parse_args().runs
    if not LIGHTHOUSE.exists():
        raise SystemExit("bench: Lighthouse is missing; run `make bench/node_modules/.installed`")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="journal-lighthouse-") as temp, demo_server(Path(temp)) as base:
        measured = {page.name: measure_page(page, base, runs, Path(temp)) for page in PAGES}

    print(f"{versions()}: mobile, simulated throttling, app under gunicorn on 127.0.0.1, median of {runs} run(s)")
    print("-" * 98)
    print_scores(measured)
    print()
    print_first_loads(measured)
    print()
    print_repeat_savings(measured)
    print()
    print_lost_points(measured)
    print()
    print(f"JSON reports in {REPORTS.relative_to(ROOT)}/   (whole run {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
