"""Small real sound files for the voice note tests, made with the same library the server reads them with.

Silence, mono, at the rates phones record: Opus at 48 kHz in WebM or Ogg, AAC at 44.1 kHz in M4A, each with
whatever container tags a test asks for (a title, a device name, a location).
"""

from __future__ import annotations

import io

import av

TAGS = {
    "title": "Walk by the river",
    "artist": "Pixel 7 of Ana",
    "comment": "Recorded on Pixel 7",
    "location": "+52.3676+004.9041/",
}


def sound_file(
    container: str = "webm", codec: str = "libopus", seconds: float = 2.0, tags=None, rate: int | None = None
) -> bytes:
    """`rate`: AAC only (a low one makes a long file quickly: fewer frames to encode)."""
    rate = 48000 if codec == "libopus" else (rate or 44100)
    samples = 960 if codec == "libopus" else 1024
    out = io.BytesIO()
    with av.open(out, "w", format=container) as target:
        target.metadata.update(tags or {})
        stream = target.add_stream(codec, rate=rate)
        stream.layout = "mono"
        pts = 0
        for _ in range(int(seconds * rate / samples)):
            frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
            frame.planes[0].update(bytes(frame.planes[0].buffer_size))
            frame.sample_rate = rate
            frame.pts = pts
            pts += samples
            for packet in stream.encode(frame):
                target.mux(packet)
        for packet in stream.encode(None):
            target.mux(packet)
    return out.getvalue()


def opus_webm(seconds: float = 2.0, tags=None) -> bytes:
    return sound_file("webm", "libopus", seconds, tags)


def aac_m4a(seconds: float = 2.0, tags=None) -> bytes:
    return sound_file("ipod", "aac", seconds, tags)


def tags_of(data: bytes) -> dict[str, str]:
    """Every container and stream tag of a file, read back."""
    with av.open(io.BytesIO(data)) as source:
        found = dict(source.metadata)
        for stream in source.streams:
            found.update(stream.metadata)
        return found
