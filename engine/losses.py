"""Loss functions and their reductions, forward and backward side by side.

A loss is computed in three stages, each visible in the math panel:
per-output terms (batch x outputs) -> per-sample losses (``outputs`` reduction)
-> one number (``batch`` reduction). ``gradient`` returns dL/dy of the final
number, so the reductions' factors are already in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

LOSS_KINDS = ("squared_error", "binary_cross_entropy", "cross_entropy")
LOSS_NAMES = {
    "squared_error": "squared error",
    "binary_cross_entropy": "binary cross-entropy",
    "cross_entropy": "cross-entropy",
}
# Cross-entropies of targets outside [0, 1] are not losses: they can go below zero.
PROBABILITY_TARGETS = ("binary_cross_entropy", "cross_entropy")
REDUCTIONS = ("sum", "mean")


@dataclass(frozen=True)
class LossSpec:
    kind: str = "squared_error"
    scale: float = 0.5  # only squared_error uses it: term = scale * (y - t)^2
    outputs: str = "sum"
    batch: str = "mean"

    def describe(self) -> str:
        if self.kind == "squared_error":
            scale = "½" if self.scale == 0.5 else f"{self.scale:g}·"
            term = f"{scale}(y − t)²"
        elif self.kind == "binary_cross_entropy":
            term = "−[t ln y + (1 − t) ln(1 − y)]"
        else:
            term = "−t ln y"
        return f"{term}, {self.outputs} over outputs, {self.batch} over the batch"


@dataclass(frozen=True)
class LossPreset:
    """A named loss convention, so nobody needs to know that MSE is scale 1, mean over the
    outputs and mean over the batch."""

    key: str
    title: str
    spec: LossSpec

    def matches(self, spec: LossSpec) -> bool:
        """``spec`` is this convention (the scale counts for squared error only)."""
        mine = self.spec
        same = (mine.kind, mine.outputs, mine.batch) == (spec.kind, spec.outputs, spec.batch)
        return same and (spec.kind != "squared_error" or mine.scale == spec.scale)


LOSS_PRESETS = (
    # The tutorials' E = ½ Σ (t − out)² (seed 003), averaged over a batch.
    LossPreset(
        "half_sse", "½ sum of squared errors", LossSpec("squared_error", 0.5, "sum", "mean")
    ),
    LossPreset(
        "half_sse_sum",
        "½ sum of squared errors, batch summed",
        LossSpec("squared_error", 0.5, "sum", "sum"),
    ),
    LossPreset("mse", "mean squared error (MSE)", LossSpec("squared_error", 1.0, "mean", "mean")),
    LossPreset("sse", "sum of squared errors (SSE)", LossSpec("squared_error", 1.0, "sum", "sum")),
    LossPreset(
        "bce", "binary cross-entropy", LossSpec("binary_cross_entropy", 0.5, "mean", "mean")
    ),
    LossPreset("ce", "cross-entropy", LossSpec("cross_entropy", 0.5, "sum", "mean")),
)


def loss_preset(spec: LossSpec) -> LossPreset | None:
    """The named convention ``spec`` is, or None (a custom combination)."""
    return next((preset for preset in LOSS_PRESETS if preset.matches(spec)), None)


@dataclass(frozen=True)
class _Kind:
    term: Callable[[Array, Array, float], Array]  # per-output term
    term_gradient: Callable[[Array, Array, float], Array]  # d term / dy
    formula: str
    gradient_formula: str


def _se_term(y: Array, t: Array, scale: float) -> Array:
    diff = y - t
    return scale * diff * diff


def _se_gradient(y: Array, t: Array, scale: float) -> Array:
    return 2.0 * scale * (y - t)


def _bce_term(y: Array, t: Array, scale: float) -> Array:
    return -(t * np.log(y) + (1.0 - t) * np.log(1.0 - y))


def _bce_gradient(y: Array, t: Array, scale: float) -> Array:
    return (y - t) / (y * (1.0 - y))


def _ce_term(y: Array, t: Array, scale: float) -> Array:
    return -(t * np.log(y))


def _ce_gradient(y: Array, t: Array, scale: float) -> Array:
    return -t / y


KINDS: dict[str, _Kind] = {
    "squared_error": _Kind(_se_term, _se_gradient, "s (y − t)²", "2 s (y − t)"),
    "binary_cross_entropy": _Kind(
        _bce_term, _bce_gradient, "−[t ln y + (1 − t) ln(1 − y)]", "(y − t) / (y (1 − y))"
    ),
    "cross_entropy": _Kind(_ce_term, _ce_gradient, "−t ln y", "−t / y"),
}


def target_range_problem(kind: str, targets: Array) -> tuple[tuple[int, int], str] | None:
    """((row, column), reason) of the first target this loss cannot take, or None."""
    if kind not in PROBABILITY_TARGETS:
        return None
    outside = np.argwhere(~((targets >= 0.0) & (targets <= 1.0)))
    if outside.size == 0:
        return None
    row, column = (int(i) for i in outside[0])
    value = float(targets[row, column])
    return (row, column), f"{LOSS_NAMES[kind]} needs targets in [0, 1], got {value!r}"


def output_terms(spec: LossSpec, y: Array, t: Array) -> Array:
    """Per-output loss terms, batch x outputs, before any reduction."""
    return KINDS[spec.kind].term(y, t, spec.scale)


def reduction_factor(spec: LossSpec, batch_rows: int, outputs: int) -> float:
    """dL/d(term): the factor the two reductions put on every term."""
    factor = 1.0
    if spec.outputs == "mean":
        factor /= outputs
    if spec.batch == "mean":
        factor /= batch_rows
    return factor


def sample_losses(spec: LossSpec, terms: Array) -> Array:
    """One loss per sample: the outputs reduction of each row of terms."""
    per_sample: Array = terms.sum(axis=1)
    if spec.outputs == "mean":
        per_sample = per_sample / terms.shape[1]
    return per_sample


def combine_samples(spec: LossSpec, per_sample: Array) -> float:
    total = float(per_sample.sum())
    if spec.batch == "mean":
        total /= per_sample.shape[0]
    return total


def loss_value(spec: LossSpec, y: Array, t: Array) -> float:
    return combine_samples(spec, sample_losses(spec, output_terms(spec, y, t)))


def gradient(spec: LossSpec, y: Array, t: Array) -> Array:
    """dL/dy of the reduced loss, batch x outputs."""
    factor = reduction_factor(spec, y.shape[0], y.shape[1])
    return KINDS[spec.kind].term_gradient(y, t, spec.scale) * factor
