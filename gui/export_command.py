"""``backprop-lens export FILE --out DIR``: the slides of every step of the first
iterations, as File ▸ Export draws them, and loss-curve.png, without a display.

Files are named as the spec says: 001-forward-1.png … NNN-update.png; with ``--pdf``
one PDF of every step instead. The diagram shows what the window shows on a first
start (the view settings' defaults) unless ``--view`` / ``--edges`` say otherwise.
"""

from __future__ import annotations

import argparse
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


def run_export_command(args: argparse.Namespace) -> int:
    from engine.fileformat import load_network
    from gui.app import application
    from gui.cli import UsageError

    network = load_network(args.file)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a folder")
    application()
    settings = ViewSettings()  # the window's defaults, as a first start shows them
    if getattr(args, "view", None) is not None:
        settings.node_value = args.view
    if getattr(args, "edges", None) is not None:
        settings.edge_mode = args.edges
    if getattr(args, "digits", None) is not None:
        settings.digits = args.digits
    options = SlideOptions(
        size=args.size,
        scale=getattr(args, "scale", 2.0),
        with_math=getattr(args, "with_math", False),
        with_loss=getattr(args, "with_loss", False),
        notation=getattr(args, "notation", "neuron"),
    )
    fmt = getattr(args, "format", None) or "png"
    deck = None
    if getattr(args, "pdf", False):
        if fmt != "pdf" and args.format is not None:
            raise UsageError(f"--pdf writes one PDF: leave out --format {fmt}")
        deck = out / f"{Path(args.file).stem}.pdf"
    try:
        export_steps(
            network,
            out,
            args.iterations,
            fmt,
            options,
            settings,
            deck,
            progress=sys.stderr.isatty(),
            path=str(args.file),
        )
    except OSError as error:
        raise UsageError(f"--out: {error}") from None
    return 0
