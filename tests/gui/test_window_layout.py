"""The first window on a 1920×1080, 1366×768 and 1024×768 screen, as a new user sees it:
it fits the screen, the diagram has most of the room, no toolbar hides an action."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QTabBar, QToolBar

import resources
from engine.fileformat import load_network
from gui.files import configure_storage
from gui.main_window import MainWindow
from gui.window_chrome import hides_actions


@pytest.fixture
def first_window(qtbot, monkeypatch):  # type: ignore[no-untyped-def]
    """A factory: the first window ever (nothing remembered) on a screen whose free
    area is ``width`` × ``height``."""
    configure_storage()
    QSettings().clear()

    def _open(width: int, height: int, preset: str | None = None) -> MainWindow:
        monkeypatch.setattr(QScreen, "availableGeometry", lambda self: QRect(0, 0, width, height))
        path = str(resources.preset_path(preset) if preset else resources.preset_path())
        window = MainWindow(load_network(path), path)
        window.files.ask_unsaved = lambda: "discard"
        qtbot.addWidget(window)
        with qtbot.waitExposed(window):
            window.show()
        return window

    return _open


def shown_actions(toolbar: QToolBar) -> list[str]:
    """The toolbar's actions the user can click: each has its button on screen."""
    names = []
    for action in toolbar.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        widget = toolbar.widgetForAction(action)
        assert widget is not None and widget.isVisible(), f"{action.text()} is not on screen"
        names.append(action.text())
    return names


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)], ids=["1366x768", "1024x768"])
def test_first_window_fits_a_small_screen_and_hides_nothing(first_window, size):  # type: ignore[no-untyped-def]
    width, height = size
    window = first_window(width, height)
    screen = QRect(0, 0, width, height)
    assert screen.contains(window.geometry())  # was 1440 × 900 whatever the screen
    assert window.width() >= width - 16 and window.height() >= height - 48  # and uses it
    for toolbar in window.toolbars:
        assert not hides_actions(toolbar), f"{toolbar.windowTitle()} hides actions behind >>"
    stepping = shown_actions(window.stepping_toolbar)
    assert stepping[:7] == ["Start", "Iteration", "Step", "Play", "Step", "Iteration", "Reset"]
    assert "Auto-layout" in shown_actions(window.edit_toolbar)
    assert "Fit" in shown_actions(window.view_toolbar)
    # The diagram keeps most of the room: most of the width, most of the height.
    assert window.view.width() >= 0.6 * window.width()
    assert window.view.height() >= 0.6 * window.height()
    # Every dock tab shows its whole title ("Insp…" says nothing).
    bars = [bar for bar in window.findChildren(QTabBar) if bar.isVisible()]
    assert bars
    for bar in bars:
        for i in range(bar.count()):
            title = bar.tabText(i)
            needed = bar.fontMetrics().horizontalAdvance(title)
            assert bar.tabRect(i).width() > needed, f"the {title} tab is cut"
            assert bar.rect().contains(bar.tabRect(i)), f"the {title} tab is off its bar"


def test_a_batch_network_shows_its_sample_box_on_a_1024_screen(first_window):  # type: ignore[no-untyped-def]
    window = first_window(1024, 768, "xor-2-2-1.json")  # 4 rows: the Sample box shows
    assert "Fit" in shown_actions(window.view_toolbar)
    assert window.sample_box.isVisible()
    for toolbar in window.toolbars:
        assert not hides_actions(toolbar)


def test_narrow_window_drops_the_words_not_the_buttons(first_window):  # type: ignore[no-untyped-def]
    window = first_window(1024, 768)
    assert window.stepping_toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    assert "Next step" in window.next_step_action.toolTip()  # the words are in the tooltip
    window.resize(1900, 1000)
    assert window.stepping_toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    for toolbar in window.toolbars:
        assert not hides_actions(toolbar)


def test_first_window_on_a_1920_screen_is_1440_by_900_centred(first_window):  # type: ignore[no-untyped-def]
    window = first_window(1920, 1080)
    assert (window.width(), window.height()) == (1440, 900)
    assert abs(window.geometry().center().x() - 960) <= 1
    # A tall window keeps the loss curve under the diagram, full width.
    assert window.dockWidgetArea(window.loss_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    for toolbar in window.toolbars:
        assert not hides_actions(toolbar)


def test_on_a_768_line_screen_the_loss_curve_sits_under_the_panels(first_window):  # type: ignore[no-untyped-def]
    window = first_window(1366, 768)
    assert window.dockWidgetArea(window.loss_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.loss_dock.isVisible()
    # The diagram has the whole height under the caption.
    assert window.view.height() >= window.height() - 220


def test_a_remembered_window_keeps_its_size(qtbot, first_window, monkeypatch):  # type: ignore[no-untyped-def]
    window = first_window(1920, 1080)
    window.resize(760, 600)  # within the test screen, which restoreGeometry respects
    window.close()  # remembers its geometry and docks
    monkeypatch.setattr(QScreen, "availableGeometry", lambda self: QRect(0, 0, 1920, 1080))
    path = str(resources.preset_path())
    again = MainWindow(load_network(path), path)
    qtbot.addWidget(again)
    again.show()
    assert (again.width(), again.height()) == (760, 600)
