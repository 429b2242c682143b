"""How the diagram adapts to the view's zoom, and where its edge labels go.

After each fit the view tells the scene its zoom (``fit_to_zoom``): layer titles are
shortened so they never run together, texts too small to read are left out, and when
presenting, texts sized in scene units grow until they are large enough on screen.
Edge labels are then placed so that none overlap (gui.diagram.labels). A mixin of
DiagramScene.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QRectF

from gui import constants as C
from gui.diagram.items import BiasNodeItem, EdgeLayerItem, NeuronItem
from gui.diagram.labels import LabelSet, choose_titles, place_labels, preferred_fractions
from gui.document import Selection
from gui.themes import text_scale

if TYPE_CHECKING:
    from gui.diagram.scene import DiagramScene

Array = NDArray[np.float64]

DENSE_HINT = "click a neuron to see its numbers"
SHORT_DENSE_HINT = "click a neuron"
FAR = 1e7  # scene units: walls either side of the diagram that labels keep within
TITLE_GAP_PX = 14.0  # between neighbouring layer titles
MAX_TEXT_GROWTH = 4.0  # presenting: scene-unit texts grow at most this much


class FittingMixin:
    """Zoom-dependent texts and edge-label placement of DiagramScene."""

    # -- fitting the view ------------------------------------------------------------

    def fit_to_zoom(self: DiagramScene, zoom: float, min_text_px: float = 0.0) -> bool:
        """Adapt to the view's zoom: titles short enough not to run together; texts sized
        in scene units grown to COMFORT_TEXT_PX on screen where that is in reach (else
        left out below MIN_READABLE_TEXT_PX); presenting (``min_text_px`` > 0), grown
        to ``min_text_px`` and left out below it. True if anything changed size (the
        view fits again)."""
        self.zoom = zoom
        changed = False
        if min_text_px != self.min_text_px:
            self.min_text_px = min_text_px
            self._set_readable(min_text_px)
            self.restyle()  # fewer digits when presenting
            changed = True
        target = min_text_px if min_text_px > 0 else C.COMFORT_TEXT_PX
        changed |= self._grow_scene_texts(zoom, target)
        changed |= self._choose_titles(zoom)
        if changed:
            self.place_labels()
        return changed

    def _set_readable(self: DiagramScene, min_text_px: float) -> None:
        least = max(C.MIN_READABLE_TEXT_PX, min_text_px)
        for item in self.items():
            if isinstance(item, (NeuronItem, BiasNodeItem, EdgeLayerItem)):
                item.min_readable_px = least
                item.update()

    def _grow_scene_texts(self: DiagramScene, zoom: float, target_px: float) -> bool:
        """Values, edge labels and "+1" at least ``target_px`` on screen at ``zoom``, where
        MAX_TEXT_GROWTH allows. An item someone else sized (a slide) keeps its size."""
        changed = False
        shared = text_scale()
        for item in self.items():
            most = MAX_TEXT_GROWTH
            if isinstance(item, NeuronItem):
                base = item.radius * 0.42  # its value; the label inside is larger
                # The pill (one line) must stay clear of the next neuron's circle.
                gap = self._row_gap(item.layer)
                most = min(most, (gap - 2.15 * item.radius - 4) / (0.62 * item.radius))
            elif isinstance(item, BiasNodeItem):
                base = item.radius * 0.7
                most = MAX_TEXT_GROWTH * 1.5  # its box grows with it
            elif isinstance(item, EdgeLayerItem):
                base = C.EDGE_LABEL_PIXEL_SIZE
            else:
                continue
            current = item.text_scale
            if current != shared and current != getattr(item, "fitted_scale", None):
                continue
            # Whole pixels and a little over: the fonts round, and the zoom shrinks a bit
            # as the texts grow.
            needed = (target_px + 0.6) / max(zoom * 0.97, 1e-9) / base
            scale = 1.0 if needed > most else max(1.0, math.ceil(needed * 20) / 20)
            item.fitted_scale = scale
            if abs(scale - current) > 0.01:
                item.set_text_scale(scale)
                changed = True
        return changed

    def _row_gap(self: DiagramScene, layer: int) -> float:
        """The least vertical distance between two neurons of ``layer``."""
        ys = np.sort(self.positions[layer][:, 1])
        return float(np.diff(ys).min()) if ys.size > 1 else math.inf

    def _choose_titles(self: DiagramScene, zoom: float) -> bool:
        if not self.titles:
            return False
        xs = [title.pos().x() * zoom for title in self.titles]
        measure = self.titles[0].width_of
        chosen = choose_titles(xs, self._title_variants, measure, TITLE_GAP_PX)
        changed = False
        for title, variants, k in zip(self.titles, self._title_variants, chosen, strict=True):
            if title.lines != variants[k]:
                title.set_lines(variants[k])
                changed = True
        return changed

    def content_rect(self: DiagramScene) -> QRectF:
        """What the diagram draws in scene units (neurons with their values, bias nodes,
        layer bands; edges and their labels lie between them): what a fit shows."""
        rect = QRectF()
        for item in self._solid_items():
            rect = rect.united(item.mapRectToScene(item.boundingRect()))
        for band in self.bands.values():
            rect = rect.united(band.mapRectToScene(band.boundingRect()))
        return rect

    def _solid_items(self: DiagramScene) -> list[NeuronItem | BiasNodeItem]:
        return [*(n for layer in self.neurons for n in layer), *self.bias_nodes.values()]

    # -- edge labels -----------------------------------------------------------------

    def place_labels(self: DiagramScene) -> None:
        """Put every edge label on its edge where it overlaps no other label, neuron or
        bias node: the selection's labels first, then those of the edges this step
        computes, then the faded ones. When some labels of lit edges find no room, those
        edges' numbers are shortened (fewer digits) and the labels placed again."""
        items = [
            item
            for item in [*self.edge_layers.values(), *self.bias_layers.values()]
            if item.all_label_texts(full=True)
        ]
        if not items:
            return
        boxes = [self._scene_box(item) for item in self._solid_items()]
        # Labels stay between the outermost neurons: beyond them they would be cut off.
        left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
        walls = [(-FAR, -FAR, left, FAR), (right, -FAR, FAR, FAR)]
        obstacles = np.array(boxes + walls)
        sets = self._label_sets(items, full=True)
        key = (
            tuple(s.lines.tobytes() + s.sizes.tobytes() + s.priority.tobytes() for s in sets),
            obstacles.tobytes(),
        )
        if self._placed_for is not None and self._placed_for[0] == key:
            placed = self._placed_for[1]
        else:
            for item in items:
                item.set_shortened(False)
            placed = self._placements(items, sets, obstacles)
            self._placed_for = (key, placed)
        for item, (shortened, fractions) in zip(items, placed, strict=True):
            item.set_shortened(shortened)
            item.set_label_fractions(fractions)
        self._note_dense_labels()

    def _note_dense_labels(self: DiagramScene) -> None:
        """The edge legend says how to read the numbers a dense layer does not show."""
        scale = self.edge_scale
        if scale is None:
            return
        dense = self.labels_dense()
        note, short = self._edge_notes  # as styled, without a hint
        if dense:
            note = f"{note} · {DENSE_HINT}" if note else DENSE_HINT
            short = SHORT_DENSE_HINT  # narrow, the hint alone: why numbers are missing
        if (note, short) != (scale.note, scale.short_note):
            self.edge_scale = replace(scale, note=note, short_note=short)

    def _label_sets(
        self: DiagramScene, items: list[EdgeLayerItem], full: bool = False
    ) -> list[LabelSet]:
        selection = self.document.selection
        sets = []
        for item in items:
            n_out, n_in = item.shape_out_in
            first = self._touches_selection(item, selection)
            priority = np.where(first, 0, 2 if item.dimmed else 1)
            preferred = preferred_fractions(n_out, n_in, item.dashed)
            sizes = item.label_box_sizes(full)
            sets.append(LabelSet(item.lines, sizes, preferred, priority))
        return sets

    def _placements(
        self: DiagramScene, items: list[EdgeLayerItem], sets: list[LabelSet], obstacles: Array
    ) -> list[tuple[bool, Array]]:
        """Labels placed gap by gap (the edges into one layer, weights and biases)."""
        result: list[tuple[bool, Array]] = [(False, np.zeros(0))] * len(items)
        for layer in sorted({item.layer for item in items}):
            group = [k for k, item in enumerate(items) if item.layer == layer]
            placed = self._place_gap([items[k] for k in group], [sets[k] for k in group], obstacles)
            for k, one in zip(group, placed, strict=True):
                result[k] = one
        return result

    def _place_gap(
        self: DiagramScene, items: list[EdgeLayerItem], sets: list[LabelSet], obstacles: Array
    ) -> list[tuple[bool, Array]]:
        """Where some of a lit item's labels find no room, its numbers are shortened; where
        some still find none, only the selection's labels of that item are drawn (a dense
        layer: click a neuron to read its edges)."""
        fractions = place_labels(sets, obstacles, C.EDGE_LABEL_GAP)
        crowded = self._crowded(items, fractions)
        if any(crowded):
            for item, shorten in zip(items, crowded, strict=True):
                item.set_shortened(shorten and item.can_shorten())
            sets = self._label_sets(items)
            fractions = place_labels(sets, obstacles, C.EDGE_LABEL_GAP)
            dense = self._crowded(items, fractions)
            if any(dense):
                for labels, keep in zip(sets, dense, strict=True):
                    if keep:  # the selection's labels only
                        labels.priority = np.where(labels.priority == 0, 0, 3)
                fractions = place_labels(sets, obstacles, C.EDGE_LABEL_GAP)
                for k, (labels, keep) in enumerate(zip(sets, dense, strict=True)):
                    if keep:
                        fractions[k] = np.where(labels.priority == 0, fractions[k], np.nan)
        return [(item.shortened, f) for item, f in zip(items, fractions, strict=True)]

    @staticmethod
    def _crowded(items: list[EdgeLayerItem], fractions: list[Array]) -> list[bool]:
        return [
            not item.dimmed and bool(np.isnan(f).any())
            for item, f in zip(items, fractions, strict=True)
        ]

    def labels_dense(self: DiagramScene) -> bool:
        """Some lit edges show only the selection's numbers (no room for all)."""
        return any(
            not item.dimmed and len(item.label_texts()) < len(item.all_label_texts())
            for item in [*self.edge_layers.values(), *self.bias_layers.values()]
        )

    @staticmethod
    def _scene_box(item: NeuronItem | BiasNodeItem) -> tuple[float, float, float, float]:
        rect = item.mapRectToScene(item.boundingRect())
        return rect.left(), rect.top(), rect.right(), rect.bottom()

    @staticmethod
    def _touches_selection(item: EdgeLayerItem, selection: Selection | None) -> NDArray[np.bool_]:
        first = np.zeros(item.count, dtype=bool)
        if selection is None:
            return first
        n_out, n_in = item.shape_out_in
        targets, sources = np.divmod(np.arange(item.count), n_in)
        if selection.kind == "neuron":
            if selection.layer == item.layer:
                first |= targets == selection.index
            if selection.layer == item.layer - 1 and not item.dashed:
                first |= sources == selection.index
        elif selection.layer == item.layer:
            if selection.kind == "bias" and item.dashed:
                first |= targets == selection.index
            elif selection.kind == "weight" and not item.dashed:
                first |= (targets == selection.index) & (sources == selection.source)
            elif selection.kind == "bias_node" and item.dashed:
                first[:] = True
        return first
