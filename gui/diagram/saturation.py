"""The warning a stuck network deserves: saturated sigmoids, vanishing gradients.

A sigmoid net at a huge learning rate jumps to outputs of 0 and 1, where σ′ ≈ 0: every
gradient vanishes and the loss stops moving, silently. The diagram says so.
"""

from __future__ import annotations

import numpy as np

from engine.trace import IterationTrace
from gui.formatting import format_number

SATURATION_MARGIN = 1e-3  # an output this close to its bounds is saturated
VANISHED_GRADIENT = 1e-8  # the largest |∂E/∂w| below this: nothing is learned
STUCK_LOSS = 1e-3  # vanished gradients at a loss above this: stuck, not converged
# Bounds of the squashing activations: a sigmoid saturates at 0 and 1, tanh at ±1.
SQUASHING = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def saturation_warning(trace: IterationTrace) -> str:
    """One line for the diagram, or '' when the network learns normally."""
    network = trace.network
    saturated = total = 0
    kinds = []
    for l in range(1, len(network.layers)):
        name = str(network.layers[l].activation)
        if name not in SQUASHING:
            continue
        low, high = SQUASHING[name]
        values = np.asarray(trace.a[l], dtype=np.float64)
        finite = values[np.isfinite(values)]
        total += int(values.size)
        saturated += int(
            np.count_nonzero(np.minimum(finite - low, high - finite) < SATURATION_MARGIN)
        )
        if name not in kinds:
            kinds.append(name)
    gradients = [np.abs(g[np.isfinite(g)]) for g in trace.grad_weights if g is not None]
    gradients = [g for g in gradients if g.size]
    largest = max((float(g.max()) for g in gradients), default=0.0)
    vanished = gradients and largest < VANISHED_GRADIENT
    bounds = " or ".join("0 or 1" if k == "sigmoid" else "−1 or 1" for k in kinds)
    margin = format_number(SATURATION_MARGIN, 3)
    if total and 2 * saturated > total:
        text = (
            f"Saturated: {saturated} of {total} {'/'.join(kinds)} outputs are within "
            f"{margin} of {bounds}"
        )
        text += "; gradients vanish" if vanished else "; gradients are tiny"
        return text + ". Lower the learning rate."
    if vanished and trace.loss > STUCK_LOSS:
        return (
            f"Gradients vanish: the largest |∂E/∂w| is {format_number(largest, 2)}, "
            "so training barely moves. Lower the learning rate."
        )
    return ""
