"""The data table's model and text: the document's data as a Qt table, CSV and
spreadsheet text in and out.

The model holds only the shape and the marks it draws (the batch rows, refused cells);
every value is read from the document when a cell is drawn, so 10,000 rows cost
nothing until they are scrolled into view.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from gui import constants as C
from gui.crash_guard import guarded
from gui.document import NetworkDocument
from gui.formatting import elide, format_number, tooltip_text
from gui.widgets import parse_number

# Colours of this panel (the batch highlight is the diagram's active-layer band).
BATCH_ROW = C.ACTIVE_BAND
REFUSED_CELL = "#fdecea"
EDIT_DIGITS = 17  # the editor shows the value in full, so an edit starts from the exact number
SHOWN_TITLE_CHARS = 24  # a column header shows this much of a label (the tooltip more)
ModelIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class DataTextError(ValueError):
    """Pasted or imported text that is not a table of numbers, with where and why."""


def _why_not_a_number(cell: str) -> str:
    """Why parse_number refused ``cell``, in words."""
    shown = cell.strip()
    if not shown:
        return "the cell is empty"
    try:
        float(shown.replace("−", "-").replace(",", "."))
    except ValueError:
        return f"{shown!r} is not a number"
    return f"{shown!r} is not a finite number"


def _cell_value(cell: str, line: int, column: int) -> float:
    try:
        return parse_number(cell)
    except ValueError:
        raise DataTextError(f"line {line}, column {column}: {_why_not_a_number(cell)}") from None


def _is_number(cell: str) -> bool:
    try:
        parse_number(cell)
    except ValueError:
        return False
    return True


def parse_table(text: str, width: int | None = None) -> list[list[float]]:
    """Rows of numbers from spreadsheet or CSV text: tab-, semicolon- or comma-separated.

    A first line with no number in it is a header and is skipped; blank lines are
    skipped. ``width``: every row must have exactly that many cells. Raises
    DataTextError naming the line (of ``text``) and the column (from 1).
    """
    delimiter = "\t" if "\t" in text else ";" if ";" in text else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    lines: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            while cells and not cells[-1].strip():
                cells.pop()  # a trailing separator is not an empty cell
            if cells:
                lines.append((reader.line_num, cells))
    except csv.Error as error:
        raise DataTextError(f"line {reader.line_num}: {error}") from None
    if lines and not any(_is_number(cell) for cell in lines[0][1]):
        lines = lines[1:]  # a header of column titles
    if not lines:
        raise DataTextError("there are no rows of numbers")
    rows = []
    for line, cells in lines:
        if width is not None and len(cells) != width:
            raise DataTextError(f"line {line}: {len(cells)} columns, expected {width}")
        rows.append([_cell_value(cell, line, column) for column, cell in enumerate(cells, 1)])
    return rows


def _row_list(rows: Sequence[int]) -> str:
    """'row 3', 'rows 2–4', 'rows 1, 3, 6' or '12 rows' (1-based, for undo texts)."""
    numbers = sorted(r + 1 for r in rows)
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"rows {numbers[0]}–{numbers[-1]}"
    if len(numbers) <= 5:
        return "rows " + ", ".join(str(n) for n in numbers)
    return f"{len(numbers)} rows"


def _rows_word(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def csv_text_cell(text: str) -> str:
    """A text cell (a column title) for a CSV file that spreadsheets open: a cell that
    would start a formula gets a leading ' so it stays text. Numbers are written as they
    are; only titles (labels from the file) go through here."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class DataTableModel(QAbstractTableModel):
    """The document's data as a Qt table; holds only the shape and marks it draws."""

    def __init__(
        self,
        document: NetworkDocument,
        set_cell: Callable[[int, int, str], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._set_cell = set_cell  # typed text goes to the panel: one undoable edit
        self._shape = self._current_shape()
        self._batch = np.zeros(0, dtype=bool)
        # (row, column) -> why the text typed there was not taken; cleared on the next change
        self.refused: dict[tuple[int, int], str] = {}
        self.refresh_batch()

    def _current_shape(self) -> tuple[int, int, int]:
        network = self._document.network
        return network.row_count, network.layers[0].size, network.layers[-1].size

    @property
    def input_count(self) -> int:
        return self._shape[1]

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self._shape[0]

    def columnCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self._shape[1] + self._shape[2]

    def value(self, row: int, column: int) -> float:
        network = self._document.network
        if column < self.input_count:
            return float(network.inputs[row, column])
        return float(network.targets[row, column - self.input_count])

    def column_title(self, column: int) -> str:
        network = self._document.network
        if column < self.input_count:
            return network.labels(0)[column]
        return "t: " + network.labels(network.weight_layer_count)[column - self.input_count]

    def cell_name(self, row: int, column: int) -> str:
        """'x1 of row 3', 'target o1 of row 3' (for undo texts and messages; a long label
        is cut)."""
        title = elide(self.column_title(column))
        if column >= self.input_count:
            title = "target " + title.removeprefix("t: ")
        return f"{title} of row {row + 1}"

    @guarded()  # a Qt virtual: an exception here must not reach C++
    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return format_number(self.value(row, column))
        if role == Qt.ItemDataRole.EditRole:
            return format_number(self.value(row, column), EDIT_DIGITS)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if (row, column) in self.refused:
                return QBrush(QColor(REFUSED_CELL))
            if row < self._batch.shape[0] and self._batch[row]:
                return QBrush(QColor(BATCH_ROW))
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            reason = self.refused.get((row, column))
            if reason is not None:
                return tooltip_text(reason)
            return tooltip_text(f"{self.cell_name(row, column)} = {repr(self.value(row, column))}")
        return None

    @guarded()
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole:
            if horizontal:
                return elide(self.column_title(section), SHOWN_TITLE_CHARS)
            return str(section + 1)
        if role == Qt.ItemDataRole.ToolTipRole:
            if horizontal:
                title = elide(self.column_title(section), 500)
                if section < self.input_count:
                    return tooltip_text(f"input {title}")
                return tooltip_text(f"target for output {title.removeprefix('t: ')}")
            if self.is_batch_row(section):
                return f"row {section + 1}: used by this iteration"
            return f"row {section + 1}"
        if role == Qt.ItemDataRole.FontRole and not horizontal and self.is_batch_row(section):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        return self._set_cell(index.row(), index.column(), str(value))

    # -- following the document ------------------------------------------------------

    @property
    def batch_mask(self) -> np.ndarray:
        """True for the rows of the current iteration's mini-batch (none for full batch)."""
        return self._batch

    def is_batch_row(self, row: int) -> bool:
        return row < self._batch.shape[0] and bool(self._batch[row])

    def refresh(self) -> bool:
        """Redraw from the document; True when the shape changed (the view was reset)."""
        self.refused.clear()
        shape = self._current_shape()
        if shape != self._shape:
            self.beginResetModel()
            self._shape = shape
            self._compute_batch()
            self.endResetModel()
            return True
        self._compute_batch()
        self._all_changed()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        return False

    def refresh_batch(self) -> None:
        self._compute_batch()
        self._all_changed()

    def _compute_batch(self) -> None:
        self._batch = np.zeros(self._shape[0], dtype=bool)
        if self._document.uses_minibatches:
            self._batch[self._document.trace.rows] = True

    def _all_changed(self) -> None:
        rows, columns = self.rowCount(), self.columnCount()
        if rows and columns:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, columns - 1))
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, rows - 1)

    def mark_refused(self, row: int, column: int, reason: str) -> None:
        self.refused[(row, column)] = reason
        index = self.index(row, column)
        self.dataChanged.emit(index, index)
