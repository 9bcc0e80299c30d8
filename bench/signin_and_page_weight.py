"""Sign-in cost with the production Argon2id parameters, the first load of the sign-in page and Today, and the
weight and speed of the journal list.

Run from the project root:  .venv/bin/python bench/signin_and_page_weight.py   (or: make bench)

Everything runs in this process through Flask's test client, on a temporary SQLite database that is
deleted at the end; nothing is written anywhere else. The machine may be noisy, so the figures are
medians of interleaved runs and ratios against a baseline measured in the same run.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the project: this script writes only to its temp dir

import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from html.parser import HTMLParser  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import brotli  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id  # noqa: E402

from journal import create_app  # noqa: E402
from journal.cli import upgrade_database  # noqa: E402
from journal.config import DEFAULTS  # noqa: E402
from tests.first_load import ACCEPT_BROTLI, BUDGET, first_load  # noqa: E402

PASSWORD = "a calm lake at dawn"
EMAIL = "bench-client@example.com"
SIGNIN_RUNS = 10
PAGE_RUNS = 30
ENTRIES = 20

# The production defaults, given explicitly so VAULT_KDF_* in the environment cannot weaken them.
PRODUCTION_KDF = {
    key: DEFAULTS[key]
    for key in (
        "VAULT_KDF_MEMORY_KIB",
        "VAULT_KDF_ITERATIONS",
        "VAULT_KDF_MIN_MEMORY_KIB",
        "VAULT_KDF_MIN_ITERATIONS",
        "VAULT_KDF_CONCURRENCY",
    )
}

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CLIENT_KEY_RE = re.compile(r'name="client_key" value="([^"]+)"')

SENTENCES = [
    "The music carried me further than I expected, and for a while I was not sure where my body ended.",
    "I kept returning to the image of the house by the river where we spent the summers when I was small.",
    "There was a moment of fear near the start, but when I breathed into it, it softened into something like grief.",
    "My therapist asked what I wanted to bring back with me, and the only word that came was patience.",
    "Today at work I noticed the old tightness in my chest and remembered that I do not have to obey it.",
    "I slept badly for two nights afterwards, which surprised me, since the session itself felt so gentle.",
    "Walking to the bus this morning the light on the wet pavement looked almost unbearably beautiful.",
    "I wrote a letter to my father that I will probably never send, and it helped more than I can explain.",
    "Some of the insight has already faded; what stays is a feeling that I am allowed to take up space.",
    "I want to remember that the critical voice sounded small and tired, not powerful, when I finally listened to it.",
    "We talked about integration as something slow, more like tending a garden than fixing a machine.",
    "I cried at the end without knowing why, and it did not feel like sadness so much as relief.",
    "My partner said I seemed calmer this week; I noticed it mostly in how I answered emails.",
    "The breathing practice is easier in the evening, when the house is quiet and nobody needs anything from me.",
    "I am trying not to turn this into another project to succeed at, which is harder than it sounds.",
    "A memory of my grandmother's hands came up, floury and warm, and I stayed with it for a long time.",
    "Next session I would like to look at the anger that showed up on Tuesday and went away too quickly.",
    "It is strange how ordinary everything looks on the outside while something has shifted underneath.",
    "I noticed I was holding my breath in the meeting again and let it go, and nobody noticed but me.",
    "The body scan was uncomfortable at first, then my feet felt heavy and rooted, like old trees.",
    "I do not want to lose the sense that people are mostly doing their best, even when they hurt me.",
    "There were colours I do not have names for, and a long stretch where nothing at all seemed to happen.",
    "Going for a swim helped; the cold water brought me right back into the present.",
    "I made a list of small things that help: tea, the blue notebook, calling my sister, the park at dusk.",
]
TITLES = [
    "After the second session",
    "A quiet morning",
    "The river house",
    "Tuesday's anger",
    "Letter I won't send",
    "Notes before therapy",
    "Sleep and dreams",
    "Walking home",
    "What stayed",
    "Grandmother's hands",
]


# --- helpers ---------------------------------------------------------------------------------------


class Browser:
    """A Flask test client that fills forms the way a browser does, CSRF token included."""

    def __init__(self, app):
        self.client = app.test_client()
        self.token: str | None = None

    def get(self, url: str):
        response = self.client.get(url)
        found = CSRF_RE.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, url: str, data: dict):
        if self.token is None:
            self.get("/signin")
        response = self.client.post(url, data={"csrf_token": self.token, **data})
        found = CSRF_RE.search(response.get_data(as_text=True))
        if found:  # signing in and up renew the token: the page answered carries the next one
            self.token = found.group(1)
        elif response.status_code in (302, 303):
            self.token = None
        return response


def expect(response, status: int, what: str):
    if response.status_code != status:
        raise SystemExit(f"bench: {what} answered {response.status_code}, expected {status}")
    return response


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def entry_text(rng: random.Random) -> tuple[str, str]:
    """A title and a paragraph or two of plain prose."""
    paragraphs = []
    for _ in range(rng.choice((1, 2, 2))):
        paragraphs.append(" ".join(rng.sample(SENTENCES, rng.randint(3, 6))))
    return rng.choice(TITLES), "\n\n".join(paragraphs)


class Assets(HTMLParser):
    """Stylesheets (link rel=stylesheet href) and scripts (script src) a page references."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and "stylesheet" in (attributes.get("rel") or "").lower().split() and attributes.get("href"):
            self.found.append(("css", attributes["href"]))
        elif tag == "script" and attributes.get("src"):
            self.found.append(("js", attributes["src"]))


