"""Graphics items of the diagram. Items hold ids and styles, never engine objects."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pyqtgraph.Qt import compat
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gui import constants as C
from gui.crash_guard import guarded
from gui.themes import (
    INK_ON_DARK_FILL,
    INK_ON_LIGHT_FILL,
    contrast_ratio,
    current_theme,
    text_scale,
)

LINE_BYTES = 4 * 8  # one QLineF: four float64


def _empty_rect(*_: object) -> QRectF:
    return QRectF()


def _empty_path(*_: object) -> QPainterPath:
    return QPainterPath()


def _proposed_value(item: object, change: object, value: object) -> object:
    return value  # what Qt proposed: accepting it is always valid


def faded(pen: QPen, opacity: float = C.DIMMED_OPACITY) -> QPen:
    """The pen as it looks at ``opacity`` over the theme's background, but opaque:
    Qt draws translucent lines through its slow blending path (10x slower at 100k)."""
    colour, background = pen.color(), QColor(current_theme().background)
    mixed = QPen(pen)
    mixed.setColor(
        QColor.fromRgbF(
            *(
                b + opacity * (c - b)
                for c, b in (
                    (colour.redF(), background.redF()),
                    (colour.greenF(), background.greenF()),
                    (colour.blueF(), background.blueF()),
                )
            )
        )
    )
    return mixed


def contrasting_ink(fill: QColor) -> QColor:
    """Near-black or white text, whichever has the higher contrast (WCAG) on ``fill``."""
    behind = fill.name()
    if contrast_ratio(INK_ON_LIGHT_FILL, behind) >= contrast_ratio(INK_ON_DARK_FILL, behind):
        return QColor(INK_ON_LIGHT_FILL)
    return QColor(INK_ON_DARK_FILL)


def _font(pixel_size: float, bold: bool = False) -> QFont:
    font = QFont(C.FONT_FAMILY)
    font.setPixelSize(max(1, round(pixel_size)))
    font.setBold(bold)
    return font


class NeuronItem(QGraphicsItem):
    """A neuron: a circle with its label inside and its value in a pill below."""

    def __init__(self, layer: int, index: int, label: str, radius: float) -> None:
        super().__init__()
        self.layer = layer
        self.index = index
        self.label = label
        self.radius = radius
        self.value_text = ""
        self.fill = QColor(current_theme().node_empty_fill)
        self.emphasised = False  # in the layer computed at this step
        self.selected = False
        self.hovered = False  # its term is under the mouse in the math panel
        self.setZValue(C.Z_NODES)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)
        self.set_text_scale(text_scale())

    def set_text_scale(self, scale: float) -> None:
        """Label and value in ``scale`` times their usual size (presentation mode)."""
        self.prepareGeometryChange()
        r = self.radius
        self._label_font = _font(r * 0.55 * scale, bold=True)
        label_width = QFontMetricsF(self._label_font).horizontalAdvance(self.label)
        if label_width > 1.7 * r:  # a long label shrinks to stay inside its circle
            self._label_font = _font(r * 0.55 * scale * 1.7 * r / label_width, bold=True)
        self._value_font = _font(r * 0.42 * scale)
        self._pill_height = r * 0.62 * scale
        self._fit_pill()
        self.update()

    def _fit_pill(self) -> None:
        # The pill grows with long numbers (δ of 0.00877135469) instead of clipping.
        text_width = QFontMetricsF(self._value_font).horizontalAdvance(self.value_text)
        self._pill_width = max(self.radius * 2.9, text_width + self._pill_height * 0.8)

    def set_style(self, fill: QColor, value_text: str, emphasised: bool, selected: bool) -> None:
        if (fill, value_text, emphasised, selected) != (
            self.fill,
            self.value_text,
            self.emphasised,
            self.selected,
        ):
            if value_text != self.value_text:
                self.prepareGeometryChange()
                self.value_text = value_text
                self._fit_pill()
            self.fill = fill
            self.emphasised, self.selected = emphasised, selected
            self.update()

    # An exception escaping itemChange hands Qt an invalid QVariant: SIGSEGV (D2).
    @guarded(fallback=_proposed_value)
    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            scene = self.scene()
            if scene is not None and hasattr(scene, "neuron_moved"):
                scene.neuron_moved(self)  # moves the edges only; the document hears on release
        return super().itemChange(change, value)

    def set_hovered(self, hovered: bool) -> None:
        if hovered != self.hovered:
            self.hovered = hovered
            self.update()

    @guarded(fallback=_empty_rect)
    def boundingRect(self) -> QRectF:
        r = self.radius
        half = max(r + 10, self._pill_width / 2) + 4
        return QRectF(-half, -r - 12, 2 * half, 2 * r + 16 + self._pill_height + r * 0.2)

    @guarded(fallback=_empty_path)
    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), self.radius, self.radius)
        return path

    @guarded()
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = self.radius
        theme = current_theme()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod * r > 3)
        if self.hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(theme.hover_glow))
            painter.drawEllipse(QPointF(0, 0), r + 9, r + 9)
        outline = QColor(theme.selection if self.selected else theme.node_outline)
        width = 4.0 if self.selected else (2.6 if self.emphasised else 1.4)
        painter.setPen(QPen(outline, width))
        painter.setBrush(QBrush(self.fill))
        painter.drawEllipse(QPointF(0, 0), r, r)
        if lod * r < 9:  # too small on screen for text to be legible
            return
        painter.setPen(contrasting_ink(self.fill))
        painter.setFont(self._label_font)
        painter.drawText(QRectF(-r, -r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, self.label)
        if self.value_text:
            pill = QRectF(-self._pill_width / 2, r + r * 0.15, self._pill_width, self._pill_height)
            painter.setPen(QPen(QColor(theme.neutral_edge), 1))
            painter.setBrush(QColor(theme.label_background))
            painter.drawRoundedRect(pill, self._pill_height / 2, self._pill_height / 2)
            painter.setPen(QColor(theme.ink))
            painter.setFont(self._value_font)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, self.value_text)


class BiasNodeItem(QGraphicsItem):
    """The bias unit of a layer: a small '+1' node whose edges carry the biases."""

    def __init__(self, layer: int, radius: float) -> None:
        super().__init__()
        self.layer = layer  # the layer its biases feed
        self.radius = radius
        self.selected = False
        self.setZValue(C.Z_NODES)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.set_text_scale(text_scale())

    def set_text_scale(self, scale: float) -> None:
        self._font = _font(self.radius * 0.7 * scale, bold=True)
        self.update()

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    @guarded(fallback=_empty_rect)
    def boundingRect(self) -> QRectF:
        r = self.radius + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    @guarded()
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = self.radius
        theme = current_theme()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        outline = QColor(theme.selection if self.selected else theme.bias_outline)
        painter.setPen(QPen(outline, 3.0 if self.selected else 1.4))
        painter.setBrush(QColor(theme.bias_fill))
        painter.drawRoundedRect(QRectF(-r, -r, 2 * r, 2 * r), r * 0.35, r * 0.35)
        if lod * r >= 6:
            painter.setPen(QColor(theme.ink))
            painter.setFont(self._font)
            painter.drawText(QRectF(-r, -r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, "+1")


class LayerBandItem(QGraphicsItem):
    """The highlight behind the layer computed at the current step."""

    def __init__(self, rect: QRectF) -> None:
        super().__init__()
        self._rect = rect
        self.setZValue(C.Z_LAYER_BAND)

    @guarded(fallback=_empty_rect)
    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    @guarded()
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        theme = current_theme()
        painter.setPen(QPen(QColor(theme.active_band_outline), 1.5, Qt.PenStyle.DashLine))
        painter.setBrush(QColor(theme.active_band))
        radius = min(24.0, self._rect.width() / 4)
        painter.drawRoundedRect(self._rect, radius, radius)


class EdgeLayerItem(QGraphicsItem):
    """All edges between two layers, drawn in bulk.

    Edge k joins source ``k % n_sources`` to target ``k // n_sources``, the
    row-major order of the weight matrix (target x source). Lines are kept in
    one float64 buffer sorted by pen, and each pen's slice goes to Qt's native
    ``drawLines(const QLineF*, int)`` without a Python object per line.
    """

    def __init__(
        self,
        layer: int,
        sources: NDArray[np.float64],
        targets: NDArray[np.float64],
        dashed: bool = False,
    ) -> None:
        super().__init__()
        self.layer = layer  # the layer these edges feed
        self.dashed = dashed
        self.shape_out_in = (targets.shape[0], sources.shape[0])
        self._set_lines(sources, targets)
        self._sorted = self.lines.copy()
        self._order = np.arange(self.count)
        self._groups: list[tuple[QPen, int, int]] = []
        self._labels: list[tuple[QPointF, str]] = []
        self._selected: int | None = None
        self.hovered: int | None = None
        self.dimmed = False
        self.setZValue(C.Z_BIAS_EDGES if dashed else C.Z_EDGES)
        self.set_text_scale(text_scale())
        self._antialias = self.lines.shape[0] <= C.ANTIALIAS_MAX_EDGES

    def _set_lines(self, sources: NDArray[np.float64], targets: NDArray[np.float64]) -> None:
        n_targets, n_sources = self.shape_out_in
        # paint hands Qt a raw pointer into the sorted copy: its size must never change.
        if np.shape(sources) != (n_sources, 2) or np.shape(targets) != (n_targets, 2):
            raise ValueError(
                f"edge endpoints {np.shape(sources)} -> {np.shape(targets)} for "
                f"{n_sources} -> {n_targets} neurons"
            )
        self.sources = np.array(sources, dtype=np.float64)
        starts = np.tile(self.sources, (n_targets, 1))
        ends = np.repeat(np.asarray(targets, dtype=np.float64), n_sources, axis=0)
        self.lines = np.ascontiguousarray(np.hstack([starts, ends]), dtype=np.float64)
        mins = self.lines.reshape(-1, 2).min(axis=0)
        maxs = self.lines.reshape(-1, 2).max(axis=0)
        margin = C.EDGE_WIDTH_MAX + 60
        self._bounds = QRectF(
            mins[0] - margin,
            mins[1] - margin,
            maxs[0] - mins[0] + 2 * margin,
            maxs[1] - mins[1] + 2 * margin,
        )

    def set_text_scale(self, scale: float) -> None:
        self._label_font = _font(C.EDGE_LABEL_PIXEL_SIZE * scale)
        self.update()

    def set_hovered(self, edge: int | None) -> None:
        if edge != self.hovered:
            self.hovered = edge
            self.update()

    def set_endpoints(self, sources: NDArray[np.float64], targets: NDArray[np.float64]) -> None:
        """Move the edges (a neuron is being dragged), keeping their pens and labels: a
        drag never asks the document for values, it only moves lines."""
        self.prepareGeometryChange()
        self._set_lines(sources, targets)
        np.take(self.lines, self._order, axis=0, out=self._sorted)
        if self._labels:
            self._labels = self._label_points([text for _, text in self._labels])
        self.update()

    def _label_points(self, labels: list[str]) -> list[tuple[QPointF, str]]:
        t = C.EDGE_LABEL_POSITION
        points = self.lines[:, :2] * (1 - t) + self.lines[:, 2:] * t
        return [
            (QPointF(float(x), float(y)), text) for (x, y), text in zip(points, labels, strict=True)
        ]

    @property
    def count(self) -> int:
        return int(self.lines.shape[0])

    def set_style(
        self,
        bins: NDArray[np.intp],
        pens: list[QPen],
        labels: list[str] | None,
        selected: int | None,
        dimmed: bool,
    ) -> None:
        """Pen ``pens[bins[k]]`` for edge k; ``labels[k]`` drawn along it if given."""
        if dimmed:
            pens = [faded(pen) for pen in pens]
        # Sorting small integers is several times faster than sorting intp.
        order = np.argsort(bins.astype(np.uint8), kind="stable")
        self._order = order
        np.take(self.lines, order, axis=0, out=self._sorted)
        sorted_bins = bins[order]
        boundaries = np.flatnonzero(np.diff(sorted_bins)) + 1
        starts = np.concatenate([[0], boundaries])
        ends = np.concatenate([boundaries, [len(sorted_bins)]])
        self._groups = [
            (pens[int(sorted_bins[s])], int(s), int(e - s))
            for s, e in zip(starts, ends, strict=True)
        ]
        self._labels = [] if labels is None else self._label_points(labels)
        self._selected = selected
        self.dimmed = dimmed
        self.update()

    def pen_of(self, edge: int) -> QPen:
        """The pen edge ``edge`` is drawn with (for tests and the inspector)."""
        position = int(np.flatnonzero(self._order == edge)[0])
        for pen, start, count in self._groups:
            if start <= position < start + count:
                return pen
        raise IndexError(edge)

    def label_texts(self) -> list[str]:
        return [text for _, text in self._labels]

    @guarded(fallback=_empty_rect)
    def boundingRect(self) -> QRectF:
        return self._bounds

    @guarded()
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, self._antialias)
        # Any clip makes Qt's raster engine cull lines faster (56 vs 146 ms at 100k).
        painter.setClipRect(self._bounds, Qt.ClipOperation.IntersectClip)
        theme = current_theme()
        count_lines = self._sorted.shape[0]
        if self.hovered is not None and 0 <= self.hovered < count_lines:
            x1, y1, x2, y2 = self.lines[self.hovered]
            hover_pen = QPen(QColor(theme.hover_glow), 12.0)
            hover_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(hover_pen)
            painter.drawLine(QLineF(x1, y1, x2, y2))
        base = self._sorted.ctypes.data
        for pen, start, count in self._groups:
            if start < 0 or count < 0 or start + count > count_lines:
                continue  # a stale group would read past the buffer: a crash, not an error
            painter.setPen(pen)
            lines = compat.wrapinstance(base + start * LINE_BYTES, QLineF)
            painter.drawLines(lines, count)
        if self._selected is not None and 0 <= self._selected < count_lines:
            x1, y1, x2, y2 = self.lines[self._selected]
            painter.setPen(QPen(QColor(theme.selection), 4.0))
            painter.drawLine(QLineF(x1, y1, x2, y2))
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if self._labels and lod > 0.35:
            if self.dimmed:
                painter.setOpacity(C.DIMMED_OPACITY)
            self._paint_labels(painter)

    def _paint_labels(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(self._label_font)
        metrics = QFontMetricsF(self._label_font)
        height = metrics.height() + 4
        theme = current_theme()
        outline, fill, ink = (
            QPen(QColor(theme.neutral_edge), 1),
            QColor(theme.label_background),
            QColor(theme.ink),
        )
        for point, text in self._labels:
            width = metrics.horizontalAdvance(text) + 10
            box = QRectF(point.x() - width / 2, point.y() - height / 2, width, height)
            painter.setPen(outline)
            painter.setBrush(fill)
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(ink)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def pick(self, point: QPointF, tolerance: float) -> tuple[int, float] | None:
        """The edge nearest to ``point`` within ``tolerance``: (index, distance)."""
        p = np.array([point.x(), point.y()])
        a, b = self.lines[:, :2], self.lines[:, 2:]
        ab = b - a
        length2 = np.einsum("ij,ij->i", ab, ab)
        t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.where(length2 > 0, length2, 1), 0, 1)
        nearest = a + ab * t[:, None]
        distance = np.hypot(*(nearest - p).T)
        k = int(np.argmin(distance))
        if distance[k] <= tolerance:
            return k, float(distance[k])
        return None
