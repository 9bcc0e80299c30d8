"""Phones on slow networks never hold a thread other people need.

Through the real proxy (nginx with deploy/nginx.conf, started here) in front of the real gunicorn
(gunicorn.conf.py, made small: one worker of 4 threads), 40 photo uploads trickle in over about 8 seconds
each while another person opens a page and saves an entry: each of their requests answers within 1 s, and
every photo arrives. Straight to gunicorn, without the proxy, the same 40 uploads take every thread; there
the body-read deadline is what frees them: a stalled body gets 408 when it passes.
"""

from __future__ import annotations

import re
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field

import pytest

from journal.art.views import FORM_OVERHEAD_BYTES
from journal.config import DEFAULTS
from journal.voice.views import FORM_OVERHEAD_BYTES as VOICE_OVERHEAD
from journal.web.body_deadline import BodyReadDeadline, BodyTooSlow

from .. import art_images
from ..production_stack import NGINX_CONFIG, nginx_in_front, production_gunicorn
from ..slow_clients import Person, Reply, slow_post, upload_body
from ..support import LOGS, new_marker

SMALL_SERVER = {"WEB_CONCURRENCY": "1", "THREADS": "4", "SIGNUPS_PER_ADDRESS_PER_HOUR": "100"}
SLOW_UPLOADS = 40
UPLOADERS = 4
UPLOAD_SECONDS = 8.0  # each ~270 KB photo over 8 s: about 34 KB/s, a phone on a poor network
STAGGER_SECONDS = 2.0  # the phones start one after another over this long
BOUND_SECONDS = 1.0  # the other person's every request answers within this


@dataclass
class Outcome:
    uploads: list[Reply] = field(default_factory=list)
    requests: list[tuple[str, float, int, int]] = field(default_factory=list)  # (what, seconds, status, uploading)
    saved: list[str] = field(default_factory=list)  # where each saved entry lives
    uploaders: list[Person] = field(default_factory=list)
    writer: Person | None = None

    def summary(self, label: str) -> str:
        times = sorted(seconds for _, seconds, _, _ in self.requests)
        upload_times = [reply.seconds for reply in self.uploads]
        return (
            f"{label}: {len(self.uploads)} slow uploads (median {statistics.median(upload_times):.1f} s each, "
            f"answers {sorted({reply.status for reply in self.uploads})}); the other person's "
            f"{len(times)} requests while {min(u for *_, u in self.requests)}-"
            f"{max(u for *_, u in self.requests)} uploads were sending: median "
            f"{statistics.median(times) * 1000:.0f} ms, slowest {times[-1] * 1000:.0f} ms"
        )


def slow_uploads_while_someone_writes(base: str, certificate: str | None = None) -> Outcome:
    """40 phones trickle a photo upload each into `base`; meanwhile another person opens "New entry" and saves
    one, again and again, for as long as all the uploads are sending."""
    outcome = Outcome()
    outcome.uploaders = [
        Person(base, certificate or True).sign_up(f"phone-{n}-{time.time_ns()}@example.org") for n in range(UPLOADERS)
    ]
    writer = outcome.writer = Person(base, certificate or True).sign_up(f"writer-{time.time_ns()}@example.org")
    for person in outcome.uploaders:
        person.get("/art/new")
    photos = [art_images.noise_jpeg((640, 480), seed=n, quality=90) for n in range(4)]
    sending = [0]
    lock = threading.Lock()

    def phone(number: int) -> None:
        person = outcome.uploaders[number % UPLOADERS]
        content_type, body = upload_body([(f"art-{number}.jpg", photos[number % len(photos)])], person.token)
        time.sleep(number * STAGGER_SECONDS / SLOW_UPLOADS)
        with lock:
            sending[0] += 1
        reply = slow_post(base, "/art", person, content_type, body, seconds=UPLOAD_SECONDS, certificate=certificate)
        with lock:
            sending[0] -= 1
            outcome.uploads.append(reply)

    phones = [threading.Thread(target=phone, args=(n,)) for n in range(SLOW_UPLOADS)]
    for thread in phones:
        thread.start()
    time.sleep(STAGGER_SECONDS + 0.3)  # every phone is sending now
    number = 0
    while sending[0] >= SLOW_UPLOADS - 4:  # while (nearly) all of them still are
        number += 1
        for what in ("page", "save"):
            uploading = sending[0]
            started = time.monotonic()
            if what == "page":
                response = writer.get("/entries/new")
                page_client_key = re.search(r'name="client_key" value="([^"]+)"', response.text).group(1)
            else:
                response = writer.post(
                    "/entries",
                    {
                        "client_key": page_client_key,
                        "title": f"Evening {number}",
                        "body": "Wrote this while the network crawled for others.",
                    },
                )
                outcome.saved.append(response.headers.get("Location", ""))
            outcome.requests.append((what, time.monotonic() - started, response.status_code, uploading))
        time.sleep(0.2)
    for thread in phones:
        thread.join(60)
    return outcome


