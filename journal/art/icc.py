"""Small RGB colour profiles (matrix + sRGB tone curve) for colour spaces a photo names without embedding one.

HEIC photos often say their colour space with CICP numbers (an "nclx" box: primaries, transfer)
instead of an ICC profile. LittleCMS converts between ICC profiles, so this builds the profile
such a photo means: its primaries and white point, adapted to the ICC's D50, with the sRGB curve.
"""

from __future__ import annotations

import struct
from functools import lru_cache

# CICP colour primaries (ITU-T H.273) as CIE xy of red, green, blue, and the white point.
D65 = (0.3127, 0.3290)
PRIMARIES = {
    9: ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046), D65),  # BT.2020
    12: ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060), D65),  # Display P3
}
SRGB_PRIMARIES = ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060), D65)
# CICP transfer characteristics close enough to the sRGB curve for display (HDR curves are not).
SRGB_LIKE_TRANSFERS = {1, 2, 6, 13, 14, 15}
_D50 = (0.9642, 1.0, 0.8249)
_BRADFORD = ((0.8951, 0.2664, -0.1614), (-0.7502, 1.7135, 0.0367), (0.0389, -0.0685, 1.0296))


def _xyz(xy: tuple[float, float]) -> tuple[float, float, float]:
    x, y = xy
    return x / y, 1.0, (1 - x - y) / y


def _mul(m, v):
    return tuple(sum(m[r][c] * v[c] for c in range(3)) for r in range(3))


def _matmul(a, b):
    return tuple(tuple(sum(a[r][k] * b[k][c] for k in range(3)) for c in range(3)) for r in range(3))


def _inverse(m):
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return (
        ((e * i - f * h) / det, -(b * i - c * h) / det, (b * f - c * e) / det),
        (-(d * i - f * g) / det, (a * i - c * g) / det, -(a * f - c * d) / det),
        ((d * h - e * g) / det, -(a * h - b * g) / det, (a * e - b * d) / det),
    )


def colorants(red, green, blue, white) -> tuple[tuple[float, float, float], ...]:
    """XYZ (D50) of full red, green and blue: the columns of the RGB -> PCS matrix."""
    columns = [_xyz(red), _xyz(green), _xyz(blue)]
    matrix = tuple(tuple(columns[c][r] for c in range(3)) for r in range(3))
    scale = _mul(_inverse(matrix), _xyz(white))
    rgb_to_xyz = tuple(tuple(matrix[r][c] * scale[c] for c in range(3)) for r in range(3))
    # Bradford adaptation from the white point to D50.
    source, target = _mul(_BRADFORD, _xyz(white)), _mul(_BRADFORD, _D50)
    diagonal = tuple(tuple(target[r] / source[r] if r == c else 0.0 for c in range(3)) for r in range(3))
    adapt = _matmul(_matmul(_inverse(_BRADFORD), diagonal), _BRADFORD)
    adapted = _matmul(adapt, rgb_to_xyz)
    return tuple(tuple(adapted[r][c] for r in range(3)) for c in range(3))


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _tag_xyz(xyz) -> bytes:
    return b"XYZ " + bytes(4) + b"".join(_s15(v) for v in xyz)


def _tag_srgb_curve() -> bytes:
    # Parametric curve type 3: Y = (aX + b)^g for X >= d, else cX.
    params = (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)
    return b"para" + bytes(4) + struct.pack(">HH", 3, 0) + b"".join(_s15(v) for v in params)


def _tag_text(text: str) -> bytes:
    encoded = text.encode("utf-16-be")
    return b"mluc" + bytes(4) + struct.pack(">II", 1, 12) + b"enUS" + struct.pack(">II", len(encoded), 28) + encoded


@lru_cache(maxsize=8)
def rgb_profile(red, green, blue, white, name: str = "RGB") -> bytes:
    """An ICC v4 display profile: these primaries and white point, the sRGB tone curve."""
    r_xyz, g_xyz, b_xyz = colorants(red, green, blue, white)
    curve = _tag_srgb_curve()
    tags = [
        (b"desc", _tag_text(name)),
        (b"cprt", _tag_text("No copyright, use freely")),
        (b"wtpt", _tag_xyz(_D50)),
        (b"rXYZ", _tag_xyz(r_xyz)),
        (b"gXYZ", _tag_xyz(g_xyz)),
        (b"bXYZ", _tag_xyz(b_xyz)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        padded = body + bytes(-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += padded
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + bytes([4, 0x30, 0, 0])
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + bytes(4)
        + struct.pack(">I", 0)
        + bytes(8)
        + bytes(8)
        + struct.pack(">I", 0)
        + b"".join(_s15(v) for v in _D50)
        + bytes(4)
        + bytes(16)
        + bytes(28)
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def cicp_profile(nclx: dict | None) -> bytes | None:
    """The profile an nclx box means, when it is not already sRGB and has a display (not HDR) curve."""
    if not isinstance(nclx, dict):
        return None
    code = nclx.get("color_primaries")
    primaries = PRIMARIES.get(code) if code is not None else None
    if primaries is None or nclx.get("transfer_characteristics") not in SRGB_LIKE_TRANSFERS:
        return None
    return rgb_profile(*primaries, name=f"CICP primaries {code}")
