"""``backprop-lens trace FILE [--iterations N]``: every value of N iterations as JSON.

Headless: never imports Qt (tests/cli/test_no_qt.py runs it with PySide6 blocked).
"""

from __future__ import annotations

import argparse
import sys

from cli.arguments import load_file, positive
from cli.interrupt import sigint_sets
from engine.trace import trace_iteration
from engine.trace_json import TraceJsonWriter


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--iterations", type=positive, default=1)


def run(args: argparse.Namespace) -> int:
    """Prints each iteration as soon as it is computed, so memory stays flat however
    many there are; the text is what one ``json.dump`` of the whole object writes."""
    network = load_file(args.file)
    writer = TraceJsonWriter(sys.stdout)
    interrupted = [False]
    velocity = None
    with sigint_sets(interrupted):
        for index in range(args.iterations):
            trace = trace_iteration(network, index, velocity)
            # The first entry is computed before anything is written: an error then
            # leaves stdout empty, as the spec asks.
            writer.write(trace)
            if trace.diverged or interrupted[0]:
                break
            network, velocity = trace.network_after, trace.velocity
        writer.finish(interrupted[0])
    return 0
