"""Derivations of one iteration as structured terms, for the math panel and export.

An ``Equation`` is ``lhs = rhs``: ``rhs`` is a small expression tree whose leaves
are ``Term``s (a symbol, its number and the diagram element it belongs to) and
``Const``s (the literal 1s and 2s of a formula). Rendering the tree once with
symbols and once with numbers gives the two lines of a worked example::

    ∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5
           = 0.74136507 × 0.186815602 × 0.593269992
           = 0.082167041

Every number comes from the trace (or from the engine's own functions on the
trace's arrays); nothing is recomputed another way. ``lhs.value`` is the trace's
value, and the rhs evaluated with its numbers gives it back up to rounding.
``engine.explain_format`` renders sections to text, Markdown, LaTeX and HTML.

Two notations: ``"neuron"`` (one equation per neuron and weight, the tutorial's
net/out/E/δ, weights numbered w1, w2, … in the order of ``weights[l][j][i]``
layer by layer, biases b1, b2, … one per neuron) and ``"vector"`` (Z[l], A[l],
W[l], b[l], dZ[l], dW[l], db[l] with one column per sample, matrix shapes in
the notes).

A batch of several samples is derived sample by sample with each sample's own
loss E⁽ˢ⁾; the gradient of the batch loss then combines the samples' gradients
(their sum, or their mean when the loss is a mean over the batch). For a batch
of one there is no combination and no sample superscript.

Where each part lives (this module is the public entry; it re-exports the public
names of explain_refs, explain_terms and explain_derivation, which the GUI, the
command line and the tests import from here):

- engine/explain_refs.py: ``ElementRef``, the diagram elements terms belong to.
- engine/explain_terms.py: the expression model (``Symbol``, ``Partial``, ``Term``,
  ``Const``, ``Apply``, the operators, ``Equation`` and its quantities, ``Section``,
  ``terms``) and the helpers that build it.
- engine/explain_derivation.py: ``_Derivation``, what both notations share, and
  ``ACTIVATION_TITLES``.
- engine/explain_neuron_terms.py, explain_neuron_backward.py, explain_neuron.py:
  the neuron notation (its names and terms; its backward steps; its forward, loss
  and update steps).
- engine/explain_vector.py: the vector notation.
- here: ``explain_step``, ``explain_iteration``, ``NOTATIONS``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from engine.explain_derivation import ACTIVATION_TITLES, activation_title
from engine.explain_neuron import _NeuronDerivation
from engine.explain_refs import (
    REF_BIAS,
    REF_BIASES,
    REF_FAN_IN,
    REF_KINDS,
    REF_LAYER,
    REF_NEURON,
    REF_WEIGHT,
    REF_WEIGHTS,
    ElementRef,
)
from engine.explain_terms import (
    ACTIVATION_DERIVATIVE,
    ADD,
    COLSUM,
    DELTA,
    DIAG,
    DIV,
    EXP,
    GRAD_BIAS,
    GRAD_OUT,
    GRAD_OUT_PART,
    GRAD_WEIGHT,
    HADAMARD,
    HALF,
    JACOBIAN,
    LEAKY_RELU,
    LEAKY_RELU_PRIME,
    LN,
    LOSS_TERM,
    MATMUL,
    MAX,
    MUL,
    NEG,
    NET,
    ONE,
    OPERATORS,
    OUT,
    PARAMETER,
    POW,
    RELU,
    RELU_PRIME,
    SAMPLE_LOSS,
    SIGMOID,
    SOFTMAX,
    SUB,
    SUM,
    TANH,
    TOTAL_LOSS,
    TRANSPOSE,
    VELOCITY,
    Apply,
    Const,
    Equation,
    Expr,
    Matrix,
    Note,
    NotePart,
    Partial,
    Section,
    Symbol,
    Term,
    Value,
    terms,
)
from engine.explain_vector import _VectorDerivation
from engine.network import Array
from engine.steps import BACKWARD, FORWARD, LOSS, UPDATE, Step, describe_step
from engine.trace import IterationTrace

__all__ = [
    # the notations and the public functions (defined here)
    "NEURON",
    "VECTOR",
    "NOTATIONS",
    "explain_step",
    "explain_iteration",
    # engine/explain_derivation.py
    "ACTIVATION_TITLES",
    "activation_title",
    # engine/explain_refs.py
    "REF_NEURON",
    "REF_WEIGHT",
    "REF_BIAS",
    "REF_LAYER",
    "REF_WEIGHTS",
    "REF_BIASES",
    "REF_FAN_IN",
    "REF_KINDS",
    "ElementRef",
    # engine/explain_terms.py: the expression model
    "Matrix",
    "Value",
    "Symbol",
    "Partial",
    "Term",
    "Const",
    "ADD",
    "SUB",
    "MUL",
    "DIV",
    "NEG",
    "POW",
    "EXP",
    "LN",
    "TANH",
    "MAX",
    "SIGMOID",
    "RELU",
    "LEAKY_RELU",
    "SOFTMAX",
    "RELU_PRIME",
    "LEAKY_RELU_PRIME",
    "MATMUL",
    "HADAMARD",
    "TRANSPOSE",
    "DIAG",
    "SUM",
    "COLSUM",
    "OPERATORS",
    "Apply",
    "Expr",
    "NotePart",
    "Note",
    "ONE",
    "HALF",
    "terms",
    # engine/explain_terms.py: equations and their quantities, sections
    "NET",
    "OUT",
    "LOSS_TERM",
    "SAMPLE_LOSS",
    "TOTAL_LOSS",
    "GRAD_OUT",
    "GRAD_OUT_PART",
    "ACTIVATION_DERIVATIVE",
    "JACOBIAN",
    "DELTA",
    "GRAD_WEIGHT",
    "GRAD_BIAS",
    "VELOCITY",
    "PARAMETER",
    "Equation",
    "Section",
]

NEURON = "neuron"
VECTOR = "vector"
NOTATIONS = (NEURON, VECTOR)


# -- public functions --------------------------------------------------------------


def _step(trace: IterationTrace, step_key: str) -> Step:
    for step in trace.steps:
        if step.key == step_key:
            return step
    keys = ", ".join(step.key for step in trace.steps)
    raise ValueError(f"unknown step {step_key!r}; this network's steps are {keys}")


def _title(step: Step, weight_layer_count: int) -> str:
    text = describe_step(step, weight_layer_count)
    return text[:1].upper() + text[1:]


def explain_step(
    trace: IterationTrace,
    step_key: str,
    selection: ElementRef | None = None,
    notation: str = NEURON,
    *,
    previous_velocity: Sequence[Array] | None = None,
) -> list[Section]:
    """The derivation of one step (``"forward-1"``, ``"loss"``, ``"backward-2"``, ``"update"``).

    With ``selection``, only the equations that concern that element (empty
    sections are dropped). ``previous_velocity``: the momentum before this
    iteration (the previous trace's ``velocity``); None means zero, and a
    ValueError says so if the trace shows otherwise.
    """
    if notation not in NOTATIONS:
        raise ValueError(f"unknown notation {notation!r}; expected one of {', '.join(NOTATIONS)}")
    step = _step(trace, step_key)
    # A diverged iteration holds inf and NaN: its derivation shows them, never warns.
    with np.errstate(all="ignore"):
        sections = _derive(trace, step, notation, previous_velocity, selection)
    if selection is None:
        return sections
    chosen = []
    for section in sections:
        equations = tuple(eq for eq in section.equations if eq.concerns(selection))
        if equations:
            chosen.append(dataclasses.replace(section, equations=equations))
    return chosen


def _derive(
    trace: IterationTrace,
    step: Step,
    notation: str,
    previous_velocity: Sequence[Array] | None,
    selection: ElementRef | None,
) -> list[Section]:
    builder: _NeuronDerivation | _VectorDerivation
    if notation == NEURON:
        builder = _NeuronDerivation(trace, previous_velocity, selection)
    else:
        builder = _VectorDerivation(trace, previous_velocity)
    title = _title(step, builder.L)
    if step.kind == FORWARD:
        assert step.layer is not None
        sections = builder.forward(step.layer, title, step.key)
    elif step.kind == LOSS:
        sections = builder.loss(title, step.key)
    elif step.kind == BACKWARD:
        assert step.layer is not None
        sections = builder.backward(step.layer, title, step.key)
    else:
        assert step.kind == UPDATE
        sections = builder.update(title, step.key)
    return sections


def explain_iteration(
    trace: IterationTrace,
    notation: str = NEURON,
    *,
    previous_velocity: Sequence[Array] | None = None,
) -> list[Section]:
    """Every step of the iteration in order: forward, loss, backward, update."""
    sections: list[Section] = []
    for step in trace.steps:
        sections += explain_step(
            trace, step.key, notation=notation, previous_velocity=previous_velocity
        )
    return sections
