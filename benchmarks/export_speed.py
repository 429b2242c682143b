"""Export speed: one iteration of the default example as slides, against "under 2 s".

Run from the repository root (no display needed; Qt runs offscreen)::

    .venv/bin/python benchmarks/export_speed.py
    .venv/bin/python benchmarks/export_speed.py --runs 5

Each measurement is one ``gui.export.export_iteration`` call on the default example
(``resources.preset_path()``, the seed-003 2-2-2 network: 6 steps) at iteration 1:
building the slide's widgets (caption, diagram scene and view, and for the full slide
the derivation and the loss curve), then rendering and writing every step, as

- 6 PNGs of 1920×1080 at scale 1,
- 6 PNGs at scale 2 (3840×2160 pixels each),
- one PDF of 6 pages (``pdf-pages``),

once with the diagram only and once with the derivation and the loss curve. The
interpreter start, the imports and the QApplication are not timed; the first run is
timed like the others (it pays for fonts and caches a GUI's first export pays too).
The table shows the median of 3 runs (``--runs``), with the fastest and slowest.

Exit status: 0 when every median is under the target, 1 when one is not.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is imported

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_S = 2.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    args = parser.parse_args(argv)

    from gui.app import application

    application()
    import resources
    from engine.fileformat import load_network
    from gui.document import NetworkDocument, Position
    from gui.export import PDF_PAGES, SlideOptions, export_iteration
    from gui.view_settings import ViewSettings

    preset = resources.preset_path()
    document = NetworkDocument(load_network(str(preset)))
    document.go_to(Position(0, 0))
    settings = ViewSettings()
    steps = len(document.steps)

    cases = [
        ("PNG, scale 1 (1920×1080)", "png", 1.0),
        ("PNG, scale 2 (3840×2160)", "png", 2.0),
        ("PDF, one page per step", PDF_PAGES, 2.0),
    ]
    slides = [("diagram", False), ("+ maths + loss", True)]

    print(
        f"Export one iteration of {preset.name} ({steps} steps) as 1920×1080 slides, "
        f"offscreen; median of {args.runs} runs, widgets built in every run"
    )
    header = f"{'format':<26} {'slide':<16} {'median':>8} {'min':>8} {'max':>8}   target"
    print(header)
    print("-" * (len(header) + 8))
    failed = False
    scratch = Path(tempfile.mkdtemp(prefix="export-speed-"))
    try:
        for slide_name, full in slides:
            for name, fmt, scale in cases:
                options = SlideOptions(scale=scale, with_math=full, with_loss=full)
                times = []
                for run in range(args.runs):
                    target = scratch / f"{fmt}-{scale}-{full}-{run}"
                    if fmt == PDF_PAGES:
                        target = target.with_suffix(".pdf")
                    start = time.perf_counter()
                    written = export_iteration(document, settings, target, fmt, options)
                    times.append(time.perf_counter() - start)
                    expected = 1 if fmt == PDF_PAGES else steps
                    assert len(written) == expected, written
                median = statistics.median(times)
                ok = median < TARGET_S
                failed |= not ok
                print(
                    f"{name:<26} {slide_name:<16} {median:>7.2f}s {min(times):>7.2f}s "
                    f"{max(times):>7.2f}s   < {TARGET_S:g} s  {'PASS' if ok else 'FAIL'}"
                )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"cores: {os.cpu_count()} (PNGs are compressed on up to 4 threads); "
        f"load average over the last minute: {load:.2f} (above ~0.5 the figures grow)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
