"""Fixtures for driving the main window as a user does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

import resources
from engine.fileformat import load_network
from gui.main_window import MainWindow


@pytest.fixture
def open_window(qtbot):  # type: ignore[no-untyped-def]
    """A factory: the main window on a network (default: the 2-2-2 example), shown."""

    from gui.files import configure_storage

    configure_storage()

    QSettings().clear()  # each test starts as a first run

    def _open(network=None, path=None):  # type: ignore[no-untyped-def]
        if network is None:
            path = str(resources.preset_path())
            network = load_network(path)
        window = MainWindow(network, path)
        # Closing at teardown must never wait on a modal "Save changes?" box.
        window.files.ask_unsaved = lambda: "discard"
        window.files.show_error = lambda title, text: window.files.errors.append((title, text))
        window.files.errors = []
        # Never a modal dialog in a test: no path chosen, mid-training edits continue training.
        window.files.ask_save_path = lambda *args: ""
        window.edit_choice.ask = lambda text: "continue"
        qtbot.addWidget(window)
        window.resize(1400, 900)
        with qtbot.waitExposed(window):
            window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)  # shortcuts reach only the active window
        window.view.setFocus()
        return window

    return _open


@pytest.fixture
def window(open_window):  # type: ignore[no-untyped-def]
    return open_window()
