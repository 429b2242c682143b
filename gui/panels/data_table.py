"""DataTablePanel: the training data as a table, edited one undoable command at a time.

One row per data row: the inputs (headed by the input layer's labels), then the
targets ("t: o1"). The rows of the current iteration's mini-batch have a light
background. Every change (a typed cell, added, deleted or moved rows, a paste,
an import) is one ``edits.set_data`` pushed through the document, so undo,
redo and the training history behave as for any other edit of the network.
The model and the CSV text live in gui.panels.data_model, the view in
gui.panels.data_view, the clipboard and CSV files in gui.panels.data_io. Columns are
as wide as their titles and numbers; the window widens the Data dock to show them all.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMenu,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine import edits
from gui.document import NetworkDocument
from gui.formatting import elide_words, format_number
from gui.panels.data_io import DataTableIO
from gui.panels.data_model import (
    DataTableModel,
    DataTextError,
    _row_list,
    _why_not_a_number,
    parse_table,
)
from gui.panels.data_view import DataTableView, TargetSeparatorDelegate
from gui.themes import current_theme
from gui.widgets import RefreshWhenShown, message_style, parse_number

__all__ = ["DataTableModel", "DataTablePanel", "DataTextError", "parse_table"]


def info_style() -> str:
    """Secondary text in the current theme's colour."""
    return f"QLabel {{ color: {current_theme().muted_ink}; padding: 3px 8px; }}"


NARROWEST_COLUMN = "-0.0000"  # a column is at least this wide, whatever it holds
MEASURED_CELLS = 4000  # columns are measured on their first rows, this many cells in all
CELL_PADDING = 18  # pixels around a cell's text


