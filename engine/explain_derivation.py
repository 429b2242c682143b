"""What both notations' derivations share: ``_Derivation``, the loss term's formula.

``_Derivation`` holds the trace, the network's labels and sizes, the batch (each
sample's own derivatives, from the same trace with the batch summed), the filters
that skip equations which cannot concern a selected element, and the engine's own
numbers the equations quote (∂out/∂net, the gradients, the momentum before the
update). The notations build on it: engine/explain_neuron.py and
engine/explain_vector.py. ``ACTIVATION_TITLES`` spells the activations for every
text a person reads (engine.explain re-exports it for the GUI).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from engine.activations import ACTIVATIONS
from engine.explain_refs import REF_BIAS, REF_NEURON, REF_WEIGHT, ElementRef
from engine.explain_terms import (
    ADD,
    HALF,
    LN,
    MUL,
    NEG,
    ONE,
    POW,
    SUB,
    Const,
    Expr,
    _apply,
    _fraction,
)
from engine.losses import LossSpec
from engine.network import Array
from engine.trace import IterationTrace, trace_iteration

# Activations as every text a person reads spells them (menus, panels, equations).
ACTIVATION_TITLES = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "linear": "linear",
    "softmax": "softmax",
}


def activation_title(name: str | None) -> str:
    """'ReLU' for 'relu'; an unknown name as it is."""
    return ACTIVATION_TITLES.get(name or "", name or "")


# -- the derivation ----------------------------------------------------------------


class _Derivation:
    """Builds the sections of one trace; shared by both notations."""

    def __init__(
        self,
        trace: IterationTrace,
        previous_velocity: Sequence[Array] | None,
        selection: ElementRef | None = None,
    ) -> None:
        self.trace = trace
        self.network = trace.network
        self.selection = selection
        self.labels = [self.network.labels(l) for l in range(len(self.network.layers))]
        self.sizes = self.network.sizes
        self.L = self.network.weight_layer_count
        self.B = trace.batch_size
        loss = self.network.loss
        # Each sample's own derivatives: the same trace with the batch summed, so
        # that row s of delta is ∂E⁽ˢ⁾/∂z (the engine's own computation).
        if self.B == 1 or loss.batch == "sum":
            self.own = trace
        else:
            summed = self.network.replace(loss=dataclasses.replace(loss, batch="sum"))
            self.own = trace_iteration(summed, trace.index)
        self.previous_velocity = previous_velocity
        self.weight_offsets = [0]
        self.bias_offsets = [0]
        for l in range(1, self.L + 1):
            self.weight_offsets.append(
                self.weight_offsets[-1] + int(trace.network.weights[l - 1].size)
            )
            self.bias_offsets.append(self.bias_offsets[-1] + self.sizes[l])

    # -- shared helpers

    def needed(self, l: int, j: int, backward: bool = False) -> bool:
        """False when no equation of neuron j of layer l can concern the selection.

        A quick superset that saves building thousands of equations for a large
        layer: explain_step still keeps only the equations that do.
        """
        sel = self.selection
        if sel is None or sel.kind not in (REF_NEURON, REF_WEIGHT, REF_BIAS):
            return True
        if sel.kind == REF_NEURON:
            if sel.layer == l:  # softmax: every δ_j uses every out_i of its layer
                return sel.j == j or self.activation(l) == "softmax"
            return sel.layer == l - 1 or (backward and sel.layer == l + 1)
        if sel.kind == REF_BIAS:
            return sel.layer == l and sel.j == j
        if sel.layer == l:
            return sel.j == j
        return backward and sel.layer == l + 1 and sel.i == j  # w(j→o) in ∂E/∂out_j

    def chain_needed(self, l: int, j: int) -> bool:
        """The same for the equations of neuron j of layer l itself (out, ∂E/∂out, δ, ∂E/∂b)."""
        sel = self.selection
        if sel is None or sel.kind not in (REF_NEURON, REF_WEIGHT, REF_BIAS):
            return True
        if sel.layer != l:
            return False
        return sel.j == j or (sel.kind == REF_NEURON and self.activation(l) == "softmax")

    def through_next(self, l: int, j: int) -> bool:
        """The selection is a neuron of layer l+1 or a weight from neuron j into it."""
        sel = self.selection
        if sel is None or sel.kind not in (REF_NEURON, REF_WEIGHT, REF_BIAS):
            return True
        if sel.layer != l + 1:
            return False
        return sel.kind == REF_NEURON or (sel.kind == REF_WEIGHT and sel.i == j)

    def needed_part(self, l: int, j: int, o: int) -> bool:
        """The same for the share of ∂E/∂out_j that comes through neuron o of layer l+1."""
        sel = self.selection
        if sel is None or sel.kind not in (REF_NEURON, REF_WEIGHT, REF_BIAS):
            return True
        if sel.layer == l and sel.j == j:
            return True
        return sel in (ElementRef.neuron(l + 1, o), ElementRef.weight(l + 1, o, j))

    def needed_weight(self, l: int, j: int, i: int) -> bool:
        """The same for the equations of weights[l-1][j][i] alone."""
        sel = self.selection
        if sel is None or sel.kind not in (REF_NEURON, REF_WEIGHT, REF_BIAS):
            return True
        return sel in (
            ElementRef.weight(l, j, i),
            ElementRef.neuron(l, j),
            ElementRef.neuron(l - 1, i),
        )

    def sample_no(self, s: int) -> int | None:
        return s + 1 if self.B > 1 else None

    def per_sample(self, s: int) -> int | None:
        """The Equation.sample of a gradient: None when it is already the batch's."""
        return s if self.B > 1 else None

    def sample_title(self, title: str, s: int) -> str:
        if self.B == 1:
            return title
        row = int(self.trace.rows[s]) + 1
        return f"{title} — sample {s + 1} of {self.B} (data row {row})"

    def combine(self, parts: Sequence[Expr]) -> Expr:
        """The batch's gradient from its samples' gradients."""
        total = _apply(ADD, *parts)
        if self.network.loss.batch == "mean":
            return _apply(MUL, _fraction(self.B), total)
        return total

    def combine_note(self) -> str:
        if self.network.loss.batch == "mean":
            return (
                f"the loss is the mean over the batch: the {self.B} samples' gradients ÷ {self.B}"
            )
        return f"the loss is the sum over the batch: the {self.B} samples' gradients add up"

    def derivatives(self, l: int) -> Array | None:
        """∂out/∂net of layer l, batch × size, by the engine's own function."""
        activation = ACTIVATIONS[self.activation(l)]
        if activation.derivative is None:
            return None
        z = self.trace.z[l]
        assert z is not None
        return activation.derivative(z, self.trace.a[l])

    def activation(self, l: int) -> str:
        name = self.network.layers[l].activation
        assert name is not None
        return name

    def velocities(self) -> tuple[Array, ...] | None:
        """Momentum before the update (weights then biases), checked against the trace."""
        trace = self.trace
        if trace.velocity is None:
            return None
        gradients = [g for g in (*trace.grad_weights[1:], *trace.grad_biases[1:]) if g is not None]
        if self.previous_velocity is None:
            previous: Sequence[Array] = [np.zeros_like(g) for g in gradients]
        else:
            previous = self.previous_velocity
        momentum = self.network.optimizer.momentum
        if len(previous) != len(gradients) or not all(
            np.array_equal(momentum * v + g, after, equal_nan=True)
            for v, g, after in zip(previous, gradients, trace.velocity, strict=True)
        ):
            raise ValueError(
                "the momentum before this iteration is needed: pass previous_velocity "
                "(the previous trace's velocity)"
            )
        return tuple(previous)

    def grad_weights(self, l: int) -> Array:
        g = self.trace.grad_weights[l]
        assert g is not None
        return g

    def grad_biases(self, l: int) -> Array:
        g = self.trace.grad_biases[l]
        assert g is not None
        return g

    def own_delta(self, l: int) -> Array:
        d = self.own.delta[l]
        assert d is not None
        return d


# -- shared formulas ---------------------------------------------------------------


def _loss_term_expression(spec: LossSpec, y: Expr, t: Expr, times: str) -> Expr:
    """The per-output loss term's formula; ``times`` is MUL (scalars) or HADAMARD."""
    if spec.kind == "squared_error":
        square = _apply(POW, _apply(SUB, y, t), Const(2.0))
        if spec.scale == 0.5:
            return _apply(MUL, HALF, square)
        if spec.scale == 1.0:
            return square
        return _apply(MUL, Const(spec.scale), square)
    if spec.kind == "binary_cross_entropy":
        return _apply(
            NEG,
            _apply(
                ADD,
                _apply(times, t, _apply(LN, y)),
                _apply(times, _apply(SUB, ONE, t), _apply(LN, _apply(SUB, ONE, y))),
            ),
        )
    return _apply(NEG, _apply(times, t, _apply(LN, y)))
