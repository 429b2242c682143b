"""Small widgets shared by the panels."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from gui.formatting import format_number

INVALID_STYLE = "QLineEdit { border: 2px solid #d93025; background: #fdecea; }"


def parse_number(text: str) -> float:
    """A finite float from what a user typed (comma decimal separators accepted)."""
    cleaned = text.strip().replace("−", "-").replace(",", ".")
    value = float(cleaned)  # ValueError for anything that is not a number
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


class NumberLineEdit(QLineEdit):
    """A field for one finite number.

    Enter (or leaving the field) commits: ``value_committed`` is emitted with the
    number. Text that is not a finite number marks the field red, says why in the
    tooltip and commits nothing; Esc puts the current value back.
    """

    value_committed = Signal(float)
    edit_cancelled = Signal()  # Esc

    def __init__(
        self,
        value: float = 0.0,
        parent: QWidget | None = None,
        minimum: float | None = None,
        exclusive_minimum: bool = False,
    ) -> None:
        super().__init__(parent)
        self._value = value
        self._minimum = minimum
        self._exclusive = exclusive_minimum
        self._digits = 17
        self.invalid = False
        self.setText(self._display(value))
        self.returnPressed.connect(self.commit)

    def _display(self, value: float) -> str:
        return format_number(value, self._digits)

    def value(self) -> float:
        return self._value

    def set_value(self, value: float) -> None:
        """Show ``value`` (from the document) without committing anything."""
        self._value = value
        self._mark_valid()
        if not self.hasFocus():
            self.setText(self._display(value))

    def _mark_valid(self) -> None:
        self.invalid = False
        self.setStyleSheet("")
        self.setToolTip("")

    def _mark_invalid(self, reason: str) -> None:
        self.invalid = True
        self.setStyleSheet(INVALID_STYLE)
        self.setToolTip(reason)

    def commit(self) -> bool:
        text = self.text()
        try:
            value = parse_number(text)
        except ValueError:
            self._mark_invalid(f"“{text}” is not a finite number: nothing was changed")
            return False
        if self._minimum is not None and (
            value < self._minimum or (self._exclusive and value == self._minimum)
        ):
            relation = "greater than" if self._exclusive else "at least"
            self._mark_invalid(
                f"must be {relation} {format_number(self._minimum)}: nothing was changed"
            )
            return False
        self._mark_valid()
        if value != self._value:
            self._value = value
            self.value_committed.emit(value)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.setText(self._display(self._value))
            self._mark_valid()
            self.edit_cancelled.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self.text() != self._display(self._value):
            self.commit()
        super().focusOutEvent(event)
