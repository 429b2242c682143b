"""``backprop-lens explain FILE``: the worked example of one iteration, headless.

Never imports Qt: the traces are chained with engine.trace.trace_iteration up to
the asked iteration (carrying the momentum), then engine.explain derives it and
engine.explain_format renders it to stdout.

``--iteration`` takes the 0-based index that ``trace`` prints (``"index": 0``); what
people read counts from 1 as the window does: ``--iteration 0`` is "iteration 1
(index 0)".
"""

from __future__ import annotations

import argparse
import sys

from cli.arguments import UsageError, load_file, non_negative, positive
from engine.explain import explain_iteration, explain_step
from engine.explain_format import render
from engine.network import Array
from engine.trace import IterationTrace, trace_iteration


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE")
    parser.add_argument(
        "--iteration",
        type=non_negative,
        default=0,
        help="iteration to derive, 0-based like trace's index (default 0: the first)",
    )
    parser.add_argument(
        "--format", choices=("text", "markdown", "latex"), default="text", help="output format"
    )
    parser.add_argument("--digits", type=positive, default=9, help="significant digits (default 9)")
    parser.add_argument(
        "--notation",
        choices=("neuron", "vector"),
        default="neuron",
        help="per-neuron (net, out, δ, w1…) or vectorised (Z[l], A[l], dW[l])",
    )
    parser.add_argument("--step", help="only this step, e.g. forward-1, loss, backward-2, update")


def iteration_name(index: int) -> str:
    """'iteration 1 (index 0)': counted from 1 as the window does, with trace's index."""
    return f"iteration {index + 1:,} (index {index:,})"


def chained_trace(
    network_file: str, iteration: int
) -> tuple[IterationTrace, tuple[Array, ...] | None]:
    """The trace of ``iteration`` (0-based) and the momentum before it."""
    network = load_file(network_file)
    velocity: tuple[Array, ...] | None = None
    for index in range(iteration + 1):
        trace = trace_iteration(network, index, velocity)
        if index == iteration:
            return trace, velocity
        if trace.diverged:
            raise UsageError(
                f"training diverged in {iteration_name(index)}, before "
                f"{iteration_name(iteration)}: the loss or a parameter is not finite"
            )
        network, velocity = trace.network_after, trace.velocity
    raise AssertionError("unreachable")


def run(args: argparse.Namespace) -> int:
    trace, previous_velocity = chained_trace(args.file, args.iteration)
    keys = [step.key for step in trace.steps]
    if args.step is not None and args.step not in keys:
        raise UsageError(f"--step: {args.step!r} is not a step of this network ({', '.join(keys)})")
    if args.step is None:
        sections = explain_iteration(trace, args.notation, previous_velocity=previous_velocity)
        what = iteration_name(trace.index)
    else:
        sections = explain_step(
            trace, args.step, notation=args.notation, previous_velocity=previous_velocity
        )
        what = f"{iteration_name(trace.index)}, step {args.step}"
    title = f"{trace.network.name}: {what}"
    if trace.diverged:
        title += " (diverged: the loss or a parameter is not finite)"
    sys.stdout.write(render(sections, args.format, args.digits, title=title))
    return 0
