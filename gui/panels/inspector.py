"""InspectorPanel: every number about the selected neuron, bias or edge at this step.

Quantities are named as the tutorials and the Maths panel name them (net with
subscript h1, w5, b(h1), "from h1 to o1"), numbers never break across lines, and
the column of the sample the diagram shows is marked. A batch of many samples is
summarised in a bounded table: the first samples, "…", the sample the diagram shows
and the batch mean; only those cells are formatted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from engine.explain import Partial, Symbol, activation_title
from engine.explain_format import render_symbol
from engine.steps import describe_step, iteration_steps
from gui.document import NetworkDocument
from gui.editing import current_value, describe, editable, set_value
from gui.formatting import elide, escape, format_number
from gui.themes import appearance, current_theme
from gui.view_settings import ViewSettings
from gui.widgets import FieldMessage, NumberLineEdit, RefreshWhenShown

NOT_YET = "—"
FIRST_SAMPLES = 3  # columns for the first samples of a large batch, before "…"
ALL_SAMPLES_UP_TO = 5  # a batch this small shows every sample
MEAN = -1  # the column of the batch mean
GAP = -2  # the "…" column


def sample_columns(samples: int, selected: int) -> list[int]:
    """Which samples get a column (0-based; MEAN, GAP): every one of a small batch, else
    the first few, "…", the selected one and the mean."""
    if samples <= ALL_SAMPLES_UP_TO:
        return list(range(samples))
    columns = list(range(FIRST_SAMPLES))
    selected = min(max(selected, 0), samples - 1)
    if selected >= FIRST_SAMPLES:
        if selected > FIRST_SAMPLES:
            columns.append(GAP)
        columns.append(selected)
    if columns[-1] != samples - 1:
        columns.append(GAP)
    return [*columns, MEAN]


def rows_text(rows: Sequence[int]) -> str:
    """'1, 3, 4' or '1–10,000' or '1, 5, 9, …, 9,997 (2,500 rows)' (1-based)."""
    numbers = [int(r) + 1 for r in rows]
    if len(numbers) <= 8:
        return ", ".join(f"{n:,}" for n in numbers)
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]:,}–{numbers[-1]:,}"
    head = ", ".join(f"{n:,}" for n in numbers[:3])
    return f"{head}, …, {numbers[-1]:,} ({len(numbers):,} rows)"


def muted() -> str:
    """Secondary text colour of the current theme."""
    return current_theme().muted_ink


def symbol(name: str, label: str = "") -> str:
    """A quantity as the tutorials write it, typeset: net with subscript h1."""
    return render_symbol(Symbol(elide(name, 24), elide(label, 24)), "html")


def partial(of: Symbol, wrt: Symbol) -> str:
    return render_symbol(Partial(of, wrt), "html")


def nobreak(text: str) -> str:
    """One cell's text on one line."""
    return text.replace(" ", "&nbsp;")


