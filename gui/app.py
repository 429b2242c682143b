"""Start the window: QApplication, MainWindow and the default example."""

from __future__ import annotations

import argparse
import os
import sys

import resources

NO_DISPLAY_MESSAGE = (
    "backprop-lens: no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
    "to render pictures without one, run: backprop-lens export {file} --out slides/"
)


def display_available() -> bool:
    """Whether Qt can open a window here (offscreen counts: tests and screenshots)."""
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def application():  # type: ignore[no-untyped-def]
    """The QApplication, created once; offscreen when there is no display."""
    if not display_available():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from gui.files import configure_storage

    app = QApplication.instance()
    if app is None:
        configure_storage()
        _quiet_platform_warnings()
        app = QApplication([sys.argv[0]])
        app.setApplicationName("Backprop Lens")
        app.setOrganizationName("Backprop Lens")
        font = QFont("DejaVu Sans")
        font.setPointSize(10)
        app.setFont(font)
    return app


def _quiet_platform_warnings() -> None:
    """Hide the offscreen plugin's harmless 'does not support propagateSizeHints()'."""
    from PySide6.QtCore import qInstallMessageHandler

    previous = None

    def handler(mode, context, message):  # type: ignore[no-untyped-def]
        if "propagateSizeHints" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(handler)


def run_window(args: argparse.Namespace) -> int:
    file = args.file or str(resources.preset_path())
    if args.screenshot is None and not display_available():
        print(NO_DISPLAY_MESSAGE.format(file=file), file=sys.stderr)
        return 1
    from engine.fileformat import load_network

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


def save_screenshot(window, out: str, step: int, panel: str = "inspector") -> int:  # type: ignore[no-untyped-def]
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
