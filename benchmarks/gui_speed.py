"""GUI speed: launch to first paint, diagram redraw at 1k/10k/100k edges, play throughput.

Run from the repository root (no display needed; Qt runs offscreen)::

    .venv/bin/python benchmarks/gui_speed.py           # full run (~1 min)
    .venv/bin/python benchmarks/gui_speed.py --quick   # short run (~25 s)

It measures three things:

1. Launch to first paint. Each run is a fresh ``python benchmarks/gui_speed.py
   --child-startup`` that notes ``time.perf_counter()`` on its first line, creates
   the QApplication (``gui.app.application()``) and the MainWindow on the default
   example, shows it, and prints ``painted`` once the diagram view's viewport has
   handled its first Paint event. The parent reports the wall time from ``Popen`` to
   that line (interpreter start and imports included) and the child's own figure
   (first line to painted), with the child's breakdown. Median of 5 (3 with
   ``--quick``), after one unreported warm-up launch.
2. Diagram redraw for nets of about 1k, 10k and 100k edges (16-32-16, 100-100-1,
   784-128-10; random weights, sigmoid, squared error, two data rows) in a 1600x1000
   MainWindow, at three steps of the first iteration: the first backward step
   (gradients of the last layer; the other edge layers are drawn dimmed), the last
   backward step (every gradient) and the update step (nothing dimmed: what play
   shows). At each: ``scene.restyle()`` (what a step or a play frame costs before
   painting), a synchronous ``view.viewport().repaint()`` (the redraw, judged against
   the targets) and ``view.render()`` into a QImage. Medians of 10 runs (5 with
   ``--quick``), fewer for runs of seconds (at least 3 within a 3 s budget).
3. Play on XOR 2-4-1 (the preset) at "as fast as possible" for 5 s (2 s with
   ``--quick``) in the running event loop: iterations/s from the document's
   iteration; frames/s as the position changes that were followed by a Paint event of
   the diagram view's viewport (a position painted twice counts once; the raw number
   of Paint events is printed too).

perf_counter is CLOCK_MONOTONIC on Linux, shared by all processes, so the child's
first-line time also gives the interpreter start-up as seen from the parent.

Exit status: 0 when every target passes, 1 when one fails.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()  # the child's "process start": before anything else is imported

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is imported, here and in children

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WINDOW_SIZE = (1600, 1000)

LAUNCH_TARGET_S = 1.0
REDRAW_TARGETS_MS = {10_000: 16.0, 100_000: 150.0}  # by approximate edge count
PLAY_ITERATIONS_TARGET = 2000.0
PLAY_FPS_TARGET = 30.0

# Benchmark shapes: (approximate edge count, layer sizes).
REDRAW_SHAPES = (
    (1_000, (16, 32, 16)),  # 512 + 512 = 1,024 weights
    (10_000, (100, 100, 1)),  # 10,000 + 100 = 10,100
    (100_000, (784, 128, 10)),  # 100,352 + 1,280 = 101,632
)


@dataclass
class Row:
    figure: str
    value: str
    target: str
    result: str  # PASS, FAIL or "" (information only)


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def _check(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# -- 1. launch to first paint (child side) ------------------------------------------


def child_startup() -> int:
    """Runs in a fresh interpreter: launch the window as the app does, report first paint."""
    marks: dict[str, float] = {"start": _T0}
    from PySide6.QtCore import QEvent, QObject, QTimer

    import gui.app
    import resources
    from engine.fileformat import load_network
    from gui.main_window import MainWindow

    marks["imported"] = time.perf_counter()
    app = gui.app.application()
    marks["app"] = time.perf_counter()
    path = str(resources.preset_path())
    window = MainWindow(load_network(path), path)
    marks["window"] = time.perf_counter()

    def finish() -> None:
        marks["painted"] = time.perf_counter()
        print("painted " + json.dumps(marks), flush=True)
        app.quit()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and "paint_event" not in marks:
                marks["paint_event"] = time.perf_counter()
                QTimer.singleShot(0, finish)  # runs once this paint has been handled
            return False

    first_paint = FirstPaint()
    window.view.viewport().installEventFilter(first_paint)
    window.show()
    marks["shown"] = time.perf_counter()
    QTimer.singleShot(20_000, app.quit)  # never hang the parent
    app.exec()
    sys.stdout.flush()
    os._exit(0 if "painted" in marks else 1)  # skip teardown: it is not part of launching


def launch_once() -> tuple[float, dict[str, float]]:
    """One launch; returns the parent-measured seconds to 'painted' and the child's marks."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryFile("w+") as errors:  # a file: a full stderr pipe cannot block
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child-startup"],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=ROOT,
            env=env,
        )
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("painted "):
                wall = time.perf_counter() - start
                marks = json.loads(line.split(" ", 1)[1])
                child.wait(timeout=30)
                return wall, {k: v - start for k, v in marks.items()}
        child.wait(timeout=30)
        errors.seek(0)
        raise RuntimeError(f"the child never painted (exit {child.returncode}):\n{errors.read()}")


