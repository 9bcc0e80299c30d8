"""What was sent, what the server answered, and what is there afterwards.

Every write carries a unique title (its marker) and a client-made id. A write is acknowledged when the server
answered that it was saved (201 from the outbox, 303 to the entry). Afterwards a new sign-in reads the journal
list to its end and every entry's page:

- lost: acknowledged, not found;
- duplicated: a marker found more than once (each extra copy counts);
- partial: found, but its page does not open or its text is not exactly what was sent;
- refused: never acknowledged (every attempt answered an error or failed), which is fine when nothing was
  saved half.
"""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .web import Answer, Browser, page_text, words

SAVED = (201, 303)
FINAL = (400, 403, 404, 409, 413, 422)  # answers a retry cannot change
HEADING_RE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


@dataclass
class Write:
    key: str
    title: str
    body: str
    started: float
    answers: list[str] = field(default_factory=list)
    acknowledged: float | None = None
    location: str = ""
    parts: int = 1  # photos in an upload


@dataclass
class Row:
    """One line of the closing table."""

    scenario: str
    database: str
    acknowledged: int = 0
    lost: int = 0
    duplicated: int = 0
    partial: int = 0
    refused: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # failures the counts do not show
    skipped: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.skipped or (self.lost == self.duplicated == self.partial == 0 and not self.problems)

    def add(self, other: Row) -> None:
        for name in ("acknowledged", "lost", "duplicated", "partial", "refused"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notes += other.notes
        self.problems += other.problems


class Ledger:
    """Every write of a scenario and every answer it got, by phase ("before", "full", "after", ...)."""

    def __init__(self, label: str):
        self.label = label
        self.writes: list[Write] = []
        self.answers: Counter[tuple[str, str]] = Counter()
        self.phase = "run"
        self.latencies: list[tuple[str, float]] = []
        self.samples: dict[str, str] = {}  # an error status -> the heading of the page that came with it
        self._lock = threading.Lock()

    def new(self, body_words: int) -> Write:
        write = Write(uuid.uuid4().hex, f"{self.label} {uuid.uuid4().hex}", words(body_words), time.monotonic())
        with self._lock:
            self.writes.append(write)
        return write

    def note_answer(
        self, write: Write | None, answer: Answer, seconds: float, sample: bool = True, phase: str | None = None
    ) -> str:
        """Count an answer under the phase its request was sent in (now, unless given)."""
        with self._lock:
            phase = phase or self.phase
            self.answers[(phase, answer.label)] += 1
            if sample and answer.status is not None and answer.status >= 400 and answer.label not in self.samples:
                self.samples[answer.label] = heading(answer.body)
            self.latencies.append((phase, seconds))
            if write is not None:
                write.answers.append(answer.label)
        return phase

    def acknowledged(self, before: float | None = None) -> list[Write]:
        return [w for w in self.writes if w.acknowledged is not None and (before is None or w.acknowledged < before)]

    def answer_summary(self) -> str:
        """ "phase: 201×40 503×3; ..." in the order the phases came."""
        phases: dict[str, list[str]] = {}
        for (phase, label), count in sorted(self.answers.items(), key=lambda item: item[0][1]):
            phases.setdefault(phase, []).append(f"{label}×{count}")
        order = list(dict.fromkeys(phase for phase, _ in self.answers))
        return "; ".join(f"{phase}: {' '.join(phases[phase])}" for phase in order)

    def sample_summary(self) -> str:
        """What the error pages said, one heading per status."""
        return ", ".join(f'{label} "{text}"' for label, text in sorted(self.samples.items()))


def heading(body: str) -> str:
    found = HEADING_RE.search(body or "")
    text = page_text(found.group(1)) if found else page_text(body or "")[:60]
    return text or "(empty)"


class Writers:
    """Threads that each write new entries in a loop, retrying a failed one with the same client-made id
    (as the phone's outbox does) until it is acknowledged, refused for good, or `give_up` seconds pass."""

    def __init__(
        self,
        browser: Browser,
        ledger: Ledger,
        count: int,
        *,
        body_words: tuple[int, int] = (20, 200),
        pause: float = 0.25,
        give_up: float = 8.0,
        retry_pause: float = 0.5,
    ):
        self.browser, self.ledger, self.count = browser, ledger, count
        self.body_words, self.pause, self.give_up, self.retry_pause = body_words, pause, give_up, retry_pause
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(count)]

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=self.give_up + 40)

    def _run(self, number: int) -> None:
        client = self.browser.clone()
        rng = random.Random(number)
        outbox = number % 2 == 0  # half write as the outbox does, half as a form in a browser
        while not self.stopping.is_set():
            self.send(client, self.ledger.new(rng.randint(*self.body_words)), outbox)
            time.sleep(self.pause)

    def send(self, client: Browser, write: Write, outbox: bool) -> None:
        while True:
            started, phase = time.monotonic(), self.ledger.phase
            answer = client.create_entry(write.key, write.title, write.body, outbox)
            self.ledger.note_answer(write, answer, time.monotonic() - started, phase=phase)
            if answer.status in SAVED:
                write.acknowledged, write.location = time.monotonic(), answer.location
                return
            if answer.status in FINAL or answer.status == 302 or time.monotonic() - write.started > self.give_up:
                return
            time.sleep(self.retry_pause)


def verify_entries(
    reader: Browser,
    ledger: Ledger,
    row: Row,
    *,
    acknowledged_before: float | None = None,
    known: set[str] = frozenset(),
) -> Row:
    """Read everything back through `reader` (signed in anew) and count into `row`.

    `acknowledged_before`: only writes acknowledged before this moment must be there (a backup's start);
    `known`: titles written before the scenario, not counted.
    """
    listed = reader.all_entries()
    found: dict[str, list[str]] = {}
    for entry_id, title in listed:
        found.setdefault(title, []).append(entry_id)
    writes = {write.title: write for write in ledger.writes}
    must = ledger.acknowledged(acknowledged_before)
    row.acknowledged += len(must)
    row.lost += sum(1 for write in must if write.title not in found)
    row.duplicated += sum(len(ids) - 1 for title, ids in found.items() if len(ids) > 1)
    row.refused += sum(1 for write in ledger.writes if write.acknowledged is None)
    strangers = [title for title in found if title not in writes and title not in known]
    if strangers:
        row.problems.append(f"{len(strangers)} entries nobody wrote")
    unanswered = sum(1 for write in ledger.writes if write.acknowledged is None and write.title in found)
    if unanswered:
        row.notes.append(f"{unanswered} saved without an answer (kept once)")
    checks = [(entry_id, writes[title]) for title, ids in found.items() if title in writes for entry_id in ids]
    row.partial += sum(1 for _entry_id, ok in read_pages(reader, checks, entry_ok) if not ok)
    return row


def entry_ok(client: Browser, entry_id: str, write: Write) -> bool:
    """Does the entry's page open and show exactly what was sent?"""
    status, title, body = client.read_entry(entry_id)
    return status == 200 and title == write.title and body == " ".join(write.body.split())


def read_pages(reader: Browser, checks: list, check, threads: int = 4) -> list[tuple[str, bool]]:
    """`check(client, id, expected)` for each (id, expected), a few at a time, each thread its own connection."""
    local = threading.local()

    def one(item) -> tuple[str, bool]:
        record_id, expected = item
        if not hasattr(local, "client"):
            local.client = reader.clone()
        return record_id, check(local.client, record_id, expected)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, checks))
