"""The QApplication and whether a display is there; the window's start and
``--screenshot`` are cli/window.py."""

from __future__ import annotations

import os
import sys

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
