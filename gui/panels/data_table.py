"""DataTablePanel: the training data as a table, edited one undoable command at a time.

One row per data row: the inputs (headed by the input layer's labels), then the
targets ("t: o1"). The rows of the current iteration's mini-batch have a light
background. Every change (a typed cell, added, deleted or moved rows, a paste,
an import) is one ``edits.set_data`` pushed through the document, so undo,
redo and the training history behave as for any other edit of the network.
The model and the CSV text live in gui.panels.data_model.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine import edits
from gui.crash_guard import guarded
from gui.document import NetworkDocument
from gui.formatting import elide, elide_words, format_number
from gui.panels.data_model import (
    DataTableModel,
    DataTextError,
    ModelIndex,
    _row_list,
    _rows_word,
    _why_not_a_number,
    csv_text_cell,
    parse_table,
)
from gui.themes import current_theme
from gui.widgets import RefreshWhenShown, parse_number

__all__ = ["DataTableModel", "DataTablePanel", "DataTextError", "parse_table"]

ERROR_STYLE = (
    "QLabel { color: #8a1c1c; background: #fdecea; border: 1px solid #f5c2c0;"
    " border-radius: 4px; padding: 3px 8px; }"
)


def info_style() -> str:
    """Secondary text in the current theme's colour."""
    return f"QLabel {{ color: {current_theme().muted_ink}; padding: 3px 8px; }}"


WIDEST_COMMON_VALUE = "-0.123456789"  # columns stay at least this wide (9 digits, as shown)


class _TargetSeparatorDelegate(QStyledItemDelegate):
    """A line between the last input column and the first target column."""

    def __init__(self, model: DataTableModel, parent: QWidget) -> None:
        super().__init__(parent)
        self._model = model

    @guarded()
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        super().paint(painter, option, index)
        if index.column() == self._model.input_count:
            painter.save()
            painter.setPen(QPen(QColor(current_theme().muted_ink), 1))
            rect = option.rect  # type: ignore[attr-defined]
            painter.drawLine(rect.topLeft(), rect.bottomLeft())
            painter.restore()


class DataTableView(QTableView):
    """The table; keys it uses are its own even when the window has single-key shortcuts
    (Left/Right step the network, F fits the diagram) while the table has the focus."""

    def __init__(self, panel: DataTablePanel) -> None:
        super().__init__(panel)
        self._panel = panel

    def _owns(self, event: QKeyEvent) -> bool:
        key, modifiers = event.key(), event.modifiers()
        K, M = Qt.Key, Qt.KeyboardModifier
        if event.matches(QKeySequence.StandardKey.Copy) or event.matches(
            QKeySequence.StandardKey.Paste
        ):
            return True
        if key in (K.Key_Left, K.Key_Right) and modifiers & M.ControlModifier:
            return False  # Ctrl+Left/Right still step iterations
        if key in (
            K.Key_Up,
            K.Key_Down,
            K.Key_Left,
            K.Key_Right,
            K.Key_Home,
            K.Key_End,
            K.Key_PageUp,
            K.Key_PageDown,
            K.Key_Delete,
            K.Key_F2,
            K.Key_Return,
            K.Key_Enter,
        ):
            return True
        if key in (K.Key_Plus, K.Key_Equal) and modifiers & M.ControlModifier:
            return True
        text = event.text()
        typing = not modifiers & (M.ControlModifier | M.AltModifier | M.MetaModifier)
        return typing and text.isprintable() and text != "" and key != K.Key_Space

    @guarded()
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._panel._fit_columns()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._owns(event):  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        K, M = Qt.Key, Qt.KeyboardModifier
        panel = self._panel
        if event.matches(QKeySequence.StandardKey.Copy):
            panel.copy()
        elif event.matches(QKeySequence.StandardKey.Paste):
            panel.paste()
        elif key == K.Key_Delete and not modifiers:
            panel.delete_rows()
        elif key == K.Key_Up and modifiers == M.AltModifier:
            panel.move_up()
        elif key == K.Key_Down and modifiers == M.AltModifier:
            panel.move_down()
        elif key in (K.Key_Plus, K.Key_Equal) and modifiers & M.ControlModifier:
            panel.add_row()
        else:
            super().keyPressEvent(event)


