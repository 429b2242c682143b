"""NetworkPanel: the network's layers, loss, training settings and parameters, editable.

Every widget shows ``document.network`` and is refreshed from it on ``network_changed``
with its signals blocked, so a refresh never creates a command. Every change a user
makes is one undoable edit pushed through ``document.push_edit``; a refused edit shows
the document's reason at the top of the panel and the widgets go back to the real values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine import edits
from engine.network import Network
from gui.document import NetworkDocument
from gui.formatting import elide_words, format_number
from gui.themes import current_theme
from gui.widgets import NumberLineEdit

# Activations as the panel names them (engine name -> shown name).
ACTIVATION_TITLES = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "linear": "linear",
    "softmax": "softmax",
}
LOSS_TITLES = {
    "squared_error": "squared error",
    "binary_cross_entropy": "binary cross-entropy",
    "cross_entropy": "cross-entropy",
}
REDUCTION_TITLES = {"sum": "sum", "mean": "mean"}
INITIALISER_TITLES = {"uniform": "uniform ±1", "xavier": "Xavier", "he": "He"}
INITIALISER_ITEMS = {
    "uniform": "uniform ±1 (biases too)",
    "xavier": "Xavier/Glorot uniform",
    "he": "He normal",
}
WHICH_ITEMS = (
    ("weights and biases", True, True),
    ("weights", True, False),
    ("biases", False, True),
)
NEW_LAYER_ACTIVATION = "sigmoid"
MAX_SEED = 999_999
MAX_TYPED_NEURONS = 9999  # beyond the engine's limit, so the engine says why it refuses
MESSAGE_STYLE = (
    "QLabel { background: #fdecea; color: #8a1c1c; border: 1px solid #f5c2c0;"
    " border-radius: 4px; padding: 6px 8px; }"
)


def hint_style() -> str:
    """Secondary text in the current theme's colour."""
    return f"color: {current_theme().muted_ink};"


class _SpinBox(QSpinBox):
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


