"""Stepping keys from anywhere in the window, except while text is being typed.

The window's stepping shortcuts (→ ← Space, Ctrl+→ Ctrl+←, Home, PageDown PageUp)
are window shortcuts, but the focused widget may claim a key first (Qt's
ShortcutOverride): a button claims Space, a text browser the arrows. After a click
on a panel, → then moved a cursor nobody sees. ``SteppingKeys`` watches the focused
widget and lets it keep a stepping key only while it is a text field being edited,
or a table moving between its cells. Enter in a field (a value committed) and Esc
hand the focus back to the diagram, so the next → steps.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from gui.crash_guard import guarded

K, M = Qt.Key, Qt.KeyboardModifier
STEPPING_KEYS = {
    (K.Key_Left, M.NoModifier),
    (K.Key_Right, M.NoModifier),
    (K.Key_Space, M.NoModifier),
    (K.Key_Left, M.ControlModifier),
    (K.Key_Right, M.ControlModifier),
    (K.Key_Home, M.NoModifier),
    (K.Key_PageDown, M.NoModifier),
    (K.Key_PageUp, M.NoModifier),
}
_MODIFIERS = M.ShiftModifier | M.ControlModifier | M.AltModifier | M.MetaModifier


def is_stepping_key(event: QKeyEvent) -> bool:
    return (Qt.Key(event.key()), event.modifiers() & _MODIFIERS) in STEPPING_KEYS


def _in_item_view(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False


def edits_text(widget: QWidget) -> bool:
    """``widget`` (focused) is a text field being edited: a line edit or an editable
    text box with its cursor, a spin box whose text was typed into, a cell editor."""
    if isinstance(widget, QLineEdit):
        if isinstance(widget.parentWidget(), QAbstractSpinBox):
            return widget.isModified()
        return not widget.isReadOnly()
    if isinstance(widget, QAbstractSpinBox):
        # Clicking its arrows focuses it; only typed text is an edit in progress.
        line_edit = widget.findChild(QLineEdit)
        return line_edit is not None and line_edit.isModified()
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        return not widget.isReadOnly()
    return False


def owns_stepping_keys(widget: QWidget) -> bool:
    """The focused widget keeps → ← Home PageDown PageUp and Space for itself."""
    return edits_text(widget) or isinstance(widget, QAbstractItemView) or _in_item_view(widget)


class SteppingKeys(QObject):
    """Installed on the window: follows the focus (an event filter on the focused widget
    only, so no other event pays for it)."""

    def __init__(self, window: QWidget, home: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._home = home  # where the focus goes after Enter or Esc in a field
        self._watched: QWidget | None = None
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._on_focus_changed)  # dropped with this object

    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if self._watched is not None:
            try:
                self._watched.removeEventFilter(self)
            except RuntimeError:  # already deleted
                pass
            self._watched = None
        if new is not None and new.window() is self._window:
            new.installEventFilter(self)
            self._watched = new

    @guarded(fallback=False)  # an event filter that raises takes the process down
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if is_stepping_key(event) and not owns_stepping_keys(watched):  # type: ignore[arg-type]
                event.ignore()  # not claimed: the window's shortcut runs
                return True
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (K.Key_Return, K.Key_Enter, K.Key_Escape) and isinstance(
                watched, (QLineEdit, QAbstractSpinBox)
            ):
                if not _in_item_view(watched):  # type: ignore[arg-type]
                    field = watched
                    QTimer.singleShot(0, self, lambda: self._leave(field))  # type: ignore[arg-type]
        return False

    def _leave(self, field: QWidget) -> None:
        """After the field has handled Enter or Esc: a refused value keeps the focus (its
        reason shows under it); otherwise the diagram gets it back."""
        try:
            if not field.hasFocus() or getattr(field, "invalid", False):
                return
        except RuntimeError:  # the field is gone (an inline editor closed itself)
            return
        if self._home.isVisible():
            self._home.setFocus(Qt.FocusReason.OtherFocusReason)