def bench_launch(runs: int) -> list[Row]:
    launch_once()  # warm-up: page cache, .pyc files, font cache
    walls, marks = [], []
    for _ in range(runs):
        wall, m = launch_once()
        walls.append(wall)
        marks.append(m)
        print(f"  launch: {wall:.3f} s", flush=True)

    def med(key: str, since: str) -> float:
        return statistics.median(m[key] - m[since] for m in marks)

    in_process = med("painted", "start")
    breakdown = (
        f"interpreter start {statistics.median(m['start'] for m in marks):.3f}"
        f" + imports {med('imported', 'start'):.3f} + QApplication {med('app', 'imported'):.3f}"
        f" + MainWindow {med('window', 'app'):.3f} + show {med('shown', 'window'):.3f}"
        f" + to first paint {med('painted', 'shown'):.3f} s"
    )
    wall = statistics.median(walls)
    return [
        Row(
            f"launch → first paint, wall from Popen (median of {runs})",
            f"{wall:.3f} s",
            f"≤ {LAUNCH_TARGET_S:.1f} s",
            _check(wall <= LAUNCH_TARGET_S),
        ),
        Row(
            "launch → first paint, in-process (first line → painted)", f"{in_process:.3f} s", "", ""
        ),
        Row("  breakdown (medians): " + breakdown, "", "", ""),
    ]


# -- 2. diagram redraw --------------------------------------------------------------


def random_network(sizes: tuple[int, ...], rows: int = 2, seed: int = 0) -> Any:
    import numpy as np

    from engine.losses import LossSpec
    from engine.network import Layer, Network, OptimizerSpec

    rng = np.random.default_rng(seed)
    weights = [
        rng.normal(0.0, 1.0 / np.sqrt(a), (b, a)) for a, b in zip(sizes, sizes[1:], strict=False)
    ]
    biases = [rng.normal(0.0, 0.1, b) for b in sizes[1:]]
    return Network.create(
        name="-".join(map(str, sizes)),
        layers=[Layer(sizes[0], None)] + [Layer(s, "sigmoid") for s in sizes[1:]],
        weights=weights,
        biases=biases,
        loss=LossSpec("squared_error", scale=0.5, outputs="sum", batch="mean"),
        optimizer=OptimizerSpec(learning_rate=0.5, batch_size=None),
        inputs=rng.uniform(0.0, 1.0, (rows, sizes[0])),
        targets=rng.uniform(0.0, 1.0, (rows, sizes[-1])),
    )


def _median_time(run: Callable[[], None], repeats: int, budget_s: float) -> float:
    """Median of up to ``repeats`` timed runs after a warm-up; stops early (after at least
    three runs) once ``budget_s`` is spent, since a dimmed 100k-edge repaint takes seconds."""
    run()  # warm-up
    gc.collect()
    times: list[float] = []
    spent = 0.0
    while len(times) < repeats and (len(times) < 3 or spent < budget_s):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return statistics.median(times)


