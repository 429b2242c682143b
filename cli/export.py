"""``backprop-lens export FILE --out DIR``: the slides of every step of the first
iterations, as File ▸ Export draws them, and loss-curve.png, without a display.

Qt is imported only when the command runs (and its view choices when its parser is
built), after FILE has been read without error. The drawing is gui/export_steps.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.arguments import UsageError, load_file, positive, scale, size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``export`` takes the File ▸ Export choices; the diagram's defaults are the window's.

    The view choices come from gui.view_settings (Qt's core only: export needs Qt anyway)."""
    from gui.view_settings import EDGE_MODES, NODE_VALUES

    parser.description = (
        "Render one slide per step of the first iterations (as File ▸ Export does), "
        "plus loss-curve.png, without a display."
    )
    parser.add_argument("file", metavar="FILE", help="the network file")
    parser.add_argument("--out", metavar="DIR", required=True, help="folder for the pictures")
    parser.add_argument(
        "--iterations",
        type=positive,
        default=1,
        metavar="N",
        help="iterations to export (default 1)",
    )
    parser.add_argument(
        "--format",
        choices=("png", "svg", "pdf"),
        default=None,
        help="one file per step: png (sharp at --scale), svg or pdf (text stays text); default png",
    )
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="one PDF with a page per step (FILE's name .pdf in DIR) instead of a file per step",
    )
    parser.add_argument(
        "--size",
        type=size,
        default=(1920, 1080),
        metavar="WxH",
        help="slide size in pixels, the layout's (default 1920x1080)",
    )
    parser.add_argument(
        "--scale",
        type=scale,
        default=2.0,
        metavar="S",
        help="PNG pixels per slide pixel (default 2: a 1920x1080 slide is 3840x2160)",
    )
    parser.add_argument(
        "--view",
        choices=NODE_VALUES,
        default=None,
        help="what the neurons show: "
        + ("auto (what each step computes), " if "auto" in NODE_VALUES else "")
        + "a (activation), z (net input) or delta (error signal δ); default: the window's",
    )
    parser.add_argument(
        "--edges",
        choices=EDGE_MODES,
        default=None,
        help="what the edges show: "
        + ("auto (what each step computes), " if "auto" in EDGE_MODES else "")
        + "weight, gradient (∂E/∂w) or update (Δw); default: the window's",
    )
    parser.add_argument(
        "--digits",
        type=positive,
        default=None,
        metavar="D",
        help="significant digits of the numbers shown (default: the window's)",
    )
    parser.add_argument(
        "--with-math",
        action="store_true",
        help="the chain rule of each step beside the diagram (File ▸ Export ▸ Include the "
        "derivation)",
    )
    parser.add_argument(
        "--with-loss",
        action="store_true",
        help="the loss curve under the diagram on every slide (File ▸ Export ▸ Include the "
        "loss curve)",
    )
    parser.add_argument(
        "--notation",
        choices=("neuron", "vector"),
        default="neuron",
        help="with --with-math: per-neuron (net, out, δ, w1…) or vectorised (Z[l], A[l], dW[l])",
    )


def run(args: argparse.Namespace) -> int:
    network = load_file(args.file)  # report a bad file before Qt starts
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a folder")
    from gui.app import application
    from gui.export_steps import export_steps
    from gui.slides import SlideOptions
    from gui.view_settings import ViewSettings

    application()
    settings = ViewSettings()  # the window's defaults, as a first start shows them
    if args.view is not None:
        settings.node_value = args.view
    if args.edges is not None:
        settings.edge_mode = args.edges
    if args.digits is not None:
        settings.digits = args.digits
    options = SlideOptions(
        size=args.size,
        scale=args.scale,
        with_math=args.with_math,
        with_loss=args.with_loss,
        notation=args.notation,
    )
    fmt = args.format or "png"
    deck = None
    if args.pdf:
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
