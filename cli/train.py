"""``backprop-lens train FILE --iterations N [--out OUT]``: train on the fast path and
print a one-line JSON summary; ``--out`` saves the trained network.

Headless: never imports Qt (tests/cli/test_no_qt.py runs it with PySide6 blocked).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from cli.arguments import UsageError, load_file, positive
from cli.interrupt import sigint_sets
from engine.fileformat import NetworkFileError, save_network
from engine.trace_json import json_number
from engine.training import Trainer


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--iterations", type=positive, required=True)
    parser.add_argument("--out", metavar="OUT")


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


def run(args: argparse.Namespace) -> int:
    network = load_file(args.file)
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
        with sigint_sets(stop):
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
        "loss_first": json_number(float(losses[0])) if losses.size else None,
        "loss_last": json_number(float(losses[-1])) if losses.size else None,
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
