"""Graphics items of the diagram. Items hold ids and styles, never engine objects."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gui import constants as C
from gui.crash_guard import guarded
from gui.diagram.edges import EdgeLayerItem
from gui.diagram.painting import contrasting_ink, faded
from gui.diagram.painting import empty_path as _empty_path
from gui.diagram.painting import empty_rect as _empty_rect
from gui.diagram.painting import font as _font
from gui.diagram.painting import proposed_value as _proposed_value
from gui.themes import current_theme, text_scale

__all__ = [
    "BiasNodeItem",
    "EdgeLayerItem",
    "LayerBandItem",
    "NeuronItem",
    "contrasting_ink",
    "faded",
]


MAX_CIRCLE_GROWTH = 1.35  # a neuron's circle widens at most this much for its label


class NeuronItem(QGraphicsItem):
    """A neuron: a circle with its label inside and its value in a pill below."""

    def __init__(self, layer: int, index: int, label: str, radius: float) -> None:
        super().__init__()
        self.layer = layer
        self.index = index
        self.label = label
        self.radius = radius
        self.value_text = ""  # the number in its pill
        self.symbol = ""  # what the number is ("a", "δ"), drawn before it when given
        self.detail = ""  # a line above the number (z at a forward step)
        self.detail_inline = False  # the detail before the number on one line instead
        self.fill = QColor(current_theme().node_empty_fill)
        self.emphasised = False  # in the layer computed at this step
        self.selected = False
        self.hovered = False  # its term is under the mouse in the math panel
        self.min_readable_px = C.MIN_READABLE_TEXT_PX  # smaller on screen: not drawn
        self.setZValue(C.Z_NODES)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)
        self.set_text_scale(text_scale())

    def set_text_scale(self, scale: float) -> None:
        """Label and value in ``scale`` times their usual size (presentation mode)."""
        self.prepareGeometryChange()
        self.text_scale = scale
        r = self.radius
        self._label_font = _font(r * 0.55 * scale, bold=True)
        label_width = QFontMetricsF(self._label_font).horizontalAdvance(self.label)
        # Large text (presenting) widens the circle a little; a long label then shrinks
        # to stay inside it.
        # As wide as a two-character label needs, so a layer's circles stay alike.
        two = QFontMetricsF(self._label_font).horizontalAdvance("h1")
        self._circle = min(max(r, min(label_width, two) / 1.7), r * MAX_CIRCLE_GROWTH)
        if label_width > 1.7 * self._circle:
            shrink = 1.7 * self._circle / label_width
            self._label_font = _font(r * 0.55 * scale * shrink, bold=True)
        self._value_font = _font(r * 0.42 * scale)
        self._pill_height = r * 0.62 * scale
        self._fit_pill()
        self.update()

    def pill_lines(self) -> list[str]:
        """The texts in the pill under the circle, top to bottom ([] : no pill)."""
        if not self.value_text:
            return []
        main = f"{self.symbol} {self.value_text}" if self.symbol else self.value_text
        if self.detail and self.detail_inline:
            return [f"{self.detail} · {main}"]
        return [self.detail, main] if self.detail else [main]

    def pill_width_of(self, lines: list[str]) -> float:
        """How wide the pill would be for ``lines`` (scene units)."""
        metrics = QFontMetricsF(self._value_font)
        text_width = max((metrics.horizontalAdvance(t) for t in lines), default=0.0)
        return max(self.radius * 2.9, text_width + self._pill_height * 0.8)

    def _fit_pill(self) -> None:
        # The pill grows with long numbers (δ of 0.00877135469) instead of clipping.
        lines = self.pill_lines()
        self._pill_width = self.pill_width_of(lines)
        self._pill_lines = max(1, len(lines))

    @property
    def pill_height(self) -> float:
        """The height of one line of the pill, in scene units."""
        return self._pill_height

    @property
    def value_pixel_size(self) -> int:
        """The value's font size in scene units."""
        return self._value_font.pixelSize()

    def text_readable(self, zoom: float) -> tuple[bool, bool]:
        """Whether the label and the value are large enough on screen at ``zoom`` to be
        read; smaller, they are not drawn."""
        least = self.min_readable_px
        return (
            zoom * self._label_font.pixelSize() >= least,
            zoom * self._value_font.pixelSize() >= least,
        )

    def set_style(
        self,
        fill: QColor,
        value_text: str,
        emphasised: bool,
        selected: bool,
        symbol: str = "",
        detail: str = "",
        detail_inline: bool = False,
    ) -> None:
        """The fill, the number in the pill (with its symbol, and a detail on a line
        above it or before it) and whether the neuron is in the layer computed at this
        step or selected."""
        texts = (value_text, symbol, detail, detail_inline)
        if (fill, emphasised, selected, *texts) != (
            self.fill,
            self.emphasised,
            self.selected,
            self.value_text,
            self.symbol,
            self.detail,
            self.detail_inline,
        ):
            if texts != (self.value_text, self.symbol, self.detail, self.detail_inline):
                self.prepareGeometryChange()
                self.value_text, self.symbol, self.detail, self.detail_inline = texts
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
        r = self._circle
        half = max(r + 10, self._pill_width / 2) + 4
        pill = self._pill_height * self._pill_lines
        return QRectF(-half, -r - 12, 2 * half, 2 * r + 16 + pill + r * 0.2)

    @guarded(fallback=_empty_path)
    def shape(self) -> QPainterPath:
        path = QPainterPath()
        r = max(self.radius, self._circle)  # the circle as drawn
        path.addEllipse(QPointF(0, 0), r, r)
        return path

    @guarded()
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = self._circle
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
        label_readable, value_readable = self.text_readable(lod)
        if label_readable:  # smaller on screen, text is a smudge: left out
            painter.setPen(contrasting_ink(self.fill))
            painter.setFont(self._label_font)
            painter.drawText(QRectF(-r, -r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, self.label)
        lines = self.pill_lines()
        if lines and value_readable:
            height = self._pill_height
            pill = QRectF(
                -self._pill_width / 2, r + r * 0.15, self._pill_width, height * len(lines)
            )
            painter.setPen(QPen(QColor(theme.neutral_edge), 1))
            painter.setBrush(QColor(theme.label_background))
            painter.drawRoundedRect(pill, height / 2, height / 2)
            painter.setFont(self._value_font)
            for k, text in enumerate(lines):
                # The detail (z) is muted: the number of the step is the one below it.
                muted = k < len(lines) - 1
                painter.setPen(QColor(theme.muted_ink if muted else theme.ink))
                row = QRectF(pill.left(), pill.top() + k * height, pill.width(), height)
                painter.drawText(row, Qt.AlignmentFlag.AlignCenter, text)


class BiasNodeItem(QGraphicsItem):
    """The bias unit of a layer: a small '+1' node whose edges carry the biases."""

    def __init__(self, layer: int, radius: float) -> None:
        super().__init__()
        self.layer = layer  # the layer its biases feed
        self.radius = radius
        self.selected = False
        self.min_readable_px = C.MIN_READABLE_TEXT_PX  # a smaller "+1" is not drawn
        self.setZValue(C.Z_NODES)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.set_text_scale(text_scale())

    def set_text_scale(self, scale: float) -> None:
        """ "+1" in ``scale`` times its usual size; the box grows to hold it."""
        self.prepareGeometryChange()
        self.text_scale = scale
        self._font = _font(self.radius * 0.7 * scale, bold=True)
        width = QFontMetricsF(self._font).horizontalAdvance("+1")
        self._half = max(self.radius, width / 2 + self.radius * 0.3)
        self.update()

    @property
    def text_pixel_size(self) -> int:
        """The "+1"'s font size in scene units."""
        return self._font.pixelSize()

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.update()

    @guarded(fallback=_empty_rect)
    def boundingRect(self) -> QRectF:
        r = self._half + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    @guarded()
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = self._half
        theme = current_theme()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        outline = QColor(theme.selection if self.selected else theme.bias_outline)
        painter.setPen(QPen(outline, 3.0 if self.selected else 1.4))
        painter.setBrush(QColor(theme.bias_fill))
        painter.drawRoundedRect(QRectF(-r, -r, 2 * r, 2 * r), r * 0.35, r * 0.35)
        if lod * self._font.pixelSize() >= self.min_readable_px:
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