def redraw_timings(window: Any, repeats: int, budget_s: float) -> dict[str, float]:
    from PySide6.QtGui import QImage, QPainter

    view, scene = window.view, window.scene
    viewport = view.viewport()

    def render() -> None:
        image = QImage(viewport.size(), QImage.Format.Format_RGB32)
        painter = QPainter(image)
        view.render(painter)
        painter.end()

    t = {
        "restyle": _median_time(scene.restyle, repeats, budget_s),
        "repaint": _median_time(viewport.repaint, repeats, budget_s),
        "render": _median_time(render, repeats, budget_s),
    }
    t["step"] = t["restyle"] + t["repaint"]
    return t


def go_to_step(document: Any, kind: str, layer: int | None = None) -> None:
    """The first step of iteration 1 with this kind (and layer, if given)."""
    document.go_home()
    while not (
        document.step is not None
        and document.step.kind == kind
        and (layer is None or document.step.layer == layer)
    ):
        document.next_step()


def redraw_positions() -> list[tuple[str, str, int | None]]:
    """Where the redraw is timed: (label, step kind, layer)."""
    from engine.steps import BACKWARD, UPDATE

    return [
        ("first backward (earlier layers dimmed)", BACKWARD, None),
        ("last backward (all gradients)", BACKWARD, 1),
        ("update (nothing dimmed; what play shows)", UPDATE, None),
    ]


def bench_redraw(repeats: int, budget_s: float) -> list[Row]:
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow

    rows = []
    for approximate, sizes in REDRAW_SHAPES:
        network = random_network(sizes)
        window = MainWindow(network, None)
        window.resize(*WINDOW_SIZE)
        window.show()
        QApplication.processEvents()
        edges = network.edge_count
        name = "-".join(map(str, sizes))
        target = REDRAW_TARGETS_MS.get(approximate)
        vp = window.view.viewport().size()
        print(
            f"  {name}: {edges:,} weights, window {WINDOW_SIZE[0]}x{WINDOW_SIZE[1]}, "
            f"diagram viewport {vp.width()}x{vp.height()}",
            flush=True,
        )
        for where, kind, layer in redraw_positions():
            go_to_step(window.document, kind, layer)
            QApplication.processEvents()
            t = redraw_timings(window, repeats, budget_s)
            step = window.document.step
            print(
                f"    at {step.key:11s} restyle {_ms(t['restyle']):>9}  repaint "
                f"{_ms(t['repaint']):>9}  render to QImage {_ms(t['render']):>9}  "
                f"restyle + repaint {_ms(t['step']):>9}",
                flush=True,
            )
            rows.append(
                Row(
                    f"{edges:,} edges ({name}), {step.key}, {where}: repaint",
                    _ms(t["repaint"]),
                    f"≤ {target:.0f} ms" if target else "",
                    _check(t["repaint"] * 1e3 <= target) if target else "",
                )
            )
            rows.append(
                Row(
                    f"    restyle {_ms(t['restyle'])} · restyle + repaint {_ms(t['step'])} · "
                    f"render to QImage {_ms(t['render'])}",
                    "",
                    "",
                    "",
                )
            )
        window.close()
        window.deleteLater()
        QApplication.processEvents()
        gc.collect()
    return rows


# -- 3. play ------------------------------------------------------------------------


