"""Slides of steps: PNG, SVG or PDF, headless; one step, a whole iteration, the clipboard.

A slide (16:9, 1920×1080 by default) shows the step caption on top and the diagram
with its legends; on request the chain rule of the step (the math panel's derivation)
on the right and the loss curve under the diagram. PNGs are drawn at ``scale``× (2 by
default: sharp when projected); SVG and PDF keep text as text.

Exports never move the window: they render a private copy of the document (same
network, history, position and selection), so the document's position, its views
and a running play are untouched, and stepping through an iteration for the
export costs no redraw of the main window.

``backprop-lens export FILE --out DIR`` (``run_export_command``) renders the
diagram with the caption once per step, named as the spec says:
001-forward-1.png … NNN-update.png, then loss-curve.png.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPoint, QPointF, QRect, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressDialog,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.explain import NEURON, Section
from engine.explain_format import render
from engine.network import Network
from gui import constants as C
from gui.diagram.scene import DiagramScene
from gui.diagram.view import DiagramView
from gui.document import START, NetworkDocument, Position, Selection
from gui.panels.loss_plot import LossPlotPanel
from gui.panels.math_panel import STYLE, derivation_html, derivation_sections
from gui.themes import current_theme, text_scale
from gui.view_settings import ViewSettings

FORMATS = ("png", "svg", "pdf")
PDF_PAGES = "pdf-pages"  # export_iteration: one PDF, one page per step
SLIDE_SIZE = (1920, 1080)  # the reference slide: font sizes below are for this size
MATH_WIDTH = 0.38  # of the slide's width, for the derivation
LOSS_HEIGHT = 0.3  # of the content's height, for the loss curve under the diagram
MATH_FONT_PX = (20, 19, 18, 17, 16)  # largest first; 16 px is the smallest read from afar
CAPTION_FONT_PX = 30
LOSS_FONT_PX = 16
LOSS_LINE_PX = 2.5
MARGIN_PX = 28
LEGEND_ROOM_PX = 84.0  # below the diagram for the legends, as DiagramView.fit leaves
PNG_QUALITY = 70  # zlib level 2: 40% faster than the default level 6, files 13% larger
PDF_POINTS_PER_PX = 0.5  # 1920×1080 px → 960×540 pt, the 13.33×7.5 in of a 16:9 slide

Progress = Callable[[int, int], bool]  # (done, total) -> False to stop


@dataclass(frozen=True)
class SlideOptions:
    """What a slide shows and how big it is.

    ``size`` is the slide in pixels (layout and PNG size at scale 1); ``scale`` is the
    PNG's device-pixel ratio (2: a 1920×1080 slide is a 3840×2160 image, same layout).
    ``digits`` None: the view settings' digits. ``selection``: what ``with_math``
    derives, and what the slide's diagram then highlights; None: the whole step (a
    note asks for a selection when the network is too large for that).
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


# -- the slide ---------------------------------------------------------------------------


def _pixel_font(px: int, bold: bool = False) -> QFont:
    font = QFont(C.FONT_FAMILY)
    font.setPixelSize(max(6, px))
    font.setBold(bold)
    return font


def _math_style(px: int) -> str:
    """The math panel's style, sized for a slide."""
    theme = current_theme()
    return (
        "<style>"
        f"body {{ color: {theme.ink}; font-size: {px}px; }}"
        f"a {{ text-decoration: none; color: {theme.ink}; }}"  # "inherit" breaks PDF colours
        f"h3 {{ margin: {round(px * 0.9)}px 0 {round(px * 0.35)}px 0; color: {theme.ink}; }}"
        f"p.note {{ color: {theme.muted_ink}; }}"
        f"span.eqnote {{ color: {theme.muted_ink}; }}"
        "td { padding: 1px 4px; }"
        "</style>"
    )