def same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc or parts.netloc in {"localhost", "127.0.0.1"}


# --- the measurements ------------------------------------------------------------------------------


def sign_in_timings(app) -> tuple[list[float], list[float]]:
    """SIGNIN_RUNS full POST /signin requests and as many bare Argon2id runs, interleaved."""
    memory, iterations = PRODUCTION_KDF["VAULT_KDF_MEMORY_KIB"], PRODUCTION_KDF["VAULT_KDF_ITERATIONS"]
    secret = PASSWORD.encode("utf-8")

    def bare_kdf() -> float:
        kdf = Argon2id(salt=os.urandom(16), length=32, iterations=iterations, lanes=1, memory_cost=memory)
        started = time.perf_counter()
        kdf.derive(secret)
        return time.perf_counter() - started

    def sign_in() -> float:
        browser = Browser(app)  # a new browser each time: no session cookie, a fresh CSRF token
        expect(browser.get("/signin"), 200, "GET /signin")
        started = time.perf_counter()
        response = browser.post("/signin", {"email": EMAIL, "password": PASSWORD, "next": "/"})
        elapsed = time.perf_counter() - started
        expect(response, 302, "POST /signin")
        return elapsed

    bare_kdf(), sign_in()  # warm-up, not counted
    signins, bare = [], []
    for run in range(SIGNIN_RUNS):  # A B B A ...: neither kind always goes first
        if run % 2:
            signins.append(sign_in())
            bare.append(bare_kdf())
        else:
            bare.append(bare_kdf())
            signins.append(sign_in())
    return signins, bare


def page_weight(browser: Browser) -> list[tuple[str, str, int, int]]:
    """The /entries HTML and every same-origin stylesheet and script it references: (kind, url, bytes, bytes as
    sent to a browser that takes Brotli)."""
    page = expect(browser.client.get("/entries", headers=ACCEPT_BROTLI), 200, "GET /entries")
    html = page.get_data()
    if page.headers.get("Content-Encoding"):
        raise SystemExit("bench: /entries came compressed; pages never should (BREACH)")
    shown = html.count(b'class="entry-item"')
    if shown != ENTRIES:
        raise SystemExit(f"bench: /entries lists {shown} entries, expected {ENTRIES}")
    resources = [("html", "/entries", len(html), len(html))]
    parser = Assets()
    parser.feed(html.decode("utf-8"))
    for kind, url in parser.found:
        if not same_origin(url):
            continue
        response = expect(browser.client.get(url, headers=ACCEPT_BROTLI), 200, f"GET {url}")
        sent = response.get_data()
        body = brotli.decompress(sent) if response.headers.get("Content-Encoding") == "br" else sent
        resources.append((kind, url, len(body), len(sent)))
        response.close()
    return resources


def request_timings(browser: Browser) -> tuple[list[float], list[float]]:
    """GET /entries and GET /help, PAGE_RUNS each, interleaved, same signed-in browser."""

    def timed(url: str) -> float:
        started = time.perf_counter()
        response = browser.client.get(url)
        response.get_data()
        elapsed = time.perf_counter() - started
        expect(response, 200, f"GET {url}")
        return elapsed

    timed("/entries"), timed("/help")  # warm-up: templates compiled, caches filled
    entries, help_page = [], []
    for _ in range(PAGE_RUNS):
        entries.append(timed("/entries"))
        help_page.append(timed("/help"))
    return entries, help_page


# --- output ----------------------------------------------------------------------------------------


