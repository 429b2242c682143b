"""The Network panel's settings sections: loss (a named convention, or kind, scale and
reductions), training, randomising and setting the parameters. A mixin of NetworkPanel
(``self`` is the panel: its document, ``_edit`` and merge sessions)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel

from engine import edits
from engine.losses import LOSS_NAMES, LOSS_PRESETS
from engine.network import Network
from gui.panels.network_widgets import (
    ComboBox,
    SpinBox,
    field_row,
    form_layout,
    hint_style,
    layer_phrase,
    layer_title,
    short_number,
    wide_button,
)
from gui.widgets import FieldMessage, NumberLineEdit

LOSS_TITLES = LOSS_NAMES
CUSTOM_LOSS = "custom (as set below)"
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
MAX_SEED = 999_999


class SettingsSections:
    """Loss, training, randomise and set-value sections of NetworkPanel."""

    # -- building --------------------------------------------------------------------

    def _make_loss_section(self: Any) -> QGroupBox:
        box = QGroupBox("Loss")
        form = form_layout(box)
        self.loss_preset_box = ComboBox()
        for preset in LOSS_PRESETS:
            self.loss_preset_box.addItem(preset.title, preset.key)
        self.loss_preset_box.addItem(CUSTOM_LOSS, None)
        self.loss_preset_box.setToolTip(
            "A named convention sets the kind, scale and both reductions below at once"
        )
        self.loss_preset_box.activated.connect(self._on_loss_preset_activated)
        self.loss_preset_box.editing_finished.connect(self._end_merge_session)
        form.addRow("Convention", self.loss_preset_box)
        self.loss_kind_box = ComboBox()
        for kind, title in LOSS_TITLES.items():
            self.loss_kind_box.addItem(title, kind)
        self.loss_kind_box.activated.connect(self._on_loss_kind_activated)
        self.loss_kind_box.editing_finished.connect(self._end_merge_session)
        form.addRow("Kind", self.loss_kind_box)
        self.loss_scale_edit = NumberLineEdit(0.5, minimum=0.0, exclusive_minimum=True)
        self.loss_scale_edit.value_committed.connect(self._on_loss_scale_committed)
        self.loss_scale_suffix = QLabel("· (y − t)²")
        self.loss_scale_suffix.setStyleSheet(hint_style())
        form.addRow("Scale", field_row(self.loss_scale_edit, self.loss_scale_suffix))
        form.addRow(FieldMessage(self.loss_scale_edit))
        self.loss_outputs_box = ComboBox()
        self.loss_batch_box = ComboBox()
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

    def _make_training_section(self: Any) -> QGroupBox:
        box = QGroupBox("Training (SGD)")
        form = form_layout(box)
        self.learning_rate_edit = NumberLineEdit(0.5, minimum=0.0, exclusive_minimum=True)
        self.learning_rate_edit.setToolTip("Learning rate η, greater than 0")
        self.learning_rate_edit.value_committed.connect(self._on_learning_rate_committed)
        form.addRow("Learning rate η", self.learning_rate_edit)
        form.addRow(FieldMessage(self.learning_rate_edit))
        self.momentum_edit = NumberLineEdit(0.0, minimum=0.0)
        self.momentum_edit.value_committed.connect(self._on_momentum_committed)
        form.addRow("Momentum μ", self.momentum_edit)
        form.addRow(FieldMessage(self.momentum_edit))
        self.batch_size_box = SpinBox()
        self.batch_size_box.setRange(0, edits.MAX_BATCH_SIZE)
        self.batch_size_box.setSpecialValueText("whole data set")
        self.batch_size_box.setGroupSeparatorShown(True)
        self.batch_size_box.setToolTip("Rows per iteration (0: the whole data set)")
        self.batch_size_box.valueChanged.connect(self._on_batch_size_changed)
        self.batch_size_box.editingFinished.connect(self._end_merge_session)
        self.rows_label = QLabel()
        self.rows_label.setStyleSheet(hint_style())
        form.addRow("Batch size", field_row(self.batch_size_box, self.rows_label))
        return box

    def _make_randomise_section(self: Any) -> QGroupBox:
        box = QGroupBox("Randomise parameters")
        form = form_layout(box)
        self.randomise_method_box = ComboBox()
        for method in edits.INITIALISERS:
            self.randomise_method_box.addItem(INITIALISER_ITEMS[method], method)
        self.randomise_method_box.setCurrentIndex(edits.INITIALISERS.index("xavier"))
        form.addRow("Method", self.randomise_method_box)
        self.randomise_seed_box = SpinBox()
        self.randomise_seed_box.setRange(0, MAX_SEED)
        self.randomise_seed_box.setValue(1)
        self.randomise_seed_box.setToolTip("The same seed gives the same numbers")
        form.addRow("Seed", self.randomise_seed_box)
        self.randomise_scope_box = ComboBox()
        form.addRow("Layers", self.randomise_scope_box)
        self.randomise_button = wide_button()
        self.randomise_button.clicked.connect(self._on_randomise_clicked)
        form.addRow(self.randomise_button)
        self.randomise_method_box.currentIndexChanged.connect(self._update_button_texts)
        self.randomise_seed_box.valueChanged.connect(self._update_button_texts)
        self.randomise_scope_box.currentIndexChanged.connect(self._update_button_texts)
        return box

    def _make_set_value_section(self: Any) -> QGroupBox:
        box = QGroupBox("Set parameters to a value")
        form = form_layout(box)
        self.set_value_edit = NumberLineEdit(0.5)
        self.set_value_edit.value_committed.connect(self._update_button_texts)
        form.addRow("Value", self.set_value_edit)
        form.addRow(FieldMessage(self.set_value_edit))
        self.set_which_box = ComboBox()
        for title, _, _ in WHICH_ITEMS:
            self.set_which_box.addItem(title)
        form.addRow("Which", self.set_which_box)
        self.set_scope_box = ComboBox()
        form.addRow("Layers", self.set_scope_box)
        self.set_button = wide_button()
        self.set_button.clicked.connect(self._on_set_clicked)
        form.addRow(self.set_button)
        self.set_which_box.currentIndexChanged.connect(self._update_button_texts)
        self.set_scope_box.currentIndexChanged.connect(self._update_button_texts)
        return box

    # -- refreshing -------------------------------------------------------------------

    def _refresh_scope(self: Any, combo: QComboBox, network: Network) -> None:
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

    def _update_button_texts(self: Any) -> None:
        for button, text in (
            (self.randomise_button, self._randomise_text()),
            (self.set_button, self._set_text()),
        ):
            button.setText(text)
            button.setToolTip(text)  # the whole text, when a narrow dock cuts it

    # -- editing ---------------------------------------------------------------------

    def _on_loss_preset_activated(self: Any) -> None:
        key = self.loss_preset_box.currentData()
        preset = next((p for p in LOSS_PRESETS if p.key == key), None)
        if preset is None or preset.matches(self.document.network.loss):
            self.refresh()  # "custom" is what the fields below say: nothing to set
            return
        spec = preset.spec
        self._edit(
            f"Set loss to {preset.title}",
            edits.set_loss,
            kind=spec.kind,
            scale=spec.scale if spec.kind == "squared_error" else self.document.network.loss.scale,
            outputs=spec.outputs,
            batch=spec.batch,
            merge_key=("loss_preset", self._merge_session),
        )

    def _on_loss_kind_activated(self: Any) -> None:
        kind = self.loss_kind_box.currentData()
        if kind != self.document.network.loss.kind:
            self._edit(
                f"Set loss to {LOSS_TITLES[kind]}",
                edits.set_loss,
                kind=kind,
                merge_key=("loss_kind", self._merge_session),
            )

    def _on_loss_scale_committed(self: Any, scale: float) -> None:
        if scale != self.document.network.loss.scale:
            self._edit(f"Set loss scale to {short_number(scale)}", edits.set_loss, scale=scale)

    def _on_loss_outputs_activated(self: Any) -> None:
        outputs = self.loss_outputs_box.currentData()
        if outputs != self.document.network.loss.outputs:
            verb = "Sum" if outputs == "sum" else "Average"
            self._edit(
                f"{verb} the loss over the outputs",
                edits.set_loss,
                outputs=outputs,
                merge_key=("loss_outputs", self._merge_session),
            )

    def _on_loss_batch_activated(self: Any) -> None:
        batch = self.loss_batch_box.currentData()
        if batch != self.document.network.loss.batch:
            verb = "Sum" if batch == "sum" else "Average"
            self._edit(
                f"{verb} the loss over the batch",
                edits.set_loss,
                batch=batch,
                merge_key=("loss_batch", self._merge_session),
            )

    def _on_learning_rate_committed(self: Any, rate: float) -> None:
        if rate != self.document.network.optimizer.learning_rate:
            self._edit(
                f"Set learning rate to {short_number(rate)}",
                edits.set_optimizer,
                learning_rate=rate,
            )

    def _on_momentum_committed(self: Any, momentum: float) -> None:
        if momentum != self.document.network.optimizer.momentum:
            self._edit(
                f"Set momentum to {short_number(momentum)}", edits.set_optimizer, momentum=momentum
            )

    def _on_batch_size_changed(self: Any, value: int) -> None:
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

    def _scope_phrase(self: Any, combo: QComboBox) -> tuple[int | None, str]:
        """The chosen layer (None: all) and how texts say it ('all …' / '… into output layer')."""
        layer = combo.currentData() or None
        if layer is None:
            return None, "all {}"
        return layer, "{} into " + layer_phrase(self.document.network, layer)

    def _randomise_text(self: Any) -> str:
        method = self.randomise_method_box.currentData()
        _, scope = self._scope_phrase(self.randomise_scope_box)
        what = "weights and biases" if method == "uniform" else "weights"
        text = f"Randomise {scope.format(what)}"
        text = text[0].upper() + text[1:]
        return f"{text} ({INITIALISER_TITLES[method]}, seed {self.randomise_seed_box.value()})"

    def _on_randomise_clicked(self: Any) -> None:
        layer, _ = self._scope_phrase(self.randomise_scope_box)
        self._edit(
            self._randomise_text(),
            edits.randomise,
            self.randomise_method_box.currentData(),
            self.randomise_seed_box.value(),
            layer=layer,
        )

    def _set_text(self: Any) -> str:
        title, _, _ = WHICH_ITEMS[max(self.set_which_box.currentIndex(), 0)]
        _, scope = self._scope_phrase(self.set_scope_box)
        return f"Set {scope.format(title)} to {short_number(self.set_value_edit.value())}"

    def _on_set_clicked(self: Any) -> None:
        if self.set_value_edit.invalid:  # its red border and the note under it say why
            self.set_value_edit.setFocus()
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
