"""DiagramScene: the network drawn left to right, restyled from the document.

Items are rebuilt only when the network's shape changes; stepping, playing
and view settings only restyle them (colours, texts, highlights).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QMenu,
    QStyleOptionGraphicsItem,
    QWidget,
)

from engine.network import Network
from engine.steps import BACKWARD, FORWARD, LOSS
from gui import constants as C
from gui.crash_guard import guarded
from gui.diagram.items import BiasNodeItem, EdgeLayerItem, LayerBandItem, NeuronItem
from gui.document import NetworkDocument, Selection
from gui.formatting import format_number
from gui.themes import Theme, appearance, current_theme, text_scale
from gui.view_settings import EDGE_MODE_NAMES, NODE_VALUE_NAMES, ViewSettings

# Saved positions farther out than this are typos or fuzz, not a drag (the layers are
# LAYER_SPACING = 380 apart): Qt's float geometry degrades and the fit shows nothing.
MAX_SAVED_COORDINATE = 1e6

Point = tuple[float, float]


def usable_positions(
    layout: object, sizes: tuple[int, ...]
) -> tuple[dict[tuple[int, int], Point], list[str]]:
    """The saved positions (layout.positions, "layer:index": [x, y]) the diagram can use,
    and the keys of those it ignores: unknown neurons, non-numbers, non-finite or huge
    coordinates, wrong shapes. Those neurons keep their automatic place."""
    saved = layout.get("positions") if isinstance(layout, Mapping) else None
    if not isinstance(saved, Mapping):
        return {}, []
    usable: dict[tuple[int, int], Point] = {}
    ignored: list[str] = []
    for key, point in saved.items():
        where = _neuron_key(key, sizes)
        xy = _point(point)
        if where is None or xy is None:
            ignored.append(str(key)[:40])
        else:
            usable[where] = xy
    return usable, ignored


def _neuron_key(key: object, sizes: tuple[int, ...]) -> tuple[int, int] | None:
    parts = str(key).split(":") if isinstance(key, str) and len(key) <= 40 else []
    if len(parts) != 2 or not all(p.strip().isdecimal() for p in parts):
        return None
    layer, index = int(parts[0]), int(parts[1])
    if layer < len(sizes) and index < sizes[layer]:
        return layer, index
    return None


def _point(point: object) -> Point | None:
    if not isinstance(point, (list, tuple)) or len(point) != 2:
        return None
    coordinates = []
    for value in point:
        if isinstance(value, bool) or not isinstance(value, Real):
            return None
        try:
            number = float(value)
        except (OverflowError, ValueError):  # a 400-digit integer
            return None
        if not math.isfinite(number) or abs(number) > MAX_SAVED_COORDINATE:
            return None
        coordinates.append(number)
    return coordinates[0], coordinates[1]


@dataclass(frozen=True)
class ColourScale:
    """What a legend shows: a colour map over [low, high]."""

    title: str
    colours: tuple[QColor, ...]
    low: float
    high: float
    log: bool = False
    empty_reason: str = ""  # why nothing is coloured yet (e.g. not computed)


def _colours(name: str, fade_into: QColor | None = None) -> tuple[QColor, ...]:
    cmap = pg.colormap.get(name)
    colours = tuple(cmap.mapToQColor(np.linspace(0.0, 1.0, C.COLOUR_BINS)))
    if fade_into is not None:
        # Small magnitudes should fade into the background, large ones stand out.
        if abs(colours[0].lightness() - fade_into.lightness()) > abs(
            colours[-1].lightness() - fade_into.lightness()
        ):
            colours = colours[::-1]
    return colours


class TextItem(QGraphicsItem):
    """Text that keeps its screen size at any zoom, anchored at its centre."""

    def __init__(
        self,
        lines: list[str],
        pixel_size: int,
        bold: bool = False,
        muted: bool = False,
        align_left: bool = False,
    ) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setZValue(C.Z_TITLES)
        self._pixel_size = pixel_size
        self._font = QFont(C.FONT_FAMILY)
        self._font.setBold(bold)
        self.muted = muted  # the theme's muted ink instead of its ink
        self._align_left = align_left
        self.lines: list[str] = []
        self.set_text_scale(text_scale())
        self.set_lines(lines)

    def set_text_scale(self, scale: float) -> None:
        self._font.setPixelSize(max(1, round(self._pixel_size * scale)))
        self.set_lines(self.lines)

    def colour(self) -> QColor:
        theme = current_theme()
        return QColor(theme.muted_ink if self.muted else theme.ink)

    def set_lines(self, lines: list[str]) -> None:
        self.prepareGeometryChange()
        self.lines = list(lines)
        metrics = QFontMetricsF(self._font)
        self._line_height = metrics.height()
        width = max((metrics.horizontalAdvance(t) for t in self.lines), default=0.0)
        height = self._line_height * len(self.lines)
        x = 0.0 if self._align_left else -width / 2
        self._rect = QRectF(x, -height / 2, width, height)
        self.update()

    @guarded(fallback=lambda *_: QRectF())
    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    @guarded()
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setFont(self._font)
        painter.setPen(self.colour())
        flags = Qt.AlignmentFlag.AlignLeft if self._align_left else Qt.AlignmentFlag.AlignHCenter
        for k, text in enumerate(self.lines):
            row = QRectF(
                self._rect.x(),
                self._rect.y() + k * self._line_height,
                self._rect.width(),
                self._line_height,
            )
            painter.drawText(row, flags | Qt.AlignmentFlag.AlignVCenter, text)


class DiagramScene(QGraphicsScene):
    restyled = Signal()
    edit_requested = Signal(object, QPointF)  # a Selection to edit, where it was clicked

    def __init__(self, document: NetworkDocument, settings: ViewSettings) -> None:
        super().__init__()
        self.document = document
        self.settings = settings
        self._use_theme(current_theme())
        self.edge_scale: ColourScale | None = None
        self.node_scale: ColourScale | None = None
        self._shape: tuple[tuple[int, ...], tuple[tuple[str, ...], ...]] | None = None
        document.network_changed.connect(self._on_network_changed)
        document.position_changed.connect(self.restyle)
        document.selection_changed.connect(self.restyle)
        settings.changed.connect(self.restyle)
        appearance().theme_changed.connect(self._on_theme_changed)
        appearance().text_scale_changed.connect(self._on_text_scale_changed)
        self._on_network_changed()

    # -- appearance ------------------------------------------------------------------

    def _use_theme(self, theme: Theme) -> None:
        background = QColor(theme.background)
        self.setBackgroundBrush(background)
        self._diverging = _colours(theme.diverging_map)
        self._sequential = _colours(theme.sequential_map, fade_into=background)

    def _on_theme_changed(self, theme: Theme) -> None:
        self._use_theme(theme)
        self.restyle()
        self.update()  # items read the theme when they paint

    def _on_text_scale_changed(self, scale: float) -> None:
        for item in self.items():
            if isinstance(item, (NeuronItem, BiasNodeItem, EdgeLayerItem, TextItem)):
                item.set_text_scale(scale)

    # -- building --------------------------------------------------------------------

    @guarded()  # also runs in the constructor: a diagram that cannot be built is no crash
    def _on_network_changed(self) -> None:
        network = self.document.initial_network
        saved, ignored = usable_positions(network.layout, network.sizes)
        shape = (
            network.sizes,
            tuple(network.labels(l) for l in range(len(network.layers))),
            tuple(network.layers[l].activation for l in range(len(network.layers))),
            tuple(sorted(saved.items())),
        )
        if shape != self._shape:
            self._build(network, saved)
            self._shape = shape  # only once built: a failed build is tried again
            if ignored:
                self.document.message_posted.emit(
                    f"Ignored {len(ignored)} saved neuron position(s) that cannot be used "
                    f"({', '.join(ignored[:3])}{', …' if len(ignored) > 3 else ''}); "
                    "those neurons are placed automatically."
                )
        self.restyle()

    def _build(self, network: Network, saved: dict[tuple[int, int], Point]) -> None:
        self.clear()
        # Every collection starts empty, so a build that fails halfway leaves no deleted items.
        self.neurons: list[list[NeuronItem]] = []
        self.bias_nodes: dict[int, BiasNodeItem] = {}
        self.edge_layers: dict[int, EdgeLayerItem] = {}
        self.bias_layers: dict[int, EdgeLayerItem] = {}
        self.bands: dict[int, LayerBandItem] = {}
        self.target_texts: list[TextItem] = []
        self.loss_text = TextItem([], C.LOSS_TEXT_PIXEL_SIZE, bold=True)
        self.addItem(self.loss_text)
        self.positions: list[NDArray[np.float64]] = []
        sizes = network.sizes
        column_height = C.NEURON_SPACING * (max(min(max(sizes), C.FULL_SIZE_MAX_NEURONS), 2) - 1)
        for l, size in enumerate(sizes):
            spacing = C.NEURON_SPACING
            if size > C.FULL_SIZE_MAX_NEURONS:
                spacing = column_height / (size - 1)
            ys = (np.arange(size) - (size - 1) / 2) * spacing
            xs = np.full(size, l * C.LAYER_SPACING)
            self.positions.append(np.column_stack([xs, ys]))
        for (layer, index), point in saved.items():
            self.positions[layer][index] = point
        top = min(float(p[:, 1].min()) for p in self.positions)
        bottom = max(float(p[:, 1].max()) for p in self.positions)

        for l, size in enumerate(sizes):
            spacing = (
                C.NEURON_SPACING if size <= C.FULL_SIZE_MAX_NEURONS else column_height / (size - 1)
            )
            radius = (
                C.NEURON_RADIUS
                if size <= C.FULL_SIZE_MAX_NEURONS
                else max(1.0, min(C.SMALL_NEURON_RADIUS, spacing * 0.4))
            )
            labels = network.labels(l)
            items = []
            for j in range(size):
                item = NeuronItem(l, j, labels[j], radius)
                item.setPos(*self.positions[l][j])
                self.addItem(item)
                items.append(item)
            self.neurons.append(items)
            x = l * C.LAYER_SPACING
            half = max(radius * 1.6, radius + 24)
            band_rect = QRectF(
                x - half,
                top - C.NEURON_RADIUS - 16,
                2 * half,
                bottom - top + 2 * C.NEURON_RADIUS + 48,
            )
            band = LayerBandItem(band_rect)
            band.setVisible(False)
            self.addItem(band)
            self.bands[l] = band
            title = TextItem(self._layer_title(network, l), C.LAYER_TITLE_PIXEL_SIZE, bold=True)
            title.setPos(x, top - C.NEURON_RADIUS - C.LAYER_TITLE_GAP + 18)
            self.addItem(title)

        bias_y = bottom + C.NEURON_SPACING * 0.9
        for l in range(1, len(sizes)):
            edges = EdgeLayerItem(l, self.positions[l - 1], self.positions[l])
            self.addItem(edges)
            self.edge_layers[l] = edges
            bias_point = np.array([[(l - 1) * C.LAYER_SPACING, bias_y]])
            bias_edges = EdgeLayerItem(l, bias_point, self.positions[l], dashed=True)
            self.addItem(bias_edges)
            self.bias_layers[l] = bias_edges
            node = BiasNodeItem(l, C.BIAS_NODE_RADIUS)
            node.setPos(*bias_point[0])
            self.addItem(node)
            self.bias_nodes[l] = node

        out = len(sizes) - 1
        shows_targets = sizes[out] <= C.FULL_SIZE_MAX_NEURONS
        for x, y in self.positions[out] if shows_targets else []:
            text = TextItem([], C.TARGET_TEXT_PIXEL_SIZE, align_left=True, muted=True)
            text.setPos(x + C.NEURON_RADIUS + 14, y)
            self.addItem(text)
            self.target_texts.append(text)
        self.loss_text.setPos(out * C.LAYER_SPACING, bias_y)
        margin = 110.0
        self.setSceneRect(
            self.itemsBoundingRect().adjusted(-margin, -margin * 0.6, margin * 1.4, margin * 0.6)
        )

    def set_hover(self, ref: object) -> None:
        """Highlight the element a math-panel term refers to (an ElementRef or None)."""
        kind = getattr(ref, "kind", None)
        layer, j, i = (getattr(ref, name, None) for name in ("layer", "j", "i"))
        for l, items in enumerate(self.neurons):
            for k, item in enumerate(items):
                item.set_hovered(kind == "neuron" and l == layer and k == j)
        for l, edges in self.edge_layers.items():
            hit = kind == "weight" and l == layer and j is not None and i is not None
            edges.set_hovered(j * edges.shape_out_in[1] + i if hit else None)  # type: ignore[operator]
        for l, edges in self.bias_layers.items():
            edges.set_hovered(j if kind == "bias" and l == layer else None)

    def layout_with_positions(self) -> dict[str, object]:
        """The document's layout with every neuron's current position."""
        layout = dict(self.document.initial_network.layout)
        layout["positions"] = {
            f"{l}:{j}": [round(float(x), 2), round(float(y), 2)]
            for l, points in enumerate(self.positions)
            for j, (x, y) in enumerate(points)
        }
        return layout

    def neuron_moved(self, item: NeuronItem) -> None:
        """Keep the edges attached to a neuron being dragged. Called from itemChange at
        every mouse move: only geometry here, the document hears once, on release."""
        l, j = item.layer, item.index
        if not (0 <= l < len(self.positions) and 0 <= j < self.positions[l].shape[0]):
            return  # an item of a diagram rebuilt under the mouse
        if l >= len(self.neurons) or j >= len(self.neurons[l]) or self.neurons[l][j] is not item:
            return
        self.positions[l][j] = (item.pos().x(), item.pos().y())
        if l > 0:
            self.edge_layers[l].set_endpoints(self.positions[l - 1], self.positions[l])
            self.bias_layers[l].set_endpoints(self.bias_layers[l].sources, self.positions[l])
        if l + 1 in self.edge_layers:
            self.edge_layers[l + 1].set_endpoints(self.positions[l], self.positions[l + 1])
        if l == len(self.positions) - 1:
            for j, text in enumerate(self.target_texts):
                x, y = self.positions[l][j]
                text.setPos(x + C.NEURON_RADIUS + 14, y)

    @staticmethod
    def _layer_title(network: Network, l: int) -> list[str]:
        """'Hidden · sigmoid'; on two lines when many columns leave each little room."""
        L = network.weight_layer_count
        if l == 0:
            return ["Input"]
        activation = str(network.layers[l].activation)
        name = "Output" if l == L else "Hidden" if L == 2 else f"Hidden {l}"
        return [name, activation] if L > 3 else [f"{name} · {activation}"]

    # -- styling ---------------------------------------------------------------------

    @guarded()  # a slot, and called by the rebuild: one bad value must not stop either
    def restyle(self) -> None:
        document, settings = self.document, self.settings
        network = document.displayed_network()
        trace = document.trace
        sample = min(settings.sample, trace.batch_size - 1)
        L = network.weight_layer_count
        step = document.step
        selection = document.selection

        # Layer bands and which edges carry this step's values.
        active_layer: int | None = None
        active_edges: set[int] = set(range(1, L + 1))
        if step is not None and step.kind in (FORWARD, BACKWARD):
            assert step.layer is not None
            active_layer = step.layer
            active_edges = {step.layer}
        elif step is not None and step.kind == LOSS:
            active_layer = L
            active_edges = set()
        for l, band in self.bands.items():
            band.setVisible(l == active_layer)

        self._style_nodes(network, sample, active_layer, selection)
        self._style_edges(network, active_edges, step is not None and step.kind == LOSS, selection)
        self._style_loss(sample)
        self.restyled.emit()

    def _node_values(self, layer: int, sample: int) -> NDArray[np.float64] | None:
        document, trace = self.document, self.document.trace
        mode = self.settings.node_value
        if mode == "delta":
            if not document.shows_delta(layer):
                return None
            delta = trace.delta[layer]
            return None if delta is None else delta[sample]
        if not document.shows_activation(layer):
            return None
        if mode == "z":
            z = trace.z[layer]
            return trace.a[0][sample] if z is None else z[sample]
        return trace.a[layer][sample]

    def _style_nodes(
        self, network: Network, sample: int, active_layer: int | None, selection: Selection | None
    ) -> None:
        values = [self._node_values(l, sample) for l in range(len(network.layers))]
        shown = [v for v in values if v is not None and v.size]
        magnitude = max(
            (float(np.nanmax(np.abs(np.where(np.isfinite(v), v, 0)))) for v in shown), default=0.0
        )
        mode = self.settings.node_value
        self.node_scale = ColourScale(
            title=f"Nodes: {NODE_VALUE_NAMES[mode]}",
            colours=self._diverging,
            low=-magnitude,
            high=magnitude,
            empty_reason="" if shown else "not computed yet at this step",
        )
        digits = self.settings.digits
        show_text = self.settings.show_node_values
        for l, items in enumerate(self.neurons):
            layer_values = values[l]
            if layer_values is not None:
                bins = self._bins(layer_values, True, False, 0.0, magnitude)
            for j, item in enumerate(items):
                selected = (
                    selection is not None
                    and selection.kind == "neuron"
                    and selection.layer == l
                    and selection.index == j
                )
                if layer_values is None:
                    empty = QColor(current_theme().node_empty_fill)
                    item.set_style(empty, "", l == active_layer, selected)
                    continue
                value = float(layer_values[j])
                fill = (
                    self._diverging[bins[j]]
                    if np.isfinite(value)
                    else QColor(current_theme().selection)
                )
                text = format_number(value, digits) if show_text else ""
                item.set_style(fill, text, l == active_layer, selected)

    def _edge_values(
        self, network: Network
    ) -> tuple[list[NDArray[np.float64] | None], list[NDArray[np.float64] | None], str]:
        """Per layer: the weights' and biases' values for the colour mode, or None."""
        document, trace = self.document, self.document.trace
        mode = self.settings.edge_mode
        L = network.weight_layer_count
        if mode == "weight":
            return list(network.weights), list(network.biases), ""
        if mode == "gradient":
            weights: list[NDArray[np.float64] | None] = []
            biases: list[NDArray[np.float64] | None] = []
            for l in range(1, L + 1):
                computed = document.shows_delta(l)
                weights.append(trace.grad_weights[l] if computed else None)
                biases.append(trace.grad_biases[l] if computed else None)
            reason = (
                ""
                if any(w is not None for w in weights)
                else "gradients appear from the backward steps on"
            )
            return weights, biases, reason
        update = document.last_update()
        if update is None:
            return [None] * L, [None] * L, "no update has been made yet"
        return list(update[0]), list(update[1]), ""

    def _style_edges(
        self, network: Network, active_edges: set[int], loss_step: bool, selection: Selection | None
    ) -> None:
        mode = self.settings.edge_mode
        weights, biases, empty_reason = self._edge_values(network)
        signed = mode == "weight"
        log = not signed and self.settings.edge_scale == "log"
        present = [np.abs(v) for v in weights + biases if v is not None and v.size]
        finite = [v[np.isfinite(v)] for v in present]
        high = max((float(v.max()) for v in finite if v.size), default=0.0)
        low = 0.0
        if log and high > 0:
            positive = [v[v > 0] for v in finite]
            smallest = min((float(v.min()) for v in positive if v.size), default=high)
            low = max(smallest, high * 1e-6)
        colours = self._diverging if signed else self._sequential
        title = f"Edges: {EDGE_MODE_NAMES[mode]}" + (" (log)" if log else "")
        self.edge_scale = ColourScale(
            title, colours, -high if signed else low, high, log, empty_reason
        )
        pens = self._pens(colours, signed, dashed=False)
        bias_pens = self._pens(colours, signed, dashed=True)
        # Thousands of edges overlap anyway: 1-px lines draw several times faster.
        dense_pens = self._pens(colours, signed, dashed=False, widest=C.EDGE_WIDTH_MIN)
        neutral = QPen(QColor(current_theme().neutral_edge), C.EDGE_WIDTH_MIN)
        neutral_dashed = QPen(neutral)
        neutral_dashed.setStyle(Qt.PenStyle.DashLine)
        digits = self.settings.digits
        for l, item in self.edge_layers.items():
            for values, layer_item, layer_pens, neutral_pen in (
                (weights[l - 1], item, pens, neutral),
                (biases[l - 1], self.bias_layers[l], bias_pens, neutral_dashed),
            ):
                selected = self._selected_edge(layer_item, selection)
                dimmed = l not in active_edges
                if values is None:
                    bins = np.zeros(layer_item.count, dtype=np.intp)
                    layer_item.set_style(bins, [neutral_pen], None, selected, dimmed)
                    continue
                flat = np.asarray(values, dtype=np.float64).reshape(-1)
                bins = self._bins(flat, signed, log, low, high)
                labels = None
                if self.settings.show_edge_values and layer_item.count <= C.EDGE_LABEL_MAX_EDGES:
                    labels = [format_number(v, digits) for v in flat]
                if layer_item.count > C.ANTIALIAS_MAX_EDGES:
                    layer_pens = dense_pens
                layer_item.set_style(bins, layer_pens, labels, selected, dimmed)
        for l, node in self.bias_nodes.items():
            node.set_selected(
                selection is not None and selection.kind == "bias_node" and selection.layer == l
            )

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

    @staticmethod
    def _bins(
        values: NDArray[np.float64], signed: bool, log: bool, low: float, high: float
    ) -> NDArray[np.intp]:
        top = C.COLOUR_BINS - 1
        with np.errstate(all="ignore"):
            if high <= 0:
                position = np.full(values.shape, 0.5 if signed else 0.0)
            elif signed:
                position = (values / high + 1) / 2
            elif log:
                magnitude = np.maximum(np.abs(values), low)
                position = (
                    np.log(magnitude / low) / np.log(high / low)
                    if high > low
                    else np.ones_like(values)
                )
            else:
                position = np.abs(values) / high
            position = np.where(np.isfinite(position), position, 1.0)
        return np.clip(np.rint(position * top), 0, top).astype(np.intp)

    @staticmethod
    def _pens(
        colours: tuple[QColor, ...], signed: bool, dashed: bool, widest: float = C.EDGE_WIDTH_MAX
    ) -> list[QPen]:
        pens = []
        top = len(colours) - 1
        for k, colour in enumerate(colours):
            strength = abs(2 * k / top - 1) if signed else k / top
            width = C.EDGE_WIDTH_MIN + (widest - C.EDGE_WIDTH_MIN) * strength
            pen = QPen(colour, width * (0.7 if dashed else 1.0))
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            pens.append(pen)
        return pens

    def _style_loss(self, sample: int) -> None:
        document, trace = self.document, self.document.trace
        digits = self.settings.digits
        targets = trace.targets[sample]
        labels = document.initial_network.labels(len(document.initial_network.layers) - 1)
        for j, text in enumerate(self.target_texts):
            lines = [f"target {format_number(float(targets[j]), digits)}"]
            if document.shows_loss():
                lines.append(
                    f"E_{labels[j]} = {format_number(float(trace.loss_terms[sample, j]), digits)}"
                )
            text.set_lines(lines)
        if document.shows_loss():
            self.loss_text.set_lines([f"Loss = {format_number(trace.loss, digits)}"])
        else:
            self.loss_text.set_lines([])

    # -- picking ---------------------------------------------------------------------

    def selection_at(self, point: QPointF, tolerance: float) -> Selection | None:
        """What a click at ``point`` selects: a neuron, a bias node, an edge or nothing."""
        for item in self.items(point):
            if isinstance(item, NeuronItem) and item.shape().contains(item.mapFromScene(point)):
                return Selection("neuron", item.layer, item.index)
            if isinstance(item, BiasNodeItem):
                return Selection("bias_node", item.layer, 0)
        best: tuple[float, Selection] | None = None
        for layers in (self.edge_layers, self.bias_layers):
            for l, edges in layers.items():
                hit = edges.pick(point, tolerance)
                if hit is None:
                    continue
                k, distance = hit
                if edges.dashed:
                    candidate = Selection("bias", l, k)
                else:
                    to, frm = divmod(k, edges.shape_out_in[1])
                    candidate = Selection("weight", l, to, frm)
                if best is None or distance < best[0]:
                    best = (distance, candidate)
        return None if best is None else best[1]

    @guarded()
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        scale = 1.0
        widget = event.widget()
        view = widget.parent() if widget is not None else None
        if view is not None and hasattr(view, "transform"):
            scale = max(view.transform().m11(), 1e-6)
        selection = self.selection_at(event.scenePos(), C.EDGE_PICK_TOLERANCE_PX / scale)
        self.document.select(selection)
        self._drag_start = [p.copy() for p in self.positions]
        if selection is None or selection.kind == "neuron":
            super().mousePressEvent(event)  # the view pans, or the neuron is dragged
        else:
            event.accept()

    @guarded()
    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        start = getattr(self, "_drag_start", None)
        self._drag_start = None
        if start is None or [p.shape for p in start] != [p.shape for p in self.positions]:
            return  # no press, or the network changed shape during the drag
        moved = [
            (l, int(j))
            for l, (before, now) in enumerate(zip(start, self.positions, strict=True))
            for j in np.flatnonzero(np.any(before != now, axis=1))
        ]
        if moved:
            labels = ", ".join(self.document.initial_network.labels(l)[j] for l, j in moved)
            # One command per drag, pushed on release (not one per mouse move).
            self.document.push_layout(f"Move {labels}", self.layout_with_positions())

    def _tolerance(self, event: QGraphicsSceneMouseEvent | QGraphicsSceneContextMenuEvent) -> float:
        widget = event.widget()
        view = widget.parent() if widget is not None else None
        scale = max(view.transform().m11(), 1e-6) if isinstance(view, QGraphicsView) else 1.0
        return C.EDGE_PICK_TOLERANCE_PX / scale

    @guarded()
    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        selection = self.selection_at(event.scenePos(), self._tolerance(event))
        if selection is not None and selection.kind in ("weight", "bias", "neuron"):
            self.document.select(selection)
            self.edit_requested.emit(selection, event.scenePos())
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    @guarded()
    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        menu = self.context_menu(event.scenePos(), self._tolerance(event))
        menu.exec(event.screenPos())

    def context_menu(self, point: QPointF, tolerance: float = 6.0) -> QMenu:
        """The right-click menu for what is at ``point`` (built apart from exec for tests)."""
        from engine import edits
        from engine.activations import ACTIVATION_NAMES

        document = self.document
        network = document.initial_network
        L = network.weight_layer_count
        selection = self.selection_at(point, tolerance)
        menu = QMenu()
        if selection is not None and selection.kind == "neuron":
            document.select(selection)
            l, j = selection.layer, selection.index
            label = network.labels(l)[j]
            role = "input" if l == 0 else "output" if l == L else f"hidden layer {l}"
            menu.addAction(
                f"Add a neuron to the {role} layer" if l in (0, L) else f"Add a neuron to {role}",
                lambda: document.push_edit(f"Add a neuron to {role}", edits.add_neuron, l),
            )
            menu.addAction(
                f"Remove neuron {label}",
                lambda: document.push_edit(f"Remove neuron {label}", edits.remove_neuron, l, j),
            )
            if l < L:
                menu.addAction(
                    "Add a hidden layer after this one",
                    lambda: document.push_edit("Add a hidden layer", edits.add_hidden_layer, l),
                )
            if 0 < l < L:
                menu.addAction(
                    f"Remove {role}",
                    lambda: document.push_edit(f"Remove {role}", edits.remove_hidden_layer, l),
                )
            if l > 0:
                submenu = menu.addMenu("Activation")
                for name in ACTIVATION_NAMES:
                    if name == "softmax" and l != L:
                        continue
                    action = submenu.addAction(
                        name,
                        lambda n=name: document.push_edit(
                            f"Set {role} activation to {n}", edits.set_activation, l, n
                        ),
                    )
                    action.setCheckable(True)
                    action.setChecked(network.layers[l].activation == name)
                menu.addAction(
                    "Randomise the weights into this layer (Xavier)",
                    lambda: document.push_edit(
                        f"Randomise the weights into {role} (Xavier)",
                        edits.randomise,
                        "xavier",
                        0,
                        l,
                    ),
                )
        elif selection is not None and selection.kind in ("weight", "bias"):
            document.select(selection)
            menu.addAction("Edit value…", lambda: self.edit_requested.emit(selection, point))
        else:
            menu.addAction(
                "Add a hidden layer",
                lambda: document.push_edit("Add a hidden layer", edits.add_hidden_layer, L - 1),
            )
        menu.addSeparator()
        menu.addAction("Auto-layout", self.auto_layout)
        return menu

    def auto_layout(self) -> None:
        """Forget dragged positions: every layer evenly spaced again (undoable)."""
        layout = {k: v for k, v in self.document.initial_network.layout.items() if k != "positions"}
        if layout != dict(self.document.initial_network.layout):
            self.document.push_layout("Auto-layout", layout)
