"""The app's icons, drawn from code so every size comes from one design.

A pale ring left open at the top-right (the work of integration, never quite closed) around a
rising sun on a horizon line, on the app's blue. Maskable icons fill the whole square and keep the
drawing inside the central safe circle (80 % of the width), so launchers can crop them to any shape.
`flask icons` writes them into journal/static/icons/.

The files kept there were then shrunk losslessly, once, with zopflipng (Debian's `zopfli` package):
    zopflipng -y --iterations=100 --filters=01234mep IN.png OUT.png
which keeps every pixel and may store an opaque icon without its alpha channel or as a palette. `flask icons`
leaves a file alone when its pixels are already the ones drawn, so those smaller files stay until the design
changes; after a change, shrink the new files the same way.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (47, 93, 138, 255)
PAPER = (246, 243, 238, 255)
SUN = (253, 186, 116, 255)
SUPERSAMPLE = 4

# name -> (size in px, maskable)
ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "maskable-192.png": (192, True),
    "maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),  # iOS rounds the corners itself and shows no transparency
    "favicon-32.png": (32, False),
    "shortcut-entry-96.png": (96, True),
    "shortcut-checkin-96.png": (96, True),
}


def draw(size: int, maskable: bool, motif: str = "ring") -> Image.Image:
    """One icon: `motif` is "ring" (the app), "entry" (a page with lines) or "checkin" (a scale)."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BLUE)
        scale = 0.62  # drawing spans 62 % of the width: well inside the 80 % safe circle
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.22, fill=BLUE)
        scale = 0.78
    box = big * scale
    left = (big - box) / 2
    top = (big - box) / 2
    {"ring": _ring, "entry": _entry, "checkin": _checkin}[motif](pen, left, top, box)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _ring(pen: ImageDraw.ImageDraw, left: float, top: float, box: float) -> None:
    width = max(1, round(box * 0.09))
    pen.arc((left, top, left + box, top + box), start=-20, end=290, fill=PAPER, width=width)
    sun = box * 0.26
    cx, horizon = left + box / 2, top + box * 0.62
    pen.pieslice((cx - sun, horizon - sun, cx + sun, horizon + sun), start=180, end=360, fill=SUN)
    line = max(1, round(box * 0.05))
    pen.rounded_rectangle((left + box * 0.2, horizon, left + box * 0.8, horizon + line), radius=line / 2, fill=PAPER)


def _entry(pen: ImageDraw.ImageDraw, left: float, top: float, box: float) -> None:
    pen.rounded_rectangle((left + box * 0.15, top, left + box * 0.85, top + box), radius=box * 0.08, fill=PAPER)
    line = box * 0.07
    for row in range(4):
        y = top + box * (0.22 + row * 0.18)
        end = 0.72 if row < 3 else 0.55
        pen.rounded_rectangle((left + box * 0.28, y, left + box * end, y + line), radius=line / 2, fill=BLUE)


def _checkin(pen: ImageDraw.ImageDraw, left: float, top: float, box: float) -> None:
    track = box * 0.1
    y = top + box / 2 - track / 2
    pen.rounded_rectangle((left, y, left + box, y + track), radius=track / 2, fill=PAPER)
    knob = box * 0.2
    cx = left + box * 0.66
    pen.ellipse((cx - knob, top + box / 2 - knob, cx + knob, top + box / 2 + knob), fill=SUN)


def same_pixels(path: Path, image: Image.Image) -> bool:
    """Whether the PNG at `path` shows exactly `image` (whatever colour type it is stored in)."""
    try:
        with Image.open(path) as kept:
            return kept.size == image.size and kept.convert("RGBA").tobytes() == image.convert("RGBA").tobytes()
    except OSError:  # missing, or not a picture
        return False


def write_all(folder: Path) -> list[Path]:
    """Draw every icon into `folder`, leaving a file that already has these pixels; returns every icon's path."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (size, maskable) in ICONS.items():
        motif = "entry" if "entry" in name else "checkin" if "checkin" in name else "ring"
        path = folder / name
        image = draw(size, maskable, motif)
        if name == "apple-touch-icon.png":
            image = image.convert("RGB")
        if not same_pixels(path, image):
            image.save(path, optimize=True)
        written.append(path)
    return written
