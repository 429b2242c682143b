"""The expression model of the derivations: terms, expressions, equations, sections.

An ``Equation`` is ``lhs = rhs``: ``rhs`` is a small expression tree (``Apply`` of
an operator) whose leaves are ``Term``s (a ``Symbol`` or ``Partial``, its number and
the diagram element it belongs to) and ``Const``s (the literal 1s and 2s of a
formula). ``Section`` groups the equations of one step. The helpers at the end
(``_equation``, ``_apply``, ``ONE``, ``HALF``, ``_fraction``, ``_matrix``) build them
for both notations. Part of engine.explain, which re-exports every public name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

from engine.explain_refs import ElementRef
from engine.network import Array

# -- expressions -------------------------------------------------------------------

Matrix: TypeAlias = tuple[tuple[float, ...], ...]
Value: TypeAlias = float | Matrix


@dataclass(frozen=True)
class Symbol:
    """A name as the tutorials write it: ``net`` with subscript ``h1``, ``w`` ``5``.

    ``name``: "net", "out", "E", "t", "w", "b", "δ", "η", "μ", "v", an input's label,
    or in vector notation "Z", "A", "Y", "W", "b", "dA", "dZ", "dW", "db", "J", "ℓ", "V".
    ``sub``: subscript (a neuron label, a number). ``layer``: vector notation's
    ``[l]``. ``sample``: 1-based position in the batch, shown ``⁽ˢ⁾``.
    ``updated``: the value after the update, shown ``⁺``.
    """

    name: str
    sub: str = ""
    layer: int | None = None
    sample: int | None = None
    updated: bool = False


@dataclass(frozen=True)
class Partial:
    """∂of/∂wrt."""

    of: Symbol
    wrt: Symbol


@dataclass(frozen=True)
class Term:
    """A named quantity, its number, and the diagram element it belongs to."""

    symbol: Symbol | Partial
    value: Value
    ref: ElementRef | None = None


@dataclass(frozen=True)
class Const:
    """A literal of the formula (the 1 of 1 − out, the 2 of a square): same in both lines."""

    value: float


# Operators of Apply. Arithmetic works element by element on matrices, with
# NumPy broadcasting (a column b[l] is added to every column of W·A).
ADD = "add"  # n-ary sum
SUB = "sub"  # a − b
MUL = "mul"  # n-ary product (scalars, or a scalar times a matrix)
DIV = "div"  # a / b
NEG = "neg"  # −a
POW = "pow"  # a ** (Const exponent)
EXP = "exp"  # e ** a
LN = "ln"  # natural logarithm
TANH = "tanh"
MAX = "max"  # max(a, b)
SIGMOID = "sigmoid"  # vector notation: σ(Z), element by element
RELU = "relu"  # max(0, z)
LEAKY_RELU = "leaky_relu"  # z if z > 0 else 0.01 z
SOFTMAX = "softmax"  # of each column
RELU_PRIME = "relu'"  # 1 if z > 0 else 0
LEAKY_RELU_PRIME = "leaky_relu'"  # 1 if z > 0 else 0.01
MATMUL = "matmul"  # matrix product
HADAMARD = "hadamard"  # n-ary element-by-element product
TRANSPOSE = "transpose"
DIAG = "diag"  # the diagonal matrix of a column vector
SUM = "sum"  # the sum of every entry: a float
COLSUM = "colsum"  # the sum of each column: a 1 × columns matrix
OPERATORS = (
    ADD, SUB, MUL, DIV, NEG, POW, EXP, LN, TANH, MAX, SIGMOID, RELU, LEAKY_RELU, SOFTMAX,
    RELU_PRIME, LEAKY_RELU_PRIME, MATMUL, HADAMARD, TRANSPOSE, DIAG, SUM, COLSUM,
)  # fmt: skip


@dataclass(frozen=True)
class Apply:
    op: str  # one of OPERATORS
    args: tuple[Expr, ...]


Expr: TypeAlias = Term | Const | Apply
# A note beside an equation: words and symbols, so that each format typesets the
# symbols (net with subscript o1), never writes "net_o1".
NotePart: TypeAlias = str | Symbol | Partial
Note: TypeAlias = tuple[NotePart, ...]

# -- equations ---------------------------------------------------------------------

# What an equation's lhs is (Equation.quantity).
NET = "net"  # z (vector: Z[l], rows = neurons, columns = samples)
OUT = "out"  # a
LOSS_TERM = "loss_term"  # one output's loss term
SAMPLE_LOSS = "sample_loss"  # one sample's loss (vector: the row of them)
TOTAL_LOSS = "loss"  # the loss of the iteration
GRAD_OUT = "grad_out"  # ∂E/∂out of a neuron (vector: dA[l])
GRAD_OUT_PART = "grad_out_part"  # one next-layer neuron's share of ∂E/∂out (δ_o · w)
ACTIVATION_DERIVATIVE = "activation_derivative"  # ∂out/∂net
JACOBIAN = "jacobian"  # softmax: ∂out_i/∂net_j (vector: the whole matrix)
DELTA = "delta"  # δ = ∂E/∂net (vector: dZ[l])
GRAD_WEIGHT = "grad_weight"  # ∂E/∂w (vector: dW[l])
GRAD_BIAS = "grad_bias"  # ∂E/∂b (vector: db[l])
VELOCITY = "velocity"  # momentum after the update (weight or bias: see lhs.ref)
PARAMETER = "parameter"  # a weight or bias after the update


@dataclass(frozen=True)
class Equation:
    """``lhs = rhs``. Render ``rhs`` with symbols, then with numbers, then ``result``.

    ``sample``: 0-based position in the batch for a quantity of one sample
    (computed from that sample's own loss E⁽ˢ⁾); None for the whole batch.
    ``about``: the diagram elements the equation concerns (lhs, every term of the
    rhs, and for a δ the weights and bias into that neuron), used to pick the
    equations of a selected element.
    """

    lhs: Term
    rhs: Expr
    quantity: str
    sample: int | None = None
    note: str | Note = ""
    about: tuple[ElementRef, ...] = ()

    @property
    def note_parts(self) -> Note:
        return (self.note,) if isinstance(self.note, str) else self.note

    @property
    def result(self) -> Value:
        return self.lhs.value

    def concerns(self, element: ElementRef) -> bool:
        return any(ref.covers(element) or element.covers(ref) for ref in self.about)


@dataclass(frozen=True)
class Section:
    title: str
    step: str  # the step's key: "forward-1", "loss", "backward-2", "update"
    equations: tuple[Equation, ...]
    note: str = ""


def terms(expr: Expr) -> Iterator[Term]:
    """Every Term of an expression, left to right."""
    if isinstance(expr, Term):
        yield expr
    elif isinstance(expr, Apply):
        for arg in expr.args:
            yield from terms(arg)


def _equation(
    lhs: Term,
    rhs: Expr,
    quantity: str,
    sample: int | None = None,
    note: str | Note = "",
    extra: Iterable[ElementRef] = (),
) -> Equation:
    about = dict.fromkeys([lhs.ref, *(t.ref for t in terms(rhs)), *extra])  # ordered, unique
    about.pop(None, None)
    return Equation(lhs, rhs, quantity, sample, note, tuple(r for r in about if r is not None))


def _apply(op: str, *args: Expr) -> Apply:
    return Apply(op, tuple(args))


ONE = Const(1.0)
HALF = _apply(DIV, ONE, Const(2.0))


def _fraction(n: int) -> Apply:
    return _apply(DIV, ONE, Const(float(n)))


def _matrix(array: Array) -> Matrix:
    values = np.asarray(array, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]  # a column vector
    return tuple(tuple(float(v) for v in row) for row in values)
