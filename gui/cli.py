"""The ``backprop-lens`` command (shared/spec/network-file.md, "Command line").

``trace`` and ``train`` run headless and never import Qt; the window and
``export`` import it only when they run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

import numpy as np

from engine.fileformat import NetworkFileError, load_network, save_network
from engine.network import Network
from engine.trace import IterationTrace, trace_iteration
from engine.training import Trainer

SUBCOMMANDS = ("trace", "train", "export", "explain")
EXIT_BAD_INPUT = 2  # a bad file, bad arguments, or not enough memory for the file
EXIT_INTERNAL_ERROR = 1  # a bug: one line, the traceback only with BACKPROP_LENS_DEBUG=1
EXIT_INTERRUPTED = 130  # Ctrl+C outside trace and train (which stop cleanly and report it)


class UsageError(Exception):
    """Bad arguments or a bad file: one ``error: …`` line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the usage and exits; the spec wants one line and no usage.
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {value}")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 0, got {value}")
    return value


def _load(path: str) -> Network:
    try:
        return load_network(path)
    except NetworkFileError as error:
        raise UsageError(f"{path}: {error}") from None


def _json_values(array: Any) -> Any:
    """Nested lists for JSON; inf and NaN (a diverged run) become null."""
    values = np.asarray(array, dtype=np.float64)
    if np.isfinite(values).all():
        return values.tolist()
    with_nulls = values.astype(object)
    with_nulls[~np.isfinite(values)] = None
    return with_nulls.tolist()


def _json_number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def trace_to_json(trace: IterationTrace) -> dict[str, Any]:
    layers: list[dict[str, Any]] = [{"a": _json_values(trace.a[0])}]
    for l in range(1, trace.network.weight_layer_count + 1):
        layers.append(
            {
                "z": _json_values(trace.z[l]),
                "a": _json_values(trace.a[l]),
                "delta": _json_values(trace.delta[l]),
                "grad_weights": _json_values(trace.grad_weights[l]),
                "grad_biases": _json_values(trace.grad_biases[l]),
            }
        )
    entry: dict[str, Any] = {
        "index": trace.index,
        "rows": trace.rows.tolist(),
        "loss": _json_number(trace.loss),
        "layers": layers,
        "weights_after": [_json_values(w) for w in trace.network_after.weights],
        "biases_after": [_json_values(b) for b in trace.network_after.biases],
    }
    if trace.diverged:
        entry["diverged"] = True
    return entry