class _ComboBox(QComboBox):
    """A combo box that ignores the wheel unless focused (see _SpinBox).

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
def _signals_blocked(widgets: list[QWidget]) -> Iterator[None]:
    previous = [w.blockSignals(True) for w in widgets]
    try:
        yield
    finally:
        for widget, was in zip(widgets, previous, strict=True):
            widget.blockSignals(was)


def _short(value: float) -> str:
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


class LayerRow:
    """The widgets of one layer: name, size, activation (not the input) and remove (hidden)."""

    def __init__(self, layer: int, title: str) -> None:
        self.layer = layer
        self.name_label = QLabel(title)
        self.size_box = _SpinBox()
        self.size_box.setRange(1, MAX_TYPED_NEURONS)
        self.size_box.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.size_box.setToolTip(f"Neurons in this layer (1 to {edits.MAX_NEURONS_PER_LAYER})")
        self.activation_box: QComboBox | None = None
        self.remove_button: QToolButton | None = None

    def widgets(self) -> list[QWidget]:
        found: list[QWidget] = [self.name_label, self.size_box]
        if self.activation_box is not None:
            found.append(self.activation_box)
        if self.remove_button is not None:
            found.append(self.remove_button)
        return found


class NetworkPanel(QWidget):
    """Layers, loss, training and parameter settings of the document's network."""

    def __init__(self, document: NetworkDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.layer_rows: list[LayerRow] = []
        # Steps of one spin box or combo box (arrow clicks, arrow keys) merge into one undo
        # step until its editing finishes (Enter, leaving it, opening a list).
        self._merge_session = 0

        self.message_label = QLabel()
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)  # it quotes labels from files
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(MESSAGE_STYLE)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setToolTip("Dismiss the message")
        self.dismiss_button.clicked.connect(self.clear_message)
        self.message_box = QWidget()
        message_row = QHBoxLayout(self.message_box)
        message_row.setContentsMargins(0, 0, 0, 0)
        message_row.setSpacing(2)
        message_row.addWidget(self.message_label, 1)
        message_row.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.message_box.hide()

        content = QWidget()
        sections = QVBoxLayout(content)
        sections.setContentsMargins(2, 2, 2, 2)
        sections.setSpacing(8)
        sections.addWidget(self._make_layers_section())
        sections.addWidget(self._make_loss_section())
        sections.addWidget(self._make_training_section())
        sections.addWidget(self._make_randomise_section())
        sections.addWidget(self._make_set_value_section())
        sections.addStretch(1)
        _align_form_labels(content)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(content)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.message_box)  # outside the scroll area: always in view
        layout.addWidget(self.scroll_area, 1)

        document.network_changed.connect(self.refresh)
        document.message_posted.connect(self.show_message)
        self.refresh()

    # -- building --------------------------------------------------------------------

    def _make_layers_section(self) -> QGroupBox:
        box = QGroupBox("Layers")
        self.layers_grid = QGridLayout()
        self.layers_grid.setHorizontalSpacing(6)
        self.layers_grid.setVerticalSpacing(4)
        self.layers_grid.setColumnStretch(2, 1)
        for column, text in enumerate(("", "Neurons", "Activation")):
            header = QLabel(text)
            header.setStyleSheet(hint_style())
            self.layers_grid.addWidget(header, 0, column)
        self.add_layer_button = QPushButton("Add hidden layer")
        self.add_layer_button.setToolTip(
            "A new hidden layer (sigmoid) after the last hidden layer, the same size as the "
            f"layer before it; at most {edits.MAX_LAYERS} layers"
        )
        self.add_layer_button.clicked.connect(self._on_add_layer_clicked)
        stack = QVBoxLayout(box)
        stack.addLayout(self.layers_grid)
        stack.addWidget(self.add_layer_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def _make_loss_section(self) -> QGroupBox:
        box = QGroupBox("Loss")
        form = _form(box)
        self.loss_kind_box = _ComboBox()
        for kind, title in LOSS_TITLES.items():
            self.loss_kind_box.addItem(title, kind)
        self.loss_kind_box.activated.connect(self._on_loss_kind_activated)
        self.loss_kind_box.editing_finished.connect(self._end_merge_session)
        form.addRow("Kind", self.loss_kind_box)
        self.loss_scale_edit = NumberLineEdit(0.5, minimum=0.0, exclusive_minimum=True)
        self.loss_scale_edit.value_committed.connect(self._on_loss_scale_committed)
        self._report_invalid(self.loss_scale_edit, "Loss scale")
        self.loss_scale_suffix = QLabel("· (y − t)²")
        self.loss_scale_suffix.setStyleSheet(hint_style())
        form.addRow("Scale", _row(self.loss_scale_edit, self.loss_scale_suffix))
        self.loss_outputs_box = _ComboBox()
        self.loss_batch_box = _ComboBox()
        for combo in (self.loss_outputs_box, self.loss_batch_box):
            for reduction, title in REDUCTION_TITLES.items():
                combo.addItem(title, reduction)
        self.loss_outputs_box.activated.connect(self._on_loss_outputs_activated)
        self.loss_batch_box.activated.connect(self._on_loss_batch_activated)
        self.loss_outputs_box.editing_finished.connect(self._end_merge_session)
        self.loss_batch_box.editing_finished.connect(self._end_merge_session)
        form.addRow("Over outputs", self.loss_outputs_box)
        form.addRow("Over the batch", self.loss_batch_box)
        self.loss_formula_label = QLabel()
        self.loss_formula_label.setWordWrap(True)
        self.loss_formula_label.setStyleSheet(hint_style())
        form.addRow(self.loss_formula_label)
        return box

    def _make_training_section(self) -> QGroupBox:
        box = QGroupBox("Training (SGD)")
        form = _form(box)
        self.learning_rate_edit = NumberLineEdit(0.5, minimum=0.0, exclusive_minimum=True)
        self.learning_rate_edit.setToolTip("Learning rate η, greater than 0")
        self.learning_rate_edit.value_committed.connect(self._on_learning_rate_committed)
        self._report_invalid(self.learning_rate_edit, "Learning rate")
        form.addRow("Learning rate η", self.learning_rate_edit)
        self.momentum_edit = NumberLineEdit(0.0, minimum=0.0)
        self.momentum_edit.value_committed.connect(self._on_momentum_committed)
        self._report_invalid(self.momentum_edit, "Momentum")
        form.addRow("Momentum μ", self.momentum_edit)
        self.batch_size_box = _SpinBox()
        self.batch_size_box.setRange(0, edits.MAX_BATCH_SIZE)
        self.batch_size_box.setSpecialValueText("whole data set")
        self.batch_size_box.setGroupSeparatorShown(True)
        self.batch_size_box.setToolTip("Rows per iteration (0: the whole data set)")
        self.batch_size_box.valueChanged.connect(self._on_batch_size_changed)
        self.batch_size_box.editingFinished.connect(self._end_merge_session)
        self.rows_label = QLabel()
        self.rows_label.setStyleSheet(hint_style())
        form.addRow("Batch size", _row(self.batch_size_box, self.rows_label))
        return box

    def _make_randomise_section(self) -> QGroupBox:
        box = QGroupBox("Randomise parameters")
        form = _form(box)
        self.randomise_method_box = _ComboBox()
        for method in edits.INITIALISERS:
            self.randomise_method_box.addItem(INITIALISER_ITEMS[method], method)
        self.randomise_method_box.setCurrentIndex(edits.INITIALISERS.index("xavier"))
        form.addRow("Method", self.randomise_method_box)
        self.randomise_seed_box = _SpinBox()
        self.randomise_seed_box.setRange(0, MAX_SEED)
        self.randomise_seed_box.setValue(1)
        self.randomise_seed_box.setToolTip("The same seed gives the same numbers")
        form.addRow("Seed", self.randomise_seed_box)
        self.randomise_scope_box = _ComboBox()
        form.addRow("Layers", self.randomise_scope_box)
        self.randomise_button = _wide_button()
        self.randomise_button.clicked.connect(self._on_randomise_clicked)
        form.addRow(self.randomise_button)
        self.randomise_method_box.currentIndexChanged.connect(self._update_button_texts)
        self.randomise_seed_box.valueChanged.connect(self._update_button_texts)
        self.randomise_scope_box.currentIndexChanged.connect(self._update_button_texts)
        return box

    def _make_set_value_section(self) -> QGroupBox:
        box = QGroupBox("Set parameters to a value")
        form = _form(box)
        self.set_value_edit = NumberLineEdit(0.5)
        self.set_value_edit.value_committed.connect(self._update_button_texts)
        self._report_invalid(self.set_value_edit, "Value")
        form.addRow("Value", self.set_value_edit)
        self.set_which_box = _ComboBox()
        for title, _, _ in WHICH_ITEMS:
            self.set_which_box.addItem(title)
        form.addRow("Which", self.set_which_box)
        self.set_scope_box = _ComboBox()
        form.addRow("Layers", self.set_scope_box)
        self.set_button = _wide_button()
        self.set_button.clicked.connect(self._on_set_clicked)
        form.addRow(self.set_button)
        self.set_which_box.currentIndexChanged.connect(self._update_button_texts)
        self.set_scope_box.currentIndexChanged.connect(self._update_button_texts)
        return box

    def _report_invalid(self, field: NumberLineEdit, name: str) -> None:
        """Typed text the field refuses is also said in the message area, not only a tooltip."""

        def check() -> None:
            if field.invalid:
                self.show_message(f"{name}: {field.reason}")

        # Connected after the field's own commit on Enter; on leaving, the field commits
        # before QLineEdit emits editingFinished.
        field.editingFinished.connect(check)

    # -- refreshing from the document ------------------------------------------------

    def _inputs(self) -> list[QWidget]:
        widgets: list[QWidget] = [
            self.loss_kind_box,
            self.loss_scale_edit,
            self.loss_outputs_box,
            self.loss_batch_box,
            self.learning_rate_edit,
            self.momentum_edit,
            self.batch_size_box,
            self.randomise_scope_box,
            self.set_scope_box,
        ]
        for row in self.layer_rows:
            widgets.extend(row.widgets())
        return widgets

    def refresh(self) -> None:
        """Show the document's network (signals blocked: refreshing never edits)."""
        network = self.document.network
        if len(self.layer_rows) != len(network.layers):
            self._rebuild_layer_rows(network)
        with _signals_blocked(self._inputs()):
            for row in self.layer_rows:
                self._refresh_row(network, row)
            self._refresh_scope(self.randomise_scope_box, network)
            self._refresh_scope(self.set_scope_box, network)
            loss = network.loss
            self.loss_kind_box.setCurrentIndex(self.loss_kind_box.findData(loss.kind))
            self.loss_scale_edit.set_value(loss.scale)
            squared = loss.kind == "squared_error"
            self.loss_scale_edit.setEnabled(squared)
            self.loss_scale_suffix.setEnabled(squared)
            self.loss_outputs_box.setCurrentIndex(self.loss_outputs_box.findData(loss.outputs))
            self.loss_batch_box.setCurrentIndex(self.loss_batch_box.findData(loss.batch))
            self.loss_formula_label.setText(f"L = {loss.describe()}")
            optimizer = network.optimizer
            self.learning_rate_edit.set_value(optimizer.learning_rate)
            self.momentum_edit.set_value(optimizer.momentum)
            self.batch_size_box.setValue(optimizer.batch_size or 0)
            rows = network.row_count
            self.rows_label.setText(f"of {rows:,} row{'s' if rows != 1 else ''}")
        self._update_button_texts()

    def _rebuild_layer_rows(self, network: Network) -> None:
        for row in self.layer_rows:
            for widget in row.widgets():
                self.layers_grid.removeWidget(widget)
                widget.deleteLater()  # may be the sender of the signal being handled
        self.layer_rows = []
        for l in range(len(network.layers)):
            row = LayerRow(l, layer_title(network, l))
            row.size_box.valueChanged.connect(lambda value, l=l: self._on_size_changed(l, value))
            row.size_box.editingFinished.connect(self._end_merge_session)
            grid_row = l + 1
            self.layers_grid.addWidget(row.name_label, grid_row, 0)
            self.layers_grid.addWidget(row.size_box, grid_row, 1)
            if l > 0:
                row.activation_box = _ComboBox()
                row.activation_box.setMinimumContentsLength(6)
                row.activation_box.activated.connect(
                    lambda index, l=l: self._on_activation_activated(l)
                )
                row.activation_box.editing_finished.connect(self._end_merge_session)
                self.layers_grid.addWidget(row.activation_box, grid_row, 2)
            if 0 < l < network.weight_layer_count:
                row.remove_button = QToolButton()
                row.remove_button.setText("✕")
                row.remove_button.setToolTip(f"Remove hidden layer {l}")
                row.remove_button.setAccessibleName(f"Remove hidden layer {l}")
                row.remove_button.clicked.connect(
                    lambda checked=False, l=l: self._on_remove_clicked(l)
                )
                self.layers_grid.addWidget(row.remove_button, grid_row, 3)
            self.layer_rows.append(row)

    def _refresh_row(self, network: Network, row: LayerRow) -> None:
        l = row.layer
        row.name_label.setText(layer_title(network, l))
        row.size_box.setValue(network.layers[l].size)
        combo = row.activation_box
        if combo is None:
            return
        names = [
            name
            for name in ACTIVATION_TITLES
            if name != "softmax" or l == network.weight_layer_count
        ]
        if [combo.itemData(i) for i in range(combo.count())] != names:
            combo.clear()
            for name in names:
                combo.addItem(ACTIVATION_TITLES[name], name)
        combo.setCurrentIndex(combo.findData(network.layers[l].activation))

    def _refresh_scope(self, combo: QComboBox, network: Network) -> None:
        items = [("all layers", 0)] + [
            (f"{layer_title(network, l - 1)} → {layer_title(network, l)}", l)
            for l in range(1, network.weight_layer_count + 1)
        ]
        current = combo.currentData()
        if [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())] != items:
            combo.clear()
            for text, data in items:
                combo.addItem(text, data)
        index = combo.findData(current)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def _update_button_texts(self) -> None:
        for button, text in (
            (self.randomise_button, self._randomise_text()),
            (self.set_button, self._set_text()),
        ):
            button.setText(text)
            button.setToolTip(text)  # the whole text, when a narrow dock cuts it

    # -- messages --------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.message_label.setText(elide_words(text))
        self.message_box.show()

    def clear_message(self) -> None:
        self.message_label.clear()
        self.message_box.hide()

    def message(self) -> str:
        """The message shown ('' when none)."""
        return self.message_label.text() if self.message_box.isVisibleTo(self) else ""

    # -- editing ---------------------------------------------------------------------

    def _edit(
        self,
        text: str,
        edit: Callable[..., Network],
        *args: Any,
        merge_key: object = None,
        **kwargs: Any,
    ) -> bool:
        """One undoable edit; when refused, the message shows and the widgets show the
        network as it is (no network_changed comes to do it)."""
        self.clear_message()
        if self.document.push_edit(text, edit, *args, merge_key=merge_key, **kwargs):
            return True
        self.refresh()
        for field in (self.loss_scale_edit, self.learning_rate_edit, self.momentum_edit):
            if field.hasFocus():  # set_value leaves a focused field's text alone
                field.setText(format_number(field.value(), 17))
        return False

    def _end_merge_session(self) -> None:
        self._merge_session += 1

    def _on_size_changed(self, layer: int, size: int) -> None:
        network = self.document.network
        if size == network.layers[layer].size:
            return
        noun = "neuron" if size == 1 else "neurons"
        self._edit(
            f"Set {layer_phrase(network, layer)} to {size} {noun}",
            edits.set_layer_size,
            layer,
            size,
            merge_key=("size", layer, self._merge_session),
        )

    def _on_activation_activated(self, layer: int) -> None:
        combo = self.layer_rows[layer].activation_box
        assert combo is not None
        network = self.document.network
        name = combo.currentData()
        if name == network.layers[layer].activation:
            return
        what = "output" if layer == network.weight_layer_count else f"hidden layer {layer}"
        self._edit(
            f"Set {what} activation to {ACTIVATION_TITLES[name]}",
            edits.set_activation,
            layer,
            name,
            merge_key=("activation", layer, self._merge_session),
        )

    def _on_add_layer_clicked(self) -> None:
        L = self.document.network.weight_layer_count
        self._edit(f"Add hidden layer {L}", edits.add_hidden_layer, L - 1, NEW_LAYER_ACTIVATION)

    def _on_remove_clicked(self, layer: int) -> None:
        self._edit(f"Remove hidden layer {layer}", edits.remove_hidden_layer, layer)

    def _on_loss_kind_activated(self) -> None:
        kind = self.loss_kind_box.currentData()
        if kind != self.document.network.loss.kind:
            self._edit(
                f"Set loss to {LOSS_TITLES[kind]}",
                edits.set_loss,
                kind=kind,
                merge_key=("loss_kind", self._merge_session),
            )

    def _on_loss_scale_committed(self, scale: float) -> None:
        if scale != self.document.network.loss.scale:
            self._edit(f"Set loss scale to {_short(scale)}", edits.set_loss, scale=scale)

    def _on_loss_outputs_activated(self) -> None:
        outputs = self.loss_outputs_box.currentData()
        if outputs != self.document.network.loss.outputs:
            verb = "Sum" if outputs == "sum" else "Average"
            self._edit(
                f"{verb} the loss over the outputs",
                edits.set_loss,
                outputs=outputs,
                merge_key=("loss_outputs", self._merge_session),
            )

    def _on_loss_batch_activated(self) -> None:
        batch = self.loss_batch_box.currentData()
        if batch != self.document.network.loss.batch:
            verb = "Sum" if batch == "sum" else "Average"
            self._edit(
                f"{verb} the loss over the batch",
                edits.set_loss,
                batch=batch,
                merge_key=("loss_batch", self._merge_session),
            )

    def _on_learning_rate_committed(self, rate: float) -> None:
        if rate != self.document.network.optimizer.learning_rate:
            self._edit(
                f"Set learning rate to {_short(rate)}",
                edits.set_optimizer,
                learning_rate=rate,
            )

    def _on_momentum_committed(self, momentum: float) -> None:
        if momentum != self.document.network.optimizer.momentum:
            self._edit(
                f"Set momentum to {_short(momentum)}", edits.set_optimizer, momentum=momentum
            )

    def _on_batch_size_changed(self, value: int) -> None:
        batch_size = None if value == 0 else value
        if batch_size == self.document.network.optimizer.batch_size:
            return
        text = (
            "Use the whole data set in each iteration"
            if batch_size is None
            else f"Set batch size to {batch_size:,}"
        )
        self._edit(
            text,
            edits.set_optimizer,
            batch_size=batch_size,
            merge_key=("batch_size", self._merge_session),
        )

    def _scope_phrase(self, combo: QComboBox) -> tuple[int | None, str]:
        """The chosen layer (None: all) and how texts say it ('all …' / '… into output layer')."""
        layer = combo.currentData() or None
        if layer is None:
            return None, "all {}"
        return layer, "{} into " + layer_phrase(self.document.network, layer)

    def _randomise_text(self) -> str:
        method = self.randomise_method_box.currentData()
        _, scope = self._scope_phrase(self.randomise_scope_box)
        what = "weights and biases" if method == "uniform" else "weights"
        text = f"Randomise {scope.format(what)}"
        text = text[0].upper() + text[1:]
        return f"{text} ({INITIALISER_TITLES[method]}, seed {self.randomise_seed_box.value()})"

    def _on_randomise_clicked(self) -> None:
        layer, _ = self._scope_phrase(self.randomise_scope_box)
        self._edit(
            self._randomise_text(),
            edits.randomise,
            self.randomise_method_box.currentData(),
            self.randomise_seed_box.value(),
            layer=layer,
        )

    def _set_text(self) -> str:
        title, _, _ = WHICH_ITEMS[max(self.set_which_box.currentIndex(), 0)]
        _, scope = self._scope_phrase(self.set_scope_box)
        return f"Set {scope.format(title)} to {_short(self.set_value_edit.value())}"

    def _on_set_clicked(self) -> None:
        if self.set_value_edit.invalid:  # its red border and the message say why
            self.show_message(f"Value: {self.set_value_edit.reason}")
            return
        _, weights, biases = WHICH_ITEMS[self.set_which_box.currentIndex()]
        layer, _ = self._scope_phrase(self.set_scope_box)
        self._edit(
            self._set_text(),
            edits.set_all,
            self.set_value_edit.value(),
            layer=layer,
            weights=weights,
            biases=biases,
        )


def _wide_button() -> QPushButton:
    """A button as wide as its section whose long text never widens the panel."""
    button = QPushButton()
    button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    button.setMinimumWidth(120)
    return button


def _form(box: QGroupBox) -> QFormLayout:
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    form.setHorizontalSpacing(8)
    form.setVerticalSpacing(4)
    return form


def _align_form_labels(content: QWidget) -> None:
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


def _row(field: QWidget, suffix: QLabel) -> QWidget:
    """A field with a short note after it, e.g. '[0.5] · (y − t)²'."""
    widget = QWidget()
    row = QHBoxLayout(widget)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    field.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    row.addWidget(field, 1)
    row.addWidget(suffix)
    return widget
