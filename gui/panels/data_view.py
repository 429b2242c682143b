"""The data table's view: the keys it keeps for itself, the line before the targets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTableView, QWidget

from gui.crash_guard import guarded
from gui.panels.data_model import DataTableModel, ModelIndex
from gui.themes import current_theme

if TYPE_CHECKING:
    from gui.panels.data_table import DataTablePanel


class TargetSeparatorDelegate(QStyledItemDelegate):
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