def _slide_html(body: str, px: int) -> str:
    """A derivation's HTML (with or without the math panel's style) sized for a slide.

    Qt applies a style sheet's ``body`` rule only from a ``<head>``, and sizes headings
    from the document's default font whatever the style says (see SlideWidget._fits);
    the equations' notes (``<small>``) stay at the body's size, in the muted colour.
    """
    if body.startswith(STYLE):
        body = body[len(STYLE) :]
    body = body.replace("<small>", "<span class='eqnote'>").replace("</small>", "</span>")
    return f"<html><head>{_math_style(px)}</head><body>{body}</body></html>"


class SlideWidget(QWidget):
    """One slide: the caption above the diagram; the derivation on the right and the
    loss curve under the diagram when the options ask for them.

    It follows ``document`` (position, selection) and ``settings`` through their
    signals, like the window's views; the widget is never shown on screen.
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
        self.unit = min(width / SLIDE_SIZE[0], height / SLIDE_SIZE[1])
        margin = round(MARGIN_PX * self.unit)
        self.math_font_px = MATH_FONT_PX[-1]
        self.math_truncated = 0  # equations left out for want of room (a note says so)
        self.setObjectName("slide")
        theme = current_theme()  # the diagram paints in it: white in the light theme
        self.setStyleSheet(f"QWidget#slide {{ background: {theme.background}; }}")
        self.setAutoFillBackground(True)

        self.caption = QLabel()
        self.caption.setObjectName("slide_caption")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)  # never markup from a file
        self.caption.setFont(_pixel_font(round(CAPTION_FONT_PX * self.unit)))
        self.caption.setStyleSheet(
            f"color: {theme.ink}; border-bottom: 1px solid {theme.neutral_edge};"
            f"padding: 0 0 {round(12 * self.unit)}px 0;"
        )
        self.caption.setWordWrap(True)

        self.scene = DiagramScene(document, settings)
        self.view = DiagramView(self.scene)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        # Room to move the diagram anywhere when fitting the labels in (_fit_diagram).
        self.view.setSceneRect(QRectF(-1e6, -1e6, 2e6, 2e6))

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(round(8 * self.unit))
        left.addWidget(self.view, 1)

        self.loss_plot: LossPlotPanel | None = None
        if options.with_loss:
            self.loss_plot = self._make_loss_plot(document)
            content_height = height - 2 * margin - round(80 * self.unit)
            self.loss_plot.setFixedHeight(max(40, round(LOSS_HEIGHT * content_height)))
            left.addWidget(self.loss_plot)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(round(20 * self.unit))
        row.addLayout(left, 1)

        self.math: QTextBrowser | None = None
        if options.with_math:
            self.math = QTextBrowser()
            self.math.setObjectName("slide_math")
            self.math.setFrameShape(QFrame.Shape.NoFrame)
            self.math.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.math.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.math.setFont(_pixel_font(MATH_FONT_PX[-1]))
            self.math.setStyleSheet(
                f"QTextBrowser {{ background: {theme.background}; border: none;"
                f"border-left: 1px solid {theme.neutral_edge};"
                f"padding-left: {round(14 * self.unit)}px; }}"
            )
            self.math.setFixedWidth(round(MATH_WIDTH * (width - 2 * margin)))
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

    def _make_loss_plot(self, document: NetworkDocument) -> LossPlotPanel:
        panel = LossPlotPanel(document)
        panel.log_y.hide()  # a slide has nothing to click
        panel.readout.hide()
        px = max(6, round(LOSS_FONT_PX * self.unit))
        panel.setFont(_pixel_font(px))
        theme = current_theme()  # the slide's colours, whatever the panel's defaults
        panel.plot.setBackground(theme.background)
        item = panel.plot.getPlotItem()
        if theme.dark:  # the panel's grid is mixed for a white background
            item.showGrid(x=False, y=False)
        item.setContentsMargins(0, px * 0.7, px * 0.7, 0)  # room for the end ticks' labels
        # Lines that survive a projector: the panel draws 1 px for speed while playing.
        width = max(1.0, LOSS_LINE_PX * self.unit)
        for curve in (panel.batch_curve, panel.dataset_curve):
            pen = QPen(curve.opts["pen"])
            pen.setWidthF(width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)  # segments join without gaps
            curve.setPen(pen)
            curve.curve.setSegmentedLineMode("on")  # 4× faster than a wide stroked path
        for name, text in (("bottom", "iteration"), ("left", "loss")):
            axis = item.getAxis(name)
            axis.setTickFont(_pixel_font(round(px * 0.9)))
            axis.setPen(theme.muted_ink)
            axis.setTextPen(theme.ink)
            axis.setZValue(-1000)  # its grid under the curve, not across it
            item.setLabel(name, text, color=theme.ink, **{"font-size": f"{px}px"})
        return panel

    def refresh(self) -> None:
        """Redraw what the signals do not reach: caption, derivation, diagram fit."""
        self.caption.setText(self.document.caption())
        if self.math is not None:
            self._fill_math()
        self._fit_diagram()

    def _fit_diagram(self) -> None:
        """Fit the diagram, then zoom out until everything drawn is inside the view:
        labels keep their pixel size at any zoom, so on a small slide (or with the
        presentation text scale) they would reach past the view's edges."""
        view = self.view
        view.fit()
        k = text_scale()
        margin = 6.0 * self.unit
        area = QRectF(view.viewport().rect()).adjusted(
            margin, margin, -margin, -(LEGEND_ROOM_PX * k + margin)
        )
        if area.width() < 10 or area.height() < 10:
            return
        for _ in range(4):
            drawn = self._drawn_rect()
            if drawn.isEmpty():
                return
            if area.contains(drawn):
                break
            factor = min(area.width() / drawn.width(), area.height() / drawn.height(), 1.0)
            if factor < 1.0:
                view.scale(factor * 0.98, factor * 0.98)
            drawn = self._drawn_rect()
            shift = drawn.center() - area.center()
            centre = QPointF(view.viewport().rect().center()) + shift
            view.centerOn(view.mapToScene(centre.toPoint()))

    def _drawn_rect(self) -> QRectF:
        """Where the diagram's items are drawn, in viewport pixels."""
        transform = self.view.viewportTransform()
        drawn = QRectF()
        for item in self.scene.items():
            if item.isVisible() and item.parentItem() is None:
                rect = item.deviceTransform(transform).mapRect(item.boundingRect())
                drawn = drawn.united(rect)
        return drawn

    # -- the derivation ------------------------------------------------------------

    def _fill_math(self) -> None:
        """The derivation at the largest font that fits; if even 16 px does not, as many
        whole equations as fit and a note saying how many are left out."""
        assert self.math is not None
        options, document = self.options, self.document
        digits = options.digits if options.digits is not None else self.settings.digits
        html = derivation_html(document, options.selection, options.notation, digits)
        sizes = [max(6, round(px * self.unit)) for px in MATH_FONT_PX]
        self.math_truncated = 0
        # The smallest size first: a long derivation is laid out in full only once.
        px, text = sizes[-1], _slide_html(html, sizes[-1])
        fits, height = self._measure(text, px)
        if fits:  # the largest size that fits
            for size in sizes[:-1]:
                if self._measure(_slide_html(html, size), size)[0]:
                    px, text = size, _slide_html(html, size)
                    break
        else:
            text = self._truncate(digits, px, height)
        self.math_font_px = px
        self.math.document().setDefaultFont(_pixel_font(px))  # headings are sized from it
        self.math.setHtml(text)

    def _truncate(self, digits: int, px: int, full_height: float) -> str:
        """As many whole equations as fit at ``px`` with the note (at worst the note)."""
        assert self.math is not None
        options = self.options
        sections = list(
            derivation_sections(self.document, options.selection, options.notation) or []
        )
        total = sum(len(section.equations) for section in sections)
        if total == 0:  # a note only, too long for the slide: shown as it is
            return _slide_html(
                derivation_html(self.document, options.selection, options.notation, digits), px
            )

        def fits(shown: int) -> bool:
            return (
                shown == 0
                or self._measure(self._truncated_html(sections, shown, total, px, digits), px)[0]
            )

        # Equations are about the same height: start from the proportional guess,
        # gallop to a bracket, then bisect (usually two or three layouts in all).
        room = self.math.viewport().height() - 4 * px
        guess = max(0, min(total - 1, int(total * room / max(full_height, 1.0))))
        if fits(guess):
            low, step = guess, 1
            while low + step <= total - 1 and fits(low + step):
                low, step = low + step, step * 2
            high = min(total - 1, low + step - 1)
        else:
            high, step = guess - 1, 1
            while not fits(max(0, high + 1 - step)):
                high, step = high + 1 - step - 1, step * 2
            low = max(0, high + 1 - step)
        while low < high:
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        self.math_truncated = total - low
        return self._truncated_html(sections, low, total, px, digits)

    def _truncated_html(
        self, sections: list[Section], shown: int, total: int, px: int, digits: int
    ) -> str:
        kept = []
        left = shown
        for section in sections:
            if left <= 0:
                break
            equations = section.equations[:left]
            left -= len(equations)
            kept.append(replace(section, equations=equations))
        hidden = total - shown
        advice = []
        if self.options.selection is None:
            advice.append("select a neuron, weight or bias to derive just that element")
        if self.options.notation == NEURON:
            advice.append("the vectorised notation is shorter")
        hint = f": {'; '.join(advice)}" if advice else ""
        note = (
            f"<p class='note'>… {hidden} more equation{'s' if hidden != 1 else ''} "
            f"not shown{hint}.</p>"
        )
        return _slide_html((render(kept, "html", digits) if kept else "") + note, px)

    def _measure(self, html: str, px: int) -> tuple[bool, float]:
        """Whether ``html`` at ``px`` fits the browser without clipping, and its height
        (laid out on a scratch document: relaying out the browser's own costs twice
        as much)."""
        assert self.math is not None
        viewport = self.math.viewport()
        scratch = QTextDocument()
        scratch.setDocumentMargin(self.math.document().documentMargin())
        scratch.setDefaultFont(_pixel_font(px))
        scratch.setTextWidth(viewport.width())
        scratch.setHtml(html)
        height = scratch.size().height()
        fits = height <= viewport.height() and scratch.idealWidth() <= viewport.width()
        return fits, height

    def math_text(self) -> str:
        """The derivation as plain text ('' without one)."""
        return "" if self.math is None else self.math.toPlainText()

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


