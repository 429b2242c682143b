"""The slides of every step of the first iterations, and loss-curve.png, rendered
without a window: what ``backprop-lens export`` writes (the command's arguments are
cli/export.py).

Files are named as docs/network-file.md says: 001-forward-1.png … NNN-update.png, or
the pages of one PDF. The diagram shows what the window shows on a first start (the
view settings' defaults) unless the caller's settings say otherwise.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Qt

from engine.network import Network
from gui.document import START, NetworkDocument, Position
from gui.export import PDF_PAGES, SlideFiles, _write_slides, render_widget
from gui.panels.loss_plot import LossPlotPanel
from gui.slides import MIN_TEXT_SHARE, SLIDE_SIZE, SlideOptions, SlideWidget
from gui.themes import current_theme
from gui.view_settings import ViewSettings

LOSS_PICTURE_SIZE = (1600, 900)  # loss-curve.png, drawn at 2×


def loss_curve_picture(document: NetworkDocument, path: Path, fmt: str = "png") -> Path:
    """The loss of every iteration ``document`` has computed, as a picture: the plot
    alone (no check box or readout), its text and lines sized like a slide's."""
    document.go_to(Position(max(0, document.losses.shape[0] - 1), len(document.steps) - 1))
    width, height = LOSS_PICTURE_SIZE
    plot = LossPlotPanel(document)
    px = MIN_TEXT_SHARE * height
    plot.style_for_picture(px, 3.0 * height / SLIDE_SIZE[1])
    name = Path(document.path).stem if document.path else document.built_network.name
    plot.plot.getPlotItem().setTitle(
        f"Loss per iteration · {name}", color=current_theme().ink, size=f"{round(px * 1.3)}px"
    )
    plot.layout().setContentsMargins(*(round(px),) * 4)
    plot.setFixedSize(width, height)
    plot.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    plot.show()
    plot.curve_data()  # drawn now, not when it would be seen
    try:
        render_widget(plot, path, fmt, 2.0)
    finally:
        plot.close()
    return path


def export_steps(
    network: Network,
    out: Path,
    iterations: int,
    fmt: str,
    options: SlideOptions | None = None,
    settings: ViewSettings | None = None,
    deck: Path | None = None,
    progress: bool = False,
    path: str | None = None,
) -> SlideFiles:
    """A slide per step of the first ``iterations`` iterations (files in ``out``, or
    the pages of the one PDF ``deck``), then loss-curve.png in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    document = NetworkDocument(network, path)
    slide = SlideWidget(document, settings or ViewSettings(), options or SlideOptions())
    steps_per_iteration = 2 * network.weight_layer_count + 2
    total = iterations * steps_per_iteration
    # One framing for the deck, from the first iteration: the diagram stays put.
    slide.frame([Position(0, k) for k in range(steps_per_iteration)])

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

    try:
        if deck is not None:
            written = _write_slides(
                slide, positions(), total, deck, PDF_PAGES, report if progress else None
            )
        else:
            written = _write_slides(
                slide, positions(), total, out, fmt, report if progress else None
            )
    finally:
        slide.dispose()
    if progress:
        sys.stderr.write("\n")
    written.append(loss_curve_picture(document, out / "loss-curve.png"))
    return written
