"""A value typed on the diagram that cannot be taken says why right under the field, not
only in a tooltip; the next → steps once the value is in."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication


def edge_point(window, layer: int, k: int) -> QPoint:  # type: ignore[no-untyped-def]
    x1, y1, x2, y2 = window.scene.edge_layers[layer].lines[k]
    return window.view.mapFromScene(x1 + (x2 - x1) * 0.6, y1 + (y2 - y1) * 0.6)


def test_a_refused_value_on_the_diagram_says_why_under_the_field(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.mouseDClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=edge_point(window, 2, 0)
    )
    editor = window.view.inline_editor
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "0,4,2")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.view.inline_editor is editor  # open for a correction
    note = editor.floating_message()
    assert note is not None and note.isVisible()
    assert "not a finite number" in note.text() and "0,4,2" in note.text()
    below = note.geometry().top() - editor.geometry().bottom()
    assert 0 <= below <= 6 and note.geometry().left() == editor.geometry().left()
    editor.selectAll()
    qtbot.keyClicks(editor, "0.42")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.document.network.weights[1][0, 0] == 0.42
    assert not note.isVisible()
    qtbot.wait(1)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Right)
    assert "forward 1" in window.caption.text()