@contextlib.contextmanager
def _sigint_sets(flag: list[bool]) -> Iterator[None]:
    """Within the block, Ctrl+C sets ``flag[0]`` instead of raising KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def _stop(signum: int, frame: Any) -> None:
        flag[0] = True

    previous_handler = signal.signal(signal.SIGINT, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_handler)


def run_trace(args: argparse.Namespace) -> int:
    """Prints each iteration as soon as it is computed, so memory stays flat however
    many there are; the text is what one ``json.dump`` of the whole object writes."""
    network = _load(args.file)
    out = sys.stdout
    interrupted = [False]
    velocity = None
    with _sigint_sets(interrupted):
        for index in range(args.iterations):
            trace = trace_iteration(network, index, velocity)
            # The first entry is computed before anything is written: an error then
            # leaves stdout empty, as the spec asks.
            out.write('{"iterations": [' if index == 0 else ", ")
            out.write(json.dumps(trace_to_json(trace), allow_nan=False))
            if trace.diverged or interrupted[0]:
                break
            network, velocity = trace.network_after, trace.velocity
        out.write("]")
        if interrupted[0]:
            out.write(', "interrupted": true')
        out.write("}\n")
        out.flush()
    return 0


class _ProgressBar:
    """A one-line bar on stderr, drawn only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, total: int) -> None:
        self.total = total
        self.enabled = sys.stderr.isatty()

    def show(self, done: int, loss: float) -> None:
        if not self.enabled:
            return
        filled = self.WIDTH * done // self.total
        bar = "█" * filled + "·" * (self.WIDTH - filled)
        sys.stderr.write(f"\r{bar} {done}/{self.total}  loss {loss:.6g}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def run_train(args: argparse.Namespace) -> int:
    network = _load(args.file)
    if args.out is not None:
        if "\0" in args.out:
            raise UsageError("--out: the file name contains a NUL character")
        directory = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(directory):
            raise UsageError(f"--out: folder {directory} does not exist")
    trainer = Trainer(network)
    bar = _ProgressBar(args.iterations)
    stop = [False]
    chunk = max(1, min(10_000, args.iterations // 200))
    try:
        with _sigint_sets(stop):
            while trainer.iteration < args.iterations and not stop[0]:
                trainer.run(min(chunk, args.iterations - trainer.iteration))
                bar.show(trainer.iteration, float(trainer.losses[-1]))
                if trainer.diverged_at is not None:
                    break
    finally:
        bar.close()
    interrupted = stop[0]

    losses = trainer.losses
    result: dict[str, Any] = {
        "iterations": int(losses.shape[0]),
        "loss_first": _json_number(float(losses[0])) if losses.size else None,
        "loss_last": _json_number(float(losses[-1])) if losses.size else None,
        "diverged": trainer.diverged_at is not None,
    }
    if trainer.diverged_at is not None:
        result["diverged_at"] = trainer.diverged_at
    if interrupted:
        result["interrupted"] = True
    if args.out is not None:
        # After divergence the trainer holds the last finite parameters.
        try:
            save_network(trainer.network(), args.out)
        except NetworkFileError as error:
            reason = str(error).removeprefix("cannot save: ")
            raise UsageError(f"--out: cannot write {args.out}: {reason}") from None
        except OSError as error:
            reason = error.strerror or str(error)
            raise UsageError(f"--out: cannot write {args.out}: {reason}") from None
    json.dump(result, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if not (16 <= width <= 10_000 and 16 <= height <= 10_000):
        raise argparse.ArgumentTypeError(f"size out of range 16..10000: {text}")
    return width, height


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.25 <= value <= 8:
        raise argparse.ArgumentTypeError(f"scale out of range 0.25..8: {text}")
    return value


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    """``export`` takes the File ▸ Export choices; the diagram's defaults are the window's.

    The view choices come from gui.view_settings (Qt's core only: export needs Qt anyway)."""
    from gui.view_settings import EDGE_MODES, NODE_VALUES

    parser.description = (
        "Render one slide per step of the first iterations (as File ▸ Export does), "
        "plus loss-curve.png, without a display."
    )
    parser.add_argument("--out", metavar="DIR", required=True, help="folder for the pictures")
    parser.add_argument(
        "--iterations",
        type=_positive,
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
        type=_size,
        default=(1920, 1080),
        metavar="WxH",
        help="slide size in pixels, the layout's (default 1920x1080)",
    )
    parser.add_argument(
        "--scale",
        type=_scale,
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
        type=_positive,
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


def _subcommand_parser(command: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=f"backprop-lens {command}")
    # Only export's options have help texts yet.
    parser.add_argument(
        "file", metavar="FILE", help="the network file" if command == "export" else None
    )
    if command == "trace":
        parser.add_argument("--iterations", type=_positive, default=1)
    elif command == "train":
        parser.add_argument("--iterations", type=_positive, required=True)
        parser.add_argument("--out", metavar="OUT")
    elif command == "export":
        _export_arguments(parser)
    elif command == "explain":
        parser.add_argument(
            "--iteration",
            type=_non_negative,
            default=0,
            help="iteration to derive, 0-based like trace's index (default 0: the first)",
        )
        parser.add_argument(
            "--format", choices=("text", "markdown", "latex"), default="text", help="output format"
        )
        parser.add_argument(
            "--digits", type=_positive, default=9, help="significant digits (default 9)"
        )
        parser.add_argument(
            "--notation",
            choices=("neuron", "vector"),
            default="neuron",
            help="per-neuron (net, out, δ, w1…) or vectorised (Z[l], A[l], dW[l])",
        )
        parser.add_argument(
            "--step", help="only this step, e.g. forward-1, loss, backward-2, update"
        )
    return parser


def _window_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="backprop-lens",
        description="Open the Backprop Lens window, or run one of: " + ", ".join(SUBCOMMANDS),
    )
    parser.add_argument("file", metavar="FILE", nargs="?", help="network file to open")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the window and exit")
    parser.add_argument("--step", type=_non_negative, default=0, help="step to show (0 = start)")
    parser.add_argument(
        "--edges",
        choices=("weight", "gradient", "update"),
        default="weight",
        help="what edge colours show",
    )
    parser.add_argument(
        "--edge-scale",
        choices=("linear", "log"),
        default="linear",
        help="colour scale of gradients and updates",
    )
    parser.add_argument(
        "--nodes", choices=("a", "z", "delta"), default="a", help="what node values show"
    )
    parser.add_argument(
        "--select", metavar="LABEL", help="neuron to select, e.g. h1 (the inspector shows it)"
    )
    parser.add_argument(
        "--panel",
        choices=("inspector", "math", "network", "data", "history"),
        default="inspector",
        help="the side panel to show",
    )
    return parser


def _run_subcommand(command: str, args: argparse.Namespace) -> int:
    if command == "trace":
        return run_trace(args)
    if command == "train":
        return run_train(args)
    if command == "explain":
        from gui.explain_command import run_explain_command  # headless, no Qt

        return run_explain_command(args)
    _load(args.file)  # report a bad file before Qt starts
    from gui.export_command import run_export_command

    return run_export_command(args)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments and arguments[0] in SUBCOMMANDS:
            command = arguments[0]
            args = _subcommand_parser(command).parse_args(arguments[1:])
            return _run_subcommand(command, args)
        args = _window_parser().parse_args(arguments)
        if args.file is not None:
            _load(args.file)
        from gui.app import run_window

        return run_window(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth a traceback. What
        # is still buffered would fail again at exit, with a message: drop it.
        _discard_stdout()
        return 0
    except MemoryError:
        print("error: not enough memory for this network and data", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: one line, not a traceback
        if os.environ.get("BACKPROP_LENS_DEBUG"):
            raise
        text = str(error).splitlines()[0][:200] if str(error) else ""
        print(
            f"error: internal error: {type(error).__name__}: {text} "
            "(BACKPROP_LENS_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


def _discard_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (a test's capture): nothing is flushed at exit
