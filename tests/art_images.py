"""Pictures for the art tests, made here with Pillow (and exiftool, to add every kind of metadata).

Small on purpose: encoding large HEIC is slow, and the 12 MP photo lives in the benchmark only.
"""

from __future__ import annotations

import io
import random
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

from PIL import Image

from journal.art import icc

RED, BLUE = (220, 30, 30), (30, 30, 220)
GPS = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)}


def two_halves(size=(600, 400)) -> Image.Image:
    """Left half red, right half blue: which way up it ends is plain to see."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image


def exif_with(orientation: int = 1, maker_note: bytes = b"") -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 15 Pro"
    exif.get_ifd(0x8825).update(GPS)
    if maker_note:
        exif.get_ifd(0x8769)[0x927C] = maker_note
    return exif


def jpeg(image: Image.Image | None = None, **save) -> bytes:
    out = io.BytesIO()
    (image or two_halves()).save(out, format="JPEG", **save)
    return out.getvalue()


def png(image: Image.Image | None = None, **save) -> bytes:
    out = io.BytesIO()
    (image or two_halves()).save(out, format="PNG", **save)
    return out.getvalue()


def webp(image: Image.Image | None = None, **save) -> bytes:
    out = io.BytesIO()
    (image or two_halves()).save(out, format="WEBP", **save)
    return out.getvalue()


def noise_jpeg(size=(1200, 900), seed: int = 1, quality: int = 92) -> bytes:
    """A photo-like JPEG of some size (noise does not compress), for watching an upload's progress."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    return jpeg(image, quality=quality)


def painting(size=(900, 700), seed: int = 1, quality: int = 95) -> bytes:
    """Something like a photo of a painting: a wash of colour, a few shapes, paper grain (which keeps
    the file photo-sized, for watching an upload's progress)."""
    from PIL import ImageDraw, ImageOps

    rng = random.Random(seed)
    wash = ImageOps.colorize(
        Image.linear_gradient("L").rotate(rng.randrange(360)).resize(size),
        black=tuple(rng.randrange(40, 120) for _ in range(3)),
        white=tuple(rng.randrange(150, 250) for _ in range(3)),
    )
    draw = ImageDraw.Draw(wash)
    for _ in range(7):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(30, size[0] // 4)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    grain = Image.effect_noise(size, 60).convert("RGB")
    return jpeg(Image.blend(wash, grain, 0.18), quality=quality)


def jpeg_full_of_metadata(workdir: Path, marker: str) -> bytes:
    """Orientation 6, GPS, maker notes, a comment holding a script, a Display P3 profile; then XMP,
    IPTC and an embedded thumbnail added by exiftool. `marker` is in every text field."""
    path = workdir / "metadata.jpg"
    thumb = workdir / "embedded-thumb.jpg"
    two_halves().save(
        path,
        format="JPEG",
        quality=90,
        exif=exif_with(6, f"MAKER-{marker}".encode() * 4),
        comment=f"<script>alert('{marker}')</script>".encode(),
        icc_profile=icc.rgb_profile(*icc.PRIMARIES[12], name="Display P3"),
    )
    Image.new("RGB", (160, 120), (0, 255, 0)).save(thumb, format="JPEG")
    subprocess.run(
        [
            "exiftool",
            "-q",
            "-overwrite_original",
            f"-XMP-dc:Description=XMP-{marker}",
            f"-IPTC:Keywords=IPTC-{marker}",
            f"-XMP-dc:Creator=<script>{marker}</script>",
            f"-ThumbnailImage<={thumb}",
            str(path),
        ],
        check=True,
    )
    return path.read_bytes()


def heic(image: Image.Image | None = None, exif: Image.Exif | None = None, quality: int = 60) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    (image or two_halves((96, 64))).save(
        out, format="HEIF", quality=quality, **({"exif": exif.tobytes()} if exif is not None else {})
    )
    return out.getvalue()


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>'
    )


def html_page() -> bytes:
    return b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def pdf_document() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def jpeg_zip_polyglot() -> bytes:
    """A real JPEG with a ZIP archive after it: both a picture viewer and an unzip tool open it."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("index.html", "<script>alert(1)</script>")
    return jpeg() + archive.getvalue()


def jpeg_then_html() -> bytes:
    return jpeg() + b"<html><script>alert(1)</script></html>"


def truncated_jpeg() -> bytes:
    data = noise_jpeg((300, 200))
    return data[: len(data) * 2 // 3]


def png_bomb(width: int, height: int) -> bytes:
    """A real 1-bit PNG of `width` x `height`, all black: a few hundred KB that decode to a huge picture."""
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row) for _ in range(height)]
    raw = b"".join(chunks) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def grey_jpeg_of_size(width: int, height: int) -> bytes:
    """A baseline greyscale JPEG of any size, made without holding its pixels: every 8x8 block is
    mid-grey, so the scan is one short bit pattern repeated (DC difference 0, then end of block:
    6 bits a block with the standard tables). A 200 MP picture in about 2 MB."""
    small = io.BytesIO()
    Image.new("L", (8, 8), 128).save(small, format="JPEG", quality=75, optimize=False)
    data = small.getvalue()
    sof = data.index(b"\xff\xc0")
    data = data[: sof + 5] + struct.pack(">HH", height, width) + data[sof + 9 :]
    sos = data.index(b"\xff\xda")
    scan_start = sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    whole, extra = divmod(blocks, 4)  # four blocks are 24 bits: 0x28 0xA2 0x8A
    tail = "001010" * extra
    tail += "1" * (-len(tail) % 8)
    scan = b"\x28\xa2\x8a" * whole + bytes(int(tail[i : i + 8], 2) for i in range(0, len(tail), 8))
    return data[:scan_start] + scan + b"\xff\xd9"


def swapped_profile() -> bytes:
    """An RGB profile whose red is sRGB's blue and whose blue is sRGB's red."""
    red, green, blue, white = icc.SRGB_PRIMARIES
    return icc.rgb_profile(blue, green, red, white, name="swapped")