def test_forty_slow_uploads_through_the_proxy_leave_the_app_free_for_everyone(tmp_path):
    with production_gunicorn(tmp_path, "slow-uploads-app", env=SMALL_SERVER) as app_url:
        with nginx_in_front(tmp_path, "slow-uploads", app_url) as proxy:
            outcome = slow_uploads_while_someone_writes(proxy.url, proxy.certificate)
            print("\n" + outcome.summary("through nginx"))
            # Every phone's photo arrived, once.
            assert [reply.status for reply in outcome.uploads] == [303] * SLOW_UPLOADS
            assert all("location: /art\r\n" in reply.text.lower() for reply in outcome.uploads)
            assert [len(person.photo_ids()) for person in outcome.uploaders] == [SLOW_UPLOADS // UPLOADERS] * UPLOADERS
            assert min(reply.seconds for reply in outcome.uploads) >= UPLOAD_SECONDS * 0.9  # they really were slow
            # The other person was answered within a second every time, while (nearly) all 40 were sending.
            # (A loaded machine starts the phones over a moment: at least 8 requests fall while nearly all send.)
            assert len([uploading for *_, uploading in outcome.requests if uploading >= SLOW_UPLOADS - 4]) >= 8
            assert [(what, status) for what, _, status, _ in outcome.requests] == [("page", 200), ("save", 303)] * (
                len(outcome.requests) // 2
            )
            slowest = max(seconds for _, seconds, _, _ in outcome.requests)
            assert slowest < BOUND_SECONDS, outcome.summary("through nginx")
            for number, location in enumerate(outcome.saved, start=1):
                assert f"Evening {number}" in outcome.writer.get(location).text
            # Each upload stayed in the proxy's memory: nothing was written to its disk.
            assert list(proxy.body_temp.iterdir()) == []
            assert "buffered to a temporary file" not in proxy.error_log.read_text()
            # Plain HTTP is sent to HTTPS, and the app saw the scheme through the one trusted hop.
            redirect = outcome.writer.http.get(proxy.plain_url + "/entries", allow_redirects=False, timeout=10)
            assert redirect.status_code == 301 and redirect.headers["Location"].startswith("https://")
            assert any(cookie.secure for cookie in outcome.writer.http.cookies)


def test_without_the_proxy_a_stalled_body_is_dropped_at_the_deadline_and_its_thread_freed(tmp_path):
    deadline = 2
    with production_gunicorn(
        tmp_path, "stalled-bodies-app", env={**SMALL_SERVER, "BODY_READ_SECONDS": deadline}
    ) as base:
        phone, writer = (Person(base).sign_up(f"{who}-{time.time_ns()}@example.org") for who in ("phone", "writer"))
        phone.get("/art/new")
        caption = new_marker("STALLED")
        content_type, body = upload_body(
            [
                ("first.jpg", art_images.noise_jpeg((640, 480), seed=1)),
                ("second.jpg", art_images.noise_jpeg((640, 480), seed=2)),
            ],
            phone.token,
            caption=caption,
        )
        replies: list[Reply] = []
        # Two phones stall halfway through the second photo; two crawl on for far longer than the deadline.
        kinds = [{"seconds": 0.2, "stop_after": 0.75}] * 2 + [{"seconds": 60.0}] * 2
        stalled = [
            threading.Thread(
                target=lambda kind=kind: replies.append(slow_post(base, "/art", phone, content_type, body, **kind))
            )
            for kind in kinds
        ]
        for thread in stalled:
            thread.start()
        time.sleep(0.5)  # the four of them hold all four threads
        started = time.monotonic()
        page = writer.get("/entries/new")
        waited = time.monotonic() - started
        for thread in stalled:
            thread.join(30)
        assert page.status_code == 200 and 0.5 <= waited < deadline + 1, waited
        print(
            f"\nstraight to gunicorn: {len(replies)} stalled bodies answered {[r.status for r in replies]} after "
            f"{', '.join(f'{r.seconds:.1f}' for r in replies)} s; the person waiting was served after {waited:.1f} s"
        )
        assert [reply.status for reply in replies] == [408] * 4
        assert all(deadline <= reply.seconds < deadline + 1.5 for reply in replies)
        assert all(
            "That took too long to arrive" in reply.text and "Nothing was saved" in reply.text for reply in replies
        )
        assert phone.photo_ids() == []  # nothing of the first, whole photo was kept either
        started = time.monotonic()
        assert writer.save_entry("After the wait", "Saved at once.").status_code == 303
        assert time.monotonic() - started < BOUND_SECONDS
    log = (LOGS / "stalled-bodies-app.log").read_text(encoding="utf-8")
    assert len(re.findall(r"request body not received within 2 s, dropped with 408: POST /art", log)) == 4
    assert caption not in log


def _deadline_app(seconds: float, answer_seconds: float = 0):
    """A WSGI app behind the deadline that reads a 10-byte body, then takes `answer_seconds` to answer."""

    def app(environ, start_response):
        body = environ["wsgi.input"].read(10)
        time.sleep(answer_seconds)
        start_response("200 OK", [])
        return [body]

    return BodyReadDeadline(app, seconds)


def _environ(server_side: socket.socket, stream) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/x",
        "CONTENT_LENGTH": "10",
        "gunicorn.socket": server_side,
        "wsgi.input": stream,
    }