class InspectorPanel(QWidget):
    def __init__(
        self, document: NetworkDocument, settings: ViewSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.settings = settings
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        # Lines break between words only: never inside a number (0.3205|08370).
        self.browser.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.value_label = QLabel()
        self.value_label.setTextFormat(Qt.TextFormat.PlainText)  # it names labels from files
        self.value_field = NumberLineEdit()
        self.value_field.setToolTip(
            "The value before this iteration's update: type a new one and press Enter (undoable)"
        )
        self.value_field.value_committed.connect(self._on_value_committed)
        self.value_message = FieldMessage(self.value_field)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.value_label)
        edit_row.addWidget(self.value_field, 1)
        edit_column = QVBoxLayout()
        edit_column.setContentsMargins(0, 0, 0, 0)
        edit_column.setSpacing(2)
        edit_column.addLayout(edit_row)
        edit_column.addWidget(self.value_message)
        self.edit_box = QWidget()
        self.edit_box.setLayout(edit_column)
        edit_row.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.edit_box)
        layout.addWidget(self.browser)
        # A panel behind another tab is refreshed when it is shown, not on every step.
        self._refresher = RefreshWhenShown(self, self._refresh_now)
        document.selection_changed.connect(self.refresh)
        document.position_changed.connect(self.refresh)
        document.network_changed.connect(self.refresh)
        settings.changed.connect(self.refresh)
        appearance().theme_changed.connect(self.refresh)
        self._refresh_now()

    def text(self) -> str:
        self._refresher.ensure()
        return self.browser.toPlainText()

    def refresh(self) -> None:
        self._refresher.request()

    def _n(self, value: float) -> str:
        return format_number(float(value), self.settings.digits)

    def _when(self, kind: str, layer: int | None = None) -> str:
        """Where a value not shown yet will appear, e.g. 'at backward 2'."""
        L = self.document.initial_network.weight_layer_count
        for step in iteration_steps(L):
            if step.kind == kind and step.layer == layer:
                where = escape(describe_step(step, L).split(":")[0])
                return f"{NOT_YET} <i>(at&nbsp;{nobreak(where)})</i>"
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
        name = elide(describe(self.document, selection, sample))
        self.value_label.setText(f"Set {name} =")
        self.value_field.set_value(current_value(self.document, selection, sample))
        if not self.value_field.hasFocus():
            self.value_field.setCursorPosition(0)  # the number's start, not its 17th digit

    def _refresh_now(self) -> None:
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
            f"<style>td{{padding:2px 10px 2px 3px}} th{{text-align:left;padding:2px 10px 2px 0;"
            f"color:{muted()};font-weight:normal}} h3{{margin:2px 0 6px 0}}</style>"
        )
        self.browser.setHtml(style + body)

    def _table(
        self,
        rows: list[tuple[str, list[str]]],
        heads: Sequence[str] = (),
        marked: int | None = None,
    ) -> str:
        """Rows of (name, cells); ``marked``: the column of the sample on the diagram. A
        row of one cell under several columns (not computed yet) spans them all."""
        band = current_theme().active_band
        width = max(len(heads), 1)

        def cell(k: int, text: str, tag: str = "td") -> str:
            colour = f' bgcolor="{band}"' if k == marked else ""
            return f"<{tag}{colour}>{text}</{tag}>"

        def cells(values: list[str]) -> str:
            if len(values) == 1 and width > 1:
                return f'<td colspan="{width}">{nobreak(values[0])}</td>'
            return "".join(cell(k, nobreak(v)) for k, v in enumerate(values))

        head = ""
        if heads:
            head = "<tr><th></th>" + "".join(cell(k, h, "th") for k, h in enumerate(heads))
            head += "</tr>"
        body = "".join(f"<tr><th>{name}</th>{cells(values)}</tr>" for name, values in rows)
        return f'<table cellspacing="0">{head}{body}</table>'

    def _columns(self, samples: int) -> list[int]:
        return sample_columns(samples, self.settings.sample)

    def _shown_sample(self, samples: int) -> int:
        return min(max(self.settings.sample, 0), samples - 1)

    def _heads(self, columns: list[int], samples: int) -> list[str]:
        if samples == 1:
            return []
        shown = self._shown_sample(samples)
        heads = []
        for k in columns:
            if k == MEAN:
                heads.append(f"mean of {samples:,}")
            elif k == GAP:
                heads.append("…")
            elif k == shown:
                heads.append(f"<b>sample&nbsp;{k + 1}</b><br><small>on the diagram</small>")
            else:
                heads.append(f"sample&nbsp;{k + 1}")
        return heads

    def _cells(self, values: np.ndarray, columns: list[int]) -> list[str]:
        """The shown columns of one row of per-sample values (only those are formatted)."""
        cells = []
        for k in columns:
            if k == MEAN:
                with np.errstate(all="ignore"):  # a diverged batch has inf and nan
                    cells.append(self._n(np.mean(values)))
            elif k == GAP:
                cells.append("…")
            else:
                cells.append(self._n(values[k]))
        return cells

    def _neuron(self, l: int, j: int) -> str:
        document = self.document
        network, trace = document.initial_network, document.trace
        raw_label = network.labels(l)[j]
        label = escape(elide(raw_label))
        L = network.weight_layer_count
        samples = trace.batch_size
        columns = self._columns(samples)
        activation = activation_title(network.layers[l].activation)
        if l == 0:
            role = "input"
        elif l == L:
            role = f"output layer · {activation}"
        else:
            role = f"hidden layer {l} · {activation}"

        def row(name: str, values: np.ndarray, shown: bool, when: str) -> None:
            rows.append((name, self._cells(values, columns) if shown else [when]))

        def named(symbol_html: str, words: str) -> str:
            return f"{symbol_html}<br><small>{nobreak(words)}</small>"

        rows: list[tuple[str, list[str]]] = []
        if l == 0:
            row(named(symbol(raw_label), "input"), trace.a[0][:, j], True, "")
        else:
            z, a, delta = trace.z[l], trace.a[l], trace.delta[l]
            assert z is not None and delta is not None
            forward = self._when("forward", l)
            net, out = Symbol("net", elide(raw_label, 24)), Symbol("out", elide(raw_label, 24))
            row(
                named(symbol("net", raw_label), "net input z"),
                z[:, j],
                document.shows_activation(l),
                forward,
            )
            row(
                named(symbol("out", raw_label), "activation a"),
                a[:, j],
                document.shows_activation(l),
                forward,
            )
            if l == L:
                row(named(symbol("t", raw_label), "target"), trace.targets[:, j], True, "")
                row(
                    named(symbol("E", raw_label), "loss term"),
                    trace.loss_terms[:, j],
                    document.shows_loss(),
                    self._when("loss"),
                )
            backward = self._when("backward", l)
            row(partial(Symbol("E"), out), trace.grad_a[l][:, j], document.shows_delta(l), backward)
            row(
                f"{symbol('δ', raw_label)} = {partial(Symbol('E'), net)}",
                delta[:, j],
                document.shows_delta(l),
                backward,
            )
        marked = None
        if samples > 1 and self._shown_sample(samples) in columns:
            marked = columns.index(self._shown_sample(samples))
        table = self._table(rows, self._heads(columns, samples), marked)
        extra = ""
        if l > 0:
            bias = document.displayed_network().biases[l - 1][j]
            name = escape(elide(network.bias_symbol(l, j)))
            extra = f"<p>bias {name} = {self._n(bias)}</p>"
        if samples > 1:
            table = f"<p>Batch rows {rows_text(trace.rows)}</p>" + table
        return f"<h3>Neuron {label}</h3><p style='color:{muted()}'>{role}</p>{table}{extra}"

    def _parameter(self, l: int, j: int, i: int | None) -> str:
        document = self.document
        network, trace = document.initial_network, document.trace
        into = elide(network.labels(l)[j])
        if i is None:
            name = network.bias_symbol(l, j)
            title = f"Bias {elide(name)}"
            where = f"the bias into {into}"
            old = trace.network.biases[l - 1][j]
            new = trace.network_after.biases[l - 1][j]
            grad = trace.grad_biases[l]
            gradient = None if grad is None else grad[j]
        else:
            name = network.weight_symbol(l, j, i)
            source = elide(network.labels(l - 1)[i])
            title = f"Weight {name} · {source} → {into}"
            where = f"the weight from {source} to {into}"
            old = trace.network.weights[l - 1][j, i]
            new = trace.network_after.weights[l - 1][j, i]
            grad = trace.grad_weights[l]
            gradient = None if grad is None else grad[j, i]
        shown = render_symbol(Symbol(name[0], name[1:].strip("()")), "html")
        rows: list[tuple[str, list[str]]] = [("value before the update", [self._n(old)])]
        has_gradient = document.shows_delta(l) and gradient is not None
        rows.append(
            (
                f"∂<i>E</i>/∂{shown}",
                [self._n(gradient) if has_gradient else self._when("backward", l)],
            )
        )
        if document.shows_update():
            rows.append(("Δ (update)", [self._n(new - old)]))
            rows.append(("value after the update", [self._n(new)]))
        else:
            rows.append(("Δ (update)", [self._when("update")]))
        rate = network.optimizer.learning_rate
        note = f"<p style='color:{muted()}'>{escape(where)} · learning rate η = {self._n(rate)}</p>"
        return f"<h3>{escape(title)}</h3>{note}{self._table(rows)}"

    def _bias_node(self, l: int) -> str:
        document = self.document
        network, trace = document.initial_network, document.trace
        shown_network = document.displayed_network()
        gradient = trace.grad_biases[l]
        rows = []
        for j in range(network.layers[l].size):
            g = (
                self._n(gradient[j])
                if document.shows_delta(l) and gradient is not None
                else self._when("backward", l)
            )
            name = escape(elide(network.bias_symbol(l, j)))
            rows.append((name, [self._n(shown_network.biases[l - 1][j]), g]))
        table = self._table(rows, ("value", "∂<i>E</i>/∂<i>b</i>"))
        role = "the output layer" if l == network.weight_layer_count else f"hidden layer {l}"
        return (
            f"<h3>Bias unit +1 into {role}</h3><p style='color:{muted()}'>"
            f"Each dashed edge carries one bias into a neuron.</p>{table}"
        )
