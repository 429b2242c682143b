"""Stepping keys from anywhere in the window, as a lecturer presses them: after typing a
value, after clicking a panel or a button; never while text is being typed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSpinBox

from gui.document import START, Selection

K = Qt.Key


def focused(window):  # type: ignore[no-untyped-def]
    """Where the next key goes: the focused widget, as for a real key press."""
    return QApplication.focusWidget() or window


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):  # type: ignore[no-untyped-def]
    qtbot.wait(1)  # the event loop runs between two key presses of a person
    qtbot.keyClick(focused(window), key, modifier)


def type_value(qtbot, field, text: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, K.Key_Return)


def test_right_arrow_steps_after_typing_a_value_in_the_inspector(qtbot, window):  # type: ignore[no-untyped-def]
    window.document.select(Selection("weight", 2, 0, 0))  # w5
    type_value(qtbot, window.inspector.value_field, "0.42")
    assert window.document.network.weights[1][0, 0] == 0.42
    press(qtbot, window, K.Key_Right)
    assert window.document.position == (0, 0)  # forward 1
    assert "forward 1" in window.caption.text()
    press(qtbot, window, K.Key_Space)
    assert window.document.player.playing
    press(qtbot, window, K.Key_Space)
    assert not window.document.player.playing


def test_arrows_move_the_cursor_while_a_value_is_being_typed(qtbot, window):  # type: ignore[no-untyped-def]
    window.document.select(Selection("weight", 2, 0, 0))
    field = window.inspector.value_field
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    field.selectAll()
    qtbot.keyClicks(field, "0.42")
    press(qtbot, window, K.Key_Left)  # the typist's cursor, not the network
    press(qtbot, window, K.Key_Space)
    assert window.document.position.step == START and not window.document.player.playing
    assert field.cursorPosition() == 4 and field.text() == "0.4 2"


def test_a_refused_value_keeps_the_field_and_says_why_under_it(qtbot, window):  # type: ignore[no-untyped-def]
    window.document.select(Selection("weight", 2, 0, 0))
    field = window.inspector.value_field
    type_value(qtbot, field, "0.4.2")
    qtbot.wait(1)
    assert field.hasFocus()  # still there to correct
    message = window.inspector.value_message
    assert message.isVisible() and "not a finite number" in message.text()
    assert (
        message.mapTo(window, message.rect().topLeft()).y()
        >= field.mapTo(window, field.rect().bottomLeft()).y()
    )
    assert window.document.network.weights[1][0, 0] == 0.4  # nothing changed


def test_arrows_step_after_clicking_the_maths_panel_and_a_button(qtbot, window):  # type: ignore[no-untyped-def]
    window.math_dock.raise_()
    browser = window.math_panel.browser
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton)
    press(qtbot, window, K.Key_Right)
    press(qtbot, window, K.Key_Right)
    assert window.document.position == (0, 1)  # forward 2
    qtbot.mouseClick(window.math_panel.copy_latex_button, Qt.MouseButton.LeftButton)
    press(qtbot, window, K.Key_Left)
    assert window.document.position == (0, 0)
    press(qtbot, window, K.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.document.position == (1, START)  # the next iteration
    press(qtbot, window, K.Key_Home)
    assert window.document.position == (0, START)


def test_arrows_step_after_choosing_in_the_toolbar(qtbot, window):  # type: ignore[no-untyped-def]
    box = window.digits_box
    option = QStyleOptionSpinBox()
    box.initStyleOption(option)
    up = box.style().subControlRect(
        QStyle.ComplexControl.CC_SpinBox, option, QStyle.SubControl.SC_SpinBoxUp, box
    )
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=up.center())
    assert box.value() == 10 and box.hasFocus()
    press(qtbot, window, K.Key_Right)
    assert window.document.position == (0, 0)


def test_page_down_and_up_step_in_the_normal_window(qtbot, window):  # type: ignore[no-untyped-def]
    assert not window.presentation.presenting
    press(qtbot, window, K.Key_PageDown)
    press(qtbot, window, K.Key_PageDown)
    assert window.document.position == (0, 1)
    press(qtbot, window, K.Key_PageUp)
    assert window.document.position == (0, 0)
    # Presenting, the clicker's keys still step (one owner of each key at a time).
    window.presentation.enter()
    press(qtbot, window, K.Key_PageDown)
    assert window.document.position == (0, 1)
    window.presentation.leave()
    press(qtbot, window, K.Key_PageDown)
    assert window.document.position == (0, 2)


def test_data_table_keeps_its_arrows_for_moving_between_cells(qtbot, window):  # type: ignore[no-untyped-def]
    window.data_dock.raise_()
    table = window.data_table.view
    qtbot.waitUntil(table.isVisible)
    qtbot.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(table.model().index(0, 0)).center(),
    )
    press(qtbot, window, K.Key_Right)
    assert table.currentIndex().column() == 1
    assert window.document.position.step == START
    press(qtbot, window, K.Key_Space)  # Space still plays
    assert window.document.player.playing
    window.document.player.pause()
