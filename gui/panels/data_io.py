"""The data table's clipboard and CSV files: copy, paste, import, export. A mixin of
DataTablePanel (``self`` is the panel: its model, view, messages and ``_push``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from gui.formatting import elide
from gui.panels.data_model import DataTextError, _rows_word, csv_text_cell, parse_table


class DataTableIO:
    """Clipboard and CSV of DataTablePanel."""

    # -- clipboard -----------------------------------------------------------------------

    def copy(self: Any) -> str:
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

    def paste(self: Any) -> bool:
        """Paste the clipboard's text (see ``paste_text``)."""
        return self.paste_text(QGuiApplication.clipboard().text())

    def _anchor(self: Any) -> tuple[int, int]:
        indexes = self.view.selectionModel().selectedIndexes()
        if indexes:
            return min(i.row() for i in indexes), min(i.column() for i in indexes)
        current = self.view.currentIndex()
        if current.isValid():
            return current.row(), current.column()
        return 0, 0

    def paste_text(self: Any, text: str) -> bool:
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

    def _folder(self: Any) -> str:
        return str(Path(self.document.path).parent) if self.document.path else ""

    def ask_import_path(self: Any) -> str | None:
        """The file dialog of Import…; tests replace it."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Import data", self._folder(), "CSV files (*.csv *.tsv *.txt);;All files (*)"
        )
        return path or None

    def ask_export_path(self: Any) -> str | None:
        """The file dialog of Export…; tests replace it."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Export data", str(Path(self._folder()) / "data.csv"), "CSV files (*.csv)"
        )
        return path or None

    def _on_import_triggered(self: Any) -> None:
        path = self.ask_import_path()
        if path:
            self.import_csv(path)

    def _on_export_triggered(self: Any) -> None:
        path = self.ask_export_path()
        if path:
            self.export_csv(path)

    def import_csv(self: Any, path: str | Path) -> bool:
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

    def export_csv(self: Any, path: str | Path) -> bool:
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
