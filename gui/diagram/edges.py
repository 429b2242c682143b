"""EdgeLayerItem: all edges between two layers, drawn in bulk, and their labels."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pyqtgraph.Qt import compat
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gui import constants as C
from gui.crash_guard import guarded
from gui.diagram.painting import empty_rect as _empty_rect
from gui.diagram.painting import faded
from gui.diagram.painting import font as _font
from gui.themes import current_theme, text_scale

LINE_BYTES = 4 * 8  # one QLineF: four float64


class EdgeLayerItem(QGraphicsItem):
    """All edges between two layers, drawn in bulk.

    Edge k joins source ``k % n_sources`` to target ``k // n_sources``, the
    row-major order of the weight matrix (target x source). Lines are kept in
    one float64 buffer sorted by pen, and each pen's slice goes to Qt's native
    ``drawLines(const QLineF*, int)`` without a Python object per line.

    Labels sit on their edges at a fraction of the way from source to target chosen by
    the scene (gui.diagram.labels places them so none overlap); a label with no room
    is not drawn.
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
        self._bins = np.zeros(self.count, dtype=np.intp)
        self._pens: list[QPen] = []
        self._groups: list[tuple[QPen, int, int]] = []
        self._texts: list[str] = []  # every edge's label as drawn ([] : none)
        self._full_texts: list[str] = []
        self._short_texts: list[str] = []  # with fewer digits, when the full ones are crowded
        self.shortened = False
        self._fractions = np.full(self.count, np.nan)  # where each label sits; NaN: hidden
        self._labels: list[tuple[QPointF, str]] = []  # the labels drawn: centre, text
        self._label_edges: list[int] = []
        self._selected: int | None = None
        self.hovered: int | None = None
        self.dimmed = False
        self.min_readable_px = C.MIN_READABLE_TEXT_PX  # smaller labels are not drawn
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
        self._line_bounds = QRectF(
            mins[0] - margin,
            mins[1] - margin,
            maxs[0] - mins[0] + 2 * margin,
            maxs[1] - mins[1] + 2 * margin,
        )
        self._bounds = QRectF(self._line_bounds)

    def set_text_scale(self, scale: float) -> None:
        self.text_scale = scale
        self._label_font = _font(C.EDGE_LABEL_PIXEL_SIZE * scale)
        self.update()

    @property
    def label_pixel_size(self) -> int:
        """The labels' font size in scene units."""
        return self._label_font.pixelSize()

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
        self._update_label_points()
        self.update()

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
        short_labels: list[str] | None = None,
    ) -> None:
        """Pen ``pens[bins[k]]`` for edge k; ``labels[k]`` drawn on it if given (where
        ``set_label_fractions`` puts it), or ``short_labels[k]`` once ``set_shortened``."""
        if dimmed:
            pens = [faded(pen) for pen in pens]
        # Sorting small integers is several times faster than sorting intp.
        order = np.argsort(bins.astype(np.uint8), kind="stable")
        self._order = order
        self._bins, self._pens = bins, pens
        np.take(self.lines, order, axis=0, out=self._sorted)
        sorted_bins = bins[order]
        boundaries = np.flatnonzero(np.diff(sorted_bins)) + 1
        starts = np.concatenate([[0], boundaries])
        ends = np.concatenate([boundaries, [len(sorted_bins)]])
        self._groups = [
            (pens[int(sorted_bins[s])], int(s), int(e - s))
            for s, e in zip(starts, ends, strict=True)
        ]
        texts = [] if labels is None else list(labels)
        if len(texts) != len(self._texts):
            self._fractions = np.full(self.count, C.EDGE_LABEL_POSITION if texts else np.nan)
        self._full_texts = texts
        self._short_texts = list(short_labels) if short_labels and texts else texts
        self._texts = self._short_texts if self.shortened else texts
        self._update_label_points()
        self._selected = selected
        self.dimmed = dimmed
        self.update()

    # -- labels ----------------------------------------------------------------------

    def label_texts(self) -> list[str]:
        """The texts of the labels drawn, in edge order."""
        return [text for _, text in self._labels]

    def all_label_texts(self, full: bool = False) -> list[str]:
        """Every edge's label text, drawn or not ([] when the edges show no numbers);
        ``full``: with every digit, even when the labels are shortened."""
        return list(self._full_texts if full else self._texts)

    def can_shorten(self) -> bool:
        return self._short_texts != self._full_texts

    def set_shortened(self, shortened: bool) -> None:
        """Draw the labels with fewer digits (they did not all fit), or with all."""
        if shortened != self.shortened:
            self.shortened = shortened
            self._texts = self._short_texts if shortened else self._full_texts
            self._update_label_points()
            self.update()

    def label_box_sizes(self, full: bool = False) -> NDArray[np.float64]:
        """(count, 2): width and height of each label's box in scene units (``full``: of
        the labels with every digit, even when they are shortened)."""
        texts = self._full_texts if full else self._texts
        if not texts:
            return np.zeros((0, 2))
        metrics = QFontMetricsF(self._label_font)
        height = metrics.height() + 4
        widths = [metrics.horizontalAdvance(text) + 10 for text in texts]
        return np.column_stack([widths, np.full(len(widths), height)])

    def set_label_fractions(self, fractions: NDArray[np.float64]) -> None:
        """Where each label sits: a fraction of the way along its edge; NaN: not drawn."""
        fractions = np.array(fractions, dtype=np.float64).reshape(self.count)
        if not self._texts or np.array_equal(fractions, self._fractions, equal_nan=True):
            return  # unchanged: no repaint (the view places labels before it paints)
        self._fractions = fractions
        self._update_label_points()
        self.update()

    @property
    def label_fractions(self) -> NDArray[np.float64]:
        return self._fractions.copy()

    def _update_label_points(self) -> None:
        self._place_label_points()
        # Labels near a source can stick out past the lines: the item covers them too.
        bounds = QRectF(self._line_bounds)
        for _, box in self.label_rects():
            bounds = bounds.united(box.adjusted(-2, -2, 2, 2))
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds

    def _place_label_points(self) -> None:
        if not self._texts:
            self._labels, self._label_edges = [], []
            return
        shown = np.flatnonzero(np.isfinite(self._fractions))
        t = self._fractions[shown][:, None]
        points = self.lines[shown, :2] * (1 - t) + self.lines[shown, 2:] * t
        self._label_edges = [int(k) for k in shown]
        self._labels = [
            (QPointF(float(x), float(y)), self._texts[k])
            for (x, y), k in zip(points, self._label_edges, strict=True)
        ]

    def label_rects(self) -> list[tuple[int, QRectF]]:
        """(edge, box in scene coordinates) of every label drawn."""
        sizes = self.label_box_sizes()
        return [
            (k, QRectF(p.x() - sizes[k, 0] / 2, p.y() - sizes[k, 1] / 2, *sizes[k]))
            for (p, _), k in zip(self._labels, self._label_edges, strict=True)
        ]

    def pen_of(self, edge: int) -> QPen:
        """The pen edge ``edge`` is drawn with (for tests and the inspector)."""
        position = int(np.flatnonzero(self._order == edge)[0])
        for pen, start, count in self._groups:
            if start <= position < start + count:
                return pen
        raise IndexError(edge)

    # -- painting --------------------------------------------------------------------

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
        if self._labels and lod * self.label_pixel_size >= self.min_readable_px:
            if self.dimmed:
                painter.setOpacity(C.DIMMED_OPACITY)
            self._paint_labels(painter)

    def _paint_labels(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(self._label_font)
        theme = current_theme()
        fill, ink = QColor(theme.label_background), QColor(theme.ink)
        neutral = QColor(theme.neutral_edge)
        for k, box in self.label_rects():
            # The box's outline in its edge's colour ties the number to its line.
            pen = self._pens[int(self._bins[k])] if self._pens else None
            colour = pen.color() if pen is not None else neutral
            painter.setPen(QPen(colour if colour.alpha() else neutral, 1.5))
            painter.setBrush(fill)
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(ink)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self._texts[k])

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
