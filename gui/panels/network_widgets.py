"""Widgets of the Network panel: spin and combo boxes that never edit by accident, and
the form helpers that line the sections up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from engine.network import Network
from gui.formatting import format_number
from gui.themes import current_theme


def hint_style() -> str:
    """Secondary text in the current theme's colour."""
    return f"color: {current_theme().muted_ink};"


def short_number(value: float) -> str:
    """A number as an undo text says it: 1, not 1.0."""
    return format_number(value).removesuffix(".0")


def layer_title(network: Network, layer: int) -> str:
    """'Input', 'Hidden 1', …, 'Output'."""
    if layer == 0:
        return "Input"
    if layer == network.weight_layer_count:
        return "Output"
    return f"Hidden {layer}"


def layer_phrase(network: Network, layer: int) -> str:
    """'input layer', 'hidden layer 1', 'output layer': as undo texts name a layer."""
    if layer == 0:
        return "input layer"
    if layer == network.weight_layer_count:
        return "output layer"
    return f"hidden layer {layer}"


class SpinBox(QSpinBox):
    """A spin box that ignores the wheel unless focused, so scrolling the panel never edits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setKeyboardTracking(False)  # typed digits commit on Enter or leaving, not per key

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class ComboBox(QComboBox):
    """A combo box that ignores the wheel unless focused (see SpinBox).

    Arrow keys on a closed combo box choose item after item; those choices merge into
    one undo step until ``editing_finished`` (leaving the box or opening its list).
    """

    editing_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # Grows with the panel but never makes it wider than a narrow dock.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(9)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.editing_finished.emit()

    def showPopup(self) -> None:
        self.editing_finished.emit()
        super().showPopup()


@contextmanager
def signals_blocked(widgets: list[QWidget]) -> Iterator[None]:
    previous = [w.blockSignals(True) for w in widgets]
    try:
        yield
    finally:
        for widget, was in zip(widgets, previous, strict=True):
            widget.blockSignals(was)


def wide_button() -> QPushButton:
    """A button as wide as its section whose long text never widens the panel."""
    button = QPushButton()
    button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    button.setMinimumWidth(120)
    return button


def form_layout(box: QGroupBox) -> QFormLayout:
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    form.setHorizontalSpacing(8)
    form.setVerticalSpacing(4)
    return form


def align_form_labels(content: QWidget) -> None:
    """One label column width for every section, so the fields line up down the panel."""
    labels: list[QLabel] = []
    for form in content.findChildren(QFormLayout):
        for i in range(form.rowCount()):
            item = form.itemAt(i, QFormLayout.ItemRole.LabelRole)
            label = None if item is None else item.widget()
            if isinstance(label, QLabel):
                labels.append(label)
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)


def field_row(field: QWidget, suffix: QLabel) -> QWidget:
    """A field with a short note after it, e.g. '[0.5] · (y − t)²'."""
    widget = QWidget()
    row = QHBoxLayout(widget)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    field.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    row.addWidget(field, 1)
    row.addWidget(suffix)
    return widget
