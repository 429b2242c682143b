"""DiagramView: zoom (wheel), pan (drag), fit to window, and the colour legends."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QLinearGradient,
    QPainter,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from gui import constants as C
from gui.diagram.scene import ColourScale, DiagramScene
from gui.document import Selection
from gui.editing import current_value, describe, set_value
from gui.formatting import format_number
from gui.widgets import NumberLineEdit

LEGEND_WIDTH = 230.0
LEGEND_BAR_HEIGHT = 12.0
MIN_ZOOM = 0.02
MAX_ZOOM = 40.0


class DiagramView(QGraphicsView):
    def __init__(self, scene: DiagramScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.diagram = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._auto_fit = True  # until the user zooms, resizing refits
        # No restyled -> viewport().update(): the items' own update() calls already
        # schedule the repaint, and a second one doubled the cost of every frame.
        scene.sceneRectChanged.connect(self._on_scene_rect_changed)
        scene.edit_requested.connect(self.start_inline_edit)
        self.inline_editor: NumberLineEdit | None = None

    def start_inline_edit(self, selection: Selection, scene_point: QPointF) -> NumberLineEdit:
        """A field over the diagram where the value was double-clicked: Enter (or clicking
        elsewhere) commits one undoable edit, Esc cancels, bad text is refused in place."""
        self.close_inline_edit()
        document, sample = self.diagram.document, self.diagram.settings.sample
        editor = NumberLineEdit(current_value(document, selection, sample), self.viewport())
        editor.setObjectName("inline_editor")
        editor.setToolTip(f"{describe(document, selection, sample)}: type a number, Enter")
        editor.setMinimumWidth(150)
        editor.adjustSize()
        point = self.mapFromScene(scene_point)
        editor.move(
            max(0, point.x() - editor.width() // 2), max(0, point.y() - editor.height() // 2)
        )
        editor.value_committed.connect(
            lambda value: set_value(document, selection, value, sample) and self.close_inline_edit()
        )
        editor.returnPressed.connect(lambda: editor.invalid or self.close_inline_edit())
        editor.edit_cancelled.connect(self.close_inline_edit)
        editor.show()
        editor.setFocus()
        editor.selectAll()
        self.inline_editor = editor
        return editor

    def close_inline_edit(self) -> None:
        if self.inline_editor is not None:
            editor, self.inline_editor = self.inline_editor, None
            editor.hide()
            editor.deleteLater()
            self.setFocus()

    def _on_scene_rect_changed(self) -> None:
        self._auto_fit = True
        self.fit()

    def fit(self) -> None:
        """Show the whole network, leaving room at the bottom for the legends."""
        rect = self.diagram.sceneRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        legend_room = 84.0  # px below the diagram for the legends
        viewport = self.viewport().rect()
        usable_height = max(50.0, viewport.height() - legend_room)
        scale = min(viewport.width() / rect.width(), usable_height / rect.height())
        scale = max(MIN_ZOOM, min(MAX_ZOOM, scale))
        self.scale(scale, scale)
        centre = rect.center() + QPointF(0, legend_room / 2 / scale)
        self.centerOn(centre)
        self._auto_fit = True

    def zoom_by(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(MIN_ZOOM / current, min(MAX_ZOOM / current, factor))
        self.scale(factor, factor)
        self._auto_fit = False

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(1.15**steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape and self.inline_editor is not None:
            self.close_inline_edit()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
        elif key == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    # -- legends ---------------------------------------------------------------------

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        viewport = self.viewport().rect()
        y = viewport.height() - 62.0
        if self.diagram.node_scale is not None:
            self._draw_legend(painter, self.diagram.node_scale, QPointF(18, y))
        if self.diagram.edge_scale is not None:
            x = max(18 + LEGEND_WIDTH + 40, viewport.width() - LEGEND_WIDTH - 18)
            self._draw_legend(painter, self.diagram.edge_scale, QPointF(x, y))
        painter.restore()

    def _draw_legend(self, painter: QPainter, scale: ColourScale, origin: QPointF) -> None:
        title_font = QFont(C.FONT_FAMILY)
        title_font.setPixelSize(13)
        title_font.setBold(True)
        small = QFont(C.FONT_FAMILY)
        small.setPixelSize(12)
        box = QRectF(origin.x() - 10, origin.y() - 8, LEGEND_WIDTH + 20, 58)
        painter.setPen(QPen(QColor(C.NEUTRAL_EDGE), 1))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(box, 6, 6)
        painter.setFont(title_font)
        painter.setPen(QColor(C.INK))
        painter.drawText(
            QRectF(origin.x(), origin.y() - 4, LEGEND_WIDTH, 18),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            scale.title,
        )
        bar = QRectF(origin.x(), origin.y() + 18, LEGEND_WIDTH, LEGEND_BAR_HEIGHT)
        painter.setFont(small)
        if scale.empty_reason or scale.high == scale.low == 0:
            painter.setPen(QColor(C.MUTED_INK))
            reason = scale.empty_reason or "all zero"
            painter.drawText(bar.adjusted(0, -2, 0, 16), Qt.AlignmentFlag.AlignLeft, reason)
            return
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        count = len(scale.colours)
        for k, colour in enumerate(scale.colours):
            gradient.setColorAt(k / (count - 1), colour)
        painter.setPen(QPen(QColor(C.NEUTRAL_EDGE), 1))
        painter.setBrush(gradient)
        painter.drawRect(bar)
        painter.setPen(QColor(C.MUTED_INK))
        metrics = QFontMetricsF(small)
        labels_y = bar.bottom() + 2
        low, high = format_number(scale.low, 3), format_number(scale.high, 3)
        painter.drawText(QPointF(bar.left(), labels_y + metrics.ascent()), low)
        painter.drawText(
            QPointF(bar.right() - metrics.horizontalAdvance(high), labels_y + metrics.ascent()),
            high,
        )
        if scale.low < 0 < scale.high:
            painter.drawText(
                QPointF(
                    bar.center().x() - metrics.horizontalAdvance("0") / 2,
                    labels_y + metrics.ascent(),
                ),
                "0",
            )
