"""DiagramView: zoom (wheel), pan (drag), fit to window, and the colour legends."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QKeyEvent, QPainter, QResizeEvent, QShowEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QWidget

from gui import constants as C
from gui.crash_guard import guarded
from gui.diagram import legends
from gui.diagram.colour_scales import ColourScale
from gui.diagram.layout import Stretch
from gui.diagram.legends import LEGEND_HEIGHT, LEGEND_ROOM, LEGEND_WIDTH
from gui.diagram.scene import DiagramScene
from gui.document import Selection
from gui.editing import current_value, describe, set_value
from gui.themes import appearance, text_scale
from gui.widgets import NumberLineEdit

__all__ = ["LEGEND_HEIGHT", "LEGEND_ROOM", "LEGEND_WIDTH", "DiagramView"]

PAD_PX = 14.0  # around the diagram
MIN_ZOOM = 0.02
MAX_ZOOM = 40.0
# A diagram that fills less than STRETCH_BELOW of the view's width (or, presenting, its
# height) is spread out to fill FILL of it.
STRETCH_BELOW = 0.75
FILL = 0.9


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
        self._fitting = False
        # Presenting: texts at least this many pixels high (smaller ones are left out),
        # and the neurons spread out to fill the height too.
        self.min_text_px = 0.0
        self.fill_height = False
        self._stretched_for: object = None
        self._fit_when_shown = False
        # No restyled -> viewport().update(): the items' own update() calls already
        # schedule the repaint, and a second one doubled the cost of every frame.
        scene.sceneRectChanged.connect(self._on_scene_rect_changed)
        scene.restyled.connect(self._on_restyled)
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
        if not self.isVisible():
            self._fit_when_shown = True  # a closed window (or a hidden one) does no work
            return
        if self._auto_fit:
            self.fit()  # the legends' room changes with the text scale
        self.viewport().update()

    def _on_scene_rect_changed(self) -> None:
        if self._fitting:
            return  # the fit itself stretched the diagram
        self._auto_fit = True
        self.fit()

    def _on_restyled(self) -> None:
        """A step whose texts no longer fit (a longer number in a later iteration) fits
        again; otherwise the diagram stays put from step to step."""
        if self._auto_fit and not self._fitting and not self._everything_inside():
            self.fit()

    def _everything_inside(self) -> bool:
        viewport = QRectF(self.viewport().rect())
        transform = self.viewportTransform()
        flag = QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
        for item in self.diagram.items():
            if item.flags() & flag and item.isVisible():
                if not viewport.contains(
                    item.deviceTransform(transform).mapRect(item.boundingRect())
                ):
                    return False
        content = transform.mapRect(self.diagram.content_rect())
        return content.isEmpty() or viewport.contains(content)

    def set_presenting(self, min_text_px: float) -> None:
        """Presenting (``min_text_px`` > 0): every text at least that high on screen, the
        diagram spread over the whole view; 0: as in the window."""
        self.min_text_px = min_text_px
        self.fill_height = min_text_px > 0
        self._auto_fit = True
        self.fit()

    def fit(self) -> None:
        """Show the whole network, leaving room at the bottom for the legends: the layers
        spread out to the view's shape, titles shortened to fit, texts too small to read
        left out (gui.diagram.scene's fit_to_zoom)."""
        if self._fitting or self.diagram.sceneRect().isEmpty():
            return
        self._fitting = True
        try:
            self._fit()
        finally:
            self._fitting = False
        self._auto_fit = True

    def _fit(self) -> None:
        self.resetTransform()
        legend_room = LEGEND_ROOM * text_scale()  # px below the diagram for the legends
        viewport = self.viewport().rect()
        width = max(50.0, viewport.width() - 2 * PAD_PX)
        height = max(50.0, viewport.height() - legend_room - 2 * PAD_PX)
        diagram = self.diagram
        key = (width, height, self.fill_height, self.min_text_px, text_scale())
        if (key, diagram.shape_key()) != self._stretched_for:
            self._stretched_for = (key, diagram.shape_key())
            diagram.set_stretch(Stretch())
            self._settle(width, height)  # texts sized for the unstretched diagram first
            self._stretch_to(width, height)
        scale, content, rect = self._settle(width, height)
        # The view centres its scene rect when it is smaller than the viewport: make
        # that rect the diagram, its texts and the legends' room.
        pad = PAD_PX / scale
        self.setSceneRect(content.united(rect).adjusted(-pad, -pad, pad, pad + legend_room / scale))
        self.scale(scale, scale)
        self.centerOn(self.sceneRect().center())

    def _settle(self, width: float, height: float) -> tuple[float, QRectF, QRectF]:
        """The zoom that fits, after the scene adapted its texts to it (titles shorten
        and texts grow with the zoom: a few rounds); with the content and scene rects."""
        for _ in range(4):
            rect = self.diagram.content_rect()
            scale, content = self._fit_with_texts(rect, width, height)
            scale = max(MIN_ZOOM, min(MAX_ZOOM, scale))
            if not self.diagram.fit_to_zoom(scale, self.min_text_px):
                break
        return scale, content, rect

    def _stretch_to(self, width: float, height: float) -> None:
        """Spread the layers out when the diagram is taller than the view's shape (a
        16-64-64-10 net used a third of the width), and when presenting, the neurons
        when it is wider (a 2-2-2 net on a 4:3 projector left empty bands)."""
        diagram = self.diagram
        span_x, span_y = diagram.natural_span()
        rect = diagram.content_rect()
        by_height, content = self._fit_with_texts(rect, 1e9, height)
        by_width, tall = self._fit_with_texts(rect, width, 1e9)
        wide = content.width() * by_height < STRETCH_BELOW * width
        if by_height < by_width and wide and span_x > 0:
            spare = FILL * width - content.width() * by_height
            stretch = 1 + spare / (span_x * by_height)
            diagram.set_stretch(Stretch(x=min(max(1.0, stretch), C.MAX_LAYER_STRETCH)))
        elif self.fill_height and tall.height() * by_width < STRETCH_BELOW * height and span_y > 0:
            spare = FILL * height - tall.height() * by_width
            stretch = 1 + spare / ((span_y + C.NEURON_SPACING) * by_width)
            diagram.set_stretch(Stretch(y=min(max(1.0, stretch), C.MAX_ROW_STRETCH)))

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
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.diagram.view_shown()
        if self._fit_when_shown and self._auto_fit:
            self._fit_when_shown = False
            self.fit()

    @guarded()
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    # -- legends ---------------------------------------------------------------------

    @guarded()
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawBackground(painter, rect)
        self.diagram.place_labels()  # texts resized since the last restyle (slides)

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
                self._draw_legend(painter, self.diagram.node_scale, QPointF(legends.MARGIN, y))
            if self.diagram.edge_scale is not None:
                x = max(
                    legends.MARGIN + width + legends.GAP,
                    viewport.width() - width - legends.MARGIN,
                )
                self._draw_legend(painter, self.diagram.edge_scale, QPointF(x, y))
        finally:
            painter.restore()  # an unbalanced painter corrupts every later frame

    def _legend_width(self) -> float:
        """As wide as the longest text of either legend (at least LEGEND_WIDTH), narrower
        when two legends would not fit side by side."""
        room = (self.viewport().width() - 2 * legends.MARGIN - legends.GAP) / 2 - 20
        needed = max(
            (
                legends.needed_width(scale)
                for scale in (self.diagram.node_scale, self.diagram.edge_scale)
                if scale is not None
            ),
            default=0.0,
        )
        return max(80.0, min(max(LEGEND_WIDTH * text_scale(), needed + 4), room))

    def _draw_legend(self, painter: QPainter, scale: ColourScale, origin: QPointF) -> None:
        legends.draw_legend(painter, scale, origin, self._legend_width(), text_scale())