# -- writing pictures --------------------------------------------------------------------


def _paint(widget: QWidget, painter: QPainter) -> None:
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()  # a device destroyed while painting crashes the process


def render_image(widget: QWidget, scale: float = 1.0) -> QImage:
    """``widget`` as it looks, drawn at ``scale``× (device-pixel ratio ``scale``)."""
    size = widget.size()
    image = QImage(
        round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_RGB32
    )
    image.setDevicePixelRatio(scale)
    image.fill(0xFFFFFFFF)
    _paint(widget, QPainter(image))
    return image


def _save_png(image: QImage, path: Path) -> None:
    if not image.save(str(path), "PNG", PNG_QUALITY):
        raise OSError(f"cannot write {path}")


def _begin(device: QSvgGenerator | QPdfWriter, path: Path) -> QPainter:
    """A painter on ``device``; OSError when its file cannot be opened."""
    if not path.parent.is_dir():  # checked first: Qt would only print a warning
        raise OSError(f"cannot write {path}: no folder {path.parent}")
    painter = QPainter()
    if not painter.begin(device):
        raise OSError(f"cannot write {path}")
    return painter


def _pdf_writer(path: Path, size: QSize) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setCreator("Backprop Lens")
    writer.setTitle("Backprop Lens")
    # One page of the slide's aspect; 144 dpi makes a device pixel one slide pixel.
    writer.setResolution(round(72 / PDF_POINTS_PER_PX))
    points = QSizeF(size.width() * PDF_POINTS_PER_PX, size.height() * PDF_POINTS_PER_PX)
    page = QPageSize(points, QPageSize.Unit.Point, "slide", QPageSize.SizeMatchPolicy.ExactMatch)
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    return writer


