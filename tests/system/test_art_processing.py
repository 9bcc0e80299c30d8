"""Processing a photo of art: decoded by its bytes, upright, in sRGB, resized, with no metadata; or refused."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest
from PIL import Image

from journal.art import icc, processing
from journal.art.processing import ImageRefused

from .. import art_images
from ..support import ROOT, new_marker

# exiftool groups that describe the file itself; anything else is metadata carried over.
FILE_GROUPS = {"SourceFile", "ExifTool", "System", "File", "JFIF", "Composite"}


def exiftool(data: bytes, tmp_path, name: str) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(["exiftool", "-j", "-a", "-u", "-G1", str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)[0]


def metadata_groups(tags: dict) -> set[str]:
    return {key.split(":", 1)[0] for key in tags}


def assert_no_metadata(data: bytes, tmp_path, name: str, marker: str | None = None) -> None:
    tags = exiftool(data, tmp_path, name)
    assert metadata_groups(tags) <= FILE_GROUPS, sorted(metadata_groups(tags) - FILE_GROUPS)
    assert not [key for key in tags if re.search(r"GPS|Comment|Orientation|Thumbnail|Maker|XMP|IPTC|ICC", key)], tags
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not set(image.info) & {"exif", "icc_profile", "comment", "xmp", "photoshop", "adobe"}, image.info
    assert len(image.getexif()) == 0
    assert b"Exif\x00" not in data and b"http://ns.adobe.com" not in data and b"Photoshop" not in data
    assert b"<script" not in data.lower()
    if marker:
        assert marker.encode() not in data


def colour_at(data: bytes, xy) -> tuple[int, int, int]:
    return Image.open(io.BytesIO(data)).convert("RGB").getpixel(xy)


def near(colour, expected, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=False))


# ---- processing: pure, no database ------------------------------------------------------------------


def test_jpeg_comes_out_upright_with_no_metadata_at_all(tmp_path):
    marker = new_marker("EXIF")
    source = art_images.jpeg_full_of_metadata(tmp_path, marker)
    before = exiftool(source, tmp_path, "source.jpg")
    for group in ("GPS", "IFD0", "IFD1", "ExifIFD", "XMP-dc", "IPTC", "ICC_Profile"):
        assert group in metadata_groups(before), group  # the input really carries all of it
    assert before["IFD0:Orientation"] == "Rotate 90 CW" and "<script>" in before["File:Comment"]

    result = processing.process(source)

    # 600x400 stored, orientation 6: shown 400 wide and 600 tall, the stored left (red) half on top.
    assert (result.width, result.height) == (400, 600)
    assert (result.thumb_width, result.thumb_height) == (267, 400)
    for data in (result.full, result.thumb):
        image = Image.open(io.BytesIO(data))
        top, bottom = (
            colour_at(data, (image.width // 2, image.height // 4)),
            colour_at(data, (image.width // 2, image.height * 3 // 4)),
        )
        assert top[0] > 150 and top[2] < 90, top
        assert bottom[2] > 150 and bottom[0] < 90, bottom
    assert_no_metadata(result.full, tmp_path, "full.jpg", marker)
    assert_no_metadata(result.thumb, tmp_path, "thumb.jpg", marker)


def test_heic_with_gps_is_accepted_upright_and_without_metadata(tmp_path):
    source = art_images.heic(exif=art_images.exif_with(orientation=6))
    assert "GPS" in metadata_groups(exiftool(source, tmp_path, "source.heic"))
    result = processing.process(source)
    assert result.source_format == "HEIC"
    assert (result.width, result.height) == (64, 96)  # 96x64 turned a quarter: portrait
    top, bottom = colour_at(result.full, (32, 20)), colour_at(result.full, (32, 76))
    assert top[0] > 150 and top[2] < 90 and bottom[2] > 150 and bottom[0] < 90, (top, bottom)
    assert_no_metadata(result.full, tmp_path, "full.jpg")
    assert_no_metadata(result.thumb, tmp_path, "thumb.jpg")


def test_a_small_plain_heic_is_accepted():
    result = processing.process(art_images.heic(art_images.two_halves((160, 120))))
    assert (result.width, result.height) == (160, 120)
    assert near(colour_at(result.full, (20, 60)), art_images.RED)


def test_colours_follow_the_embedded_profile_into_srgb():
    # The file says (255, 0, 0), and its profile says that channel is blue.
    source = art_images.jpeg(
        Image.new("RGB", (64, 64), (255, 0, 0)), icc_profile=art_images.swapped_profile(), quality=95
    )
    assert near(colour_at(processing.process(source).full, (32, 32)), (0, 0, 255))
    plain = art_images.jpeg(Image.new("RGB", (64, 64), (255, 0, 0)), quality=95)
    assert near(colour_at(processing.process(plain).full, (32, 32)), (255, 0, 0))


def test_heic_colours_from_an_icc_profile_or_from_cicp_numbers():
    import pillow_heif

    pillow_heif.register_heif_opener()

    def heic_with(**colour) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 60, 60)).save(out, format="HEIF", quality=95, **colour)
        return out.getvalue()

    swapped = io.BytesIO()
    Image.new("RGB", (64, 64), (255, 0, 0)).save(
        swapped, format="HEIF", quality=95, icc_profile=art_images.swapped_profile()
    )
    assert near(colour_at(processing.process(swapped.getvalue()).full, (32, 32)), (0, 0, 255))
    # Display P3 named by CICP numbers (an nclx box), no profile: the same colour as with a P3 profile.
    p3 = heic_with(
        nclx_profile={
            "color_primaries": 12,
            "transfer_characteristics": 13,
            "matrix_coefficients": 6,
            "full_range_flag": 1,
        }
    )
    with_profile = art_images.jpeg(
        Image.new("RGB", (64, 64), (200, 60, 60)),
        quality=95,
        icc_profile=icc.rgb_profile(*icc.PRIMARIES[12], name="Display P3"),
    )
    converted = colour_at(processing.process(p3).full, (32, 32))
    assert near(converted, colour_at(processing.process(with_profile).full, (32, 32)), 4)
    assert converted[0] > 210 and converted[1] < 50, converted  # more saturated than the numbers as sRGB


@pytest.mark.parametrize("make", [art_images.png, art_images.webp])
def test_png_and_webp_are_accepted_and_transparency_shows_on_white(make):
    result = processing.process(make(art_images.two_halves()))
    assert (result.width, result.height) == (600, 400)
    assert near(colour_at(result.full, (100, 200)), art_images.RED)
    clear = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    assert near(colour_at(processing.process(make(clear)).full, (20, 20)), (255, 255, 255), 8)


def test_large_photos_are_downscaled_to_2048_and_a_400px_thumbnail():
    result = processing.process(art_images.jpeg(art_images.two_halves((3000, 2000)), quality=80))
    assert (result.width, result.height) == (2048, 1365)
    assert (result.thumb_width, result.thumb_height) == (400, 267)
    assert Image.open(io.BytesIO(result.full)).size == (2048, 1365)
    assert Image.open(io.BytesIO(result.thumb)).size == (400, 267)


def test_a_200_megapixel_phone_photo_is_accepted_with_bounded_memory(tmp_path):
    """16320 x 12240, as 200 MP camera modes write; decoded at a reduced scale, in a process of its own."""
    script = (
        "import resource, sys\n"
        "from tests import art_images\n"
        "from journal.art import processing\n"
        "data = art_images.grey_jpeg_of_size(16320, 12240)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "result = processing.process(data)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(result.width, result.height, (after - before) // 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    width, height, grown_mb = map(int, out.stdout.split())
    assert (width, height) == (2040, 1530)  # 1/8 scale: as near 2048 as DCT scaling gets
    assert grown_mb < 120, f"processing a 200 MP JPEG grew the process by {grown_mb} MB"  # 1 byte a pixel would be 200


REFUSALS = [
    ("svg with a script", art_images.svg_with_script, "not a photo that can be read"),
    ("web page named .jpg", art_images.html_page, "not a photo that can be read"),
    ("pdf", art_images.pdf_document, "not a photo that can be read"),
    ("jpeg/zip polyglot", art_images.jpeg_zip_polyglot, "something besides a picture"),
    ("jpeg with a web page after it", art_images.jpeg_then_html, "something besides a picture"),
    ("truncated jpeg", art_images.truncated_jpeg, "incomplete"),
    ("truncated png", lambda: art_images.png()[:-40], "incomplete"),
    ("empty", lambda: b"", "empty"),
    ("pixel bomb over our limit", lambda: art_images.png_bomb(15000, 15000), "pixels"),
    ("pixel bomb far over it", lambda: art_images.png_bomb(30000, 30000), "pixels"),
    ("png decoded whole, 72 MP", lambda: art_images.png_bomb(9000, 8000), "PNG pictures can have up to 64 megapixels"),
    ("jpeg claiming 3.6 gigapixels", lambda: art_images.grey_jpeg_of_size(60000, 60000), "pixels"),
]


@pytest.mark.parametrize("label, make, words", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_what_is_not_a_safe_photo_is_refused_with_a_reason(label, make, words):
    data = make()
    if "bomb" in label:
        assert len(data) < 500_000  # tiny file, huge picture
    with pytest.raises(ImageRefused) as refused:
        processing.process(data)
    assert words in refused.value.reason


def test_a_phone_trailer_after_the_picture_is_fine():
    """Ultra HDR / Multi-Picture Format JPEGs carry a second JPEG after the first; Motion Photos an MP4."""
    gain_map = art_images.jpeg(Image.new("L", (32, 24), 40))
    motion = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64)
    for trailer in (gain_map, motion, b"\x00" * 16):
        assert processing.process(art_images.jpeg() + trailer).width == 600
    multi = io.BytesIO()  # a Multi-Picture Format file as Pillow writes one (what MPF cameras write)
    art_images.two_halves().save(multi, format="MPO", save_all=True, append_images=[Image.new("L", (300, 200), 40)])
    assert (processing.process(multi.getvalue()).width, processing.process(multi.getvalue()).height) == (600, 400)
