"""The data table driven as a user does: typing into cells, buttons, keys, the clipboard,
CSV files. Every edit is one undo step that undo and redo restore exactly."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QLineEdit, QMainWindow

import resources
from engine import edits
from engine.fileformat import load_network, network_to_text, save_network
from gui import constants as C
from gui.document import NetworkDocument
from gui.panels.data_table import DataTablePanel

XOR = "xor-2-2-1.json"  # 4 rows: (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0
MINIBATCH = "vectorised-sgd-3-4-1.json"  # 6 rows, batch size 1


@pytest.fixture
def open_panel(qtbot):  # type: ignore[no-untyped-def]
    """A factory: the panel on a preset (default: the 2-2-2 example, one row), shown."""

    def _open(preset: str | None = None) -> DataTablePanel:
        path = resources.preset_path(preset) if preset else resources.preset_path()
        document = NetworkDocument(load_network(path), str(path))
        panel = DataTablePanel(document)
        qtbot.addWidget(panel)
        panel.resize(480, 360)
        with qtbot.waitExposed(panel):
            panel.show()
        panel.activateWindow()
        qtbot.waitUntil(panel.isActiveWindow)
        panel.view.setFocus()
        return panel

    return _open


def text_of(panel: DataTablePanel) -> str:
    return network_to_text(panel.document.network)


def shown(panel: DataTablePanel) -> list[list[str]]:
    model = panel.model
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def click(qtbot, panel: DataTablePanel, action: QAction) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(panel.toolbar.widgetForAction(action), Qt.MouseButton.LeftButton)


def click_cell(qtbot, panel: DataTablePanel, row: int, column: int) -> None:  # type: ignore[no-untyped-def]
    view = panel.view
    rect = view.visualRect(panel.model.index(row, column))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def type_into_cell(qtbot, panel: DataTablePanel, row: int, column: int, text: str) -> None:  # type: ignore[no-untyped-def]
    """Click the cell, F2, type over the value, Enter."""
    click_cell(qtbot, panel, row, column)
    qtbot.keyClick(panel.view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    wait_for_editor_closed(qtbot)


def wait_for_editor_closed(qtbot) -> None:  # type: ignore[no-untyped-def]
    # The delegate commits and closes the editor on Enter through a queued call.
    qtbot.waitUntil(lambda: not isinstance(QApplication.focusWidget(), QLineEdit), timeout=2000)


def assert_undo_redo_exact(panel: DataTablePanel, before: str, undo_text: str) -> str:
    """The last edit is one undo step named ``undo_text``; undo and redo restore exactly."""
    stack = panel.document.undo_stack
    after = text_of(panel)
    assert after != before
    assert stack.undoText() == undo_text
    stack.undo()
    assert text_of(panel) == before
    stack.redo()
    assert text_of(panel) == after
    return after


def assert_save_load_round_trip(panel: DataTablePanel, tmp_path: Path) -> None:
    path = tmp_path / "edited.json"
    save_network(panel.document.network, path)
    assert network_to_text(load_network(path)) == text_of(panel)


def test_columns_are_inputs_then_targets_with_row_numbers(open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel()
    assert panel.column_titles() == ["i1", "i2", "t: o1", "t: o2"]
    assert panel.model.headerData(0, Qt.Orientation.Vertical) == "1"
    assert shown(panel) == [["0.05", "0.1", "0.01", "0.99"]]


def test_typing_a_number_changes_the_cell_as_one_undoable_edit(qtbot, open_panel, tmp_path):  # type: ignore[no-untyped-def]
    panel = open_panel()
    before = text_of(panel)
    type_into_cell(qtbot, panel, 0, 1, "0.5")
    assert shown(panel) == [["0.05", "0.5", "0.01", "0.99"]]
    assert panel.document.network.inputs[0, 1] == 0.5
    assert_undo_redo_exact(panel, before, "Change i2 of row 1 to 0.5")
    assert shown(panel) == [["0.05", "0.5", "0.01", "0.99"]]
    assert_save_load_round_trip(panel, tmp_path)


def test_typing_straight_into_a_target_cell_starts_the_editor(qtbot, open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel()
    before = text_of(panel)
    click_cell(qtbot, panel, 0, 3)
    qtbot.keyClick(panel.view, "1")  # a digit opens the editor with that digit
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "e-3")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    wait_for_editor_closed(qtbot)
    assert panel.document.network.targets[0, 1] == 0.001
    assert_undo_redo_exact(panel, before, "Change target o2 of row 1 to 0.001")


def test_text_that_is_not_a_number_is_refused_with_the_reason_shown(qtbot, open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel()
    before = text_of(panel)
    type_into_cell(qtbot, panel, 0, 0, "abc")
    assert text_of(panel) == before
    assert panel.document.undo_stack.count() == 0
    assert shown(panel) == [["0.05", "0.1", "0.01", "0.99"]]  # the cell keeps its value
    assert panel.message.isVisible() and panel.message_is_error
    assert "'abc' is not a number" in panel.message.text()
    index = panel.model.index(0, 0)
    assert "'abc' is not a number" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(Qt.ItemDataRole.BackgroundRole).color() != QColor("white")
    type_into_cell(qtbot, panel, 0, 0, "inf")
    assert "'inf' is not a finite number" in panel.message.text()
    assert text_of(panel) == before
    # A good value afterwards clears the red marks.
    type_into_cell(qtbot, panel, 0, 0, "0.25")
    assert not panel.message.isVisible()
    assert "is not" not in index.data(Qt.ItemDataRole.ToolTipRole)


def test_add_row_appends_a_row_of_zeros(qtbot, open_panel, tmp_path):  # type: ignore[no-untyped-def]
    panel = open_panel()
    before = text_of(panel)
    click(qtbot, panel, panel.add_action)
    assert shown(panel) == [["0.05", "0.1", "0.01", "0.99"], ["0", "0", "0", "0"]]
    assert panel.model.headerData(1, Qt.Orientation.Vertical) == "2"
    assert panel.view.currentIndex().row() == 1  # ready to type into the new row
    assert_undo_redo_exact(panel, before, "Add row 2")
    assert_save_load_round_trip(panel, tmp_path)


def test_delete_removes_the_selected_rows(qtbot, open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel(XOR)
    before = text_of(panel)
    click_cell(qtbot, panel, 1, 0)
    qtbot.mouseClick(
        panel.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        panel.view.visualRect(panel.model.index(2, 1)).center(),
    )
    click(qtbot, panel, panel.delete_action)
    assert shown(panel) == [["0", "0", "0"], ["1", "1", "0"]]
    assert_undo_redo_exact(panel, before, "Delete rows 2–3")
    click_cell(qtbot, panel, 0, 2)
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert shown(panel) == [["1", "1", "0"]]
    assert panel.document.undo_stack.undoText() == "Delete row 1"


def test_deleting_the_last_row_is_refused(qtbot, open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel()
    before = text_of(panel)
    click_cell(qtbot, panel, 0, 0)
    click(qtbot, panel, panel.delete_action)
    assert text_of(panel) == before
    assert panel.document.undo_stack.count() == 0
    assert panel.message_is_error
    assert "the data needs at least one row" in panel.message.text()


def test_move_rows_up_and_down(qtbot, open_panel, tmp_path):  # type: ignore[no-untyped-def]
    panel = open_panel(XOR)
    before = text_of(panel)
    click_cell(qtbot, panel, 2, 0)
    click(qtbot, panel, panel.move_up_action)
    assert shown(panel)[1:3] == [["1", "0", "1"], ["0", "1", "1"]]
    assert panel.selected_rows() == [1]  # the selection follows the row
    after_up = assert_undo_redo_exact(panel, before, "Move row 3 up")
    qtbot.keyClick(panel.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert shown(panel)[1:3] == [["0", "1", "1"], ["1", "0", "1"]]
    assert_undo_redo_exact(panel, after_up, "Move row 2 down")
    assert text_of(panel) == before  # down undoes up
    click_cell(qtbot, panel, 0, 0)
    click(qtbot, panel, panel.move_up_action)
    assert "already the first" in panel.message.text()
    assert_save_load_round_trip(panel, tmp_path)


def test_paste_from_a_spreadsheet_skips_the_header_and_adds_rows(qtbot, open_panel, tmp_path):  # type: ignore[no-untyped-def]
    panel = open_panel(XOR)
    before = text_of(panel)
    QApplication.clipboard().setText("in 1\tin 2\ttarget\n0.5\t0.25\t1\n−1\t2\t0\n3,5\t4\t1\n")
    click_cell(qtbot, panel, 2, 0)
    qtbot.keyClick(panel.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert shown(panel) == [
        ["0", "0", "0"],
        ["0", "1", "1"],
        ["0.5", "0.25", "1"],
        ["-1", "2", "0"],
        ["3.5", "4", "1"],
    ]
    assert panel.selected_rows() == [2, 3, 4]
    assert_undo_redo_exact(panel, before, "Paste 3 rows")
    assert_save_load_round_trip(panel, tmp_path)


def test_paste_with_a_bad_cell_is_refused_whole(qtbot, open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel(XOR)
    before = text_of(panel)
    QApplication.clipboard().setText("0.5\t0.25\t1\n0.1\tabc\t0\n")
    click_cell(qtbot, panel, 0, 0)
    click(qtbot, panel, panel.paste_action)
    assert text_of(panel) == before
    assert panel.document.undo_stack.count() == 0
    assert panel.message_is_error
    assert "line 2, column 2: 'abc' is not a number" in panel.message.text()
    QApplication.clipboard().setText("1\t2\t3\t4\n")  # one column too many
    click(qtbot, panel, panel.paste_action)
    assert "4 columns but only 3 fit" in panel.message.text()
    assert text_of(panel) == before


def test_copy_puts_the_selected_cells_on_the_clipboard(qtbot, open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel(XOR)
    click_cell(qtbot, panel, 1, 1)
    qtbot.mouseClick(
        panel.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        panel.view.visualRect(panel.model.index(2, 2)).center(),
    )
    qtbot.keyClick(panel.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "1.0\t1.0\n0.0\t1.0\n"
    # What was copied pastes back as the same numbers.
    before = text_of(panel)
    click_cell(qtbot, panel, 1, 1)
    qtbot.keyClick(panel.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert text_of(panel) == before
    assert panel.document.undo_stack.count() == 0  # no change, nothing to undo


def test_export_then_import_csv_gives_the_same_network(qtbot, open_panel, tmp_path):  # type: ignore[no-untyped-def]
    panel = open_panel(MINIBATCH)
    type_into_cell(qtbot, panel, 0, 0, "0.1234567890123456789")  # more digits than shown
    exported = text_of(panel)
    csv_path = tmp_path / "data.csv"
    panel.ask_export_path = lambda: str(csv_path)  # type: ignore[method-assign]
    panel.file_button.menu().actions()[1].trigger()  # Export CSV…
    lines = csv_path.read_text().splitlines()
    assert lines[0] == "x1,x2,x3,t: ŷ"
    assert lines[1] == "0.12345678901234568,0.0,1.0,0.0"
    assert len(lines) == 7
    click_cell(qtbot, panel, 0, 0)
    click(qtbot, panel, panel.delete_action)
    type_into_cell(qtbot, panel, 0, 2, "7")
    before_import = text_of(panel)
    panel.ask_import_path = lambda: str(csv_path)  # type: ignore[method-assign]
    panel.import_action.trigger()  # Import CSV…
    assert text_of(panel) == exported
    assert_undo_redo_exact(panel, before_import, "Import data from data.csv")
    assert_save_load_round_trip(panel, tmp_path)


# The input labels of ../shared/repro/csv-formula-labels.json, and more cells a spreadsheet
# would run as formulas (OWASP: CSV injection).
FORMULA_LABELS = ['=HYPERLINK("http://example.com","x1")', '+cmd|" /C calc"!A0']


def test_exported_labels_stay_text_in_a_spreadsheet_and_numbers_stay_numbers(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path(XOR))
    network = edits.set_labels(network, 0, FORMULA_LABELS)
    network = edits.set_labels(network, 2, ["@SUM(A1:A9)"])
    inputs = np.array(network.inputs)
    inputs[1, 0] = -0.5  # a negative number starts with "-" too: it stays a number
    network = edits.set_data(network, inputs, network.targets)
    document = NetworkDocument(network, None)
    panel = DataTablePanel(document)
    qtbot.addWidget(panel)
    panel.show()
    csv_path = tmp_path / "data.csv"
    panel.ask_export_path = lambda: str(csv_path)  # type: ignore[method-assign]
    panel.file_button.menu().actions()[1].trigger()  # Export CSV…
    with csv_path.open(newline="", encoding="utf-8") as file:
        header, *rows = list(csv.reader(file))
    assert header == ["'" + FORMULA_LABELS[0], "'" + FORMULA_LABELS[1], "t: @SUM(A1:A9)"]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in header)
    assert rows[1] == ["-0.5", "1.0", "1.0"]
    # Importing the file gives the same data back: the header line is still skipped.
    before = text_of(panel)
    assert panel.import_csv(csv_path)
    assert text_of(panel) == before
    assert document.undo_stack.count() == 0  # the same data: no edit at all


def test_import_names_the_line_and_column_of_a_bad_value(open_panel, tmp_path):  # type: ignore[no-untyped-def]
    panel = open_panel()
    before = text_of(panel)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c,d\n1,2,3,4\n5,abc,7,8\n")
    assert not panel.import_csv(bad)
    assert "line 3, column 2: 'abc' is not a number" in panel.message.text()
    bad.write_text("1,2,3\n")  # no header, one column short
    assert not panel.import_csv(bad)
    assert "line 1: 3 columns, expected 4" in panel.message.text()
    assert panel.message_is_error
    assert text_of(panel) == before
    assert panel.document.undo_stack.count() == 0
    good = tmp_path / "good.csv"
    good.write_text("1;2;3;4\n0,5;6;7;8\n")  # no header; semicolons and decimal commas
    assert panel.import_csv(good)
    assert shown(panel) == [["1", "2", "3", "4"], ["0.5", "6", "7", "8"]]


def test_columns_follow_the_input_layer_size(open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel()
    document = panel.document
    assert document.push_edit("Add input", edits.add_neuron, 0)
    assert panel.model.columnCount() == 5
    assert panel.column_titles() == ["i1", "i2", "i3", "t: o1", "t: o2"]
    assert shown(panel) == [["0.05", "0.1", "0", "0.01", "0.99"]]
    document.undo_stack.undo()
    assert panel.column_titles() == ["i1", "i2", "t: o1", "t: o2"]
    assert document.push_edit("Rename", edits.set_labels, 2, ["yes", "no"])
    assert panel.column_titles() == ["i1", "i2", "t: yes", "t: no"]


def test_the_rows_of_the_current_batch_are_highlighted(open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel(MINIBATCH)
    document = panel.document

    def background(row: int) -> QColor | None:
        brush = panel.model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole)
        return None if brush is None else brush.color()

    assert panel.highlighted_rows() == [0]
    assert background(0) == QColor(C.ACTIVE_BAND)
    assert background(1) is None
    assert "row 1" in panel.batch_label.text()
    document.next_iteration()
    assert panel.highlighted_rows() == [1]
    assert background(0) is None and background(1) == QColor(C.ACTIVE_BAND)
    assert "Iteration 2 uses row 2" in panel.batch_label.text()
    document.go_home()
    assert panel.highlighted_rows() == [0]


def test_the_whole_data_set_is_not_highlighted_as_a_batch(open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel(XOR)
    assert panel.highlighted_rows() == []
    assert "every row" in panel.batch_label.text()


def test_table_keys_are_not_taken_by_the_window_shortcuts(qtbot, open_panel):  # type: ignore[no-untyped-def]
    """The main window steps with Right and fits with F; in the table they move and type."""
    path = resources.preset_path()
    document = NetworkDocument(load_network(path), str(path))
    window = QMainWindow()
    qtbot.addWidget(window)
    fired: list[str] = []
    for key in ("Right", "F", "Delete"):
        action = QAction(key, window)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda checked=False, k=key: fired.append(k))
        window.addAction(action)
    panel = DataTablePanel(document)
    dock = QDockWidget("Data", window)
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.resize(900, 500)
    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    click_cell(qtbot, panel, 0, 0)
    qtbot.keyClick(panel.view, Qt.Key.Key_Right)
    assert panel.view.currentIndex().column() == 1
    qtbot.keyClick(panel.view, Qt.Key.Key_F)  # starts typing into the cell
    assert isinstance(QApplication.focusWidget(), QLineEdit)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    wait_for_editor_closed(qtbot)
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert "at least one row" in panel.message.text()
    assert fired == []


def test_panel_renders(open_panel):  # type: ignore[no-untyped-def]
    panel = open_panel(MINIBATCH)
    image = panel.grab().toImage()
    assert not image.isNull() and image.width() == panel.width()


# -- the Data dock shows every column ---------------------------------------------------


def three_four_two():  # type: ignore[no-untyped-def]
    """A 3-4-2 with the inputs named x1, x2, x3 and a few rows."""
    from engine.edits import set_data, set_labels
    from gui.files import new_network

    network = set_labels(new_network([3, 4, 2]), 0, ["x1", "x2", "x3"])
    inputs = [[0.5, -1.25, 2.0], [0.1, 0.2, 0.3], [-0.75, 0.0, 1.0]]
    return set_data(network, inputs, [[1.0, 0.0], [0.0, 1.0], [0.25, 0.75]])


def columns_in_view(panel: DataTablePanel) -> list[str]:
    """The titles of the columns whose whole title and numbers are in view, unscrolled."""
    view, header = panel.view, panel.view.horizontalHeader()
    whole = []
    for column in range(panel.model.columnCount()):
        left = header.sectionViewportPosition(column)
        right = left + header.sectionSize(column)
        title = panel.model.column_title(column)
        numbers = [panel.model.index(r, column).data() for r in range(panel.model.rowCount())]
        needed = max(view.fontMetrics().horizontalAdvance(t) for t in [*numbers, title])
        if left >= 0 and right <= view.viewport().width() and header.sectionSize(column) > needed:
            whole.append(title)
    return whole


@pytest.mark.parametrize("which", ["2-2-2", "3-4-1", "3-4-2"])
def test_the_data_tab_shows_every_column_whole(qtbot, open_window, which):  # type: ignore[no-untyped-def]
    if which == "3-4-2":
        window = open_window(three_four_two())
    elif which == "3-4-1":
        path = str(resources.preset_path(MINIBATCH))
        window = open_window(load_network(path), path)
    else:
        window = open_window()
    window.resize(1920, 1040)
    window.data_dock.raise_()
    panel = window.data_table
    qtbot.waitUntil(lambda: panel.view.isVisible())
    qtbot.wait(20)
    titles = panel.column_titles()
    assert columns_in_view(panel) == titles, f"cut off: {set(titles) - set(columns_in_view(panel))}"
    assert panel.view.horizontalScrollBar().maximum() == 0  # nothing to scroll to
    # The diagram keeps most of the window.
    assert window.view.width() >= 0.55 * window.width()
