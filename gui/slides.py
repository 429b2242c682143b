"""One slide of a step: the widget that export draws (gui.export writes the files).

A slide (16:9, 1920×1080 by default) shows the step caption on top and the diagram
with its layer titles and legends; on request the chain rule of the step on the right
and the loss curve under the diagram. Every text on it is at least MIN_TEXT_SHARE of
the slide's height (18 px at 1080): the diagram's texts grow through the text scale
that presentation mode uses (gui.themes.set_text_scale), set while the slide is laid
out or drawn and restored at once (``SlideWidget.scaled_text``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from engine.explain import NEURON
from gui import constants as C
from gui.diagram.items import BiasNodeItem, EdgeLayerItem, NeuronItem
from gui.diagram.scene import DiagramScene
from gui.diagram.view import DiagramView
from gui.document import NetworkDocument, Position, Selection
from gui.panels.loss_plot import LossPlotPanel
from gui.slide_math import SlideDerivation
from gui.themes import current_theme, scaled, set_text_scale, text_scale
from gui.view_settings import ViewSettings

SLIDE_SIZE = (1920, 1080)  # the reference slide: the pixel sizes below are for it
MIN_TEXT_SHARE = 1 / 60  # of the slide's height: 18 px at 1080, readable when projected
MATH_WIDTH = 0.38  # of the slide's width, for the derivation
LOSS_HEIGHT = 0.3  # of the content's height, for the loss curve under the diagram
CAPTION_FONT_PX = 32
LOSS_LINE_PX = 3.0
MARGIN_PX = 28
MAX_SLIDE_ZOOM = 2.0  # scene units to slide pixels at 1080: a 2-1 net stays a diagram
LEGEND_ROOM_PX = 84.0  # below the diagram for the legends, as DiagramView.fit leaves
FREE_SCENE_RECT = QRectF(-1e6, -1e6, 2e6, 2e6)  # room to centre the diagram anywhere
# The smallest text the diagram draws in pixels at text scale 1 (legend numbers): scaled
# to MIN_TEXT_SHARE of the slide's height, the other pixel-sized texts are larger.
DIAGRAM_SMALLEST_TEXT_PX = min(
    C.LEGEND_TEXT_PIXEL_SIZE,
    C.LEGEND_TITLE_PIXEL_SIZE,
    C.TARGET_TEXT_PIXEL_SIZE,
    C.EDGE_LABEL_PIXEL_SIZE,
    C.LAYER_TITLE_PIXEL_SIZE,
    C.LOSS_TEXT_PIXEL_SIZE,
)


def _scene_text_size(item: object) -> float | None:
    """The smallest text of a diagram item sized in scene units (it grows with the zoom)
    at text scale 1, as gui.diagram.items sizes it; None for other items."""
    if isinstance(item, NeuronItem):
        return item.radius * 0.42  # its value; the label inside is larger
    if isinstance(item, BiasNodeItem):
        return item.radius * 0.7  # "+1", which has room to grow in its box
    if isinstance(item, EdgeLayerItem):
        return C.EDGE_LABEL_PIXEL_SIZE
    return None


@dataclass(frozen=True)
class SlideOptions:
    """What a slide shows and how big it is.

    ``size`` is the slide in pixels (layout and PNG size at scale 1); ``scale`` is the
    PNG's device-pixel ratio (2: a 1920×1080 slide is a 3840×2160 image, same layout).
    ``digits`` None: the view settings' digits. ``selection``: what ``with_math``
    derives (at a step that computes nothing about it, the step's own equations), and
    what the slide's diagram then highlights; None: the whole step.
    """

    size: tuple[int, int] = SLIDE_SIZE
    scale: float = 2.0
    with_math: bool = False
    with_loss: bool = False
    notation: str = NEURON
    digits: int | None = None
    selection: Selection | None = None


def options_from_window(window: object, **changes: object) -> SlideOptions:
    """Options matching what the main window shows: the math panel's notation, the
    document's selection and the digits of the view settings; ``changes`` override."""
    notation = getattr(getattr(window, "math_panel", None), "notation", NEURON)
    document: NetworkDocument = window.document  # type: ignore[attr-defined]
    settings: ViewSettings = window.settings  # type: ignore[attr-defined]
    options = SlideOptions(notation=notation, digits=settings.digits, selection=document.selection)
    return replace(options, **changes)  # type: ignore[arg-type]


def slide_text_scale(height: int) -> float:
    """The diagram's text scale on a slide ``height`` pixels high: its smallest text
    at MIN_TEXT_SHARE of the height."""
    return MIN_TEXT_SHARE * height / DIAGRAM_SMALLEST_TEXT_PX


@contextmanager
def _text_scale(scale: float) -> Iterator[None]:
    """Presentation mode's text scale for the block, then the one before."""
    before = text_scale()
    set_text_scale(scale)
    try:
        yield
    finally:
        set_text_scale(before)


def _pixel_font(px: float, bold: bool = False) -> QFont:
    font = QFont(C.FONT_FAMILY)
    font.setPixelSize(max(6, round(px)))
    font.setBold(bold)
    return font


class SlideDiagramView(DiagramView):
    """The window's diagram view, with legends as wide as their texts: a slide is
    read from afar and never shows a clipped word."""

    def _legend_width(self) -> float:
        width = super()._legend_width()
        title_font = _pixel_font(scaled(C.LEGEND_TITLE_PIXEL_SIZE), bold=True)
        text_font = _pixel_font(scaled(C.LEGEND_TEXT_PIXEL_SIZE))
        needed = 0.0
        for scale in (self.diagram.node_scale, self.diagram.edge_scale):
            if scale is None:
                continue
            needed = max(
                needed,
                QFontMetricsF(title_font).horizontalAdvance(scale.title),
                QFontMetricsF(text_font).horizontalAdvance(scale.empty_reason or "all zero"),
            )
        room = (self.viewport().width() - 2 * 18 - 40) / 2 - 20
        return max(width, min(needed + 4, room))


class SlideWidget(QWidget):
    """One slide: the caption above the diagram; the derivation on the right and the
    loss curve under the diagram when the options ask for them.

    It follows ``document`` (position, selection) and ``settings`` through their
    signals, like the window's views; the widget is never shown on screen. Draw it
    within ``scaled_text()``.
    """

    def __init__(
        self,
        document: NetworkDocument,
        settings: ViewSettings,
        options: SlideOptions | None = None,
    ) -> None:
        super().__init__()
        self.options = options = options or SlideOptions()
        self.document = document
        self.settings = settings
        width, height = options.size
        self.unit = min(width / SLIDE_SIZE[0], height / SLIDE_SIZE[1])  # for lengths
        self.text_unit = height / SLIDE_SIZE[1]  # for text: its share of the height
        self.text_scale = slide_text_scale(height)  # of the texts sized in pixels
        self.zoom = 1.0  # of the diagram, once fitted: it sizes the scene-unit texts
        self.min_text_px = MIN_TEXT_SHARE * height
        margin = round(MARGIN_PX * self.unit)
        self.setObjectName("slide")
        theme = current_theme()  # the diagram paints in it: white in the light theme
        self.setStyleSheet(f"QWidget#slide {{ background: {theme.background}; }}")
        self.setAutoFillBackground(True)

        self.caption = QLabel()
        self.caption.setObjectName("slide_caption")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)  # never markup from a file
        self.caption.setFont(_pixel_font(CAPTION_FONT_PX * self.text_unit))
        self.caption.setStyleSheet(
            f"color: {theme.ink}; border-bottom: 1px solid {theme.neutral_edge};"
            f"padding: 0 0 {round(12 * self.unit)}px 0;"
        )
        self.caption.setWordWrap(True)

        with _text_scale(self.text_scale):  # its items are built at the slide's text size
            self.scene = DiagramScene(document, settings)
        self.view = SlideDiagramView(self.scene)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setSceneRect(FREE_SCENE_RECT)
        self._framing: tuple[float, QPointF] | None = None  # zoom and centre: see frame()
        self._framing_pass = False

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(round(8 * self.unit))
        left.addWidget(self.view, 1)

        self.loss_plot: LossPlotPanel | None = None
        if options.with_loss:
            self.loss_plot = LossPlotPanel(document)
            self.loss_plot.style_for_picture(self.min_text_px, max(1.0, LOSS_LINE_PX * self.unit))
            content_height = height - 2 * margin - round(80 * self.unit)
            self.loss_plot.setFixedHeight(max(40, round(LOSS_HEIGHT * content_height)))
            left.addWidget(self.loss_plot)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(round(20 * self.unit))
        row.addLayout(left, 1)

        self.math: SlideDerivation | None = None
        if options.with_math:
            self.math = SlideDerivation(
                round(MATH_WIDTH * (width - 2 * margin)),
                self.text_unit,
                self.min_text_px,
                round(14 * self.unit),
                options.notation,
            )
            row.addWidget(self.math)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(margin, round(margin * 0.7), margin, round(margin * 0.7))
        layout.setSpacing(round(14 * self.unit))
        layout.addWidget(self.caption)
        layout.addLayout(row, 1)
        # The slide is exactly options.size, even when that is below the layout's minimum.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setFixedSize(QSize(width, height))
        # Lay out without showing a window: render() works on a polished, sized widget.
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        self.show()
        document.position_changed.connect(self.refresh)
        document.selection_changed.connect(self.refresh)
        document.network_changed.connect(self.refresh)
        settings.changed.connect(self.refresh)
        self.refresh()

    @contextmanager
    def scaled_text(self, fit: bool = True) -> Iterator[None]:
        """Within the block, the diagram's texts are at the slide's size (laid out, and
        drawn by ``render``); the text scale is put back as it was afterwards. Nothing
        else is drawn meanwhile: the block never returns to the event loop."""
        before = text_scale()
        with _text_scale(self.text_scale):
            if before != self.text_scale:
                self._scale_scene_texts(self.zoom)
                if fit:
                    self._fit_diagram()  # the view refitted itself for the new scale
            yield

    def _scale_scene_texts(self, zoom: float | None) -> None:
        """Values, edge labels and "+1" just large enough at ``zoom`` (None: as in the
        window) for the slide's smallest text size, at most the slide's text scale:
        larger, they would crowd the edges (a big network's values stay small)."""
        for item in self.scene.items():
            size = _scene_text_size(item)
            if size is None:
                continue
            scale = 1.0
            if zoom is not None:  # + 0.5: fonts are whole pixels in scene units
                scale = (self.min_text_px / max(zoom, 1e-9) + 0.5) / size
            most = max(1.0, self.text_scale) * (1.3 if isinstance(item, BiasNodeItem) else 1.0)
            item.set_text_scale(min(max(1.0, scale), most))  # type: ignore[attr-defined]

    def refresh(self) -> None:
        """Redraw what the signals do not reach: caption, derivation, diagram fit."""
        self.caption.setText(self.document.caption())
        if self.math is not None and not self._framing_pass:
            digits = self.options.digits
            self.math.fill(
                self.document,
                self.options.selection,
                digits if digits is not None else self.settings.digits,
            )
        with self.scaled_text(fit=False):
            self._fit_diagram()

    def frame(self, positions: Sequence[Position]) -> None:
        """One framing for the slides of ``positions`` (the steps of an iteration): the
        diagram keeps its size and place from slide to slide, at the zoom of the most
        crowded step. A later step that does not fit it gets a framing of its own."""
        self._framing = None
        self._framing_pass = True  # the derivation has no part in it: not laid out
        try:
            with self.scaled_text(fit=False):
                self._framing = self._common_framing(positions)
        finally:
            self._framing_pass = False
        self.refresh()

    def _common_framing(self, positions: Sequence[Position]) -> tuple[float, QPointF] | None:
        zooms = []
        for position in positions:
            self.document.go_to(position)
            self._fit_diagram()
            zooms.append(self.zoom)
        if not zooms:
            return None
        zoom = min(zooms)
        area = self._area()
        for _ in range(3):
            self._framing = (zoom, QPointF(0, 0))
            union = QRectF()
            for position in positions:
                self.document.go_to(position)
                self._apply_framing()
                union = union.united(self._drawn_rect())
            if union.isEmpty():
                return None
            factor = min(area.width() / union.width(), area.height() / union.height())
            if factor >= 1.0:
                break
            zoom *= factor * 0.99
        shift = union.center() - area.center()
        return zoom, self.view.mapToScene((self._viewport_centre() + shift).toPoint())

    def _viewport_centre(self) -> QPointF:
        return QRectF(self.view.viewport().rect()).center()

    def _area(self) -> QRectF:
        """Where the diagram may draw, in viewport pixels: the legends go below."""
        margin = 6.0 * self.unit
        return QRectF(self.view.viewport().rect()).adjusted(
            margin, margin, -margin, -(LEGEND_ROOM_PX * text_scale() + margin)
        )

    def _apply_framing(self) -> None:
        assert self._framing is not None
        zoom, centre = self._framing
        view = self.view
        view.setSceneRect(FREE_SCENE_RECT)  # the view's fit narrows it to the diagram
        view.resetTransform()
        view.scale(zoom, zoom)
        self.zoom = zoom
        self._scale_scene_texts(zoom * 0.98)
        view.centerOn(centre)

    def _fit_diagram(self) -> None:
        """Fit the diagram to the view, then size its scene-unit texts for that zoom
        and fit again (larger values and labels take a little more room)."""
        if self._framing is not None:
            self._apply_framing()
            if self._area().contains(self._drawn_rect()):
                return
        self._scale_scene_texts(None)
        sized_for = 0.0
        for _ in range(3):
            self.zoom = self._zoom_to_fill()
            if abs(self.zoom - sized_for) < 0.01 * self.zoom:
                break
            sized_for = self.zoom
            self._scale_scene_texts(self.zoom * 0.98)  # a little over: the zoom drops as they grow

    def _zoom_to_fill(self) -> float:
        """Zoom until everything drawn fills the view: titles, targets and legends keep
        their pixel size at any zoom, so the view's own fit (of the scene's rect with
        its margins) is either too small or too large. Returns the zoom."""
        view = self.view
        view.fit()
        view.setSceneRect(FREE_SCENE_RECT)
        area = self._area()
        if area.width() < 10 or area.height() < 10:
            return view.transform().m11()
        # Converges from either side: fixed-size texts grow less than the zoom.
        for _ in range(8):
            drawn = self._drawn_rect()
            if drawn.isEmpty():
                break
            factor = min(area.width() / drawn.width(), area.height() / drawn.height())
            zoom = view.transform().m11()
            factor = min(factor, MAX_SLIDE_ZOOM * self.unit / max(zoom, 1e-9))
            if area.contains(drawn) and factor < 1.02:
                break
            view.scale(factor * 0.99, factor * 0.99)
            drawn = self._drawn_rect()
            shift = drawn.center() - area.center()
            view.centerOn(view.mapToScene((self._viewport_centre() + shift).toPoint()))
        return view.transform().m11()

    def _drawn_rect(self) -> QRectF:
        """Where the diagram's items are drawn, in viewport pixels."""
        transform = self.view.viewportTransform()
        drawn = QRectF()
        # Not item.parentItem(): on an item whose Python wrapper is gone (the scene's
        # layer titles) PySide 6.11 then deletes the item. Edges lie between the nodes;
        # their bounding rects have room for labels on every side.
        for item in self.scene.items():
            if item.isVisible() and not isinstance(item, EdgeLayerItem):
                rect = item.deviceTransform(transform).mapRect(item.boundingRect())
                drawn = drawn.united(rect)
        return drawn

    def math_text(self) -> str:
        """The derivation as plain text ('' without one)."""
        return "" if self.math is None else self.math.toPlainText()

    @property
    def math_font_px(self) -> int:
        return 0 if self.math is None else self.math.font_px

    @property
    def math_truncated(self) -> int:
        """Equations of the step left out for want of room (a note says so)."""
        return 0 if self.math is None else self.math.truncated

    @property
    def math_fallback(self) -> bool:
        """The selection has nothing at this step: the step's equations are shown."""
        return self.math is not None and self.math.fallback

    def dispose(self) -> None:
        """Stop following the document and settings (which may live on) and close."""
        connections = [
            (self.document.position_changed, self.refresh),
            (self.document.selection_changed, self.refresh),
            (self.document.network_changed, self.refresh),
            (self.settings.changed, self.refresh),
            (self.settings.changed, self.scene.restyle),
        ]
        for signal, slot in connections:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):  # not connected (any more)
                pass
        self.close()
