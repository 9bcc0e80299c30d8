"""Slow uploads: phones on a poor connection trickle photos in while another person saves entries.

More slow uploads than the server has threads (2 workers x 4), each a raw socket sending a ~0.3 MB multipart
body 4 KB at a time, 4 times a second (~16 s each; started over 2 s). A slow upload answered 503 (the
photo slots are busy) is sent again at full speed after its Retry-After, as the person would. Meanwhile
another account saves entries one after the other, each given 10 s. Reported: that person's median and slowest save, and how many timed out; and whether
every slow upload was saved. Run straight at gunicorn, then through nginx (see proxy.py), which takes in the
whole body before passing it on.
"""

from __future__ import annotations

import re
import socket
import ssl
import statistics
import threading
import time
import uuid
from urllib.parse import urlparse

from tests.production_stack import nginx_in_front

from .base import Context, running, signed_in
from .ledger import SAVED, Ledger, Row, verify_entries
from .photos import new_upload, photo, send_upload, verify_photos
from .servers import THREADS, WORKERS
from .web import Answer, Browser

SLOW_UPLOADS = WORKERS * THREADS + 2
CHUNK, EVERY = 4 * 1024, 0.25  # 16 KB/s: ~16 s for a 0.25 MB photo
SAVE_TIMEOUT = 10.0


def uploads(ctx: Context) -> list[Row]:
    rows = []
    server = ctx.server("slow", ctx.database("slow"))
    with running(server):
        rows.append(measure(ctx, server, server.base, "slow uploads, straight to gunicorn", "direct"))
        with nginx_in_front(ctx.workdir / "slow", f"faults-{ctx.kind}", server.base) as proxy:
            rows.append(
                measure(
                    ctx,
                    server,
                    proxy.url,
                    "slow uploads through nginx (deploy/nginx.conf)",
                    "nginx",
                    verify=proxy.certificate,
                )
            )
    return rows


def measure(ctx: Context, server, base: str, title: str, tag: str, verify: str | bool = True) -> Row:
    row = Row(title, ctx.kind)
    phones_email, other_email = ctx.email(f"slow-{tag}", "phones"), ctx.email(f"slow-{tag}", "other")
    # Signed up where they will write: over HTTPS the session cookie is another (__Host-) cookie.
    phones, other = Browser(base), Browser(base)
    phones.http.verify = other.http.verify = verify
    phones.sign_up(phones_email)
    other.sign_up(other_email)
    photos, saves = Ledger(f"slow-{tag}"), Ledger(f"other-{tag}")
    data = photo(0.25, 11)
    threads = [threading.Thread(target=_slow_upload, args=(phones, photos, data)) for _ in range(SLOW_UPLOADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
        time.sleep(2 / SLOW_UPLOADS)
    while any(thread.is_alive() for thread in threads):
        write = saves.new(60)
        sent = time.monotonic()
        answer = other.attempt(
            other.post,
            "/entries",
            {"client_key": write.key, "title": write.title, "body": write.body},
            headers={"X-Outbox": "later"},
            timeout=SAVE_TIMEOUT,
        )
        saves.note_answer(write, answer, time.monotonic() - sent)
        if answer.status in SAVED:
            write.acknowledged = time.monotonic()
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if any(label == "timeout" for _phase, label in saves.answers):
        time.sleep(SAVE_TIMEOUT)  # a save given up on may still finish: let it, before reading back
    verify_entries(signed_in(server, other_email), saves, row)
    photo_row = verify_photos(signed_in(server, phones_email), photos, Row(title, ctx.kind))
    row.add(photo_row)
    times = [seconds for _phase, seconds in saves.latencies]
    timeouts = sum(count for (_phase, label), count in saves.answers.items() if label == "timeout")
    saved = sum(1 for write in photos.writes if write.acknowledged is not None)
    row.notes[:0] = [
        f"the other person's saves: {len(times)}, median {statistics.median(times) * 1000:.0f} ms, slowest "
        f"{max(times) * 1000:.0f} ms, timed out (>{SAVE_TIMEOUT:.0f} s) {timeouts}",
        f"slow uploads saved {saved}/{SLOW_UPLOADS} over {elapsed:.0f} s",
        f"answers to uploads: {photos.answer_summary()}, to saves: {saves.answer_summary()}",
    ]
    samples = ", ".join(part for part in (photos.sample_summary(), saves.sample_summary()) if part)
    if samples:
        row.notes.append(f"error pages: {samples}")
    if timeouts and tag == "nginx":
        row.problems.append("saves timed out behind slow uploads through the proxy")
    elif timeouts:
        row.notes.append("slow uploads hold every thread, saves wait behind them (no buffering proxy in front)")
    return row


def _slow_upload(phones: Browser, ledger: Ledger, data: bytes) -> None:
    write = new_upload(ledger, 1)
    sent = time.monotonic()
    answer = trickle(phones, write.key, write.title, data)
    ledger.note_answer(write, answer, time.monotonic() - sent)
    if answer.status == 503:
        time.sleep(min(answer.retry_after or 5, 10))
        send_upload(phones.clone(), ledger, write, [data], give_up=60, retry_pause=2)
    elif answer.status in SAVED:
        write.acknowledged = time.monotonic()


def _connect(address, verify: str | bool, timeout: float) -> socket.socket:
    sock = socket.create_connection((address.hostname, address.port), timeout=timeout)
    if address.scheme != "https":
        return sock
    context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
    return context.wrap_socket(sock, server_hostname=address.hostname)


def trickle(browser: Browser, client_key: str, caption: str, data: bytes, timeout: float = 120) -> Answer:
    """POST /art over a raw socket, the body sent CHUNK bytes every EVERY seconds, as a slow phone would."""
    address = urlparse(browser.base)
    boundary = uuid.uuid4().hex
    fields = {"csrf_token": browser.token or "", "client_key": client_key, "caption": caption, "dose_id": "none"}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="slow.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.http.cookies)
    head = (
        f"POST /art HTTP/1.1\r\nHost: {address.netloc}\r\nCookie: {cookies}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    try:
        with _connect(address, browser.http.verify, timeout) as sock:
            sock.sendall(head)
            for start in range(0, len(body), CHUNK):
                sock.sendall(body[start : start + CHUNK])
                time.sleep(EVERY)
            reply = b""
            while got := sock.recv(65536):  # the whole answer: the server closes the connection after it
                reply += got
    except TimeoutError:
        return Answer(None, "timeout")
    except OSError as error:
        return Answer(None, type(error).__name__)
    head, _, page = reply.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    if len(status_line) < 2 or not status_line[1].isdigit():
        return Answer(None, "dropped")
    retry = re.search(rb"\r\nretry-after:\s*(\d+)", head, re.I)
    return Answer(
        int(status_line[1]), body=page.decode(errors="replace"), retry_after=int(retry.group(1)) if retry else None
    )
