"""A photo of art, made safe to keep: decoded, upright, in sRGB, resized, re-encoded, with no metadata.

Pure: bytes in, two JPEGs out (a display version and a thumbnail), or ImageRefused with a reason
to show the person. Nothing about the original file survives except its pixels: EXIF (GPS
included), XMP, IPTC, comments, maker notes and embedded thumbnails are gone because the output
is encoded from a fresh image built from pixel data alone.

Memory stays bounded: baseline JPEGs (what phone cameras write, up to 200 MP modes) are decoded
at a reduced scale (libjpeg's DCT scaling, `draft`), so a 200 MP photo costs about as much as a
12 MP one. Formats decoded at full size (PNG, WebP, HEIC, progressive JPEG) have a lower pixel
limit. Callers bound how many images are processed at once.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from typing import cast

import pillow_heif
from PIL import Image, ImageCms

from . import containers, icc

log = logging.getLogger(__name__)
# Pillow's debug lines quote what it parses (EXIF text, comments): never let them reach a log.
logging.getLogger("PIL").setLevel(logging.INFO)

FULL_SIDE = 2048
# A display version a little smaller than FULL_SIDE is fine when it saves a full-size resample:
# a 4032 px photo becomes 2016 px by DCT scaling (JPEG) or a 2x2 average (others).
CLOSE_ENOUGH = 0.95
THUMB_SIDE = 400
FULL_QUALITY = 85
THUMB_QUALITY = 80
# Baseline JPEG, decoded at 1/2, 1/4 or 1/8 scale: 200 MP phone modes fit, with room.
MAX_PIXELS = 210_000_000
# Decoded at full size (about 3-4 bytes a pixel): 48 and 50 MP phone photos fit.
MAX_FULL_DECODE_PIXELS = 64_000_000
FORMAT_NAMES = {containers.JPEG: "JPEG", containers.PNG: "PNG", containers.WEBP: "WebP", containers.HEIF: "HEIC"}

# Our own limit instead of Pillow's 89.5 MP, and its bomb warning is a refusal, never a log line.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
# HEIC: the main picture only (never an embedded thumbnail, depth map or auxiliary image).
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))

NOT_AN_IMAGE = (
    "This file is not a photo that can be read here. Photos in JPEG, PNG, WebP or HEIC work "
    "(SVG drawings, PDFs and web pages do not)."
)
UNREADABLE = "This photo could not be read; the file may be damaged. Try taking or exporting it again."
INCOMPLETE = "This photo's file is incomplete (it may have been cut short while copying). Try it again."
HIDDEN = (
    "This file holds something besides a picture (such as an archive or a document hidden inside it), "
    "so it was not added. Take a screenshot of the photo, or export it again, and add that."
)
EMPTY = "This file is empty."


class ImageRefused(Exception):
    """Not kept; `reason` says why in words for the person who sent it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Processed:
    full: bytes
    thumb: bytes
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    source_format: str


def process(data: bytes) -> Processed:
    """Decode, orient, convert to sRGB, resize and re-encode one photo; ImageRefused if it is not one."""
    if not data:
        raise ImageRefused(EMPTY)
    kind = containers.sniff(data)
    if kind is None:
        raise ImageRefused(NOT_AN_IMAGE)
    try:
        containers.check(data, kind)
    except containers.Incomplete:
        raise ImageRefused(INCOMPLETE) from None
    except containers.Hidden:
        raise ImageRefused(HIDDEN) from None
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            return _pipeline(image, kind)
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(too_many_pixels_message(None)) from None
    except Image.UnidentifiedImageError:
        raise ImageRefused(NOT_AN_IMAGE) from None
    except MemoryError:
        raise
    except Exception as error:  # a decoder's complaint about the file, whatever its type
        log.info("photo refused by the decoder: %s", type(error).__name__)
        truncated = isinstance(error, OSError) and "truncated" in str(error)
        raise ImageRefused(INCOMPLETE if truncated else UNREADABLE) from None


