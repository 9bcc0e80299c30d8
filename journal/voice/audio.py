"""What a voice note's file must be, checked by reading it: its container, its codec, its length.

Only two kinds of recording are kept, the ones phones make: Opus in WebM (or Ogg), and AAC in MP4 (M4A).
The container is recognised by its first bytes, and only that one demuxer reads it (no guessing among the
many formats the library knows). The sound is then copied packet by packet, never re-encoded, into a fresh
container with nothing else in it: no title, device name, encoder tag, location or cover picture of the
original, and no muxer version ("bitexact"). Opus leaves as WebM, AAC as M4A. Nothing is written to disk.
"""

from __future__ import annotations

import io
from contextlib import suppress
from dataclasses import dataclass

import av

MAX_SECONDS = 10 * 60
GRACE_SECONDS = 5  # a recorder stopped at 10:00 may hand over a few milliseconds more
REFUSED = "This file isn't a sound recording we can keep: "

# first bytes -> (demuxer, the codec it may carry, the container it leaves in, its type, file extension)
_MATROSKA = ("matroska", "opus", "webm", "audio/webm", "webm")
_OGG = ("ogg", "opus", "webm", "audio/webm", "webm")
_MP4 = ("mp4", "aac", "ipod", "audio/mp4", "m4a")


class AudioRefused(Exception):
    """A reason the person can read."""

    def __init__(self, why: str):
        super().__init__(why)
        self.reason = REFUSED + why


@dataclass(frozen=True)
class Sound:
    data: bytes
    content_type: str  # "audio/webm" or "audio/mp4"
    extension: str  # "webm" or "m4a"
    seconds: float


def minutes(seconds: float) -> str:
    """4:05"""
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _limit(seconds: int) -> str:
    return f"{seconds // 60} minutes" if seconds % 60 == 0 else minutes(seconds)


def _container(head: bytes) -> tuple[str, str, str, str, str]:
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _MATROSKA
    if head.startswith(b"OggS"):
        return _OGG
    if head[4:8] == b"ftyp":
        return _MP4
    raise AudioRefused("it is not a WebM, Ogg or M4A file. Record here, or choose a recording in one of those kinds.")


def check(data: bytes, max_seconds: int = MAX_SECONDS) -> Sound:
    """The sound of `data` in a fresh container, or AudioRefused saying why not."""
    if not data:
        raise AudioRefused("the file is empty.")
    demuxer, codec, muxer, content_type, extension = _container(data[:16])
    try:
        source = av.open(io.BytesIO(data), "r", format=demuxer)
    except (av.FFmpegError, ValueError, OSError):
        raise AudioRefused("it could not be read as one.") from None
    with source:
        stream = next((one for one in source.streams if one.type == "audio"), None)
        if stream is None:
            raise AudioRefused("there is no sound in it.")
        found = stream.codec_context.name
        if found != codec:
            raise AudioRefused(
                f"its sound is in {found.upper() if found else 'an unknown'} format; voice notes keep Opus "
                "(in WebM or Ogg) or AAC (in M4A)."
            )
        kept, seconds = _remux(source, stream, muxer, max_seconds)
    return Sound(kept, content_type, extension, seconds)


def _remux(source, stream, muxer: str, max_seconds: int) -> tuple[bytes, float]:
    """Copy the audio packets into a new container; stop as soon as the sound runs past the limit."""
    out = io.BytesIO()
    seconds = 0.0
    packets = 0
    try:
        target = av.open(out, "w", format=muxer, options={"fflags": "+bitexact"})
        try:
            copy = target.add_stream_from_template(stream)
            for packet in source.demux(stream):
                if packet.dts is None or packet.pts is None:
                    continue  # the demuxer's empty packet at the end
                seconds = max(seconds, float((packet.pts + (packet.duration or 0)) * packet.time_base))
                if seconds > max_seconds + GRACE_SECONDS:
                    raise AudioRefused(f"it is longer than {_limit(max_seconds)}, the most a voice note keeps.")
                packet.stream = copy
                target.mux(packet)
                packets += 1
        except BaseException:
            with suppress(Exception):
                target.close()
            raise
        target.close()
    except (av.FFmpegError, ValueError, OSError):
        raise AudioRefused("part of it could not be read.") from None
    if not packets or seconds <= 0:
        raise AudioRefused("there is no sound in it.")
    return out.getvalue(), seconds
