"""``backprop-lens [FILE]``: open the window, or render it with ``--screenshot``.

Qt and the window are imported only when it starts, after FILE has been read without
error; the QApplication and the display checks are gui/app.py.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import resources
from cli.arguments import load_file, non_negative


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", nargs="?", help="network file to open")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the window and exit")
    parser.add_argument("--step", type=non_negative, default=0, help="step to show (0 = start)")
    parser.add_argument(
        "--edges",
        choices=("auto", "weight", "gradient", "update"),  # gui.view_settings.EDGE_MODES
        default="auto",
        help="what edges show (auto: what each step computes)",
    )
    parser.add_argument(
        "--edge-scale",
        choices=("linear", "log"),
        default="linear",
        help="colour scale of gradients and updates",
    )
    parser.add_argument(
        "--nodes",
        choices=("auto", "a", "z", "delta"),  # gui.view_settings.NODE_VALUES (no Qt here)
        default="auto",
        help="what node values show (auto: what each step computes)",
    )
    parser.add_argument(
        "--select", metavar="LABEL", help="neuron to select, e.g. h1 (the inspector shows it)"
    )
    parser.add_argument(
        "--panel",
        choices=("inspector", "math", "network", "data", "history"),
        default="inspector",
        help="the side panel to show",
    )


def run(args: argparse.Namespace) -> int:
    if args.file is not None:
        load_file(args.file)  # report a bad file before Qt starts
    return run_window(args)


def run_window(args: argparse.Namespace) -> int:
    from gui.app import NO_DISPLAY_MESSAGE, display_available

    file = args.file or str(resources.preset_path())
    if args.screenshot is None and not display_available():
        print(NO_DISPLAY_MESSAGE.format(file=file), file=sys.stderr)
        return 1
    from engine.fileformat import load_network
    from gui.app import application

    app = application()
    from gui.crash_guard import install_crash_guard, report_exception
    from gui.main_window import MainWindow

    # Before the window exists: an exception in a paint or slot is logged, not fatal.
    guard = install_crash_guard()
    # Screenshots show the defaults, not this user's remembered settings.
    window = MainWindow(load_network(file), file, remember=args.screenshot is None)
    guard.window = window
    window.edge_mode_box.setCurrentIndex(window.edge_mode_box.findData(args.edges))
    window.node_value_box.setCurrentIndex(window.node_value_box.findData(args.nodes))
    window.log_scale_box.setChecked(args.edge_scale == "log")
    if args.select is not None and not window.select_neuron(args.select):
        print(f"error: --select: no neuron labelled {args.select!r}", file=sys.stderr)
        return 2
    if args.screenshot is not None:
        return save_screenshot(window, args.screenshot, args.step, args.panel)
    window.show()
    try:
        window.files.offer_recovery()
    except Exception:
        report_exception()  # a damaged autosave must not stop every start (D20)
    return int(app.exec())


def save_screenshot(window: Any, out: str, step: int, panel: str = "inspector") -> int:
    """Render the window as it appears at global step ``step`` and save it."""
    from PySide6.QtWidgets import QApplication

    window.resize(1600, 1000)
    window.show()
    QApplication.processEvents()
    getattr(window, f"{panel}_dock").raise_()
    window.document.go_to_global_step(step)
    window.view.fit()
    QApplication.processEvents()
    if not window.grab().save(out):
        print(f"error: cannot write {out}", file=sys.stderr)
        return 2
    return 0
