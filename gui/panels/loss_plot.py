"""LossPlotPanel: the loss of every iteration, growing live while playing.

The curve ends at the current step; the axes span every loss the user has been shown
in this run, so stepping back and forth shows the same step the same way. The iteration axis has
whole-number ticks only. With mini-batches the legend says what each curve is: the
loss of the iteration's mini-batch (or single sample) and of the whole data set.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.network import batch_rows
from gui import constants as C
from gui.crash_guard import guarded
from gui.document import NetworkDocument
from gui.formatting import format_number
from gui.themes import Theme, appearance, current_theme
from gui.widgets import RefreshWhenShown


# Width 1: a wider antialiased curve is stroked as one path whose cost grows with the
# run (209 ms a frame at 30k iterations against 8 ms).
def batch_pen(theme: Theme) -> QPen:
    return pg.mkPen(theme.loss_curve, width=1)


def dataset_pen(theme: Theme) -> QPen:
    return pg.mkPen(theme.dataset_curve, width=1, style=Qt.PenStyle.DashLine)


def edit_pen(theme: Theme) -> QPen:
    return pg.mkPen(theme.edit_mark, width=1, style=Qt.PenStyle.DotLine)


PLAYING_REDRAW_S = 0.1  # ten redraws a second keep the curve live
# The view's y limits, in view coordinates (log10 of the loss on a log axis). pyqtgraph
# (since 0.12.4) takes numbers only: None raises and stays in its limits, and the next
# resize then raises inside a C++ virtual. Its own "no limit" is -1e307.
LINEAR_Y_MIN = 0.0  # a loss is never negative
LOG_Y_MIN = -1e307  # any power of ten
# Larger losses are not drawn (as inf is not): pyqtgraph's padded range of 1e308
# overflows to inf and it raises, during a paint.
MAX_DRAWN = 1e300


MAX_PLOTTED_POINTS = 8192  # more than a screen's width of pixels, twice over


def peak_envelope(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (iterations from 1) and y of a curve to draw: the values themselves, or for a
    long run each bucket's lowest and highest value (what the screen would show), so a
    million iterations cost the plot kilobytes, not the 50 MB pyqtgraph's copies take."""
    count = values.shape[0]
    if count <= MAX_PLOTTED_POINTS:
        return np.arange(1, count + 1, dtype=np.float64), values
    starts = np.linspace(0, count, MAX_PLOTTED_POINTS // 2, endpoint=False).astype(np.intp)
    with np.errstate(invalid="ignore"):  # a bucket of NaN (divergence) stays NaN: a gap
        lows = np.fmin.reduceat(values, starts)
        highs = np.fmax.reduceat(values, starts)
    ends = np.append(starts[1:], count)
    x = np.column_stack([starts + 1, ends]).ravel().astype(np.float64)
    y = np.column_stack([lows, highs]).ravel()
    return x, y


class LossPlotWidget(pg.PlotWidget):
    """pyqtgraph's plot widget; an error while ranging the view on a resize is reported,
    never raised into Qt (which ends the process)."""

    @guarded()
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)


class OpaqueGridAxis(pg.AxisItem):
    """Grid lines in opaque colours mixed with the background: Qt draws translucent
    1-px lines through its blending path, about 30 times slower."""

    def generateDrawSpecs(self, p):  # type: ignore[no-untyped-def]  # noqa: N802
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        axis_spec, tick_specs, text_specs = specs
        background = pg.mkColor(current_theme().background)
        opaque = []
        for pen, start, end in tick_specs:
            colour = pen.color()
            alpha = colour.alphaF()
            mixed = QPen(pen)
            mixed.setColor(
                QColor.fromRgbF(
                    colour.redF() * alpha + background.redF() * (1 - alpha),
                    colour.greenF() * alpha + background.greenF() * (1 - alpha),
                    colour.blueF() * alpha + background.blueF() * (1 - alpha),
                )
            )
            opaque.append((mixed, start, end))
        return axis_spec, opaque, text_specs


