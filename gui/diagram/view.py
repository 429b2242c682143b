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
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

from gui import constants as C
from gui.crash_guard import guarded
from gui.diagram.scene import ColourScale, DiagramScene
from gui.document import Selection
from gui.editing import current_value, describe, set_value
from gui.formatting import format_number
from gui.themes import appearance, current_theme, scaled, text_scale
from gui.widgets import NumberLineEdit

# Legend sizes in pixels at text scale 1; presentation mode scales them with the text.
LEGEND_WIDTH = 230.0
LEGEND_BAR_HEIGHT = 12.0
LEGEND_HEIGHT = 58.0
LEGEND_ROOM = 84.0  # below the diagram, when fitting
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
        # The editor holds its selection: after an undo or an open it may name a weight
        # of a layer that is gone (an IndexError on Enter, found by the soak).
        scene.document.network_changed.connect(self.close_inline_edit)
        appearance().theme_changed.connect(self._on_appearance_changed)
        appearance().text_scale_changed.connect(self._on_appearance_changed)
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
            lambda value: (
                self.inline_editor is editor
                and set_value(document, selection, value, sample)
                and self.close_inline_edit()
            )
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

    def _on_appearance_changed(self) -> None:
        if self._auto_fit:
            self.fit()  # the legends' room changes with the text scale
        self.viewport().update()

    def _on_scene_rect_changed(self) -> None:
        self._auto_fit = True
        self.fit()

    def fit(self) -> None:
        """Show the whole network, leaving room at the bottom for the legends."""
        rect = self.diagram.sceneRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        legend_room = LEGEND_ROOM * text_scale()  # px below the diagram for the legends
        viewport = self.viewport().rect()
        usable_height = max(50.0, viewport.height() - legend_room)
        scale, content = self._fit_with_texts(rect, viewport.width(), usable_height)
        scale = max(MIN_ZOOM, min(MAX_ZOOM, scale))
        # The view centres its scene rect when it is smaller than the viewport: make
        # that rect the diagram, its texts and the legends' room.
        self.setSceneRect(content.adjusted(0, 0, 0, legend_room / scale).united(rect))
        self.scale(scale, scale)
        self.centerOn(self.sceneRect().center())
        self._auto_fit = True

    def _fit_with_texts(self, rect: QRectF, width: float, height: float) -> tuple[float, QRectF]:
        """The largest zoom at which ``rect`` and the texts that keep their screen size
        (titles, targets: large when presenting) fit in ``width`` x ``height`` pixels,
        and the scene rect they cover at that zoom."""
        flag = QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
        # Per axis: (scene coordinate, pixels before it, pixels after it).
        xs = [(rect.left(), 0.0, 0.0), (rect.right(), 0.0, 0.0)]
        ys = [(rect.top(), 0.0, 0.0), (rect.bottom(), 0.0, 0.0)]
        for item in self.diagram.items():
            if item.flags() & flag and item.isVisible() and not item.boundingRect().isEmpty():
                box, pos = item.boundingRect(), item.pos()
                xs.append((pos.x(), box.left(), box.right()))
                ys.append((pos.y(), box.top(), box.bottom()))

        def span(anchors: list[tuple[float, float, float]], scale: float) -> tuple[float, float]:
            return (
                min(at * scale + before for at, before, _ in anchors),
                max(at * scale + after for at, _, after in anchors),
            )

        def fits(scale: float) -> bool:
            (left, right), (top, bottom) = span(xs, scale), span(ys, scale)
            return right - left <= width and bottom - top <= height

        plain = min(width / rect.width(), height / rect.height())
        scale = plain
        if not fits(scale):
            # Texts wider than the room at any zoom: keep the diagram at half size at least.
            low, high = plain / 2, plain
            for _ in range(24):
                middle = (low + high) / 2
                low, high = (middle, high) if fits(middle) else (low, middle)
            scale = low
        (left, right), (top, bottom) = span(xs, scale), span(ys, scale)
        return scale, QRectF(
            left / scale, top / scale, (right - left) / scale, (bottom - top) / scale
        )

    def zoom_by(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(MIN_ZOOM / current, min(MAX_ZOOM / current, factor))
        self.scale(factor, factor)
        self._auto_fit = False

    @guarded()
    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(1.15**steps)
        event.accept()

    @guarded()
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

    @guarded()
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    # -- legends ---------------------------------------------------------------------

    @guarded()
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        try:
            painter.resetTransform()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            viewport = self.viewport().rect()
            grow = text_scale()
            width = self._legend_width()
            y = viewport.height() - (LEGEND_HEIGHT + 4) * grow
            if self.diagram.node_scale is not None:
                self._draw_legend(painter, self.diagram.node_scale, QPointF(18, y))
            if self.diagram.edge_scale is not None:
                x = max(18 + width + 40, viewport.width() - width - 18)
                self._draw_legend(painter, self.diagram.edge_scale, QPointF(x, y))
        finally:
            painter.restore()  # an unbalanced painter corrupts every later frame

    def _legend_width(self) -> float:
        """The scaled width, narrower when two legends would not fit side by side."""
        room = (self.viewport().width() - 2 * 18 - 40) / 2 - 20
        return max(80.0, min(LEGEND_WIDTH * text_scale(), room))

    def _draw_legend(self, painter: QPainter, scale: ColourScale, origin: QPointF) -> None:
        theme, grow = current_theme(), text_scale()
        width = self._legend_width()
        title_font = QFont(C.FONT_FAMILY)
        title_font.setPixelSize(scaled(C.LEGEND_TITLE_PIXEL_SIZE))
        title_font.setBold(True)
        small = QFont(C.FONT_FAMILY)
        small.setPixelSize(scaled(C.LEGEND_TEXT_PIXEL_SIZE))
        box = QRectF(origin.x() - 10, origin.y() - 8 * grow, width + 20, LEGEND_HEIGHT * grow)
        painter.setPen(QPen(QColor(theme.neutral_edge), 1))
        painter.setBrush(QColor(theme.legend_background))
        painter.drawRoundedRect(box, 6, 6)
        painter.setFont(title_font)
        painter.setPen(QColor(theme.ink))
        painter.drawText(
            QRectF(origin.x(), origin.y() - 4 * grow, width, 18 * grow),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            scale.title,
        )
        bar = QRectF(origin.x(), origin.y() + 18 * grow, width, LEGEND_BAR_HEIGHT * grow)
        painter.setFont(small)
        if scale.empty_reason or scale.high == scale.low == 0:
            painter.setPen(QColor(theme.muted_ink))
            reason = scale.empty_reason or "all zero"
            painter.drawText(bar.adjusted(0, -2, 0, 16 * grow), Qt.AlignmentFlag.AlignLeft, reason)
            return
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        count = len(scale.colours)
        for k, colour in enumerate(scale.colours):
            gradient.setColorAt(k / (count - 1), colour)
        painter.setPen(QPen(QColor(theme.neutral_edge), 1))
        painter.setBrush(gradient)
        painter.drawRect(bar)
        painter.setPen(QColor(theme.muted_ink))
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
