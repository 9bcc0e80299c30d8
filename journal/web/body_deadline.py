"""A request body must arrive whole within a deadline: a stalled or crawling body is dropped with 408.

The reverse proxy in front buffers bodies (deploy/nginx.conf), so behind it every body arrives at once.
This is the second line of defence, for a server reached without the proxy: a phone on a bad network
must never hold one of the few app threads that everyone else needs.

When a body is still arriving at its deadline, one watchdog thread per process shuts the reading side
of that request's socket: a read waiting on it returns at once, and the request ends with 408 (the
app's own error page) before any view has saved anything. The log line says how much had arrived and
when, never what.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import RequestTimeout

log = logging.getLogger(__name__)

# Where WSGI servers put the client's socket: gunicorn, and Werkzeug's development server.
SOCKET_KEYS = ("gunicorn.socket", "werkzeug.socket")


class BodyTooSlow(RequestTimeout):
    """The body did not arrive within the deadline (408)."""


class BodyReadDeadline:
    """WSGI middleware: the body of each request must have arrived `seconds` after the request started."""

    def __init__(self, app: Callable, seconds: float):
        self.app = app
        self.seconds = float(seconds)
        self.watchdog = _Watchdog()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        stream = environ.get("wsgi.input")
        if stream is None or self.seconds <= 0 or not _has_body(environ):
            return self.app(environ, start_response)
        deadline = time.monotonic() + self.seconds
        sock = next((environ[key] for key in SOCKET_KEYS if isinstance(environ.get(key), socket.socket)), None)
        watch = self.watchdog.watch(deadline, sock)
        environ["wsgi.input"] = _DeadlineStream(stream, environ, deadline, self.seconds, watch)
        try:
            return self.app(environ, start_response)
        finally:
            watch.cancel()  # the app is done reading: never cut a connection a later request may use


def _has_body(environ: dict[str, Any]) -> bool:
    length = environ.get("CONTENT_LENGTH") or "0"
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked or (length.isdigit() and int(length) > 0)


class _Watch:
    def __init__(self, watchdog: _Watchdog, sock: socket.socket | None):
        self.watchdog = watchdog
        self.sock = sock
        self.cancelled = False
        self.cut = False
        self.logged = False

    def cancel(self) -> None:
        with self.watchdog.lock:
            self.cancelled = True


class _Watchdog:
    """One thread per process: at each request's deadline, the reading side of its socket is shut."""

    def __init__(self):
        self.lock = threading.Condition()
        self._due: list[tuple[float, int, _Watch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: float, sock: socket.socket | None) -> _Watch:
        watch = _Watch(self, sock)
        with self.lock:
            # Started on first use in each process (a thread does not survive a fork).
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="body-read-deadline", daemon=True)
                self._thread.start()
            heapq.heappush(self._due, (deadline, next(self._order), watch))
            self.lock.notify()
        return watch

    def _run(self) -> None:
        with self.lock:
            while True:
                while self._due and self._due[0][2].cancelled:
                    heapq.heappop(self._due)
                if not self._due:
                    self.lock.wait()
                    continue
                deadline, _, watch = self._due[0]
                if (remaining := deadline - time.monotonic()) > 0:
                    self.lock.wait(remaining)
                    continue
                heapq.heappop(self._due)
                watch.cut = True
                if watch.sock is not None:
                    try:
                        # socket.socket's own shutdown, also for a TLS socket: its encryption stays usable for the
                        # answer, while a read waiting for more of the body returns now.
                        socket.socket.shutdown(watch.sock, socket.SHUT_RD)
                    except OSError:
                        pass


class _DeadlineStream:
    """The server's input stream; a read that the deadline cut short, or one after it, raises BodyTooSlow."""

    def __init__(self, stream: Any, environ: dict[str, Any], deadline: float, seconds: float, watch: _Watch):
        self._stream = stream
        self._environ = environ
        self._deadline = deadline
        self._seconds = seconds
        self._watch = watch
        self._received = 0
        length = environ.get("CONTENT_LENGTH") or ""
        self._length = int(length) if length.isdigit() else None

    def read(self, size: int = -1) -> bytes:
        return self._bounded(self._stream.read, size)

    def readline(self, size: int = -1) -> bytes:
        return self._bounded(self._stream.readline, size)

    def readlines(self, hint: int = -1) -> list[bytes]:
        lines = []
        while line := self.readline():
            lines.append(line)
            if 0 < hint <= sum(map(len, lines)):
                break
        return lines

    def __iter__(self):
        return iter(self.readline, b"")

    def _late(self) -> bool:
        return self._watch.cut or time.monotonic() >= self._deadline

    def _bounded(self, read: Callable[[int], bytes], size: int) -> bytes:
        if self._late():
            self._give_up()
        try:
            data = read(size)
        except Exception:
            if self._late():
                self._give_up()
            raise
        if self._watch.cut:  # what came back may be short: the rest never will
            self._give_up()
        self._received += len(data)
        if (self._length is not None and self._received >= self._length) or (not data and size != 0):
            self._watch.cancel()  # all here: a long answer after it is no reason to cut the connection
        return data

    def _give_up(self) -> None:
        environ = self._environ
        if not self._watch.logged:
            self._watch.logged = True
            log.warning(
                "request body not received within %g s, dropped with 408: %s %s (%d of %s bytes)",
                self._seconds,
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO"),
                self._received,
                environ.get("CONTENT_LENGTH") or "chunked",
            )
        raise BodyTooSlow() from None