class DataTablePanel(DataTableIO, QWidget):
    """The data table with a toolbar: add, delete, move, copy, paste, import, export."""

    def __init__(self, document: NetworkDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._pushing = False
        self._refusal: str | None = None

        self.toolbar = QToolBar("Data")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.add_action = self._action("+ Row", self.add_row, "Ctrl++", "Append a row of zeros")
        self.delete_action = self._action(
            "− Rows", self.delete_rows, "Delete", "Delete the selected rows"
        )
        self.move_up_action = self._action("↑", self.move_up, "Alt+Up", "Move the selected rows up")
        self.move_down_action = self._action(
            "↓", self.move_down, "Alt+Down", "Move the selected rows down"
        )
        self.toolbar.addSeparator()
        self.copy_action = self._action(
            "Copy", self.copy, "Ctrl+C", "Copy the selected cells, tab-separated"
        )
        self.paste_action = self._action(
            "Paste",
            self.paste,
            "Ctrl+V",
            "Paste rows from a spreadsheet at the selected cell (new rows are added)",
        )
        self.toolbar.addSeparator()
        # Import and export share one button, so the toolbar fits a narrow dock.
        self.import_action = QAction("Import CSV…", self)
        self.import_action.setToolTip("Replace the data with the rows of a CSV file")
        self.import_action.triggered.connect(self._on_import_triggered)
        self.export_action = QAction("Export CSV…", self)
        self.export_action.setToolTip("Save the data as a CSV file")
        self.export_action.triggered.connect(self._on_export_triggered)
        self.file_button = QToolButton()
        self.file_button.setText("CSV")
        self.file_button.setToolTip("Import or export the data as CSV")
        self.file_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.file_button)
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)
        self.file_button.setMenu(menu)
        self.toolbar.addWidget(self.file_button)

        self.model = DataTableModel(document, self.set_cell, self)
        self.view = DataTableView(self)
        self.view.setModel(self.model)
        self.view.setItemDelegate(TargetSeparatorDelegate(self.model, self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setAlternatingRowColors(False)  # the light background marks the batch rows
        self.view.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self._widths: list[int] = []
        self._widths_of: object = None  # the network the widths were measured on
        self.view.horizontalHeader().setMinimumSectionSize(
            self.view.fontMetrics().horizontalAdvance(NARROWEST_COLUMN) // 2
        )

        self.batch_label = QLabel()
        self.batch_label.setStyleSheet(info_style())
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # it quotes labels and file names
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.message_is_error = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.batch_label)
        layout.addWidget(self.message)

        document.network_changed.connect(self._on_network_changed)
        document.position_changed.connect(self._on_position_changed)
        document.message_posted.connect(self._on_message_posted)
        # The batch highlight follows each step only while the table can be seen.
        self._batch_refresher = RefreshWhenShown(self, self._show_batch)
        self._show_batch()
        self._fit_columns()

    def _action(self, text: str, slot: Any, keys: str, tip: str) -> QAction:
        action = QAction(text, self)
        # The keys are handled by the table itself (see DataTableView), not as shortcuts,
        # so they never clash with the window's.
        action.setToolTip(f"{tip} ({QKeySequence(keys).toString()})")
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        return action

    # -- what the table shows ------------------------------------------------------------

    def column_titles(self) -> list[str]:
        return [self.model.column_title(c) for c in range(self.model.columnCount())]

    def highlighted_rows(self) -> list[int]:
        """Rows (0-based) shown as this iteration's batch."""
        self._batch_refresher.ensure()
        return [int(r) for r in np.flatnonzero(self.model.batch_mask)]

    def _on_network_changed(self) -> None:
        current = self.view.currentIndex()
        reset = self.model.refresh()
        self._fit_columns()  # a longer number or title may need a wider column
        if reset:
            if current.isValid():
                self._select(
                    min(current.row(), self.model.rowCount() - 1),
                    min(current.column(), self.model.columnCount() - 1),
                )
        self._clear_message()
        self._update_batch_label()

    def _on_position_changed(self) -> None:
        self._batch_refresher.request()

    def _show_batch(self) -> None:
        self.model.refresh_batch()
        self._update_batch_label()

    def _update_batch_label(self) -> None:
        document = self.document
        rows = document.network.row_count
        if not document.uses_minibatches:
            self.batch_label.setText(
                "Each iteration uses every row." if rows > 1 else "Each iteration uses this row."
            )
            return
        batch = sorted({int(r) for r in document.trace.rows})
        self.batch_label.setText(
            f"Iteration {document.iteration + 1} uses {_row_list(batch)} (highlighted)."
        )

    def column_widths(self) -> list[int]:
        """Each column as wide as its title and the numbers it shows (its first rows);
        measured again when the data changes."""
        network = self.document.network
        if self._widths_of is not network:
            self._widths = self._measure_columns()
            self._widths_of = network
        return self._widths

    def _measure_columns(self) -> list[int]:
        metrics = self.view.fontMetrics()
        header_metrics = self.view.horizontalHeader().fontMetrics()
        least = metrics.horizontalAdvance(NARROWEST_COLUMN)
        columns = self.model.columnCount()
        rows = min(self.model.rowCount(), max(1, MEASURED_CELLS // max(1, columns)))
        widths = []
        for column in range(self.model.columnCount()):
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            widest = max(least, header_metrics.horizontalAdvance(str(title)))
            for row in range(rows):
                text = format_number(self.model.value(row, column))
                widest = max(widest, metrics.horizontalAdvance(text))
            widths.append(widest + CELL_PADDING)
        return widths

    def preferred_width(self) -> int:
        """The panel's width that shows every column without scrolling sideways."""
        view = self.view
        scroll_bar = view.verticalScrollBar().sizeHint().width()
        header = view.verticalHeader().sizeHint().width()
        margins = self.layout().contentsMargins()
        return (
            sum(self.column_widths())
            + header
            + scroll_bar
            + 2 * view.frameWidth()
            + margins.left()
            + margins.right()
        )

    def _fit_columns(self) -> None:
        """Columns as wide as their contents, the spare width shared out; when they do
        not fit, they keep their widths and the table scrolls sideways."""
        header = self.view.horizontalHeader()
        widths = self.column_widths()
        if not widths:
            return
        spare = self.view.viewport().width() - sum(widths)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        extra = max(0, spare) // len(widths)
        for column, width in enumerate(widths):
            header.resizeSection(column, width + extra)

    # -- messages ------------------------------------------------------------------------

    def _show_error(self, text: str) -> None:
        self.message.setText(elide_words(text))
        self.message.setStyleSheet(message_style())
        self.message_is_error = True
        self.message.show()

    def _show_info(self, text: str) -> None:
        self.message.setText(elide_words(text))
        self.message.setStyleSheet(info_style())
        self.message_is_error = False
        self.message.show()

    def _clear_message(self) -> None:
        self.message.clear()
        self.message_is_error = False
        self.message.hide()

    def _on_message_posted(self, text: str) -> None:
        if self._pushing:
            self._refusal = text  # the reason our own edit was refused

    def _refuse(self, what: str, reason: str) -> bool:
        self._show_error(f"{what}: refused: {reason}.")
        return False

    # -- editing -------------------------------------------------------------------------

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        network = self.document.network
        return network.inputs.copy(), network.targets.copy()

    def _push(self, text: str, inputs: np.ndarray, targets: np.ndarray) -> bool:
        """One undoable edit of the data; a refusal is shown with its reason. Data equal
        to the current data is no edit at all (nothing to undo)."""
        network = self.document.network
        if np.array_equal(inputs, network.inputs) and np.array_equal(targets, network.targets):
            self._show_info(f"{text}: the data is unchanged.")
            return True
        self._pushing, self._refusal = True, None
        try:
            done = self.document.push_edit(text, edits.set_data, inputs, targets)
        finally:
            self._pushing = False
        if not done:
            self._show_error(self._refusal or f"{text}: refused.")
        return done

    def set_cell(self, row: int, column: int, text: str) -> bool:
        """Set one cell from typed text: one undoable edit, or a refusal with its reason."""
        name = self.model.cell_name(row, column)
        try:
            value = parse_number(text)
        except ValueError:
            old = format_number(self.model.value(row, column))
            message = f"Change {name}: refused: {_why_not_a_number(text)}; it stays {old}."
            self.model.mark_refused(row, column, message)
            self._show_error(message)
            return False
        if value == self.model.value(row, column):
            return True  # nothing to undo
        inputs, targets = self._arrays()
        inputs_count = self.model.input_count
        if column < inputs_count:
            inputs[row, column] = value
        else:
            targets[row, column - inputs_count] = value
        return self._push(f"Change {name} to {format_number(value)}", inputs, targets)

    def selected_rows(self) -> list[int]:
        """Rows with a selected cell, or the current row; sorted."""
        rows = {index.row() for index in self.view.selectionModel().selectedIndexes()}
        if not rows and self.view.currentIndex().isValid():
            rows = {self.view.currentIndex().row()}
        return sorted(rows)

    def _select(
        self, row: int, column: int = 0, last_row: int | None = None, last_column: int | None = None
    ) -> None:
        """Make (row, column) current and select through (last_row, last_column)."""
        last_row = row if last_row is None else last_row
        last_column = column if last_column is None else last_column
        model, selection = self.model, self.view.selectionModel()
        self.view.setCurrentIndex(model.index(row, column))
        area = QItemSelection(model.index(row, column), model.index(last_row, last_column))
        selection.select(area, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.view.scrollTo(model.index(last_row, column))

    def add_row(self) -> bool:
        """Append a row of zeros and select its first cell, ready to type."""
        network = self.document.network
        row = network.row_count
        inputs = np.vstack([network.inputs, np.zeros((1, network.inputs.shape[1]))])
        targets = np.vstack([network.targets, np.zeros((1, network.targets.shape[1]))])
        if not self._push(f"Add row {row + 1}", inputs, targets):
            return False
        self._select(row)
        return True

    def delete_rows(self) -> bool:
        """Delete the selected rows (the data keeps at least one)."""
        rows = self.selected_rows()
        if not rows:
            return self._refuse("Delete rows", "select a cell of each row to delete first")
        inputs, targets = self._arrays()
        text = f"Delete {_row_list(rows)}"
        if not self._push(text, np.delete(inputs, rows, axis=0), np.delete(targets, rows, axis=0)):
            return False
        column = max(0, self.view.currentIndex().column())
        self._select(min(rows[0], self.model.rowCount() - 1), column)
        return True

    def move_up(self) -> bool:
        return self._move(-1)

    def move_down(self) -> bool:
        return self._move(+1)

    def _move(self, step: int) -> bool:
        """Swap the selected rows with the row above (step -1) or below (+1)."""
        rows = self.selected_rows()
        direction = "up" if step < 0 else "down"
        what = f"Move {_row_list(rows)} {direction}" if rows else f"Move rows {direction}"
        if not rows:
            return self._refuse(what, "select a row first")
        n = self.model.rowCount()
        if (step < 0 and rows[0] == 0) or (step > 0 and rows[-1] == n - 1):
            where = "first" if step < 0 else "last"
            return self._refuse(
                what, f"row {rows[0 if step < 0 else -1] + 1} is already the {where}"
            )
        order = list(range(n))
        for row in rows if step < 0 else reversed(rows):
            # Each selected row trades places with its unselected neighbour; blocks move whole.
            other = row + step
            order[row], order[other] = order[other], order[row]
        network = self.document.network
        column = max(0, self.view.currentIndex().column())
        if not self._push(what, network.inputs[order], network.targets[order]):
            return False
        moved = [r + step for r in rows]
        self._select(moved[0], column)
        selection = QItemSelection()
        for row in moved:
            selection.select(
                self.model.index(row, 0), self.model.index(row, self.model.columnCount() - 1)
            )
        self.view.selectionModel().select(
            selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        return True
