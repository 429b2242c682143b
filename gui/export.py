"""Slides of steps as files: PNG, SVG or PDF, headless; one step, a whole iteration,
the clipboard. The slide itself is gui.slides.SlideWidget; ``backprop-lens export`` is
cli/export.py, drawing with gui/export_steps.py.

PNGs are drawn at ``scale``× (2 by default: sharp when projected); SVG and PDF keep
text as text. Exports never move the window: they render a private copy of the
document (same network, history, position and selection), so the document's position,
its views and a running play are untouched, and stepping through an iteration for the
export costs no redraw of the main window.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPoint, QRect, QSize, QSizeF
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QProgressDialog, QWidget

from gui.document import NetworkDocument, Position
from gui.slides import SLIDE_SIZE, SlideOptions, SlideWidget, options_from_window
from gui.view_settings import ViewSettings

__all__ = [
    "FORMATS",
    "PDF_PAGES",
    "SLIDE_SIZE",
    "SlideFiles",
    "SlideOptions",
    "SlideWidget",
    "copy_image",
    "export_current_step",
    "export_iteration",
    "options_from_window",
    "progress_dialog_callback",
    "render_widget",
    "slide_image",
    "suggested_file_name",
]

FORMATS = ("png", "svg", "pdf")
PDF_PAGES = "pdf-pages"  # export_iteration: one PDF, one page per step
PNG_QUALITY = 70  # zlib level 2: 40% faster than the default level 6, files 13% larger
PDF_POINTS_PER_PX = 0.5  # 1920×1080 px → 960×540 pt, the 13.33×7.5 in of a 16:9 slide

Progress = Callable[[int, int], bool]  # (done, total) -> False to stop


class SlideFiles(list[Path]):
    """The files an export wrote, and how many steps they hold (a PDF of the whole
    iteration is one file of several pages)."""

    def __init__(self, paths: Iterable[Path] = (), steps: int = 0, pdf: bool = False) -> None:
        super().__init__(paths)
        self.steps = steps
        self.pdf = pdf

    @property
    def message(self) -> str:
        """What the status bar says: 'Exported 6 steps in one PDF: …/iteration.pdf'."""
        steps = f"{self.steps} step{'s' if self.steps != 1 else ''}"
        if not self:
            return "Exported nothing"
        if self.pdf:
            return f"Exported {steps} in one PDF: {self[0]}"
        return f"Exported {steps} to {self[0].parent}"


def suggested_file_name(document: NetworkDocument, fmt: str) -> str:
    """A name for the save dialog: 'step-by-step-2-2-2 004-backward-2.png' for the
    current step, 'step-by-step-2-2-2 iteration 1.pdf' for a whole iteration (``fmt``
    PDF_PAGES)."""
    stem = Path(document.path).stem if document.path else document.built_network.name
    stem = "".join(c for c in stem if c.isprintable() and c not in '/\\:*?"<>|').strip()
    stem = stem[:60].strip() or "network"
    if fmt == PDF_PAGES:
        return f"{stem} iteration {document.iteration + 1}.pdf"
    step = document.step
    key = step.key if step is not None else "start"
    return f"{stem} {document.global_step_number():03d}-{key}.{fmt}"


# -- writing pictures --------------------------------------------------------------


def _drawing(widget: QWidget) -> contextlib.AbstractContextManager[None]:
    """A slide draws its diagram's texts at the slide's size; other widgets as they are."""
    return widget.scaled_text() if isinstance(widget, SlideWidget) else nullcontext()


def _paint(widget: QWidget, painter: QPainter) -> None:
    try:
        with _drawing(widget):
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
    try:
        factor = min(writer.width() / widget.width(), writer.height() / widget.height())
        painter.scale(factor, factor)
        with _drawing(widget):
            widget.render(painter, QPoint(0, 0))
    finally:
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


@contextmanager
def _slide(
    document: NetworkDocument, settings: ViewSettings, options: SlideOptions | None
) -> Iterator[SlideWidget]:
    slide = _build_slide(document, settings, options)
    try:
        yield slide
    finally:
        slide.dispose()


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
    with _slide(document, settings, options) as slide:
        render_widget(slide, path, fmt, options.scale)
    return path


def slide_image(
    document: NetworkDocument, settings: ViewSettings, options: SlideOptions | None = None
) -> QImage:
    """The current step as a slide image (size × scale pixels)."""
    options = options or SlideOptions()
    with _slide(document, settings, options) as slide:
        return render_image(slide, options.scale)


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
) -> SlideFiles:
    """Move ``slide.document`` through ``positions``; one file per step (png, svg,
    pdf: ``target`` is a folder) or one page per step of the PDF ``target``. The
    progress is reported outside the slide's text scale: a dialog may repaint the window."""
    document = slide.document
    scale = slide.options.scale
    if fmt == PDF_PAGES:
        writer = _pdf_writer(target, slide.size())
        painter = _begin(writer, target)
        pages = 0
        try:
            for done, position in enumerate(positions, start=1):
                with slide.scaled_text():
                    document.go_to(position)
                    if done > 1:
                        writer.newPage()
                    _render_page(slide, writer, painter)
                pages = done
                if progress is not None and not progress(done, total):
                    break
        finally:
            painter.end()
        if not target.exists():
            raise OSError(f"cannot write {target}")
        return SlideFiles([target], steps=pages, pdf=True)
    target.mkdir(parents=True, exist_ok=True)
    written = SlideFiles()
    if fmt != "png":
        for done, position in enumerate(positions, start=1):
            with slide.scaled_text():
                document.go_to(position)
                path = target / _step_file_name(document, fmt)
                render_widget(slide, path, fmt, scale)
            written.append(path)
            written.steps = done
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
                with slide.scaled_text():
                    document.go_to(position)
                    path = target / _step_file_name(document, fmt)
                    image = render_image(slide, scale)
                pending.append(pool.submit(_save_png, image, path))
                written.append(path)
                written.steps = done
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
) -> SlideFiles:
    """Every step of the current iteration as slides.

    ``fmt`` png, svg or pdf: one file per step in the folder ``target`` (created if
    needed), named as ``backprop-lens export`` names them (001-forward-1.png …
    006-update.png, numbered from the first step of iteration 1). ``fmt`` "pdf-pages":
    one PDF ``target`` with one page per step. ``progress(done, total)`` is called after
    every step; when it returns False the export stops (the files written so far are
    kept; a PDF ends after the pages done). The document does not move (a private copy
    steps through the iteration). Returns the files written (a list) with the number
    of steps they hold and the status line that says so (``SlideFiles.message``).
    """
    _check_format(fmt, (*FORMATS, PDF_PAGES))
    target = Path(target)
    with _slide(document, settings, options) as slide:
        iteration = slide.document.iteration
        count = len(slide.document.steps)
        positions = [Position(iteration, k) for k in range(count)]
        slide.frame(positions)  # the diagram stays put from slide to slide
        return _write_slides(slide, positions, count, target, fmt, progress)


def progress_dialog_callback(dialog: QProgressDialog) -> Progress:
    """A ``progress`` for export_iteration that drives ``dialog`` (Cancel stops)."""

    def report(done: int, total: int) -> bool:
        dialog.setMaximum(total)
        dialog.setValue(done)
        return not dialog.wasCanceled()

    return report
