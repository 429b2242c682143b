"""Memory and time over long use of the real window (offscreen), beside the targets.

Run from the repository root (no display needed)::

    .venv/bin/python benchmarks/memory.py            # full run (~3 min on 2 cores)
    .venv/bin/python benchmarks/memory.py --quick    # 100,000 iterations instead of 10^6

Each part runs in a fresh process so that one part's memory does not hide another's:

1. play: XOR 2-4-1 (the preset) "as fast as possible" until 10^6 iterations; RSS
   after the first second of play (caches warm) and at the end. Target: growth
   < 50 MB.
2. edits: after that run, 20 distinct weight edits that continue training (each
   one undoable, so each keeps a snapshot of the state before it). Target: the
   edits cost < 1 MB each (they cost ~30 MB each when snapshots copied the loss
   history).
3. wide play: a 128-128-128-128 net (0.4 MB of parameters) played for 60 s (20 s
   with --quick): RSS growth. Target: < 200 MB (checkpoints are kept by a
   memory budget; one per frame cost 1.6 GB).
4. rows: XOR with 10,000 data rows (every row in every iteration); the median time
   of the → key (one step, the window redrawn) over 24 steps, and the RSS. Targets:
   < 0.3 s per step, < 300 MB.

Prints one line per figure: the measured value, the target and PASS/FAIL; exit
status 1 when a target fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _window(network):  # type: ignore[no-untyped-def]
    os.environ["BACKPROP_LENS_CONFIG_DIR"] = tempfile.mkdtemp(prefix="bl-bench-")
    from gui.app import application

    app = application()
    from gui.main_window import MainWindow

    window = MainWindow(network, None, remember=False)
    window.files.ask_unsaved = lambda: "discard"
    window.edit_choice.ask = lambda text: "continue"
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    return app, window


def _play(app, window, iterations: int, seconds: float) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """Play as fast as possible; RSS after one second and at the end, iterations run."""
    document = window.document
    window.speed_box.setCurrentIndex(window.speed_box.findData(0))
    document.player.play()
    start = time.perf_counter()
    warm = None
    while document.player.playing and document.iteration < iterations:
        app.processEvents()
        elapsed = time.perf_counter() - start
        if warm is None and elapsed >= 1.0:
            warm = rss_mb()
        if elapsed >= seconds:
            break
    document.player.pause()
    app.processEvents()
    return warm or rss_mb(), rss_mb(), document.iteration


def child_play(quick: bool) -> dict[str, float]:
    from engine import edits
    from engine.fileformat import load_network

    app, window = _window(load_network(ROOT / "resources/presets/xor-2-4-1.json"))
    target = 100_000 if quick else 1_000_000
    warm, end, ran = _play(app, window, target, 600.0)
    document = window.document
    before = rss_mb()
    for k in range(20):
        document.push_edit(f"w{k}", edits.set_weight, 1, 0, 0, 0.1 + k * 1e-3)
        app.processEvents()
    after = rss_mb()
    return {
        "iterations": ran,
        "play_growth_mb": end - warm,
        "edit_mb": (after - before) / 20,
    }


def child_wide(quick: bool) -> dict[str, float]:
    import numpy as np

    from engine import edits
    from gui.files import new_network

    sizes = [128, 128, 128, 128]
    network = new_network(sizes, seed=3)
    inputs = np.random.default_rng(0).integers(0, 2, (64, 128)).astype(float)
    targets = np.tile(inputs.sum(axis=1, keepdims=True) % 2, (1, 128))
    network = edits.set_data(network, inputs, targets)
    app, window = _window(network)
    warm, end, ran = _play(app, window, 10**9, 20.0 if quick else 60.0)
    return {"iterations": ran, "wide_growth_mb": end - warm}


def child_rows(quick: bool) -> dict[str, float]:
    import numpy as np
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from engine import edits
    from engine.fileformat import load_network

    network = load_network(ROOT / "resources/presets/xor-2-4-1.json")
    rng = np.random.default_rng(0)
    inputs = rng.integers(0, 2, (10_000, 2)).astype(float)
    targets = (inputs.sum(axis=1, keepdims=True) % 2).astype(float)
    network = edits.set_data(network, inputs, targets)
    app, window = _window(network)
    times = []
    for _ in range(24):
        start = time.perf_counter()
        QTest.keyClick(window.view, Qt.Key.Key_Right)
        app.processEvents()
        window.view.viewport().repaint()
        times.append(time.perf_counter() - start)
    return {"step_s": statistics.median(times), "rows_rss_mb": rss_mb()}


CHILDREN = {"play": child_play, "wide": child_wide, "rows": child_rows}


def run_child(name: str, quick: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", name] + (["--quick"] if quick else [])
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{name} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", choices=sorted(CHILDREN))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args.quick)), flush=True)
        os._exit(0)  # no teardown: its cost is not what is measured
    play = run_child("play", args.quick)
    wide = run_child("wide", args.quick)
    rows = run_child("rows", args.quick)
    rows_line = (
        f"10,000 rows: one step (→) {rows['step_s'] * 1000:.0f} ms (median of 24)",
        rows["step_s"] < 0.3,
        "target < 300 ms",
    )
    figures = [
        (
            f"play XOR 2-4-1, {play['iterations']:,.0f} iterations: RSS growth "
            f"{play['play_growth_mb']:.1f} MB",
            play["play_growth_mb"] < 50,
            "target < 50 MB over 10^6",
        ),
        (
            f"20 edits after that run: {play['edit_mb']:.2f} MB per edit",
            play["edit_mb"] < 1,
            "target < 1 MB (was ~30 MB)",
        ),
        (
            f"play 128-128-128-128, {wide['iterations']:,.0f} iterations: RSS growth "
            f"{wide['wide_growth_mb']:.1f} MB",
            wide["wide_growth_mb"] < 200,
            "target < 200 MB (was 1.6 GB)",
        ),
        rows_line,
        (
            f"10,000 rows: RSS {rows['rows_rss_mb']:.0f} MB",
            rows["rows_rss_mb"] < 300,
            "target < 300 MB",
        ),
    ]
    failed = False
    for text, passed, target in figures:
        print(f"{text:<64} {target:<28} {'PASS' if passed else 'FAIL'}")
        failed |= not passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
