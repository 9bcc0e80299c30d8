"""What a file is, judged by its bytes: which picture container it is, and that nothing else rides along.

A file name or a declared type says nothing. A polyglot (a picture that is also a ZIP archive, a
PDF or a web page) decodes as a picture, so it is found by its structure: the container must end
where the picture ends, apart from the trailers phones write themselves (a second picture for
HDR or Multi-Picture Format, a Motion Photo video, Samsung's trailer).
"""

from __future__ import annotations

import io
import re
import zipfile

JPEG, PNG, WEBP, HEIF = "JPEG", "PNG", "WEBP", "HEIF"
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
# Marks of documents a browser or another reader would act on.
MARKUP_RE = re.compile(rb"<(?:script|html|svg|body|iframe|object|embed|\?php|!doctype)", re.IGNORECASE)
# In JPEG entropy-coded data: a 0xFF that is not stuffing (FF00), a restart marker or fill.
_JPEG_MARKER_RE = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_PADDING = b"\x00\r\n\t "


class Incomplete(Exception):
    """The container stops before its end: a cut-off upload or a truncated copy."""


class Hidden(Exception):
    """Something that is not part of the picture is inside or after it."""


def sniff(data: bytes) -> str | None:
    """JPEG, PNG, WEBP or HEIF by the file's first bytes; None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return JPEG
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp" and len(data) >= 16:
        size = int.from_bytes(data[:4], "big")
        box = data[8 : min(max(size, 16), 4096)]
        brands = {box[0:4]} | {box[i : i + 4] for i in range(8, len(box) - 3, 4)}
        if brands & HEIF_BRANDS:
            return HEIF
    return None


def check(data: bytes, kind: str) -> None:
    """Raise Incomplete or Hidden unless `data` is one picture container of `kind` and nothing else."""
    if b"%PDF-" in data[:1024]:
        raise Hidden("pdf")
    if _is_zip(data):
        raise Hidden("zip")
    end = {JPEG: _jpeg_end, PNG: _png_end, WEBP: _webp_end, HEIF: _heif_end}[kind](data)
    trailer = data[end:]
    if not trailer.strip(_PADDING):
        return
    if kind == JPEG and _phone_trailer(trailer) and not MARKUP_RE.search(trailer):
        return
    raise Hidden("trailer")


def _is_zip(data: bytes) -> bool:
    # Archive readers look for the end-of-directory record near the end of the file.
    if b"PK\x05\x06" not in data[-65_557:]:
        return False
    try:
        return zipfile.is_zipfile(io.BytesIO(data))
    except (OSError, ValueError):  # pragma: no cover - is_zipfile answers False itself
        return False


def _phone_trailer(trailer: bytes) -> bool:
    return (
        trailer[:3] == b"\xff\xd8\xff"  # MPF / Ultra HDR gain map: more JPEG pictures
        or trailer[4:8] == b"ftyp"  # Motion Photo: an MP4 after the picture
        or trailer.rstrip(_PADDING).endswith(b"SEFT")
    )  # Samsung's trailer


def _jpeg_end(data: bytes) -> int:
    """Offset just after the first picture's EOI marker."""
    at, size = 2, len(data)
    while True:
        if at >= size:
            raise Incomplete("no end of image")
        if data[at] != 0xFF:
            raise Hidden("bytes between segments")
        while at < size and data[at] == 0xFF:  # fill bytes
            at += 1
        if at >= size:
            raise Incomplete("no end of image")
        marker = data[at]
        at += 1
        if marker == 0xD9:
            return at
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if at + 2 > size:
            raise Incomplete("segment header")
        length = int.from_bytes(data[at : at + 2], "big")
        if length < 2:
            raise Hidden("bad segment length")
        at += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            found = _JPEG_MARKER_RE.search(data, min(at, size))
            if found is None:
                raise Incomplete("scan data")
            at = found.start()


def _png_end(data: bytes) -> int:
    at, size = 8, len(data)
    while True:
        if at + 8 > size:
            raise Incomplete("chunk header")
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        if not kind.isalpha():
            raise Hidden("bad chunk type")
        at += 12 + length
        if at > size:
            raise Incomplete("chunk")
        if kind == b"IEND":
            return at


def _webp_end(data: bytes) -> int:
    declared = int.from_bytes(data[4:8], "little")
    end = 8 + declared + (declared & 1)
    if end > len(data) + (declared & 1):
        raise Incomplete("riff")
    return min(end, len(data))


def _heif_end(data: bytes) -> int:
    at, size = 0, len(data)
    while at < size:
        if at + 8 > size:
            raise Hidden("bytes after the last box")
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        if not re.fullmatch(rb"[A-Za-z0-9 ]{4}", kind):
            raise Hidden("bad box type")
        if length == 1:
            if at + 16 > size:
                raise Incomplete("box header")
            length = int.from_bytes(data[at + 8 : at + 16], "big")
        elif length == 0:
            length = size - at
        if length < 8:
            raise Hidden("bad box length")
        if at + length > size:
            raise Incomplete("box")
        at += length
    return at
