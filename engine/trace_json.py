"""A trace as JSON (docs/network-file.md, "Trace output"): what ``backprop-lens trace``
prints, written one iteration at a time so that memory stays flat however many there are.

Non-finite numbers (a diverged run) become ``null``: the output is strict JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any, TextIO

import numpy as np

from engine.trace import IterationTrace


def json_values(array: Any) -> Any:
    """Nested lists for JSON; inf and NaN (a diverged run) become null."""
    values = np.asarray(array, dtype=np.float64)
    if np.isfinite(values).all():
        return values.tolist()
    with_nulls = values.astype(object)
    with_nulls[~np.isfinite(values)] = None
    return with_nulls.tolist()


def json_number(value: float) -> float | None:
    """``value``, or None (null) when it is not finite."""
    return value if math.isfinite(value) else None


def trace_to_json(trace: IterationTrace) -> dict[str, Any]:
    """One entry of ``"iterations"``: every value of the iteration ``trace`` holds."""
    layers: list[dict[str, Any]] = [{"a": json_values(trace.a[0])}]
    for l in range(1, trace.network.weight_layer_count + 1):
        layers.append(
            {
                "z": json_values(trace.z[l]),
                "a": json_values(trace.a[l]),
                "delta": json_values(trace.delta[l]),
                "grad_weights": json_values(trace.grad_weights[l]),
                "grad_biases": json_values(trace.grad_biases[l]),
            }
        )
    entry: dict[str, Any] = {
        "index": trace.index,
        "rows": trace.rows.tolist(),
        "loss": json_number(trace.loss),
        "layers": layers,
        "weights_after": [json_values(w) for w in trace.network_after.weights],
        "biases_after": [json_values(b) for b in trace.network_after.biases],
    }
    if trace.diverged:
        entry["diverged"] = True
    return entry


class TraceJsonWriter:
    """Writes ``{"iterations": [...]}`` to ``out`` one entry at a time; the text is
    exactly what one ``json.dump`` of the whole object writes."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._written = 0

    def write(self, trace: IterationTrace) -> None:
        entry = json.dumps(trace_to_json(trace), allow_nan=False)  # before any byte is out
        self._out.write('{"iterations": [' if self._written == 0 else ", ")
        self._out.write(entry)
        self._written += 1

    def finish(self, interrupted: bool = False) -> None:
        """Closes the object (with ``"interrupted": true`` after Ctrl+C) and flushes."""
        if self._written == 0:
            self._out.write('{"iterations": [')
        self._out.write("]")
        if interrupted:
            self._out.write(', "interrupted": true')
        self._out.write("}\n")
        self._out.flush()
