"""The hot pages against the framework's ceiling: requests per second, as a share of a Flask hello-world.

Run from the project root:  .venv/bin/python bench/ceiling.py   (or: make bench; needs `wrk`, `make load-tool`)

For each database (a SQLite file, then a throwaway PostgreSQL started here from the machine's binaries):
one client with 20 journal entries and 5 check-ins, written through each kind's own service so
everything is sealed as in use. The app is served by gunicorn with gunicorn.conf.py's settings
(gthread, its workers and threads), and so is bench/hello_world.py, side by side. `wrk` then loads,
in turn, the hello-world and each page (with the client's session cookie), ROUND_SECONDS each, in
ROUNDS interleaved rounds. A page's ratio in a round is its requests per second over the hello-world's
in the same round; the table gives the median of the rounds. Every page is checked to answer 200 to
that cookie before and after its load, so a redirect to sign-in can never pass for a fast page.

Then the slowest page is profiled in this process (cProfile, PROFILE_REQUESTS requests through
Flask's test client) and its ten most expensive functions by own time are printed.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import contextlib  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.common import on_both_databases  # noqa: E402
from journal import create_app  # noqa: E402
from journal.db import get_db, utcnow  # noqa: E402
from tests.support import FAST_KDF, PASSWORD, WebClient, free_port, running  # noqa: E402

EMAIL = "ceiling@example.org"
ENTRIES = 20
CHECKINS = 5
ROUNDS = int(os.environ.get("CEILING_ROUNDS", 3))
ROUND_SECONDS = int(os.environ.get("CEILING_SECONDS", 5))
CONNECTIONS = 16
PROFILE_REQUESTS = 300
GOALS = {"sqlite": 0.30, "postgresql": 0.25}
HELLO = "hello-world"
ENTRY = "<one entry>"  # found after sign-in
PAGES = {"timeline": "/timeline", "Today": "/", "journal list (20)": "/entries", "one entry": ENTRY}
WORDS = (
    "light river breath grief patience music chest letter summer colour warmth fear quiet held "
    "walk window morning father body space"
).split()


def fill(app) -> None:
    """The client, their 20 entries (one to three paragraphs) and 5 check-ins over the last weeks."""
    import random

    from sqlalchemy import select

    from journal import vault
    from journal.checkins import service as checkins
    from journal.entries import service as entries
    from journal.models import User

    WebClient(app.test_client()).sign_up(EMAIL)
    rng = random.Random(3)
    with app.app_context():
        db = get_db()
        user = db.scalar(select(User).where(User.email == EMAIL))
        keyring = vault.unlock_with_password(user, PASSWORD)
        now = utcnow()
        for n in range(ENTRIES):
            body = "\n\n".join(" ".join(rng.choices(WORDS, k=rng.randint(30, 90))) for _ in range(rng.randint(1, 3)))
            data, _ = entries.clean_entry(f"Evening note {n + 1}", body)
            entries.create_entry(db, keyring, uuid.uuid4().hex, data, now - timedelta(hours=20 * n + 1))
        for n in range(CHECKINS):
            data, _ = checkins.clean_checkin(
                {"mood": str(rng.randint(3, 8)), "anxiety": str(rng.randint(1, 6)), "energy": str(rng.randint(2, 8))},
                ["calm", "tired"],
            )
            checkins.create_checkin(db, keyring, uuid.uuid4().hex, data, now - timedelta(hours=48 * n + 3))
        db.commit()


@contextlib.contextmanager
def gunicorn(app_path: str, env: dict[str, str], log: Path):
    """`app_path` under gunicorn with the production settings file; yields its base URL."""
    port = free_port()
    server_env = {**os.environ, **env, "BIND": f"127.0.0.1:{port}"}
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", app_path]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=server_env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    probe = base + ("/" if "hello" in app_path else "/help")
    with running(process, probe, f"{app_path} did not start; see {log}"):
        yield base


def sign_in(base: str) -> tuple[str, str]:
    """The Cookie header of a signed-in client, and the address of one of their entries."""
    with requests.Session() as browser:
        page = browser.get(base + "/signin").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = browser.post(
            base + "/signin",
            data={"csrf_token": token, "email": EMAIL, "password": PASSWORD, "next": "/"},
            allow_redirects=False,
        )
        assert answer.status_code in (302, 303), answer.status_code
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        journal = browser.get(base + "/entries").text
        entry = re.search(r'href="(/entries/[0-9a-f-]{36})"', journal).group(1)
    return cookie, entry


def check(url: str, cookie: str) -> None:
    answer = requests.get(url, headers={"Cookie": cookie}, allow_redirects=False, timeout=10)
    if answer.status_code != 200:
        raise RuntimeError(f"{url} answered {answer.status_code}, not the page")


def load(url: str, cookie: str | None) -> float:
    """Requests per second `wrk` reaches on `url` in ROUND_SECONDS."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{ROUND_SECONDS}s", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failures on {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def measure(kind: str, database_url: str, workdir: Path) -> dict[str, list[float]]:
    instance = workdir / f"instance-{kind}"
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": instance, **FAST_KDF})
    fill(app)
    app.extensions["db_engine"].dispose()
    env = {
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "LOG_LEVEL": "WARNING",
        **{key: str(value) for key, value in FAST_KDF.items()},
    }
    rates: dict[str, list[float]] = {}
    with (
        gunicorn("bench.hello_world:app", {}, workdir / "hello.log") as hello,
        gunicorn("wsgi:app", env, workdir / f"app-{kind}.log") as base,
    ):
        cookie, entry = sign_in(base)
        pages = {name: (entry if path == ENTRY else path) for name, path in PAGES.items()}
        targets = {HELLO: (hello + "/", None)} | {name: (base + path, cookie) for name, path in pages.items()}
        for url, with_cookie in targets.values():
            load(url, with_cookie)  # warm every worker's caches and connections
        for _ in range(ROUNDS):
            for name, (url, with_cookie) in targets.items():
                if with_cookie:
                    check(url, with_cookie)
                rates.setdefault(name, []).append(load(url, with_cookie))
                if with_cookie:
                    check(url, with_cookie)
    return rates


def profile(page: str, path: str) -> str:
    """The ten functions with the most own time over PROFILE_REQUESTS requests of `page` (SQLite, this process)."""
    import tempfile

    from journal.cli import upgrade_database

    with tempfile.TemporaryDirectory(prefix="journal-ceiling-profile-") as temp:
        workdir = Path(temp)
        database_url = f"sqlite:///{workdir / 'profile.sqlite3'}"
        upgrade_database(database_url)
        app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": workdir / "instance", **FAST_KDF})
        fill(app)
        web = WebClient(app.test_client())
        web.sign_in(EMAIL)
        if path == ENTRY:
            path = re.search(r'href="(/entries/[0-9a-f-]{36})"', web.get("/entries").get_data(as_text=True)).group(1)
        for _ in range(20):
            assert web.get(path).status_code == 200
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(PROFILE_REQUESTS):
            web.get(path)
        profiler.disable()
        elapsed = (time.perf_counter() - started) / PROFILE_REQUESTS * 1000
        app.extensions["db_engine"].dispose()
    stats = pstats.Stats(profiler, stream=io.StringIO()).stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in stats.values())
    lines = [
        f"Profile of {page} on SQLite, {PROFILE_REQUESTS} requests in this process ({elapsed:.2f} ms each under the profiler):"
    ]
    lines.append(f"{'own time':>10} {'share':>6} {'calls/req':>10}  function")
    for (filename, line, name), (_, calls, own, _cumulative, _) in sorted(
        stats.items(), key=lambda item: item[1][2], reverse=True
    )[:10]:
        where = re.sub(r".*site-packages/", "", filename.replace(str(ROOT) + "/", ""))
        lines.append(
            f"{own * 1000 / PROFILE_REQUESTS:>8.3f}ms {own / total:>6.1%} {calls / PROFILE_REQUESTS:>10.1f}  "
            f"{where}:{line}({name})"
        )
    return "\n".join(lines)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make load-tool` installs it")
    started = time.perf_counter()
    results = on_both_databases(measure, "journal-ceiling-")
    print(
        f"Pages against a Flask hello-world under the same gunicorn settings (gunicorn.conf.py), wrk "
        f"{CONNECTIONS} connections, {ROUND_SECONDS:g} s a load, median of {ROUNDS} interleaved rounds"
    )
    print("-" * 86)
    print(f"{'database':<12}{'page':<22}{'req/s':>10}{'hello req/s':>13}{'ratio':>8}{'goal':>7}  ")
    worst: tuple[float, str] | None = None
    for kind, rates in results.items():
        goal = GOALS[kind.lower()]
        for name, values in rates.items():
            if name == HELLO:
                continue
            ratios = [page / hello for page, hello in zip(values, rates[HELLO], strict=True)]
            ratio = statistics.median(ratios)
            met = "met" if ratio >= goal else "MISSED"
            print(
                f"{kind:<12}{name:<22}{statistics.median(values):>10.0f}{statistics.median(rates[HELLO]):>13.0f}"
                f"{ratio:>8.3f}{goal:>7.2f}  {met}"
            )
            if kind == "SQLite" and (worst is None or ratio < worst[0]):
                worst = (ratio, name)
    print()
    assert worst is not None
    print(profile(worst[1], PAGES[worst[1]]))
    print(f"(whole run {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