def bench_play(seconds: float) -> list[Row]:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    import resources
    from engine.fileformat import load_network
    from gui.main_window import MainWindow

    app = QApplication.instance()
    path = str(resources.preset_path("xor-2-4-1.json"))
    window = MainWindow(load_network(path), path)
    window.resize(*WINDOW_SIZE)
    window.show()
    QApplication.processEvents()
    document = window.document

    paints: list[float] = []  # every Paint event of the diagram viewport
    frames: list[float] = []  # paints that show a new position: the frames the user sees
    state = {"ticks": 0, "pending": False}

    class PaintCounter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                now = time.perf_counter()
                paints.append(now)
                if state["pending"]:
                    state["pending"] = False
                    frames.append(now)
            return False

    def on_position_changed() -> None:
        state["ticks"] += 1
        state["pending"] = True

    counter = PaintCounter()
    window.view.viewport().installEventFilter(counter)
    document.position_changed.connect(on_position_changed)

    first_iteration = document.iteration
    document.player.speed = 0  # as fast as possible
    gc.collect()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    start = time.perf_counter()
    document.player.play()
    app.exec()
    elapsed = time.perf_counter() - start
    document.player.pause()
    iterations = document.iteration - first_iteration
    document.position_changed.disconnect(on_position_changed)
    window.view.viewport().removeEventFilter(counter)
    window.close()
    window.deleteLater()
    QApplication.processEvents()

    its = iterations / elapsed
    fps = len(frames) / elapsed
    paint_rate = len(paints) / elapsed
    first_second = sum(1 for t in frames if t < start + 1.0)
    last_second = sum(1 for t in frames if t >= start + elapsed - 1.0)
    print(
        f"  play {elapsed:.2f} s: {iterations:,} iterations, {state['ticks']} position changes, "
        f"{len(frames)} of them painted, {len(paints)} diagram paint events",
        flush=True,
    )
    return [
        Row(
            f"play XOR 2-4-1, as fast as possible ({elapsed:.1f} s): iterations/s",
            f"{its:,.0f}",
            f"≥ {PLAY_ITERATIONS_TARGET:,.0f}",
            _check(its >= PLAY_ITERATIONS_TARGET),
        ),
        Row(
            "play XOR 2-4-1: frames/s (new positions painted in the diagram)",
            f"{fps:.1f}",
            f"≥ {PLAY_FPS_TARGET:.0f}",
            _check(fps >= PLAY_FPS_TARGET),
        ),
        Row(
            f"    diagram paint events/s {paint_rate:.1f} · frames in the first second "
            f"{first_second}, in the last second {last_second} · ends at iteration "
            f"{document.iteration:,}",
            "",
            "",
            "",
        ),
    ]


# -- main ---------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    width = max(len(r.figure) for r in rows if r.value)
    value_width = max(len(r.value) for r in rows)
    target_width = max(len(r.target) for r in rows)
    print(f"\n{'figure':<{width}}  {'value':>{value_width}}  {'target':<{target_width}}  result")
    print("-" * (width + value_width + target_width + 12))
    for r in rows:
        if not r.value:  # a note line
            print(r.figure)
            continue
        print(
            f"{r.figure:<{width}}  {r.value:>{value_width}}  {r.target:<{target_width}}  {r.result}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, 2 s of play")
    parser.add_argument("--child-startup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--only",
        choices=("launch", "redraw", "play"),
        action="append",
        help="run only this part (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.child_startup:
        return child_startup()

    parts = args.only or ["launch", "redraw", "play"]
    launches = 3 if args.quick else 5
    repeats = 5 if args.quick else 10
    budget_s = 1.0 if args.quick else 3.0
    play_seconds = 2.0 if args.quick else 5.0

    import platform

    import numpy as np
    import pyqtgraph
    import PySide6

    load = os.getloadavg()
    print(
        f"Python {platform.python_version()}, PySide6 {PySide6.__version__}, pyqtgraph "
        f"{pyqtgraph.__version__}, NumPy {np.__version__}, {os.cpu_count()} cores, "
        f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}, load average {load[0]:.2f}",
        flush=True,
    )
    if load[0] > 0.7 * (os.cpu_count() or 1):
        print("warning: the machine is busy; timings may be inflated", flush=True)

    rows: list[Row] = []
    if "launch" in parts:
        print("1. launch to first paint", flush=True)
        rows += bench_launch(launches)

    import gui.app

    gui.app.application()
    # Play runs before the redraw part so that no large scene has ever existed in the process.
    play_rows: list[Row] = []
    if "play" in parts:
        print("3. play (run before 2, while no large scene has existed yet)", flush=True)
        play_rows = bench_play(play_seconds)
    if "redraw" in parts:
        print("2. diagram redraw", flush=True)
        rows += bench_redraw(repeats, budget_s)
    rows += play_rows

    print_table(rows)
    failed = [r for r in rows if r.result == "FAIL"]
    print(f"\n{len(failed)} target(s) failed" if failed else "\nall targets pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