def _render_page(widget: QWidget, writer: QPdfWriter, painter: QPainter) -> None:
    painter.save()
    factor = min(writer.width() / widget.width(), writer.height() / widget.height())
    painter.scale(factor, factor)
    widget.render(painter, QPoint(0, 0))
    painter.restore()


def render_widget(widget: QWidget, path: Path, fmt: str, scale: float = 1.0) -> None:
    """Write ``widget`` as it looks to ``path`` in ``fmt`` (png, svg or pdf); ``scale``
    is the PNG's device-pixel ratio."""
    path = Path(path)
    size = widget.size()
    if fmt == "png":
        _save_png(render_image(widget, scale), path)
    elif fmt == "svg":
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setResolution(96)  # as the widgets' fonts (pixel sizes) are laid out
        generator.setTitle("Backprop Lens")
        _paint(widget, _begin(generator, path))
    elif fmt == "pdf":
        writer = _pdf_writer(path, size)
        painter = _begin(writer, path)
        try:
            _render_page(widget, writer, painter)
        finally:
            painter.end()
    else:
        raise ValueError(f"unknown format {fmt}")
    if not path.exists():
        raise OSError(f"cannot write {path}")


def _private_copy(document: NetworkDocument) -> NetworkDocument:
    """The same network, history, position and selection, in a document of its own."""
    copy = NetworkDocument(document.initial_network, document.path)
    copy.restore(document.snapshot())
    return copy


