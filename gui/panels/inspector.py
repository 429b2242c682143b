"""InspectorPanel: every number about the selected neuron, bias or edge at this step."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from engine.steps import describe_step, iteration_steps
from gui.document import NetworkDocument
from gui.editing import current_value, describe, editable, set_value
from gui.formatting import format_number
from gui.themes import appearance, current_theme
from gui.view_settings import ViewSettings
from gui.widgets import NumberLineEdit

NOT_YET = "—"


def muted() -> str:
    """Secondary text colour of the current theme."""
    return current_theme().muted_ink


class InspectorPanel(QWidget):
    def __init__(
        self, document: NetworkDocument, settings: ViewSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.settings = settings
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.value_label = QLabel()
        self.value_field = NumberLineEdit()
        self.value_field.setToolTip("Type a new value and press Enter (undoable)")
        self.value_field.value_committed.connect(self._on_value_committed)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.value_label)
        edit_row.addWidget(self.value_field, 1)
        self.edit_box = QWidget()
        self.edit_box.setLayout(edit_row)
        edit_row.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.edit_box)
        layout.addWidget(self.browser)
        document.selection_changed.connect(self.refresh)
        document.position_changed.connect(self.refresh)
        document.network_changed.connect(self.refresh)
        settings.changed.connect(self.refresh)
        appearance().theme_changed.connect(self.refresh)
        self.refresh()

    def text(self) -> str:
        return self.browser.toPlainText()

    def _n(self, value: float) -> str:
        return format_number(float(value), self.settings.digits)

    def _when(self, kind: str, layer: int | None = None) -> str:
        """Where a value not shown yet will appear, e.g. 'at backward 2'."""
        L = self.document.initial_network.weight_layer_count
        for step in iteration_steps(L):
            if step.kind == kind and step.layer == layer:
                return f"{NOT_YET} <i>(at {html.escape(describe_step(step, L).split(':')[0])})</i>"
        return NOT_YET

    def _on_value_committed(self, value: float) -> None:
        selection = self.document.selection
        if editable(selection):
            assert selection is not None
            set_value(self.document, selection, value, self.settings.sample)

    def _refresh_edit_box(self) -> None:
        selection = self.document.selection
        self.edit_box.setVisible(editable(selection))
        if selection is None or not editable(selection):
            return
        sample = self.settings.sample
        name = describe(self.document, selection, sample)
        self.value_label.setText(f"Set {name} (before the update):")
        self.value_field.set_value(current_value(self.document, selection, sample))

    def refresh(self) -> None:
        self._refresh_edit_box()
        selection = self.document.selection
        if selection is None:
            self.browser.setHtml(
                f"<p style='color:{muted()}'>Click a neuron, an edge or a bias (+1) "
                "on the diagram to see every number about it at this step.</p>"
            )
            return
        if selection.kind == "neuron":
            body = self._neuron(selection.layer, selection.index)
        elif selection.kind == "weight":
            assert selection.source is not None
            body = self._parameter(selection.layer, selection.index, selection.source)
        elif selection.kind == "bias":
            body = self._parameter(selection.layer, selection.index, None)
        else:
            body = self._bias_node(selection.layer)
        style = (
            f"<style>td{{padding:2px 10px 2px 0}} th{{text-align:left;padding-right:10px;"
            f"color:{muted()};font-weight:normal}} h3{{margin:2px 0 6px 0}}</style>"
        )
        self.browser.setHtml(style + body)

    def _table(self, rows: list[tuple[str, list[str]]], samples: int) -> str:
        head = ""
        if samples > 1:
            head = (
                "<tr><th></th>"
                + "".join(f"<th>sample {k + 1}</th>" for k in range(samples))
                + "</tr>"
            )
        body = "".join(
            f"<tr><th>{name}</th>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>"
            for name, values in rows
        )
        return f"<table>{head}{body}</table>"

    def _neuron(self, l: int, j: int) -> str:
        document = self.document
        network, trace = document.initial_network, document.trace
        label = html.escape(network.labels(l)[j])
        L = network.weight_layer_count
        samples = trace.batch_size
        if l == 0:
            role = "input"
        elif l == L:
            role = f"output layer, {network.layers[l].activation}"
        else:
            role = f"hidden layer {l}, {network.layers[l].activation}"
        rows: list[tuple[str, list[str]]] = []
        if l == 0:
            rows.append(("input a", [self._n(v) for v in trace.a[0][:, j]]))
        else:
            shown = document.shows_activation(l)
            z, a = trace.z[l], trace.a[l]
            assert z is not None
            rows.append(
                (
                    "net input z",
                    [self._n(v) for v in z[:, j]]
                    if shown
                    else [self._when("forward", l)] * samples,
                )
            )
            rows.append(
                (
                    "activation a",
                    [self._n(v) for v in a[:, j]]
                    if shown
                    else [self._when("forward", l)] * samples,
                )
            )
            if l == L:
                rows.append(("target t", [self._n(v) for v in trace.targets[:, j]]))
                rows.append(
                    (
                        "loss term",
                        [self._n(v) for v in trace.loss_terms[:, j]]
                        if document.shows_loss()
                        else [self._when("loss")] * samples,
                    )
                )
            has_delta = document.shows_delta(l)
            rows.append(
                (
                    "∂L/∂a",
                    [self._n(v) for v in trace.grad_a[l][:, j]]
                    if has_delta
                    else [self._when("backward", l)] * samples,
                )
            )
            delta = trace.delta[l]
            assert delta is not None
            rows.append(
                (
                    "δ = ∂L/∂z",
                    [self._n(v) for v in delta[:, j]]
                    if has_delta
                    else [self._when("backward", l)] * samples,
                )
            )
        rows_text = self._table(rows, samples)
        extra = ""
        if l > 0:
            bias = document.displayed_network().biases[l - 1][j]
            extra = f"<p>bias b = {self._n(bias)}</p>"
        if samples > 1:
            rows_text = f"<p>Batch rows {', '.join(str(r + 1) for r in trace.rows)}</p>" + rows_text
        return f"<h3>Neuron {label}</h3><p style='color:{muted()}'>{role}</p>{rows_text}{extra}"

    def _parameter(self, l: int, j: int, i: int | None) -> str:
        document = self.document
        network, trace = document.initial_network, document.trace
        if i is None:
            name = f"bias b of {network.labels(l)[j]}"
            where = f"biases[{l - 1}][{j}]"
            old = trace.network.biases[l - 1][j]
            new = trace.network_after.biases[l - 1][j]
            grad = trace.grad_biases[l]
            gradient = None if grad is None else grad[j]
        else:
            name = f"weight {network.labels(l - 1)[i]} → {network.labels(l)[j]}"
            where = f"weights[{l - 1}][{j}][{i}]"
            old = trace.network.weights[l - 1][j, i]
            new = trace.network_after.weights[l - 1][j, i]
            grad = trace.grad_weights[l]
            gradient = None if grad is None else grad[j, i]
        rows: list[tuple[str, list[str]]] = [("value before the update", [self._n(old)])]
        has_gradient = document.shows_delta(l) and gradient is not None
        rows.append(
            (
                "∂L/∂" + ("b" if i is None else "w"),
                [self._n(gradient) if has_gradient else self._when("backward", l)],
            )
        )
        if document.shows_update():
            rows.append(("Δ (update)", [self._n(new - old)]))
            rows.append(("value after the update", [self._n(new)]))
        else:
            rows.append(("Δ (update)", [self._when("update")]))
        rate = network.optimizer.learning_rate
        note = f"<p style='color:{muted()}'>{where} · learning rate η = {self._n(rate)}</p>"
        return f"<h3>{html.escape(name)}</h3>{note}{self._table(rows, 1)}"

    def _bias_node(self, l: int) -> str:
        document = self.document
        network, trace = document.initial_network, document.trace
        labels = network.labels(l)
        shown_network = document.displayed_network()
        rows = []
        for j, label in enumerate(labels):
            gradient = trace.grad_biases[l]
            g = (
                self._n(gradient[j])
                if document.shows_delta(l) and gradient is not None
                else self._when("backward", l)
            )
            rows.append(
                (f"b of {html.escape(label)}", [self._n(shown_network.biases[l - 1][j]), g])
            )
        table = (
            "<table><tr><th></th><th>value</th><th>∂L/∂b</th></tr>"
            + "".join(
                f"<tr><th>{name}</th>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>"
                for name, values in rows
            )
            + "</table>"
        )
        return (
            f"<h3>Bias unit +1 of layer {l}</h3><p style='color:{muted()}'>"
            f"Each dashed edge carries one bias into a neuron.</p>{table}"
        )
