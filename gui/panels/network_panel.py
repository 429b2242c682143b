"""NetworkPanel: the network's layers, loss, training settings and parameters, editable.

Every widget shows ``document.network`` and is refreshed from it on ``network_changed``
with its signals blocked, so a refresh never creates a command. Every change a user
makes is one undoable edit pushed through ``document.push_edit``; a refused edit shows
the document's reason at the top of the panel and the widgets go back to the real values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine import edits
from engine.explain import ACTIVATION_TITLES
from engine.losses import loss_preset
from engine.network import Network
from gui.document import EDIT_BUILT, NetworkDocument
from gui.formatting import elide_words, format_number
from gui.panels.about_network import AboutSection
from gui.panels.network_settings import SettingsSections
from gui.panels.network_widgets import (
    ComboBox,
    SpinBox,
    align_form_labels,
    hint_style,
    layer_phrase,
    layer_title,
    signals_blocked,
)
from gui.widgets import message_style

__all__ = ["ACTIVATION_TITLES", "NetworkPanel"]

NEW_LAYER_ACTIVATION = "sigmoid"
MAX_TYPED_NEURONS = 9999  # beyond the engine's limit, so the engine says why it refuses


class LayerRow:
    """The widgets of one layer: name, size, activation (not the input) and remove (hidden)."""

    def __init__(self, layer: int, title: str) -> None:
        self.layer = layer
        self.name_label = QLabel(title)
        self.size_box = SpinBox()
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


class NetworkPanel(SettingsSections, QWidget):
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
        self.message_label.setStyleSheet(message_style())
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
        self.about = AboutSection(self._edit_as_built)
        sections.addWidget(self.about)
        sections.addWidget(self._make_layers_section())
        sections.addWidget(self._make_loss_section())
        sections.addWidget(self._make_training_section())
        sections.addWidget(self._make_randomise_section())
        sections.addWidget(self._make_set_value_section())
        sections.addStretch(1)
        align_form_labels(content)

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

    # -- refreshing from the document ------------------------------------------------

    def _inputs(self) -> list[QWidget]:
        widgets: list[QWidget] = [
            self.loss_preset_box,
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
        with signals_blocked(self._inputs()):
            for row in self.layer_rows:
                self._refresh_row(network, row)
            self._refresh_scope(self.randomise_scope_box, network)
            self._refresh_scope(self.set_scope_box, network)
            loss = network.loss
            preset = loss_preset(loss)
            self.loss_preset_box.setCurrentIndex(
                self.loss_preset_box.findData(None if preset is None else preset.key)
            )
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
        self.about.refresh(self.document.built_network)
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
                row.activation_box = ComboBox()
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

    def _edit_as_built(self, text: str, edit: Callable[..., Network], **kwargs: Any) -> bool:
        """The name and description are the file's: an edit of them always changes the
        network as built (what Save writes), never only the run; mid-training the run
        restarts from it (undo brings the run back)."""
        document = self.document
        choice = document.mid_training_edits
        document.mid_training_edits = EDIT_BUILT
        try:
            return self._edit(text, edit, **kwargs)
        finally:
            document.mid_training_edits = choice

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

    def edit_about(self) -> None:
        """Bring the name and description into view, the name ready to type over."""
        self.scroll_area.ensureWidgetVisible(self.about)
        self.about.focus_name()