def test_the_deadline_cuts_a_read_that_waits_on_a_stalled_socket():
    server_side, phone = socket.socketpair()
    with server_side, phone, server_side.makefile("rb") as stream:
        phone.sendall(b"abc")  # 3 of 10 bytes, then nothing
        started = time.monotonic()
        with pytest.raises(BodyTooSlow):
            _deadline_app(0.3)(_environ(server_side, stream), lambda *args: None)
        assert 0.3 <= time.monotonic() - started < 1


def test_a_body_that_has_arrived_is_never_cut_however_long_the_answer_takes():
    server_side, phone = socket.socketpair()
    with server_side, phone, server_side.makefile("rb") as stream:
        phone.sendall(b"0123456789")
        answer = _deadline_app(0.2, answer_seconds=0.5)(_environ(server_side, stream), lambda *args: None)
        assert answer == [b"0123456789"]
        time.sleep(0.2)
        phone.sendall(b"next")  # the connection still reads: a later request on it is not lost
        assert server_side.recv(10) == b"next"


def test_the_proxy_takes_what_the_app_takes_and_no_more():
    config = NGINX_CONFIG.read_text(encoding="utf-8")
    upload = re.search(r"location = /art \{(.*?)\}", config, re.S).group(1)
    megabytes = DEFAULTS["ART_MAX_FILE_MB"] * DEFAULTS["ART_MAX_FILES"] + FORM_OVERHEAD_BYTES // (1024 * 1024)
    assert re.search(rf"client_max_body_size {megabytes}m;", upload)
    assert re.search(rf"client_body_buffer_size {megabytes}m;", upload)  # a whole upload stays in memory
    voice = re.search(r"location = /voice \{(.*?)\}", config, re.S).group(1)
    megabytes = DEFAULTS["VOICE_MAX_MB"] + VOICE_OVERHEAD // (1024 * 1024)
    assert re.search(rf"client_max_body_size {megabytes}m;", voice)
    assert re.search(rf"client_body_buffer_size {megabytes}m;", voice)
    everything_else = config.split("upstream journal_app")[0]
    mebibytes = DEFAULTS["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    assert re.search(rf"client_max_body_size {mebibytes}m;", everything_else)
    assert re.search(rf"client_body_buffer_size {mebibytes}m;", everything_else)
    assert "proxy_request_buffering on;" in config and "proxy_max_temp_file_size 0;" in config
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config
