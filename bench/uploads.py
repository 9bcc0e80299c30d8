"""Uploads under load: photo uploads refused before and after the queue for a slot, and slow phones with and
without the proxy.

Run from the project root:  .venv/bin/python bench/uploads.py   (or: make bench)

The server is the production stack: gunicorn with gunicorn.conf.py (its defaults: 2 workers per core, 8 threads
each) on SQLite, behind nginx with deploy/nginx.conf (TLS), both started here. Argon2id is cheap here, since
signing in is not what is measured.

1. A mixed load: 50 people, each in a loop with a pause of 0.2-0.8 s: ~10% of their actions add a photo (a
   real 12-megapixel JPEG made with Pillow, ~3 MB), ~60% open a page, ~30% save an entry (open "New entry",
   send it). Once with ART_QUEUE_SECONDS=0 (a busy slot refuses at once, as before the queue), once with the
   default wait. Counted: uploads refused with 503; timed: everyone's other requests.
2. 40 phones each sending a 1 MB photo at 50 KB/s (20 s) while another person opens "New entry" and saves it,
   again and again: straight to gunicorn, then through nginx. Timed: that person's requests.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import io  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from contextlib import nullcontext  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from tests.production_stack import nginx_in_front, production_gunicorn  # noqa: E402
from tests.slow_clients import Person, slow_post, upload_body  # noqa: E402

PEOPLE = 50
MIXED_SECONDS = 30
PAGES = ("/", "/entries", "/timeline", "/art", "/checkins/new", "/entries/new")
SLOW_PHONES = 40
SLOW_BYTES = 1024 * 1024
SLOW_RATE = 50 * 1024  # bytes per second
SERVER_ENV = {"SIGNUPS_PER_ADDRESS_PER_HOUR": "1000"}


def phone_photo(seed: int, size=(4032, 3024)) -> bytes:
    """A photo-like 12 MP JPEG: a wash of colour, shapes, sensor grain (as bench/art_processing.py)."""
    from PIL import Image, ImageDraw, ImageOps

    rng = random.Random(seed)
    picture = ImageOps.colorize(
        Image.linear_gradient("L").rotate(rng.randrange(360)).resize(size), black=(40, 50, 90), white=(230, 200, 150)
    )
    draw = ImageDraw.Draw(picture)
    for _ in range(12):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(100, 900)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    picture = Image.blend(picture, Image.effect_noise(size, 40).convert("RGB"), 0.15)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=90)
    return out.getvalue()


def noise_photo(length: int, seed: int) -> bytes:
    """A JPEG of about `length` bytes (noise does not compress)."""
    from PIL import Image

    rng = random.Random(seed)
    side = int((length / 0.9) ** 0.5)
    image = Image.frombytes("RGB", (side, side * 3 // 4), rng.randbytes(side * (side * 3 // 4) * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def sign_up_many(base: str, certificate: str, count: int, label: str) -> list[Person]:
    people: list[Person] = []
    lock = threading.Lock()

    def one(number: int) -> None:
        person = Person(base, certificate).sign_up(f"{label}-{number}-{uuid.uuid4().hex[:8]}@example.org")
        person.get("/art/new")
        with lock:
            people.append(person)

    for start in range(0, count, 10):
        batch = [threading.Thread(target=one, args=(n,)) for n in range(start, min(count, start + 10))]
        for thread in batch:
            thread.start()
        for thread in batch:
            thread.join()
    return people


@dataclass
class Mixed:
    uploads: int = 0
    refused: int = 0
    saved: int = 0
    others: list[float] = field(default_factory=list)
    failures: int = 0


def mixed_load(queue_seconds: str, photos: list[bytes], workdir: Path) -> Mixed:
    result = Mixed()
    lock = threading.Lock()
    env = {**SERVER_ENV, "ART_QUEUE_SECONDS": queue_seconds}
    with production_gunicorn(workdir / f"mixed-{queue_seconds}", f"bench-mixed-{queue_seconds}", env=env) as app:
        with nginx_in_front(workdir / f"mixed-{queue_seconds}", f"bench-mixed-{queue_seconds}", app) as proxy:
            people = sign_up_many(proxy.url, proxy.certificate, PEOPLE, f"mixed{queue_seconds}")
            end = time.monotonic() + MIXED_SECONDS

            def timed(call) -> int:
                started = time.monotonic()
                response = call()
                with lock:
                    result.others.append(time.monotonic() - started)
                    result.failures += response.status_code >= 400
                return response.status_code

            def live(person: Person, rng: random.Random) -> None:
                while time.monotonic() < end:
                    roll = rng.random()
                    if roll < 0.10:
                        response = person.http.post(
                            person.base + "/art",
                            verify=person.certificate,
                            allow_redirects=False,
                            timeout=120,
                            data={
                                "csrf_token": person.token,
                                "client_key": uuid.uuid4().hex,
                                "dose_id": "none",
                                "caption": "",
                            },
                            files={"photos": ("phone.jpg", rng.choice(photos), "image/jpeg")},
                        )
                        with lock:
                            result.uploads += 1
                            result.refused += response.status_code == 503
                            result.saved += response.status_code == 303
                    elif roll < 0.70:
                        timed(lambda: person.get(rng.choice(PAGES)))
                    else:
                        page = {}
                        timed(lambda page=page, person=person: page.setdefault("r", person.get("/entries/new")))
                        key = page["r"].text.split('name="client_key" value="')[1].split('"')[0]
                        timed(
                            lambda person=person, key=key: person.post(
                                "/entries",
                                {
                                    "client_key": key,
                                    "title": "An evening",
                                    "body": "Wrote a little, while others were busy.",
                                },
                            )
                        )
                    time.sleep(rng.uniform(0.2, 0.8))

            threads = [
                threading.Thread(target=live, args=(person, random.Random(n))) for n, person in enumerate(people)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    return result


@dataclass
class Slow:
    arrived: int
    answers: list[float]


def slow_phones(through_proxy: bool, photo: bytes, workdir: Path) -> Slow:
    label = "nginx" if through_proxy else "direct"
    folder = workdir / f"slow-{label}"
    seconds = SLOW_BYTES / SLOW_RATE
    with production_gunicorn(folder, f"bench-slow-{label}", env=SERVER_ENV) as app:
        with nginx_in_front(folder, f"bench-slow-{label}", app) if through_proxy else nullcontext() as proxy:
            base, certificate = (proxy.url, proxy.certificate) if proxy else (app, None)
            people = sign_up_many(base, certificate or True, 5, f"slow{label}")
            writer = Person(base, certificate or True).sign_up(f"writer-{label}-{uuid.uuid4().hex[:8]}@example.org")
            statuses: list[int] = []
            answers: list[float] = []

            def phone(number: int) -> None:
                person = people[number % len(people)]
                content_type, body = upload_body([(f"slow-{number}.jpg", photo)], person.token)
                time.sleep(number * 0.05)
                statuses.append(
                    slow_post(
                        base, "/art", person, content_type, body, seconds=seconds, certificate=certificate, timeout=120
                    ).status
                )

            phones = [threading.Thread(target=phone, args=(n,)) for n in range(SLOW_PHONES)]
            for thread in phones:
                thread.start()
            time.sleep(3)
            until = time.monotonic() + seconds - 5
            while time.monotonic() < until:
                started = time.monotonic()
                page = writer.get("/entries/new")
                answers.append(time.monotonic() - started)
                key = page.text.split('name="client_key" value="')[1].split('"')[0]
                started = time.monotonic()
                writer.post(
                    "/entries", {"client_key": key, "title": "Meanwhile", "body": "Saved while phones crawled."}
                )
                answers.append(time.monotonic() - started)
                time.sleep(0.3)
            for thread in phones:
                thread.join()
    return Slow(sum(status == 303 for status in statuses), answers)


def main() -> None:
    print("Uploads under load: gunicorn with gunicorn.conf.py behind nginx (deploy/nginx.conf), SQLite; a few minutes")
    with tempfile.TemporaryDirectory(prefix="uploads-bench-") as temp:
        workdir = Path(temp)
        photos = [phone_photo(seed) for seed in range(3)]
        mixed = {
            label: mixed_load(seconds, photos, workdir)
            for label, seconds in (("none (0 s)", "0"), ("10 s (default)", "10"))
        }
        slow_photo = noise_photo(SLOW_BYTES, 1)
        slow = {
            label: slow_phones(proxy, slow_photo, workdir)
            for label, proxy in (("straight to gunicorn", False), ("through nginx", True))
        }
    print()
    print(
        f"1. {PEOPLE} people for {MIXED_SECONDS} s, ~10% adding a 12 MP photo ({len(photos[0]) / 1e6:.1f} MB), "
        "the rest opening pages and saving entries"
    )
    print(
        f"  {'wait for a slot':<18}{'uploads':>8}{'refused':>9}{'saved':>7}{'others':>8}{'median':>9}{'p95':>9}"
        f"{'errors':>8}"
    )
    for label, run in mixed.items():
        print(
            f"  {label:<18}{run.uploads:>8}{run.refused:>9}{run.saved:>7}{len(run.others):>8}"
            f"{statistics.median(run.others) * 1000:>7.0f}ms{percentile(run.others, 95) * 1000:>7.0f}ms"
            f"{run.failures:>8}"
        )
    print()
    print(
        f"2. {SLOW_PHONES} phones each sending a {SLOW_BYTES // 1024} KB photo at {SLOW_RATE // 1024} KB/s "
        f"({SLOW_BYTES / SLOW_RATE:.0f} s), while another person opens a page and saves an entry"
    )
    print(f"  {'path':<22}{'arrived':>8}{'requests':>9}{'median':>9}{'p95':>9}{'max':>9}")
    for label, run in slow.items():
        print(
            f"  {label:<22}{run.arrived:>8}{len(run.answers):>9}{statistics.median(run.answers) * 1000:>7.0f}ms"
            f"{percentile(run.answers, 95) * 1000:>7.0f}ms{max(run.answers) * 1000:>7.0f}ms"
        )


if __name__ == "__main__":
    main()