class DataTablePanel(QWidget):
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
        self.view.setItemDelegate(_TargetSeparatorDelegate(self.model, self.view))
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
        self._column_width = self.view.fontMetrics().horizontalAdvance(WIDEST_COMMON_VALUE) + 16
        self.view.horizontalHeader().setMinimumSectionSize(self._column_width // 2)

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
        if reset:
            self._fit_columns()
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

    def _fit_columns(self) -> None:
        """Columns share the width while they stay readable; past that, scroll sideways."""
        header = self.view.horizontalHeader()
        columns = max(1, self.model.columnCount())
        available = self.view.viewport().width()
        width = self._column_width
        if columns * width <= available:
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            header.setDefaultSectionSize(width)
            for column in range(self.model.columnCount()):
                header.resizeSection(column, width)

    # -- messages ------------------------------------------------------------------------

    def _show_error(self, text: str) -> None:
        self.message.setText(elide_words(text))
        self.message.setStyleSheet(ERROR_STYLE)
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

    # -- clipboard -----------------------------------------------------------------------

    def copy(self) -> str:
        """Put the selected cells on the clipboard as tab-separated rows; return the text."""
        indexes = self.view.selectionModel().selectedIndexes()
        if not indexes and self.view.currentIndex().isValid():
            indexes = [self.view.currentIndex()]
        if not indexes:
            self._refuse("Copy", "select the cells to copy first")
            return ""
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes})
        chosen = {(i.row(), i.column()) for i in indexes}
        lines = []
        for row in range(rows[0], rows[-1] + 1):
            cells = [
                repr(self.model.value(row, column)) if (row, column) in chosen else ""
                for column in range(columns[0], columns[-1] + 1)
            ]
            lines.append("\t".join(cells))
        text = "\n".join(lines) + "\n"
        QGuiApplication.clipboard().setText(text)
        self._show_info(f"Copied {len(chosen)} cell{'s' if len(chosen) != 1 else ''}.")
        return text

    def paste(self) -> bool:
        """Paste the clipboard's text (see ``paste_text``)."""
        return self.paste_text(QGuiApplication.clipboard().text())

    def _anchor(self) -> tuple[int, int]:
        indexes = self.view.selectionModel().selectedIndexes()
        if indexes:
            return min(i.row() for i in indexes), min(i.column() for i in indexes)
        current = self.view.currentIndex()
        if current.isValid():
            return current.row(), current.column()
        return 0, 0

    def paste_text(self, text: str) -> bool:
        """Paste rows of numbers (a spreadsheet's tab-separated cells, or CSV; a header line
        is skipped) with their top-left at the selected cell; rows past the end are added
        (their other cells are zeros). Any bad cell refuses the whole paste."""
        try:
            rows = parse_table(text)
        except DataTextError as error:
            return self._refuse("Paste", str(error))
        top, left = self._anchor()
        width = max(len(r) for r in rows)
        columns = self.model.columnCount()
        if left + width > columns:
            fits = columns - left
            return self._refuse(
                f"Paste {_rows_word(len(rows))}",
                f"the rows have {width} columns but only {fits} fit from column "
                f"{elide(self.model.column_title(left))}",
            )
        network = self.document.network
        data = np.hstack([network.inputs, network.targets])
        extra = max(0, top + len(rows) - data.shape[0])
        if extra:
            data = np.vstack([data, np.zeros((extra, columns))])
        for k, values in enumerate(rows):
            data[top + k, left : left + len(values)] = values
        split = self.model.input_count
        if not self._push(f"Paste {_rows_word(len(rows))}", data[:, :split], data[:, split:]):
            return False
        self._select(top, left, top + len(rows) - 1, left + width - 1)
        if extra:
            self._show_info(f"Pasted {_rows_word(len(rows))}; {_rows_word(extra)} added.")
        return True

    # -- files ---------------------------------------------------------------------------

    def _folder(self) -> str:
        return str(Path(self.document.path).parent) if self.document.path else ""

    def ask_import_path(self) -> str | None:
        """The file dialog of Import…; tests replace it."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Import data", self._folder(), "CSV files (*.csv *.tsv *.txt);;All files (*)"
        )
        return path or None

    def ask_export_path(self) -> str | None:
        """The file dialog of Export…; tests replace it."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Export data", str(Path(self._folder()) / "data.csv"), "CSV files (*.csv)"
        )
        return path or None

    def _on_import_triggered(self) -> None:
        path = self.ask_import_path()
        if path:
            self.import_csv(path)

    def _on_export_triggered(self) -> None:
        path = self.ask_export_path()
        if path:
            self.export_csv(path)

    def import_csv(self, path: str | Path) -> bool:
        """Replace the data with a CSV file's rows (inputs then targets; a header line is
        skipped): one undoable edit, or a refusal naming the line and column."""
        name = Path(path).name
        what = f"Import data from {name}"
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            return self._refuse(what, f"cannot read the file ({error})")
        network = self.document.network
        width = self.model.columnCount()
        try:
            rows = parse_table(text, width)
        except DataTextError as error:
            reason = str(error)
            if "columns, expected" in reason:
                inputs = ", ".join(elide(x) for x in network.labels(0))
                outputs = ", ".join(elide(y) for y in network.labels(network.weight_layer_count))
                reason += f" (inputs {inputs}, then targets {outputs})"
            return self._refuse(what, reason)
        data = np.array(rows, dtype=np.float64)
        split = self.model.input_count
        if not self._push(what, data[:, :split], data[:, split:]):
            return False
        self._show_info(f"Imported {_rows_word(len(rows))} from {name}.")
        return True

    def export_csv(self, path: str | Path) -> bool:
        """Write the data as CSV: the column titles, then each row in full precision."""
        network = self.document.network
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([csv_text_cell(title) for title in self.column_titles()])
        for x, t in zip(network.inputs, network.targets, strict=True):
            writer.writerow([repr(float(v)) for v in (*x, *t)])
        try:
            Path(path).write_text(buffer.getvalue(), encoding="utf-8")
        except OSError as error:
            return self._refuse(f"Export to {Path(path).name}", f"cannot write the file ({error})")
        self._show_info(f"Exported {_rows_word(network.row_count)} to {Path(path).name}.")
        return True
