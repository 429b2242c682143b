"""Small widgets shared by the panels."""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QHideEvent, QKeyEvent, QMoveEvent, QResizeEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QLineEdit, QWidget

from gui.crash_guard import guarded
from gui.formatting import format_number, tooltip_text
from gui.themes import current_theme

INVALID_BORDER = "#d93025"


def invalid_style() -> str:
    """A refused field: a red border, the theme's warning background and its text colour
    (a light pink under light text was unreadable on the dark theme)."""
    theme = current_theme()
    ink = f" color: {theme.banner_ink};" if theme.dark else ""
    return (
        f"QLineEdit {{ border: 2px solid {INVALID_BORDER};"
        f" background: {theme.banner_background};{ink} }}"
    )


def parse_number(text: str) -> float:
    """A finite float from what a user typed (comma decimal separators accepted)."""
    cleaned = text.strip().replace("−", "-").replace(",", ".")
    value = float(cleaned)  # ValueError for anything that is not a number
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def on_screen(widget: QWidget) -> bool:
    """Some of ``widget`` can be seen (or it is rendered off screen on purpose, as export
    does). A dock tabbed behind another still reports isVisible() True; its visible
    region is empty."""
    if not widget.isVisible():
        return False
    if widget.window().testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen):
        return True
    return not widget.visibleRegion().isEmpty()


class RefreshWhenShown(QObject):
    """Runs a panel's ``refresh`` only while the panel can be seen.

    ``request()`` says that something the panel shows changed: the panel is refreshed
    now if it is on screen, else it is marked stale and refreshed when it comes into
    view (its dock's tab chosen, the dock shown, the panel shown or resized).
    ``ensure()`` refreshes a stale panel at once, for whoever reads what it shows.
    """

    def __init__(self, panel: QWidget, refresh: Callable[[], None]) -> None:
        super().__init__(panel)
        # Weak: the panel holds this object; a cycle would leave the panel's Qt objects to
        # the garbage collector, which then deletes them at a random moment (pyqtgraph's
        # items mid-construction, here).
        self._panel = weakref.ref(panel)
        self._refresh = weakref.WeakMethod(refresh)  # type: ignore[arg-type]
        self.stale = True
        self._dock: QDockWidget | None = None
        panel.installEventFilter(self)

    def _shown(self) -> bool:
        panel = self._panel()
        return panel is not None and on_screen(panel)

    def request(self) -> None:
        self.stale = True
        if self._shown():
            self.ensure()

    def ensure(self) -> None:
        refresh = self._refresh()
        if self.stale and refresh is not None:
            self.stale = False
            refresh()

    def _check(self) -> None:
        if self.stale and self._shown():
            self.ensure()

    @guarded(fallback=False)  # an event filter that raises takes the process down
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ParentChange:
            self._follow_dock()
        elif kind in (QEvent.Type.Show, QEvent.Type.Resize) and self.stale:
            QTimer.singleShot(0, self, self._check)  # once the geometry has settled
        return False

    def _follow_dock(self) -> None:
        """Choosing a dock's tab moves the dock on screen; the panel itself gets no event."""
        panel = self._panel()
        parent = None if panel is None else panel.parentWidget()
        while parent is not None and not isinstance(parent, QDockWidget):
            parent = parent.parentWidget()
        if parent is self._dock:
            return
        if self._dock is not None:
            self._dock.visibilityChanged.disconnect(self._on_dock_visibility_changed)
        self._dock = parent
        if parent is not None:
            parent.visibilityChanged.connect(self._on_dock_visibility_changed)

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible and self.stale:
            QTimer.singleShot(0, self, self._check)


def message_style() -> str:
    """A refusal under a field, in the theme's warning colours."""
    theme = current_theme()
    return (
        f"QLabel {{ background: {theme.banner_background}; color: {theme.banner_ink};"
        f" border: 1px solid {theme.banner_border}; border-radius: 3px; padding: 2px 6px; }}"
    )


class FieldMessage(QLabel):
    """Why the text typed in a NumberLineEdit was refused, shown under the field (hidden
    while the field is valid). Put it in the layout right below the field."""

    def __init__(self, field: NumberLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # reasons quote what was typed
        self.setWordWrap(True)
        self.hide()
        field.reason_changed.connect(self.show_reason)
        field.message_shown_below = True
        field.message_label = self

    def show_reason(self, reason: str) -> None:
        self.setStyleSheet(message_style())
        self.setText(reason)
        self.setVisible(bool(reason))


class NumberLineEdit(QLineEdit):
    """A field for one finite number.

    Enter (or leaving the field) commits: ``value_committed`` is emitted with the
    number. Text that is not a finite number marks the field red, says why under the
    field (a FieldMessage, or else a note floating right below it), in the tooltip and
    in ``reason``, and commits nothing; Esc puts the current value back. Tooltips show
    their text literally (it may hold labels from a file).
    """

    value_committed = Signal(float)
    edit_cancelled = Signal()  # Esc
    reason_changed = Signal(str)  # why the typed text was refused; '' once valid again

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
        self.reason = ""  # why the typed text was refused, as plain text
        self.message_shown_below = False  # a FieldMessage in the layout shows the reason
        self.message_label: QLabel | None = None  # that FieldMessage
        self._floating: QLabel | None = None  # else this note, over whatever is below
        self._tip = ""
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

    def setToolTip(self, text: str) -> None:  # noqa: N802  (Qt's name)
        self._tip = text  # what the field is for: it comes back once the text is valid
        super().setToolTip(tooltip_text(text))

    def _mark_valid(self) -> None:
        if not self.invalid:
            return
        self.invalid = False
        self.reason = ""
        self.setStyleSheet("")
        super().setToolTip(tooltip_text(self._tip))
        self._show_floating("")
        self.reason_changed.emit("")

    def _mark_invalid(self, reason: str) -> None:
        self.invalid = True
        self.reason = reason
        self.setStyleSheet(invalid_style())
        super().setToolTip(tooltip_text(reason))
        self._show_floating(reason)
        self.reason_changed.emit(reason)

    def _show_floating(self, reason: str) -> None:
        """Without a FieldMessage (the diagram's inline editor), the reason floats right
        under the field, over what is below it."""
        if self.message_shown_below or self.parentWidget() is None:
            return
        if not reason:
            if self._floating is not None:
                self._floating.hide()
            return
        if self._floating is None:
            self._floating = QLabel(self.parentWidget())
            self._floating.setTextFormat(Qt.TextFormat.PlainText)
            self._floating.setWordWrap(True)
            self.destroyed.connect(self._floating.deleteLater)
        self._floating.setStyleSheet(message_style())
        self._floating.setText(reason)
        self._floating.setFixedWidth(max(self.width(), 260))
        self._floating.adjustSize()
        self._place_floating()
        self._floating.show()
        self._floating.raise_()

    def _place_floating(self) -> None:
        if self._floating is not None:
            self._floating.move(self.geometry().bottomLeft() + QPoint(0, 2))

    def floating_message(self) -> QLabel | None:
        """The note under the field when no FieldMessage shows the reason (tests)."""
        return self._floating

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        self._place_floating()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_floating()

    def hideEvent(self, event: QHideEvent) -> None:
        if self._floating is not None:
            self._floating.hide()
        super().hideEvent(event)

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
        self.setModified(False)  # committed: no edit in progress any more
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
