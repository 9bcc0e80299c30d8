"""Time and memory of processing one phone photo of art, end to end, against a plain decode of it.

Run from the project root:  .venv/bin/python bench/art_processing.py   (or: make bench)

Inputs, made here: a 12-megapixel JPEG (4032 x 3024, as most phone cameras write) and a HEIC of the
same picture and size (encoding it takes a while; it is made once per run). Each case runs in a
process of its own, so its peak memory is its own: the median of RUNS runs, the peak of Python's
allocations (tracemalloc, one extra run) and the growth of the process's peak resident memory
(VmHWM, reset before the first run; it includes Pillow's and libheif's pixel buffers, which
tracemalloc does not see) over what it held once the libraries and the input were loaded.

Cases:
  baseline   Pillow open + load of the JPEG at full size (what a naive thumbnailer pays)
  jpeg       journal.art.processing.process(JPEG): decode (DCT-scaled) -> orient -> sRGB -> display + thumbnail -> JPEG
  heic       the same for the HEIC (decoded at full size; libheif has no scaled decoding)
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import io  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZE = (4032, 3024)
RUNS = 5


def make_photo() -> Image.Image:  # noqa: F821
    """A photo-like 12 MP picture: a wash of colour, shapes, and sensor-like grain."""
    from PIL import Image, ImageDraw, ImageOps

    rng = random.Random(12)
    picture = ImageOps.colorize(
        Image.linear_gradient("L").rotate(30).resize(SIZE), black=(40, 50, 90), white=(230, 200, 150)
    )
    draw = ImageDraw.Draw(picture)
    for _ in range(12):
        x, y, r = rng.randrange(SIZE[0]), rng.randrange(SIZE[1]), rng.randrange(100, 900)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    return Image.blend(picture, Image.effect_noise(SIZE, 40).convert("RGB"), 0.15)


def make_inputs(folder: Path) -> dict[str, Path]:
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    picture = make_photo()
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)})
    paths = {"jpeg": folder / "photo-12mp.jpg", "heic": folder / "photo-12mp.heic"}
    picture.save(paths["jpeg"], format="JPEG", quality=92, exif=exif)
    started = time.perf_counter()
    picture.save(paths["heic"], format="HEIF", quality=80, exif=exif.tobytes())
    print(
        f"  (made the inputs: JPEG {paths['jpeg'].stat().st_size / 1e6:.1f} MB, HEIC "
        f"{paths['heic'].stat().st_size / 1e6:.1f} MB; encoding the HEIC took {time.perf_counter() - started:.0f} s)"
    )
    return paths


def run_case(case: str, path: Path, runs: int) -> dict:
    """In a child process: time `runs` runs of one case; peak memory over all of them."""
    from PIL import Image

    from journal.art import processing

    data = path.read_bytes()

    def baseline() -> None:
        with Image.open(io.BytesIO(data)) as image:
            image.load()

    def process() -> None:
        processing.process(data)

    work = baseline if case == "baseline" else process
    times = []
    hwm_before = _reset_peak_rss()
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    hwm_after = _peak_rss_kib()
    tracemalloc.start()  # one more run, traced: tracing slows Python's allocations, so it is not timed
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "tracemalloc_peak_mb": peak / 2**20,
        "rss_growth_mb": (hwm_after - hwm_before) / 1024,
        "rss_peak_mb": hwm_after / 1024,
    }


def _peak_rss_kib() -> int:
    """The process's peak resident memory so far (VmHWM), in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak_rss() -> int:
    """Start the peak over from what the process holds now (Linux: clear_refs 5); returns that."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _peak_rss_kib()


def main() -> None:
    print(
        f"Art processing: one {SIZE[0]}x{SIZE[1]} photo ({SIZE[0] * SIZE[1] / 1e6:.1f} MP), "
        f"median of {RUNS} runs, each case in its own process"
    )
    with tempfile.TemporaryDirectory(prefix="art-bench-") as folder:
        paths = make_inputs(Path(folder))
        cases = [
            ("baseline", "jpeg", "Pillow open+load, JPEG (baseline)"),
            ("jpeg", "jpeg", "process(): JPEG -> display + thumbnail"),
            ("heic", "heic", "process(): HEIC -> display + thumbnail"),
        ]
        results = {}
        for case, source, _label in cases:
            out = subprocess.run(
                [sys.executable, __file__, "--case", case, str(paths[source]), str(RUNS)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            results[case] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {'case':<42} {'median':>8} {'min':>8} {'tracemalloc':>12} {'RSS growth':>11} {'RSS peak':>9}")
    for case, _source, label in cases:
        r = results[case]
        print(
            f"  {label:<42} {r['median_s'] * 1000:>6.0f}ms {r['min_s'] * 1000:>6.0f}ms "
            f"{r['tracemalloc_peak_mb']:>10.1f}MB {r['rss_growth_mb']:>9.0f}MB {r['rss_peak_mb']:>7.0f}MB"
        )
    base = results["baseline"]["median_s"]
    print(
        f"  ratio to the baseline decode: JPEG {results['jpeg']['median_s'] / base:.2f}x, "
        f"HEIC {results['heic']['median_s'] / base:.2f}x"
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))))
    else:
        main()