class IterationAxis(OpaqueGridAxis):
    """Iterations are whole numbers: ticks at 1, 2, 3 (never 1.5), labelled without
    decimals or an SI multiplier."""

    def tickValues(self, minVal, maxVal, size):  # type: ignore[no-untyped-def]  # noqa: N802, N803
        levels = []
        for spacing, values in super().tickValues(minVal, maxVal, size):
            whole = [v for v in values if abs(v - round(v)) < 1e-6]
            if whole:
                levels.append((max(1.0, spacing), whole))
        return levels

    def tickStrings(self, values, scale, spacing):  # type: ignore[no-untyped-def]  # noqa: N802
        return [str(int(round(v * scale))) for v in values]


class RangeAnchor(pg.GraphicsObject):
    """Draws nothing; tells the view's auto-range the span of every loss shown so far
    (view coordinates), so the axes do not change when the user steps back."""

    def __init__(self, padding: Callable[[], float]) -> None:
        super().__init__()
        self._bounds: tuple[tuple[float, float] | None, tuple[float, float] | None] = (None, None)
        self._padding = padding

    def pixelPadding(self) -> float:  # noqa: N802
        # As much as the current-iteration marker's: wherever it is, it adds nothing.
        return self._padding()

    def set_bounds(self, x: tuple[float, float] | None, y: tuple[float, float] | None) -> None:
        if (x, y) != self._bounds:
            self._bounds = (x, y)
            self.informViewBoundsChanged()

    def dataBounds(self, axis, frac=1.0, orthoRange=None):  # type: ignore[no-untyped-def]  # noqa: N802, N803
        return self._bounds[axis]

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF()

    def paint(self, painter: QPainter, *args: object) -> None:
        pass


def _pixel_font(px: float) -> QFont:
    font = QFont(C.FONT_FAMILY)
    font.setPixelSize(max(6, round(px)))
    return font


