"""Restyling the diagram for the document's position: fills, numbers, pens, legends.

What is shown comes from gui.diagram.step_values (the automatic view or a manual
choice); here it becomes colours, pens and texts on the scene's items. A mixin of
DiagramScene: it reads the scene's items and writes their styles, nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from gui import constants as C
from gui.diagram.colour_scales import (
    ColourScale,
    Range,
    bins,
    colour_map,
    count_not_finite,
    pens,
)
from gui.diagram.edges import EdgeLayerItem
from gui.diagram.saturation import saturation_warning
from gui.diagram.step_values import CARRIER, EdgePlan, EdgeSet, NodePlan
from gui.document import Selection
from gui.formatting import format_number
from gui.themes import Theme, current_theme

if TYPE_CHECKING:
    from gui.diagram.scene import DiagramScene

NOT_FINITE = "not finite: training diverged"


# Legend notes in fewer words, for a narrow legend (presenting on a 4:3 screen).
SHORT_NOTES = {
    "numbers: δ (error signal)": "numbers: δ",
    "dark: weights carrying δ back": "dark: carry δ back",
    "numbers: old → new": "old → new",
    "numbers: z and a": "z and a",
}


def _legend(
    title: str,
    colours: tuple[QColor, ...],
    scale: Range,
    log: bool,
    reason: str,
    note: str,
    bad: int,
) -> ColourScale:
    if not reason and scale.not_finite:
        reason = NOT_FINITE  # NaN weights are not "all zero"
    return ColourScale(
        title,
        colours,
        scale.low,
        scale.high,
        log,
        empty_reason=reason,
        note=note,
        short_note=SHORT_NOTES.get(note, note),
        not_finite=bad,
    )


class StylingMixin:
    """Styles of DiagramScene's items (see the module's docstring)."""

    def digits(self: DiagramScene) -> int:
        """Significant digits of the numbers on the diagram: the view setting's, and
        when presenting at most PRESENTING_DIGITS (read from the back of the hall; the
        Maths panel keeps every digit)."""
        digits = self.settings.digits
        return min(digits, C.PRESENTING_DIGITS) if self.min_text_px > 0 else digits

    def _use_colours(self: DiagramScene, theme: Theme) -> None:
        self._pen_cache: dict[tuple[int, bool, bool, float], list[QPen]] = {}
        background = QColor(theme.background)
        self._diverging = colour_map(theme.diverging_map)
        self._sequential = colour_map(theme.sequential_map, fade_into=background)
        # Edges: the smallest |∂E/∂w| is still a visible line, not the background.
        self._sequential_edges = colour_map(
            theme.sequential_map, fade_into=background, floor=C.EDGE_COLOUR_FLOOR
        )

    # -- nodes -----------------------------------------------------------------------

    def _style_nodes(
        self: DiagramScene, plan: NodePlan, active_layer: int | None, selection: Selection | None
    ) -> None:
        scale = plan.scale
        colours = self._diverging if scale.signed else self._sequential
        shown = [layer.colour for layer in plan.layers]
        bad = count_not_finite(shown)
        self.node_scale = _legend(
            plan.title, colours, scale, False, plan.empty_reason, plan.note, bad
        )
        digits = self.digits()
        show_text = self.settings.show_node_values
        theme = current_theme()
        empty, not_finite = QColor(theme.node_empty_fill), QColor(theme.selection)
        for l, items in enumerate(self.neurons):
            layer = plan.layers[l]
            fills = None if layer.colour is None else bins(layer.colour, scale)
            numbers = self._numbers(layer.numbers, digits) if show_text else None
            details = self._numbers(layer.detail, digits, layer.detail_symbol + " ")
            room = self._detail_room(l, numbers, details, layer.symbol)
            for j, item in enumerate(items):
                selected = (
                    selection is not None
                    and selection.kind == "neuron"
                    and selection.layer == l
                    and selection.index == j
                )
                fill = empty
                if layer.colour is not None and fills is not None:
                    value = float(layer.colour[j])
                    fill = colours[fills[j]] if np.isfinite(value) else not_finite
                text = detail = ""
                if numbers is not None:
                    text = numbers[j]
                    detail = details[j] if details is not None and room else ""
                inline = room == "inline"
                item.set_style(
                    fill, text, l == active_layer, selected, layer.symbol, detail, inline
                )

    @staticmethod
    def _numbers(
        values: NDArray[np.float64] | None, digits: int, prefix: str = ""
    ) -> list[str] | None:
        if values is None:
            return None
        return [prefix + format_number(float(v), digits) for v in values]

    def _detail_room(
        self: DiagramScene,
        layer: int,
        numbers: list[str] | None,
        details: list[str] | None,
        symbol: str,
    ) -> str:
        """Where a layer's details (z) fit: "below" (a second line, when the neurons are
        far enough apart), "inline" (before the number, when the columns are), or ""."""
        items = self.neurons[layer]
        if not items or not details or not numbers:
            return ""
        item = items[0]
        points = self.positions[layer]
        ys = np.sort(points[:, 1])
        gap = float(np.diff(ys).min()) if ys.size > 1 else np.inf
        # The pill starts 0.15 r under the circle; the next circle's top is r above its centre.
        if gap >= item.radius * 2.15 + 2 * item.pill_height + 10:
            return "below"
        xs = sorted({float(p[0]) for layer_points in self.positions for p in layer_points})
        x = float(points[0, 0])
        neighbours = [abs(other - x) for other in xs if abs(other - x) > 1]
        widest = max(
            item.pill_width_of([f"{d} · {symbol} {n}" if symbol else f"{d} · {n}"])
            for d, n in zip(details, numbers, strict=True)
        )
        # Not beside the targets: the outputs' pills must not reach them.
        if layer < len(self.neurons) - 1 and widest <= 0.55 * min(neighbours, default=np.inf):
            return "inline"
        return ""

    # -- edges -----------------------------------------------------------------------

    def _style_edges(self: DiagramScene, plan: EdgePlan, selection: Selection | None) -> None:
        scale = plan.scale
        log = self.settings.edge_scale == "log" and not scale.signed
        colours = self._diverging if scale.signed else self._sequential_edges
        shown = [s.colour for s in [*plan.weights.values(), *plan.biases.values()]]
        self.edge_scale = _legend(
            plan.title, colours, scale, log, plan.empty_reason, plan.note, count_not_finite(shown)
        )
        self._edge_notes = (self.edge_scale.note, self.edge_scale.short_note)
        theme = current_theme()
        solid = self._pens(colours, scale.signed, False, C.EDGE_WIDTH_MAX)
        dashed = self._pens(colours, scale.signed, True, C.EDGE_WIDTH_MAX)
        # Thousands of edges overlap anyway: 1-px lines draw several times faster.
        dense = self._pens(colours, scale.signed, False, C.EDGE_WIDTH_MIN)
        neutral = QPen(QColor(theme.neutral_edge), C.EDGE_WIDTH_MIN)
        neutral_dashed = QPen(neutral)
        neutral_dashed.setStyle(Qt.PenStyle.DashLine)
        carrier = QPen(QColor(theme.ink), C.CARRIER_EDGE_WIDTH)
        carrier.setCapStyle(Qt.PenCapStyle.FlatCap)
        for l, item in self.edge_layers.items():
            for edges, layer_item, layer_pens, neutral_pen in (
                (plan.weights[l], item, solid, neutral),
                (plan.biases[l], self.bias_layers[l], dashed, neutral_dashed),
            ):
                if layer_item.count > C.ANTIALIAS_MAX_EDGES:
                    layer_pens = dense
                self._style_edge_item(
                    layer_item, edges, scale, log, layer_pens, neutral_pen, carrier, selection
                )
        for l, node in self.bias_nodes.items():
            node.set_selected(
                selection is not None and selection.kind == "bias_node" and selection.layer == l
            )

    def _style_edge_item(
        self: DiagramScene,
        item: EdgeLayerItem,
        edges: EdgeSet,
        scale: Range,
        log: bool,
        layer_pens: list[QPen],
        neutral: QPen,
        carrier: QPen,
        selection: Selection | None,
    ) -> None:
        selected = self._selected_edge(item, selection)
        texts = edges.labels if item.count <= C.EDGE_LABEL_MAX_EDGES else None
        labels, short = (None, None) if texts is None else (texts.full, texts.short)
        zeros = np.zeros(item.count, dtype=np.intp)
        if edges.kind == CARRIER:
            item.set_style(zeros, [carrier], labels, selected, edges.dimmed, short)
        elif edges.colour is None:
            item.set_style(zeros, [neutral], None, selected, edges.dimmed)
        else:
            values = np.asarray(edges.colour, dtype=np.float64)
            pen_bins = bins(values, scale, log)
            item.set_style(pen_bins, layer_pens, labels, selected, edges.dimmed, short)

    def _pens(
        self: DiagramScene, colours: tuple[QColor, ...], signed: bool, dashed: bool, widest: float
    ) -> list[QPen]:
        """The pens of a colour map, made once per map (restyling runs at every frame)."""
        key = (id(colours), signed, dashed, widest)
        if key not in self._pen_cache:
            self._pen_cache[key] = pens(colours, signed, dashed, widest)
        return self._pen_cache[key]

    @staticmethod
    def _selected_edge(item: EdgeLayerItem, selection: Selection | None) -> int | None:
        if selection is None or selection.layer != item.layer:
            return None
        if item.dashed and selection.kind == "bias":
            return selection.index
        if not item.dashed and selection.kind == "weight":
            assert selection.source is not None
            return selection.index * item.shape_out_in[1] + selection.source
        return None

    # -- texts -----------------------------------------------------------------------

    def _style_loss(self: DiagramScene, sample: int) -> None:
        """Targets beside the outputs; from the loss step on, the E terms under them and
        the loss (room for them is kept from the start: the fit does not change)."""
        document, trace = self.document, self.document.trace
        digits = self.digits()
        targets = trace.targets[sample]
        labels = document.initial_network.labels(len(document.initial_network.layers) - 1)
        shown = document.shows_loss()
        offset = self._target_offset(sample, digits)
        out = len(self.positions) - 1
        for j, text in enumerate(self.target_texts):
            x, y = self.positions[out][j]
            text.setPos(x + offset, y)
            term = format_number(float(trace.loss_terms[sample, j]), digits)
            full = [f"target {format_number(float(targets[j]), digits)}", f"E_{labels[j]} = {term}"]
            text.set_lines(full if shown else full[:1], full)
        loss = [f"Loss = {format_number(trace.loss, digits)}"]
        self.loss_text.set_lines(loss if shown else [], loss)

    def _target_offset(self: DiagramScene, sample: int, digits: int) -> float:
        """How far right of an output neuron its target goes: past the widest pill the
        outputs show in this iteration (a or δ), so the two never overlap and the target
        stays put from step to step."""
        items = self.neurons[-1] if self.neurons else []
        if not items or not self.target_texts:
            return C.NEURON_RADIUS + 14
        trace = self.document.trace
        texts = []
        for j in range(len(items)):
            number = format_number(float(trace.a[-1][sample][j]), digits)
            texts.append(f"a {number}")
            if trace.delta[-1] is not None:
                texts.append(f"δ {format_number(float(trace.delta[-1][sample][j]), digits)}")
        item = items[0]
        half = max(item.pill_width_of([t]) for t in texts) / 2
        return max(item.radius * 1.35, half) + 14

    def _style_warning(self: DiagramScene) -> None:
        trace = self.document.trace
        if self._warning_for is not trace:  # the same trace at every step: once
            self._warning_for = trace
            self._warning = saturation_warning(trace)
        self.warning_text.set_lines([self._warning] if self._warning else [])
        self.warning_text.setVisible(bool(self._warning))
