"""Photos of art in the ledger: an upload is one write (its caption is the marker) of one or more photos.

Counted per photo: an acknowledged upload must show each of its photos once in the gallery, each opening
with the caption sent and a picture that decodes; an upload that was refused must have saved none or all.
"""

from __future__ import annotations

import threading
import time
from functools import cache

from .ledger import FINAL, SAVED, Ledger, Row, Write, read_pages
from .web import Browser, jpeg, words


@cache
def photo(megabytes: float, seed: int = 0) -> bytes:
    return jpeg(megabytes, seed)


def new_upload(ledger: Ledger, photos: int) -> Write:
    write = ledger.new(0)
    write.title = f"{write.title} {words(8)}"  # the caption: marker and a few words, one line
    write.parts = photos
    return write


def send_upload(
    client: Browser,
    ledger: Ledger,
    write: Write,
    data: list[bytes],
    give_up: float,
    retry_pause: float = 0.5,
    timeout: float = 120,
) -> None:
    """Upload with the same client-made id until saved, refused for good, or `give_up` seconds pass."""
    while True:
        started, phase = time.monotonic(), ledger.phase
        answer = client.upload(write.key, write.title, data, timeout=timeout)
        ledger.note_answer(write, answer, time.monotonic() - started, phase=phase)
        if answer.status in SAVED:
            write.acknowledged = time.monotonic()
            return
        if answer.status in FINAL or answer.status == 302 or time.monotonic() - write.started > give_up:
            return
        time.sleep(max(retry_pause, min(answer.retry_after or 0, 5)))  # "try again in 5 seconds"


def verify_photos(reader: Browser, ledger: Ledger, row: Row) -> Row:
    found: dict[str, list[str]] = {}
    for art_id, caption in reader.gallery():
        found.setdefault(caption, []).append(art_id)
    half = 0
    for write in ledger.writes:
        count = len(found.get(write.title, []))
        if write.acknowledged is not None:
            row.acknowledged += write.parts
            row.lost += max(0, write.parts - count)
        else:
            row.refused += write.parts
            if 0 < count < write.parts:
                half += 1
                row.partial += count
        row.duplicated += max(0, count - write.parts)
    if half:
        row.notes.append(f"{half} refused uploads saved in part")
    writes = {write.title: write for write in ledger.writes}
    checks = [(art_id, writes[caption].title) for caption, ids in found.items() if caption in writes for art_id in ids]
    strangers = sum(len(ids) for caption, ids in found.items() if caption not in writes)
    if strangers:
        row.problems.append(f"{strangers} photos nobody uploaded")
    row.partial += sum(1 for _art_id, ok in read_pages(reader, checks, _photo_ok) if not ok)
    return row


def _photo_ok(client: Browser, art_id: str, caption: str) -> bool:
    status, shown, opens = client.read_art(art_id)
    return status == 200 and shown == " ".join(caption.split()) and opens


class Uploaders:
    """Threads that each upload photos in a loop (1 or 2 photos of 1 to 3 MB each)."""

    def __init__(self, browser: Browser, ledger: Ledger, count: int, give_up: float = 8.0, pause: float = 0.2):
        self.browser, self.ledger, self.give_up, self.pause = browser, ledger, give_up, pause
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(count)]

    def __enter__(self) -> Uploaders:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=self.give_up + 150)

    def _run(self, number: int) -> None:
        client = self.browser.clone()
        sizes = [(0.9, 1.6), (2.5,), (1.2, 2.0)][number % 3]
        while not self.stopping.is_set():
            data = [photo(size, seed) for seed, size in enumerate(sizes)]
            self.send(client, new_upload(self.ledger, len(data)), data)
            time.sleep(self.pause)

    def send(self, client: Browser, write: Write, data: list[bytes]) -> None:
        send_upload(client, self.ledger, write, data, self.give_up)
