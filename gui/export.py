"""Pictures of steps for slides: PNG, SVG or PDF, headless.

``backprop-lens export FILE --out DIR`` renders the main window's diagram
(with the step caption and the legends) once per step, named as the spec
says: 001-forward-1.png … NNN-update.png, then loss-curve.png.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPoint, QRect, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QVBoxLayout, QWidget

from engine.network import Network
from gui import constants as C
from gui.diagram.scene import DiagramScene
from gui.diagram.view import DiagramView
from gui.document import START, NetworkDocument, Position
from gui.panels.loss_plot import LossPlotPanel
from gui.panels.step_controls import StepCaption
from gui.view_settings import ViewSettings

FORMATS = ("png", "svg", "pdf")


class SlideWidget(QWidget):
    """What one exported picture shows: the caption above the diagram."""

    def __init__(self, document: NetworkDocument, settings: ViewSettings, size: QSize) -> None:
        super().__init__()
        self.setStyleSheet(f"background: {C.BACKGROUND};")
        self.scene = DiagramScene(document, settings)
        self.view = DiagramView(self.scene)
        self.view.setFrameShape(DiagramView.Shape.NoFrame)
        self.caption = StepCaption(document)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        self.resize(size)
        # Lay out without showing a window: render() works on a polished, sized widget.
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        self.show()
        self.view.fit()


def _paint(widget: QWidget, painter: QPainter) -> None:
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()  # a device destroyed while painting crashes the process


def render_widget(widget: QWidget, path: Path, fmt: str, scale: float = 1.0) -> None:
    """Write ``widget`` as it looks to ``path`` in ``fmt`` (png, svg or pdf)."""
    size = widget.size()
    if fmt == "png":
        image = QImage(size * scale, QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(scale)
        image.fill(0xFFFFFFFF)
        _paint(widget, QPainter(image))
        if not image.save(str(path)):
            raise OSError(f"cannot write {path}")
    elif fmt == "svg":
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setTitle("Backprop Lens")
        _paint(widget, QPainter(generator))
    elif fmt == "pdf":
        writer = QPdfWriter(str(path))
        writer.setResolution(96)
        page = QPageSize(QSizeF(size.width(), size.height()), QPageSize.Unit.Point, "slide")
        writer.setPageLayout(
            QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
        )
        painter = QPainter(writer)
        scale_x = writer.width() / size.width()
        painter.scale(scale_x, scale_x)
        _paint(widget, painter)
    else:
        raise ValueError(f"unknown format {fmt}")
    if not path.exists():
        raise OSError(f"cannot write {path}")


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
    settings = ViewSettings()
    slide = SlideWidget(document, settings, QSize(*size))
    written: list[Path] = []
    number = 0
    steps_per_iteration = 2 * network.weight_layer_count + 2
    total = iterations * steps_per_iteration
    for iteration in range(iterations):
        document.go_to(Position(iteration, START))
        for k, step in enumerate(document.steps):
            number += 1
            document.go_to(Position(iteration, k))
            path = out / f"{number:03d}-{step.key}.{fmt}"
            render_widget(slide, path, fmt)
            written.append(path)
            if progress:
                sys.stderr.write(f"\rexport {number}/{total}")
                sys.stderr.flush()
        if document.trace.diverged:
            break
    if progress:
        sys.stderr.write("\n")
    plot = LossPlotPanel(document)
    plot.resize(1200, 500)
    plot.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    plot.show()
    curve = out / "loss-curve.png"
    render_widget(plot, curve, "png")
    written.append(curve)
    slide.close()
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