def too_many_pixels_message(size: tuple[int, int] | None, limit: int = MAX_PIXELS, kind: str | None = None) -> str:
    if size is None:
        return (
            f"This picture has far more pixels than a photo ({limit // 1_000_000} megapixels at most), "
            "so it was not opened."
        )
    width, height = size
    megapixels = width * height / 1_000_000
    if kind is not None and limit == MAX_FULL_DECODE_PIXELS:
        return (
            f"This {kind} picture is {width:,} × {height:,} pixels ({megapixels:.0f} megapixels); {kind} "
            f"pictures can have up to {limit // 1_000_000} megapixels. A JPEG, or a smaller size, works."
        )
    return (
        f"This picture is {width:,} × {height:,} pixels ({megapixels:.0f} megapixels); up to "
        f"{limit // 1_000_000} megapixels can be added."
    )


def _pipeline(image: Image.Image, kind: str) -> Processed:
    width, height = image.size
    progressive = kind == containers.JPEG and bool(image.info.get("progressive") or image.info.get("progression"))
    limit = MAX_PIXELS if kind == containers.JPEG and not progressive else MAX_FULL_DECODE_PIXELS
    if width < 1 or height < 1 or width * height > limit:
        name = "progressive JPEG" if progressive else FORMAT_NAMES[kind]
        raise ImageRefused(too_many_pixels_message((width, height), limit, None if limit == MAX_PIXELS else name))
    # pillow-heif has already turned HEIC pictures upright; other formats say so in EXIF.
    orientation = 1 if kind == containers.HEIF else _orientation(image)
    if kind == containers.JPEG:
        # Decode at the smallest DCT scale (1/2, 1/4, 1/8) still near the display size.
        image.draft(None, fit((width, height), int(FULL_SIDE * CLOSE_ENOUGH)))
    image.load()
    profile = image.info.get("icc_profile") or icc.cicp_profile(image.info.get("nclx_profile"))
    working = _to_srgb(_shrink(_flatten(_eight_bit(image)), FULL_SIDE), profile)
    method = _TRANSPOSE.get(orientation)
    if method is not None:
        working = working.transpose(method)
    full = _pixels_only(working)
    thumb = _pixels_only(full.resize(fit(full.size, THUMB_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0))
    return Processed(
        _jpeg(full, FULL_QUALITY, progressive=True),
        _jpeg(thumb, THUMB_QUALITY, progressive=False),
        full.width,
        full.height,
        thumb.width,
        thumb.height,
        FORMAT_NAMES[kind],
    )


def fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    """`size` scaled so the long side is at most `side` (never enlarged), aspect kept."""
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shrink(image: Image.Image, side: int) -> Image.Image:
    """At most `side` px on the long side: a whole-pixel average when that lands close enough, else Lanczos."""
    longest = max(image.size)
    if longest <= side:
        return image
    factor = -(-longest // side)
    if factor > 1 and longest / factor >= side * CLOSE_ENOUGH:
        return image.reduce(factor)
    return image.resize(fit(image.size, side), Image.Resampling.LANCZOS, reducing_gap=2.0)


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block: the picture as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _eight_bit(image: Image.Image) -> Image.Image:
    """RGB, RGBA, L or CMYK with 8 bits a channel (what resizing and colour conversion work on)."""
    mode = image.mode
    if mode in ("RGB", "RGBA", "L", "CMYK"):
        return image
    if mode.startswith("I;16") or mode == "I":
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if mode == "1":
        return image.convert("L")
    if mode in ("LA", "La", "RGBa", "PA") or (mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    return image.convert("RGB")


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent parts shown on white, as most viewers show them."""
    if image.mode != "RGBA":
        return image
    # Pillow types the answer for one band and for several alike; RGBA has four (min, max) pairs.
    extrema = cast("tuple[tuple[int, int], ...]", image.getextrema())
    if extrema[3][0] == 255:
        return image.convert("RGB")
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _to_srgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    """Colours as the embedded profile means them, in sRGB; without a usable profile, taken as sRGB."""
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            # Pillow types the answer Optional for inPlace=True; without it, the converted image comes back.
            return cast(Image.Image, ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB"))
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            log.info("colour profile not usable; pixels taken as sRGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image from the pixel data alone: no info, EXIF, XMP, comment or profile can follow."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def _jpeg(image: Image.Image, quality: int, *, progressive: bool) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=progressive)
    return out.getvalue()