def _build_slide(
    document: NetworkDocument, settings: ViewSettings, options: SlideOptions | None
) -> SlideWidget:
    copy = _private_copy(document)
    if options is not None and options.with_math:
        copy.select(options.selection)  # the diagram highlights what is derived
    return SlideWidget(copy, settings.copy(), options)


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(allowed)}")


def export_current_step(
    document: NetworkDocument,
    settings: ViewSettings,
    path: str | Path,
    fmt: str,
    options: SlideOptions | None = None,
) -> Path:
    """The current step, as the document shows it, as one slide: ``fmt`` png, svg or pdf.

    Raises OSError when the file cannot be written, ValueError for an unknown format.
    """
    _check_format(fmt, FORMATS)
    options = options or SlideOptions()
    path = Path(path)
    slide = _build_slide(document, settings, options)
    try:
        render_widget(slide, path, fmt, options.scale)
    finally:
        slide.dispose()
    return path


def slide_image(
    document: NetworkDocument, settings: ViewSettings, options: SlideOptions | None = None
) -> QImage:
    """The current step as a slide image (size × scale pixels)."""
    options = options or SlideOptions()
    slide = _build_slide(document, settings, options)
    try:
        return render_image(slide, options.scale)
    finally:
        slide.dispose()


def copy_image(
    document: NetworkDocument, settings: ViewSettings, options: SlideOptions | None = None
) -> QImage:
    """Put the current step, as a slide image, on the clipboard; returns the image."""
    image = slide_image(document, settings, options)
    clipboard_image = image.copy()
    clipboard_image.setDevicePixelRatio(1.0)  # pasted as its full pixel size
    QGuiApplication.clipboard().setImage(clipboard_image)
    return image


def _write_slides(
    slide: SlideWidget,
    positions: Iterable[Position],
    total: int,
    target: Path,
    fmt: str,
    progress: Progress | None,
) -> list[Path]:
    """Move ``slide.document`` through ``positions``; one file per step (png, svg,
    pdf: ``target`` is a folder) or one page per step of the PDF ``target``."""
    document = slide.document
    scale = slide.options.scale
    written: list[Path] = []
    if fmt == PDF_PAGES:
        writer = _pdf_writer(target, slide.size())
        painter = _begin(writer, target)
        try:
            for done, position in enumerate(positions, start=1):
                document.go_to(position)
                if done > 1:
                    writer.newPage()
                _render_page(slide, writer, painter)
                if progress is not None and not progress(done, total):
                    break
        finally:
            painter.end()
        if not target.exists():
            raise OSError(f"cannot write {target}")
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    if fmt != "png":
        for done, position in enumerate(positions, start=1):
            document.go_to(position)
            path = target / _step_file_name(document, fmt)
            render_widget(slide, path, fmt, scale)
            written.append(path)
            if progress is not None and not progress(done, total):
                break
        return written
    # Painting must happen here (the GUI thread); compressing the PNGs, most of the
    # time, runs in threads (QImage.save releases the GIL), a few images in flight.
    workers = max(1, min(4, os.cpu_count() or 1))
    pending: deque[Future[None]] = deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            for done, position in enumerate(positions, start=1):
                document.go_to(position)
                path = target / _step_file_name(document, fmt)
                pending.append(pool.submit(_save_png, render_image(slide, scale), path))
                written.append(path)
                while len(pending) > workers:
                    pending.popleft().result()
                if progress is not None and not progress(done, total):
                    break
        finally:
            for future in pending:
                future.result()  # every file is complete (or its error raised) on return
    return written


