"""A zip archive written as a stream of byte chunks: nothing is ever held whole.

Python's zipfile writes to any object with `write`; without `tell` or `seek` it treats the output
as a stream and puts each member's sizes and CRC in a data descriptor after its bytes. Here the
output is a small buffer that is handed on (`yield`) whenever it passes `chunk_size`, so the memory
this takes is one chunk, the compressor's state and a few hundred bytes per member for the central
directory at the end.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime

CHUNK_SIZE = 64 * 1024
PIECE_SIZE = 64 * 1024  # large parts (a photo) are written in pieces of this size


class _Sink:
    """Write-only, no `tell`: zipfile then writes data descriptors instead of seeking back."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self.size += len(chunk)
        return len(chunk)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        """Never called: zipfile closes no file object it was handed. Its type asks writables for one."""

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


class ZipStream:
    """Add members one after another; each call yields the chunks that are ready."""

    def __init__(self, chunk_size: int = CHUNK_SIZE):
        self._chunk_size = chunk_size
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.names: set[str] = set()

    def member(
        self, name: str, when: datetime, parts: Iterable[bytes | str], *, compress: bool = True
    ) -> Iterator[bytes]:
        """One file of the archive, its content given as parts that may be produced lazily."""
        if name in self.names or name.startswith("/") or ".." in name.split("/"):
            raise ValueError("member names are unique and relative")
        self.names.add(name)
        info = zipfile.ZipInfo(name, date_time=_zip_time(when))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        with self._zip.open(info, mode="w") as handle:
            for part in parts:
                data = part.encode("utf-8") if isinstance(part, str) else part
                for start in range(0, len(data), PIECE_SIZE):
                    handle.write(data[start : start + PIECE_SIZE])
                    if self._sink.size >= self._chunk_size:
                        yield self._sink.drain()
        if self._sink.size >= self._chunk_size:
            yield self._sink.drain()

    def close(self) -> Iterator[bytes]:
        """The central directory, and whatever is left in the buffer."""
        self._zip.close()
        rest = self._sink.drain()
        if rest:
            yield rest


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """Zip keeps local wall-clock time from 1980 on, to the even second."""
    if moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