class LossPlotPanel(QWidget):
    def __init__(self, document: NetworkDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        theme = current_theme()
        pg.setConfigOptions(antialias=True, background=theme.background, foreground=theme.ink)
        self.plot = LossPlotWidget(
            axisItems={"left": OpaqueGridAxis("left"), "bottom": IterationAxis("bottom")}
        )
        self.plot.setMinimumHeight(150)
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.25)
        item.setLabel("bottom", "iteration")
        item.setLabel("left", "loss")
        for axis in ("left", "bottom"):
            item.getAxis(axis).enableAutoSIPrefix(False)
        for axis in ("left", "bottom"):
            item.getAxis(axis).setZValue(-1000)  # the grid goes under the curve and marker
        item.setLimits(yMin=LINEAR_Y_MIN)
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.legend = item.addLegend(offset=(-10, 10))
        self.batch_curve = item.plot([], [], pen=batch_pen(theme), name="loss")
        self.dataset_curve = item.plot([], [], pen=dataset_pen(theme), name="whole data set")
        self.marker = pg.ScatterPlotItem(size=11, brush=pg.mkBrush(theme.selection), pen=None)
        item.addItem(self.marker)
        self.current_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.selection, width=1))
        item.addItem(self.current_line)
        self.range_anchor = RangeAnchor(self.marker.pixelPadding)
        item.addItem(self.range_anchor)
        self._computed = 0  # losses computed when last drawn: fewer means a new run
        self._seen = 0  # the most losses shown at once in this run: the axes span them
        self._edit_lines: list[pg.InfiniteLine] = []
        self._drawn: tuple[object, ...] | None = None
        self._last_draw = 0.0
        self._deferred = QTimer(self)
        self._deferred.setSingleShot(True)
        self._deferred.timeout.connect(self._request_redraw)

        self.log_y = QCheckBox("log scale")
        self.log_y.toggled.connect(self._on_log_toggled)
        self.readout = QLabel("")
        self.readout.setStyleSheet(f"color: {theme.muted_ink};")
        header = QHBoxLayout()
        self.title = QLabel("<b>Loss per iteration</b>")
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.readout)
        header.addWidget(self.log_y)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(header)
        layout.addWidget(self.plot)

        self._hover = pg.SignalProxy(
            self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved
        )
        # A closed or tabbed-away Loss dock draws nothing; it catches up when shown.
        self._refresher = RefreshWhenShown(self, self._redraw)
        document.losses_changed.connect(self._on_losses_changed)
        document.play_state_changed.connect(self._on_play_state_changed)
        document.position_changed.connect(self._on_position_changed)
        appearance().theme_changed.connect(self._on_theme_changed)
        self._on_losses_changed()

    def _on_theme_changed(self, theme: Theme) -> None:
        self.plot.setBackground(theme.background)
        item = self.plot.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(theme.ink)  # the axis line, ticks, grid (mixed opaque) and its label
            axis.setTextPen(theme.ink)
        self.batch_curve.setPen(batch_pen(theme))
        self.dataset_curve.setPen(dataset_pen(theme))
        self.marker.setBrush(pg.mkBrush(theme.selection))
        self.current_line.setPen(pg.mkPen(theme.selection, width=1))
        self.legend.setLabelTextColor(theme.ink)
        for _, label in self.legend.items:
            label.setText(label.text)  # a legend label re-renders only on setText
        self.readout.setStyleSheet(f"color: {theme.muted_ink};")
        self._draw_edit_marks()

    def _on_log_toggled(self, checked: bool) -> None:
        self._drawn = None
        item = self.plot.getPlotItem()
        item.setLimits(yMin=LOG_Y_MIN if checked else LINEAR_Y_MIN)
        item.setLogMode(y=checked)
        item.enableAutoRange(y=True)  # the old range means nothing on the new axis
        self._request_redraw()

    def _plottable(self, values: np.ndarray) -> np.ndarray:
        # Non-finite losses (divergence) and, on a log axis, zeros cannot be drawn.
        with np.errstate(invalid="ignore"):
            drawable = np.isfinite(values) & (np.abs(values) <= MAX_DRAWN)
        values = np.where(drawable, values, np.nan)
        if self.log_y.isChecked():
            values = np.where(values > 0, values, np.nan)
        return values

    def _visible_losses(self) -> np.ndarray:
        """Losses up to the current position: the current one once its loss step is shown."""
        document = self.document
        count = document.iteration + (1 if document.shows_loss() else 0)
        return document.losses[: max(count, 0)]

    def _on_losses_changed(self) -> None:
        # While playing, the curve is redrawn at most every PLAYING_REDRAW_S: drawing a
        # long curve costs more as the run grows, and the diagram needs the frames.
        if self.document.player.playing:
            wait = PLAYING_REDRAW_S - (time.perf_counter() - self._last_draw)
            if wait > 0:
                if not self._deferred.isActive():
                    self._deferred.start(int(wait * 1000) + 1)
                return
        self._request_redraw()

    def _on_play_state_changed(self, playing: bool) -> None:
        if not playing:  # paused: show the whole curve now
            self._deferred.stop()
            self._request_redraw()

    def _request_redraw(self) -> None:
        self._refresher.request()

    def curve_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The loss curve as drawn (x, and y in view coordinates: log10 on a log axis)."""
        self._refresher.ensure()
        x, y = self.batch_curve.getData()
        empty = np.zeros(0)
        return (empty, empty) if x is None or y is None else (x, y)

    def _redraw(self) -> None:
        self._last_draw = time.perf_counter()
        document = self.document
        # A play tick emits several signals; redraw the curve once per real change.
        key = (
            document.iteration,
            document.shows_loss(),
            document.losses.shape[0],
            self.log_y.isChecked(),
            tuple(document.edit_marks),
            id(document.initial_network),
        )
        if key == self._drawn:
            return
        new_network = self._drawn is None or key[-1] != self._drawn[-1]
        self._drawn = key
        item = self.plot.getPlotItem()
        computed = document.losses
        losses = self._visible_losses()
        if new_network or computed.shape[0] < self._computed:
            item.enableAutoRange(x=True, y=True)  # a new run: show it, whatever was zoomed
            self._seen = 0
        self._computed = computed.shape[0]
        self._seen = min(max(self._seen, losses.shape[0]), computed.shape[0])
        self.batch_curve.setData(*peak_envelope(self._plottable(losses)), connect="finite")
        whole = document.dataset_losses
        if whole is not None:
            shown = whole[: losses.shape[0]]  # it may lag behind the batch losses
            self.dataset_curve.setData(*peak_envelope(self._plottable(shown)), connect="finite")
        else:
            self.dataset_curve.setData([], [])
        self._name_curves()
        self.dataset_curve.setVisible(whole is not None)
        self.legend.setVisible(whole is not None)
        self._draw_edit_marks()
        seen = computed[: self._seen]
        self.range_anchor.set_bounds(*self._bounds_of(seen, whole))
        if seen.shape[0] < 10:
            item.setXRange(0.5, 10.5, padding=0)
        else:
            item.enableAutoRange(x=True)
        self._show_marker()
        # Range now, not during the paint (which would queue a second paint).
        item.vb.updateAutoRange()

    def _bounds_of(
        self, computed: np.ndarray, whole: np.ndarray | None
    ) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
        """The span of ``computed`` (and of the whole data set's losses of the same
        iterations), in view coordinates (log10 of the loss on a log axis): where the
        axes stay while the user steps back and forth."""
        values = self._plottable(computed)
        if whole is not None:
            values = np.concatenate([values, self._plottable(whole[: computed.shape[0]])])
        values = values[np.isfinite(values)]
        x = (1.0, float(computed.shape[0])) if computed.shape[0] else None
        if not values.shape[0]:
            return x, None
        low, high = float(values.min()), float(values.max())
        if self.log_y.isChecked():
            low, high = math.log10(low), math.log10(high)
        return x, (low, high)

    def curve_names(self) -> tuple[str, str]:
        """What the legend calls the iteration's curve and the whole data set's."""
        network = self.document.initial_network
        rows, batch = network.row_count, network.optimizer.batch_size
        whole = f"whole data set ({rows} rows)" if rows != 1 else "whole data set"
        if batch is None:
            return ("loss", whole)
        if batch == 1:
            return ("loss of one sample (the next row each iteration)", whole)
        return (f"mini-batch loss ({batch} of {rows} rows)", whole)

    def _name_curves(self) -> None:
        for curve, name in zip(
            (self.batch_curve, self.dataset_curve), self.curve_names(), strict=True
        ):
            if curve.opts.get("name") != name:
                curve.opts["name"] = name
                label = self.legend.getLabel(curve)
                if label is not None:
                    label.setText(name)

    def _draw_edit_marks(self) -> None:
        item = self.plot.getPlotItem()
        for line in self._edit_lines:
            item.removeItem(line)
        self._edit_lines = []
        for iteration in self.document.edit_marks:
            line = pg.InfiniteLine(
                pos=iteration + 0.5,
                angle=90,
                pen=edit_pen(current_theme()),
                label="edited",
                labelOpts={"position": 0.9, "color": current_theme().muted_ink},
            )
            item.addItem(line)
            self._edit_lines.append(line)

    def _on_position_changed(self) -> None:
        self._on_losses_changed()

    def _show_marker(self) -> None:
        iteration = self.document.iteration
        losses = self._visible_losses()
        self.current_line.setValue(iteration + 1)
        y = self._plottable(losses[iteration : iteration + 1])
        if y.shape[0] and np.isfinite(y[0]):
            # The scatter item is not told of the log axis: it gets view coordinates.
            shown = float(np.log10(y[0])) if self.log_y.isChecked() else float(y[0])
            self.marker.setData([iteration + 1], [shown])
        else:
            self.marker.setData([], [])

    def _on_mouse_moved(self, event: tuple[QPointF]) -> None:
        position = event[0]
        item = self.plot.getPlotItem()
        if not item.sceneBoundingRect().contains(position):
            return
        x = item.vb.mapSceneToView(position).x()
        k = int(round(x))
        if 1 <= k <= self.document.losses.shape[0]:
            self.readout.setText(self.readout_for(k))

    def readout_for(self, iteration: int) -> str:
        """The hover readout for an iteration (1-based), as shown on screen: with
        mini-batches, which rows the loss is of, and the whole data set's loss."""
        document = self.document
        loss = format_number(float(document.losses[iteration - 1]), 6)
        network = document.initial_network
        batch = network.optimizer.batch_size
        if batch is None or network.row_count <= 1:
            return f"iteration {iteration}: loss {loss}"
        rows = batch_rows(network, iteration - 1) + 1
        if batch == 1:
            what = f"loss of sample {rows[0]}"
        else:
            what = f"mini-batch loss (rows {rows[0]}…{rows[-1]})"
        text = f"iteration {iteration}: {what} {loss}"
        whole = document.dataset_losses
        if whole is not None and iteration <= whole.shape[0]:
            text += f" · whole data set {format_number(float(whole[iteration - 1]), 6)}"
        return text

    # -- pictures ----------------------------------------------------------------------

    def style_for_picture(self, px: float, line_width: float) -> None:
        """Dress the plot for a slide or a picture file: no widgets (title, readout,
        log-scale box), text of ``px`` pixels at the smallest, lines ``line_width`` wide,
        in the current theme's colours. The panel still follows the document."""
        for widget in (self.title, self.readout, self.log_y):
            widget.hide()
        self.layout().setContentsMargins(0, 0, 0, 0)
        self.plot.setMinimumHeight(40)
        theme = current_theme()
        self.setFont(_pixel_font(px))
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.background))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.plot.setBackground(theme.background)
        item = self.plot.getPlotItem()
        if theme.dark:  # the panel's grid is mixed for a white background
            item.showGrid(x=False, y=False)
        item.setContentsMargins(0, px * 0.7, px * 1.2, 0)  # room for the end ticks' labels
        for curve in (self.batch_curve, self.dataset_curve):
            pen = QPen(curve.opts["pen"])
            pen.setWidthF(line_width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)  # segments join without gaps
            curve.setPen(pen)
            curve.curve.setSegmentedLineMode("on")  # 4× faster than a wide stroked path
        self.marker.setSize(px * 0.8)
        font = _pixel_font(px)
        label_px = round(px * 1.1)
        for name, text in (("bottom", "iteration"), ("left", "loss")):
            axis = item.getAxis(name)
            axis.setTickFont(font)
            axis.setPen(theme.muted_ink)
            axis.setTextPen(theme.ink)
            axis.setStyle(tickTextOffset=max(2, round(px * 0.3)))
            item.setLabel(name, text, color=theme.ink, **{"font-size": f"{label_px}px"})
        # Room for the larger ticks and labels now: the axes widen only after a paint,
        # and a picture is painted once.
        ticks = QFontMetricsF(font)
        item.getAxis("left").setWidth(
            round(ticks.horizontalAdvance("0.00000") + label_px * 1.6 + px * 0.6)
        )
        item.getAxis("bottom").setHeight(round(ticks.height() + label_px * 1.6 + px * 0.3))
        self.legend.setLabelTextSize(f"{round(px)}px")
        self.legend.setLabelTextColor(theme.ink)
        for _, label in self.legend.items:
            label.setText(label.text)  # a legend label re-renders only on setText
        self._drawn = None
        self._request_redraw()