def _step_file_name(document: NetworkDocument, fmt: str) -> str:
    """As the spec's export names it: 001-forward-1.png (numbered from iteration 1)."""
    step = document.step
    assert step is not None
    return f"{document.global_step_number():03d}-{step.key}.{fmt}"


def export_iteration(
    document: NetworkDocument,
    settings: ViewSettings,
    target: str | Path,
    fmt: str,
    options: SlideOptions | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Every step of the current iteration as slides.

    ``fmt`` png, svg or pdf: one file per step in the folder ``target`` (created if
    needed), named as ``backprop-lens export`` names them (001-forward-1.png …
    006-update.png, numbered from the first step of iteration 1). ``fmt`` "pdf-pages":
    one PDF ``target`` with one page per step. ``progress(done, total)`` is called after
    every step; when it returns False the export stops (the files written so far are
    kept; a PDF ends after the pages done). The document does not move (a private copy
    steps through the iteration). Returns the files written.
    """
    _check_format(fmt, (*FORMATS, PDF_PAGES))
    target = Path(target)
    slide = _build_slide(document, settings, options)
    try:
        iteration = slide.document.iteration
        count = len(slide.document.steps)
        positions = [Position(iteration, k) for k in range(count)]
        return _write_slides(slide, positions, count, target, fmt, progress)
    finally:
        slide.dispose()


def progress_dialog_callback(dialog: QProgressDialog) -> Progress:
    """A ``progress`` for export_iteration that drives ``dialog`` (Cancel stops)."""

    def report(done: int, total: int) -> bool:
        dialog.setMaximum(total)
        dialog.setValue(done)
        return not dialog.wasCanceled()

    return report


# -- the command line --------------------------------------------------------------------


def export_steps(
    network: Network,
    out: Path,
    iterations: int,
    fmt: str,
    size: tuple[int, int],
    progress: bool = False,
) -> list[Path]:
    """One picture per step of the first ``iterations`` iterations, then the loss curve."""
    out.mkdir(parents=True, exist_ok=True)
    document = NetworkDocument(network)
    options = SlideOptions(size=size, scale=1.0)
    slide = SlideWidget(document, ViewSettings(), options)
    steps_per_iteration = 2 * network.weight_layer_count + 2
    total = iterations * steps_per_iteration

    def positions() -> Iterable[Position]:
        for iteration in range(iterations):
            document.go_to(Position(iteration, START))
            yield from (Position(iteration, k) for k in range(len(document.steps)))
            if document.trace.diverged:
                return

    def report(done: int, total: int) -> bool:
        sys.stderr.write(f"\rexport {done}/{total}")
        sys.stderr.flush()
        return True

    written = _write_slides(slide, positions(), total, out, fmt, report if progress else None)
    if progress:
        sys.stderr.write("\n")
    plot = LossPlotPanel(document)
    plot.resize(1200, 500)
    plot.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    plot.show()
    curve = out / "loss-curve.png"
    render_widget(plot, curve, "png")
    written.append(curve)
    slide.dispose()
    plot.close()
    return written


def run_export_command(args: argparse.Namespace) -> int:
    from engine.fileformat import load_network
    from gui.app import application
    from gui.cli import UsageError

    network = load_network(args.file)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a folder")
    application()
    try:
        export_steps(
            network, out, args.iterations, args.format, args.size, progress=sys.stderr.isatty()
        )
    except OSError as error:
        raise UsageError(f"--out: {error}") from None
    return 0
