"""Texts on the diagram that keep their screen size at any zoom: layer titles, targets
and E terms, the loss, and the warning line."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gui import constants as C
from gui.crash_guard import guarded
from gui.themes import current_theme, text_scale


class TextItem(QGraphicsItem):
    """Text that keeps its screen size at any zoom, anchored at its centre (or at the
    middle of its left edge)."""

    def __init__(
        self,
        lines: list[str],
        pixel_size: int,
        bold: bool = False,
        muted: bool = False,
        align_left: bool = False,
        banner: bool = False,
        anchor: str = "centre",
    ) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setZValue(C.Z_TITLES)
        self._pixel_size = pixel_size
        self._font = QFont(C.FONT_FAMILY)
        self._font.setBold(bold)
        self.muted = muted  # the theme's muted ink instead of its ink
        self.banner = banner  # a warning: the caption banner's colours, on a box
        self._align_left = align_left
        self._anchor = anchor  # "centre", "top" or "bottom": which part sits at pos()
        self.lines: list[str] = []
        self.reserved: list[str] = []  # lines it makes room for (what a later step adds)
        self.set_text_scale(text_scale())
        self.set_lines(lines)

    @property
    def pixel_size(self) -> int:
        return self._font.pixelSize()

    def set_text_scale(self, scale: float) -> None:
        self._font.setPixelSize(max(1, round(self._pixel_size * scale)))
        self.set_lines(self.lines)

    def colour(self) -> QColor:
        theme = current_theme()
        if self.banner:
            return QColor(theme.banner_ink)
        return QColor(theme.muted_ink if self.muted else theme.ink)

    def width_of(self, lines: list[str]) -> float:
        """Pixels ``lines`` would take across in this item's font."""
        metrics = QFontMetricsF(self._font)
        return max((metrics.horizontalAdvance(t) for t in lines), default=0.0)

    def set_lines(self, lines: list[str], reserved: list[str] | None = None) -> None:
        """Show ``lines``, in a box with room for ``reserved`` too (the E term the loss
        step adds under a target): the view fits it once, nothing moves or is cut."""
        reserved = self.reserved if reserved is None else list(reserved)
        if (
            list(lines) == self.lines
            and reserved == self.reserved
            and hasattr(self, "_rect")
            and self._sized == self.pixel_size
        ):
            return
        self.prepareGeometryChange()
        self.lines, self.reserved = list(lines), reserved
        metrics = QFontMetricsF(self._font)
        self._line_height = metrics.height()
        self._sized = self.pixel_size
        width = max(self.width_of(self.lines), self.width_of(reserved))
        height = self._line_height * max(len(self.lines), len(reserved))
        pad = self._padding()
        x = 0.0 if self._align_left else -width / 2
        full = height + 2 * pad
        y = {"top": 0.0, "bottom": -full}.get(self._anchor, -full / 2)
        self._rect = QRectF(x - pad, y, width + 2 * pad, full)
        self.update()

    def _padding(self) -> float:
        return round(self._line_height * 0.35) if self.banner and self.lines else 0.0

    def _first_line_y(self) -> float:
        """Lines start at the top of the box; a box with no room reserved is theirs."""
        return self._rect.y() + self._padding()

    @guarded(fallback=lambda *_: QRectF())
    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    @guarded()
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self.lines:
            return
        if self.banner:
            theme = current_theme()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(theme.banner_background))
            painter.drawRoundedRect(self._rect, 6, 6)
        painter.setFont(self._font)
        painter.setPen(self.colour())
        flags = Qt.AlignmentFlag.AlignLeft if self._align_left else Qt.AlignmentFlag.AlignHCenter
        pad = self._padding()
        for k, text in enumerate(self.lines):
            row = QRectF(
                self._rect.x() + pad,
                self._first_line_y() + k * self._line_height,
                self._rect.width() - 2 * pad,
                self._line_height,
            )
            painter.drawText(row, flags | Qt.AlignmentFlag.AlignVCenter, text)
