"""DiagramScene: the network drawn left to right, restyled from the document.

Items are rebuilt only when the network's shape changes (or the view's shape stretches
the layout); stepping, playing and view settings only restyle them (colours, texts,
highlights: gui.diagram.styling). After each fit the view tells the scene its zoom
(``fit_to_zoom``): titles are shortened so they never run together, texts too small
to read are left out, and when presenting, texts sized in scene units grow until they
are large enough on screen. Edge labels are placed so that none overlap
(gui.diagram.labels).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QMenu,
)

from engine.network import Network
from engine.steps import BACKWARD, FORWARD, LOSS
from gui import constants as C
from gui.crash_guard import guarded
from gui.diagram import context_menu
from gui.diagram.colour_scales import ColourScale
from gui.diagram.colour_scales import colour_map as _colours
from gui.diagram.fitting import FittingMixin
from gui.diagram.items import BiasNodeItem, EdgeLayerItem, LayerBandItem, NeuronItem
from gui.diagram.labels import layer_title_variants
from gui.diagram.layout import (
    MAX_SAVED_COORDINATE,
    Point,
    Stretch,
    automatic_positions,
    column_height,
    column_spacing,
    layer_x,
    neuron_radius,
    usable_positions,
)
from gui.diagram.step_values import edge_plan, node_plan
from gui.diagram.styling import StylingMixin
from gui.diagram.texts import TextItem
from gui.document import NetworkDocument, Selection
from gui.themes import Theme, appearance, current_theme, text_scale
from gui.view_settings import ViewSettings

__all__ = [
    "MAX_SAVED_COORDINATE",
    "ColourScale",
    "DiagramScene",
    "TextItem",
    "_colours",
    "usable_positions",
]

SCENE_MARGIN = 110.0


class DiagramScene(StylingMixin, FittingMixin, QGraphicsScene):
    restyled = Signal()
    edit_requested = Signal(object, QPointF)  # a Selection to edit, where it was clicked

    def __init__(self, document: NetworkDocument, settings: ViewSettings) -> None:
        super().__init__()
        self.document = document
        self.settings = settings
        self._use_theme(current_theme())
        self.edge_scale: ColourScale | None = None
        self.node_scale: ColourScale | None = None
        self.stretch = Stretch()  # set by the view: layers spread to fill its shape
        self.zoom = 1.0  # the view's, at its last fit
        self.min_text_px = 0.0  # presenting: texts at least this many pixels on screen
        self._shape: tuple[object, ...] | None = None
        self._building: tuple[object, ...] | None = None
        self._saved: dict[tuple[int, int], Point] = {}
        self._warning_for: object = None
        self._warning = ""
        self._placed_for: object = None
        self._scale_when_shown = False
        self._edge_notes = ("", "")
        document.network_changed.connect(self._on_network_changed)
        document.position_changed.connect(self.restyle)
        document.selection_changed.connect(self.restyle)
        settings.changed.connect(self.restyle)
        appearance().theme_changed.connect(self._on_theme_changed)
        appearance().text_scale_changed.connect(self._on_text_scale_changed)
        self._on_network_changed()

    # -- appearance ------------------------------------------------------------------

    def _use_theme(self, theme: Theme) -> None:
        self.setBackgroundBrush(QColor(theme.background))
        self._use_colours(theme)

    def _on_theme_changed(self, theme: Theme) -> None:
        self._use_theme(theme)
        self.restyle()
        self.update()  # items read the theme when they paint

    def _on_text_scale_changed(self, scale: float) -> None:
        if not any(view.isVisible() for view in self.views()):
            self._scale_when_shown = True  # a closed window's diagram does no work
            return
        self._scale_when_shown = False
        for item in self.items():
            if isinstance(item, (NeuronItem, BiasNodeItem, EdgeLayerItem, TextItem)):
                item.set_text_scale(scale)
        self.place_labels()

    def view_shown(self) -> None:
        """A view of this diagram was shown: catch up with a text scale set meanwhile."""
        if self._scale_when_shown:
            self._on_text_scale_changed(text_scale())

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
            self._saved = saved
            self._building = shape  # the view fits (and stretches) for it during the build
            self._build(network, saved)
            self._shape = shape  # only once built: a failed build is tried again
            if ignored:
                self.document.message_posted.emit(
                    f"Ignored {len(ignored)} saved neuron position(s) that cannot be used "
                    f"({', '.join(ignored[:3])}{', …' if len(ignored) > 3 else ''}); "
                    "those neurons are placed automatically."
                )
        self.restyle()

    def set_stretch(self, stretch: Stretch) -> bool:
        """Spread the layers (x) and neurons (y) farther apart to fill the view's shape;
        a layout with saved positions keeps them. True if the diagram moved."""
        if self._saved:
            stretch = Stretch()
        old = self.stretch
        if abs(stretch.x - old.x) < 0.02 * old.x and abs(stretch.y - old.y) < 0.02 * old.y:
            return False
        self.stretch = stretch
        self._build(self.document.initial_network, self._saved)
        self.restyle()
        return True

    def shape_key(self) -> object:
        """Changes when the diagram is built for another network or layout."""
        return self._building

    def natural_span(self) -> tuple[float, float]:
        """Width and height between the outermost neurons without stretching."""
        sizes = self.document.initial_network.sizes
        return layer_x(len(sizes) - 1, Stretch()), column_height(sizes, Stretch())

    def _build(self, network: Network, saved: dict[tuple[int, int], Point]) -> None:
        self.clear()
        # Every collection starts empty, so a build that fails halfway leaves no deleted items.
        self.neurons: list[list[NeuronItem]] = []
        self.bias_nodes: dict[int, BiasNodeItem] = {}
        self.edge_layers: dict[int, EdgeLayerItem] = {}
        self.bias_layers: dict[int, EdgeLayerItem] = {}
        self.bands: dict[int, LayerBandItem] = {}
        self.titles: list[TextItem] = []
        self._title_variants: list[list[list[str]]] = []
        self.target_texts: list[TextItem] = []
        self._placed_for = None
        self.loss_text = TextItem([], C.LOSS_TEXT_PIXEL_SIZE, bold=True, anchor="bottom")
        self.addItem(self.loss_text)
        self.warning_text = TextItem([], C.WARNING_TEXT_PIXEL_SIZE, banner=True, anchor="top")
        self.warning_text.setVisible(False)
        self.addItem(self.warning_text)
        sizes, stretch = network.sizes, self.stretch
        self.positions: list[NDArray[np.float64]] = automatic_positions(sizes, stretch)
        for (layer, index), point in saved.items():
            self.positions[layer][index] = point
        top = min(float(p[:, 1].min()) for p in self.positions)
        bottom = max(float(p[:, 1].max()) for p in self.positions)

        for l, size in enumerate(sizes):
            radius = neuron_radius(size, column_spacing(size, stretch, sizes))
            labels = network.labels(l)
            items = []
            for j in range(size):
                item = NeuronItem(l, j, labels[j], radius)
                item.setPos(*self.positions[l][j])
                self.addItem(item)
                items.append(item)
            self.neurons.append(items)
            x = layer_x(l, stretch)
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
            variants = layer_title_variants(network, l)
            title = TextItem(variants[0], C.LAYER_TITLE_PIXEL_SIZE, bold=True, anchor="bottom")
            title.setPos(x, top - C.NEURON_RADIUS - C.LAYER_TITLE_GAP + 40)
            self.addItem(title)
            self.titles.append(title)
            self._title_variants.append(variants)

        bias_y = bottom + C.NEURON_SPACING * 0.9 * stretch.y
        for l in range(1, len(sizes)):
            edges = EdgeLayerItem(l, self.positions[l - 1], self.positions[l])
            self.addItem(edges)
            self.edge_layers[l] = edges
            bias_point = np.array([[layer_x(l - 1, stretch), bias_y]])
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
        below = bias_y + C.BIAS_NODE_RADIUS + 10
        self.loss_text.setPos(layer_x(out, stretch), below)
        self.warning_text.setPos(layer_x(out, stretch) / 2, below + 8)
        self._set_readable(self.min_text_px)
        self.setSceneRect(
            self.itemsBoundingRect().adjusted(
                -SCENE_MARGIN, -SCENE_MARGIN * 0.6, SCENE_MARGIN * 1.4, SCENE_MARGIN * 0.6
            )
        )

    # -- hover, drag -----------------------------------------------------------------

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

    # -- styling ---------------------------------------------------------------------

    @guarded()  # a slot, and called by the rebuild: one bad value must not stop either
    def restyle(self) -> None:
        document, settings = self.document, self.settings
        trace = document.trace
        sample = min(settings.sample, trace.batch_size - 1)
        L = document.initial_network.weight_layer_count
        step = document.step
        active_layer: int | None = None
        if step is not None and step.kind in (FORWARD, BACKWARD):
            active_layer = step.layer
        elif step is not None and step.kind == LOSS:
            active_layer = L
        for l, band in self.bands.items():
            band.setVisible(l == active_layer)
        selection = document.selection
        self._style_nodes(node_plan(document, settings, sample), active_layer, selection)
        self._style_edges(edge_plan(document, settings, self.digits()), selection)
        self._style_loss(sample)
        self._style_warning()
        self.place_labels()
        self.restyled.emit()

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
        return context_menu.context_menu(self, point, tolerance)

    def auto_layout(self) -> None:
        """Forget dragged positions: every layer evenly spaced again (undoable)."""
        layout = {k: v for k, v in self.document.initial_network.layout.items() if k != "positions"}
        if layout != dict(self.document.initial_network.layout):
            self.document.push_layout("Auto-layout", layout)
