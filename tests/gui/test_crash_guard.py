"""The crash guard: an exception in a paint, an itemChange or a slot is logged, shown
once in a non-modal message, and the window keeps working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

import resources
from gui import crash_guard
from gui.crash_guard import CrashGuard, default_log_path, guarded, report_exception
from gui.diagram import items

ROOT = Path(__file__).parents[2]


@pytest.fixture
def guard(tmp_path):  # type: ignore[no-untyped-def]
    """A guard installed as sys.excepthook for one test (pytest-qt's hook comes back after)."""
    guard = CrashGuard(log_path=tmp_path / "errors.log")
    guard.install()
    yield guard
    guard.uninstall()
    if guard.message_box is not None:
        guard.message_box.close()
        guard.message_box.deleteLater()


def fail(message: str = "fault injected by the test") -> None:
    raise RuntimeError(message)


def report(message: str = "fault injected by the test") -> None:
    try:
        fail(message)
    except RuntimeError:
        report_exception()


def visible_message_boxes() -> list[QMessageBox]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]


def test_starting_the_window_installs_the_guard(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    from cli import build_parser
    from cli.window import run_window

    args = build_parser().parse_args(
        [str(resources.preset_path()), "--screenshot", str(tmp_path / "shot.png")]
    )
    try:
        assert run_window(args) == 0
        guard = crash_guard.crash_guard()
        assert guard is not None and guard.installed
        assert sys.excepthook == guard.handle
        assert guard.window is not None and guard.window.windowTitle()
    finally:
        guard = crash_guard.crash_guard()
        if guard is not None:
            guard.uninstall()
            if guard.window is not None:
                guard.window.files.ask_unsaved = lambda: "discard"
                guard.window.close()
                guard.window.deleteLater()
                guard.window = None


# Runs the real app (event loop and all) with NeuronItem.paint broken on purpose.
DRIVER = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
import gui.app
from gui.diagram import items

def broken_paint(self, painter, option, widget=None):
    raise RuntimeError("paint fault injected by the test")

items.NeuronItem.paint = broken_paint  # not guarded: the exception reaches the hook

def check():
    from gui.crash_guard import crash_guard
    guard = crash_guard()
    window = guard.window
    before = window.document.position
    window.next_step_action.trigger()
    window.view.viewport().repaint()
    QApplication.processEvents()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    print(json.dumps({
        "installed": guard.installed,
        "count": guard.count,
        "stepped": window.document.position != before,
        "boxes": len([b for b in boxes if b.isVisible()]),
        "modal": [b.isModal() for b in boxes],
        "status": window.statusBar().currentMessage(),
    }), flush=True)
    QApplication.quit()

original = gui.app.application
def application():
    app = original()
    QTimer.singleShot(1500, check)
    return app
gui.app.application = application

from cli import main
sys.exit(main([sys.argv[1]]))
"""


def test_a_failing_paint_in_the_running_app_is_logged_shown_once_and_survived(tmp_path):  # type: ignore[no-untyped-def]
    config = tmp_path / "config"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BACKPROP_LENS_CONFIG_DIR=str(config))
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, str(resources.preset_path())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["installed"]
    assert facts["count"] >= 2  # every neuron, every frame
    assert facts["stepped"]  # the window still steps
    assert facts["boxes"] == 1 and facts["modal"] == [False]  # one message, not modal
    assert "internal error" in facts["status"]
    log = (config / "errors.log").read_text()
    assert "paint fault injected by the test" in log and "broken_paint" in log
    assert "paint fault injected by the test" in result.stderr
    # A paint fails every frame: the same error is written out in full only a few times.
    assert log.count("Traceback (most recent call last)") <= crash_guard.FULL_TRACEBACKS_PER_KIND


def test_a_failing_paint_is_reported_and_the_window_keeps_stepping(
    qtbot, window, guard, monkeypatch
):  # type: ignore[no-untyped-def]
    guard.window = window
    monkeypatch.setattr(items, "contrasting_ink", lambda fill: fail("ink fault"))
    window.view.viewport().repaint()
    assert guard.count >= 1
    assert "ink fault" in guard.log_path.read_text()
    monkeypatch.undo()
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.scene.neurons[1][0].value_text == "0.593269992"
    assert not window.grab().isNull()
    qtbot.waitUntil(lambda: guard.message_box is not None)
    assert not guard.message_box.isModal()


def test_a_failing_item_change_during_a_drag_is_reported_and_the_next_drag_works(
    qtbot, window, guard, monkeypatch
):  # type: ignore[no-untyped-def]
    guard.window = window
    viewport = window.view.viewport()

    def drag() -> None:
        p = window.view.mapFromScene(window.scene.neurons[1][0].scenePos())
        start = QPoint(p.x(), p.y())
        qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
        for k in range(1, 4):
            qtbot.mouseMove(viewport, start + QPoint(10 * k, 10 * k))
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(30, 30))

    monkeypatch.setattr(window.scene, "neuron_moved", lambda item: fail("drag fault"))
    drag()
    assert guard.count >= 1
    assert "drag fault" in guard.log_path.read_text()
    monkeypatch.undo()
    drag()
    assert window.document.undo_stack.undoText() == "Move h1"
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.scene.neurons[1][0].value_text == "0.593269992"


def test_many_errors_show_one_message_that_is_not_modal(qtbot, window, guard):  # type: ignore[no-untyped-def]
    guard.window = window
    for k in range(5):
        report(f"fault {k}")
    qtbot.waitUntil(lambda: guard.message_box is not None)
    box = guard.message_box
    assert not box.isModal() and box.isVisible()
    # The error may quote a file's text (a label): never rendered as HTML.
    informative = box.findChild(QLabel, "qt_msgbox_informativelabel")
    assert informative.textFormat() == Qt.TextFormat.PlainText
    assert "fault 4" in box.informativeText()
    for k in range(5):
        report(f"later fault {k}")
    qtbot.wait(20)
    assert guard.message_box is box
    assert visible_message_boxes() == [box]
    assert guard.count == 10
    assert "internal error" in window.statusBar().currentMessage()
    # The window is not blocked: keys still step.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.scene.neurons[1][0].value_text == "0.593269992"


def test_repeats_of_one_error_are_counted_not_logged_in_full(guard):  # type: ignore[no-untyped-def]
    for _ in range(25):
        report()
    log = guard.log_path.read_text()
    assert guard.count == 25
    assert log.count("Traceback (most recent call last)") == crash_guard.FULL_TRACEBACKS_PER_KIND
    assert "again (10 times)" in log


def test_the_log_lives_in_the_config_folder(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BACKPROP_LENS_CONFIG_DIR", str(tmp_path / "config"))
    assert default_log_path() == tmp_path / "config" / "errors.log"
    guard = CrashGuard()
    try:
        fail()
    except RuntimeError:
        guard.handle(*sys.exc_info())  # type: ignore[arg-type]
    assert "fault injected" in (tmp_path / "config" / "errors.log").read_text()


def test_a_guard_that_cannot_write_its_log_still_keeps_the_app_alive(tmp_path):  # type: ignore[no-untyped-def]
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    guard = CrashGuard(log_path=blocked / "errors.log")  # its folder is a file
    try:
        fail()
    except RuntimeError:
        guard.handle(*sys.exc_info())  # type: ignore[arg-type]
    assert guard.count == 1


def test_outside_the_app_a_caught_error_still_reaches_the_test(qtbot):  # type: ignore[no-untyped-def]
    # Guarded overrides hand errors to sys.excepthook: in tests that is pytest-qt's,
    # so catching an error in a paint never hides it from the test that caused it.
    with qtbot.capture_exceptions() as caught:
        report()
    assert len(caught) == 1 and "fault injected" in str(caught[0][1])


def test_guarded_returns_the_fallback_and_reports(qtbot):  # type: ignore[no-untyped-def]
    @guarded(fallback=lambda value: value * 2)
    def doubled_on_error(value: int) -> int:
        raise ValueError(value)

    @guarded(fallback=False)
    def false_on_error() -> bool:
        raise ValueError

    with qtbot.capture_exceptions() as caught:
        assert doubled_on_error(21) == 42
        assert false_on_error() is False
    assert len(caught) == 2