def short(url: str) -> str:
    return url.split("?", 1)[0]


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="journal-bench-") as workdir:
        database = f"sqlite:///{Path(workdir) / 'journal.sqlite3'}"
        upgrade_database(database)
        app = create_app({"DATABASE_URL": database, "INSTANCE_PATH": str(Path(workdir) / "instance"), **PRODUCTION_KDF})
        try:
            client = Browser(app)
            expect(client.get("/signup"), 200, "GET /signup")
            expect(
                client.post(
                    "/signup",
                    {"email": EMAIL, "password": PASSWORD, "confirm": PASSWORD, "role": "client", "time_zone": "UTC"},
                ),
                200,
                "POST /signup",
            )
            expect(client.post("/recovery-code/saved", {"saved": "yes"}), 302, "POST /recovery-code/saved")

            signins, bare = sign_in_timings(app)

            rng = random.Random(20)
            for _ in range(ENTRIES):
                page = expect(client.get("/entries/new"), 200, "GET /entries/new").get_data(as_text=True)
                title, body = entry_text(rng)
                key = CLIENT_KEY_RE.search(page).group(1)
                expect(client.post("/entries", {"client_key": key, "title": title, "body": body}), 303, "POST /entries")
            resources = page_weight(client)
            first_visits = {
                "sign-in (/signin)": first_load(app.test_client(), "/signin"),
                f"Today (/, a client with {ENTRIES} entries)": first_load(client.client, "/"),
            }
            entries_times, help_times = request_timings(client)
        finally:
            app.extensions["db_engine"].dispose()

    memory, iterations = PRODUCTION_KDF["VAULT_KDF_MEMORY_KIB"], PRODUCTION_KDF["VAULT_KDF_ITERATIONS"]
    rule = "-" * 72
    print(
        f"Sign-in with production Argon2id ({memory // 1024} MiB, {iterations} iterations, 1 lane),"
        f" {SIGNIN_RUNS} runs each, interleaved"
    )
    print(rule)
    print(f"{'':<34}{'median':>12}{'min':>12}{'max':>12}")
    for label, samples in (("POST /signin (test client)", signins), ("bare Argon2id derive()", bare)):
        print(f"{label:<34}{median_ms(samples):>9.1f} ms{min(samples) * 1000:>9.1f} ms{max(samples) * 1000:>9.1f} ms")
    print(f"{'ratio median sign-in / median KDF':<34}{statistics.median(signins) / statistics.median(bare):>10.2f}x")
    pairs = statistics.median(a / b for a, b in zip(signins, bare, strict=False))
    print(f"{'(median of the per-pair ratios)':<34}{pairs:>10.2f}x")
    print(
        f"{'sign-in work beyond the KDF':<34}{median_ms(signins) - median_ms(bare):>9.1f} ms"
        "  (medians' difference; noise can make it negative)"
    )
    print()

    print(f"First load, as sent to a browser that takes Brotli (budget {BUDGET / 1024:.0f} KB each)")
    print(rule)
    for label, fetched in first_visits.items():
        total = sum(item.total for item in fetched)
        verdict = "PASS" if total <= BUDGET else "MISS"
        print(f"{label:<44}{total:>12,} bytes  {total / 1024:>5.1f} KB  {verdict}")
        for item in fetched:
            print(
                f"  {short(item.url):<36}{item.kind:<9}{item.encoding or '-':<5}{item.body:>9,} + {item.headers:>4,} headers"
            )
    print("Bodies as sent (pages never compressed), with the status line and headers the app writes; the server")
    print("adds about 70 bytes a response (Date, Server, Connection). What is counted: tests/first_load.py.")
    print()

    print(f"Page weight of /entries for a client with {ENTRIES} entries")
    print(rule)
    print(f"{'resource':<38}{'type':<6}{'bytes':>12}{'as sent':>14}")
    total_raw = total_sent = 0
    for kind, url, size, sent in resources:
        total_raw, total_sent = total_raw + size, total_sent + sent
        print(f"{short(url):<38}{kind:<6}{size:>12,}{sent:>14,}")
    print(f"{'total (' + str(len(resources)) + ' resources)':<44}{total_raw:>12,}{total_sent:>14,}")
    print("As sent: to a browser that takes Brotli (static files are compressed by the app; pages never are).")
    print()

    print(f"Request time through the test client, median of {PAGE_RUNS} each, interleaved")
    print(rule)
    print(f"{'':<34}{'median':>12}{'min':>12}{'max':>12}")
    for label, samples in ((f"GET /entries ({ENTRIES} entries)", entries_times), ("GET /help (baseline)", help_times)):
        print(f"{label:<34}{median_ms(samples):>9.2f} ms{min(samples) * 1000:>9.2f} ms{max(samples) * 1000:>9.2f} ms")
    ratio = statistics.median(entries_times) / statistics.median(help_times)
    print(f"{'ratio median /entries / /help':<34}{ratio:>10.2f}x")
    print()
    print(f"(whole run {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
