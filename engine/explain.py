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
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

from engine.activations import ACTIVATIONS, softmax_jacobian
from engine.losses import LossSpec
from engine.network import Array
from engine.steps import BACKWARD, FORWARD, LOSS, UPDATE, Step, describe_step, layer_role
from engine.trace import IterationTrace, trace_iteration

NEURON = "neuron"
VECTOR = "vector"
NOTATIONS = (NEURON, VECTOR)

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


# -- diagram elements --------------------------------------------------------------

# ElementRef kinds. "layer", "weights" and "biases" are the vector notation's whole
# matrices: they cover every neuron, weight or bias of that layer.
REF_NEURON = "neuron"
REF_WEIGHT = "weight"
REF_BIAS = "bias"
REF_LAYER = "layer"
REF_WEIGHTS = "weights"
REF_BIASES = "biases"
# "fan_in" (layer, j): the weights and the bias into neuron j. It appears only in
# Equation.about (a δ's equations concern every parameter it feeds), never as a Term's ref.
REF_FAN_IN = "fan_in"
REF_KINDS = (REF_NEURON, REF_WEIGHT, REF_BIAS, REF_LAYER, REF_WEIGHTS, REF_BIASES, REF_FAN_IN)
_COVERS = {
    (REF_LAYER, REF_NEURON),
    (REF_WEIGHTS, REF_WEIGHT),
    (REF_BIASES, REF_BIAS),
    (REF_FAN_IN, REF_WEIGHT),
    (REF_FAN_IN, REF_BIAS),
}


@dataclass(frozen=True)
class ElementRef:
    """A diagram element, indexed as in the network file.

    neuron (layer 0..L, j); weight (layer fed 1..L, j, i) = ``weights[layer-1][j][i]``;
    bias (layer fed 1..L, j) = ``biases[layer-1][j]``; layer / weights / biases
    (layer) for a whole vector or matrix.
    """

    kind: str
    layer: int
    j: int | None = None
    i: int | None = None

    @staticmethod
    def neuron(layer: int, j: int) -> ElementRef:
        return ElementRef(REF_NEURON, layer, j)

    @staticmethod
    def weight(layer: int, j: int, i: int) -> ElementRef:
        return ElementRef(REF_WEIGHT, layer, j, i)

    @staticmethod
    def bias(layer: int, j: int) -> ElementRef:
        return ElementRef(REF_BIAS, layer, j)

    @staticmethod
    def whole_layer(layer: int) -> ElementRef:
        return ElementRef(REF_LAYER, layer)

    @staticmethod
    def weight_matrix(layer: int) -> ElementRef:
        return ElementRef(REF_WEIGHTS, layer)

    @staticmethod
    def bias_vector(layer: int) -> ElementRef:
        return ElementRef(REF_BIASES, layer)

    @staticmethod
    def fan_in(layer: int, j: int) -> ElementRef:
        return ElementRef(REF_FAN_IN, layer, j)

    def covers(self, other: ElementRef) -> bool:
        """Equal, or a whole matrix, layer or fan-in that contains ``other``."""
        if self == other:
            return True
        if self.layer != other.layer or (self.kind, other.kind) not in _COVERS:
            return False
        return self.kind != REF_FAN_IN or self.j == other.j

    @property
    def href(self) -> str:
        """``ref:neuron:2:0``, ``ref:weight:2:0:1``: the link target in HTML output."""
        parts = [self.kind, str(self.layer)]
        parts += [str(k) for k in (self.j, self.i) if k is not None]
        return "ref:" + ":".join(parts)

    @staticmethod
    def from_href(href: str) -> ElementRef | None:
        """The inverse of ``href``; None for anything else."""
        parts = href.split(":")
        if len(parts) < 3 or parts[0] != "ref" or parts[1] not in REF_KINDS:
            return None
        try:
            numbers = [int(p) for p in parts[2:]]
        except ValueError:
            return None
        expected = {REF_NEURON: 2, REF_WEIGHT: 3, REF_BIAS: 2, REF_FAN_IN: 2}.get(parts[1], 1)
        if len(numbers) != expected:
            return None
        return ElementRef(parts[1], *numbers)


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


_OUT_I, _OUT_J, _NET_J = Symbol("out", "i"), Symbol("out", "j"), Symbol("net", "j")
_SOFTMAX_NOTE: Note = (
    "softmax: ",
    Partial(_OUT_I, _NET_J),
    " = ",
    _OUT_I,
    "·(1 − ",
    _OUT_J,
    ") if i = j, else −",
    _OUT_I,
    "·",
    _OUT_J,
)


def _shape(array: Array) -> str:
    rows, cols = (array.shape[0], 1) if array.ndim == 1 else array.shape
    return f"({rows}×{cols})"


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


# -- neuron notation ---------------------------------------------------------------


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


class _NeuronDerivation(_Derivation):
    def __init__(
        self,
        trace: IterationTrace,
        previous_velocity: Sequence[Array] | None,
        selection: ElementRef | None = None,
    ) -> None:
        super().__init__(trace, previous_velocity, selection)
        self._derivatives = {l: self.derivatives(l) for l in range(1, self.L + 1)}

    def label(self, l: int, j: int) -> str:
        return self.labels[l][j]

    def out_symbol(self, l: int, j: int, s: int) -> Symbol:
        if l == 0:
            return Symbol(self.label(0, j), sample=self.sample_no(s))
        return Symbol("out", self.label(l, j), sample=self.sample_no(s))

    def net_symbol(self, l: int, j: int, s: int) -> Symbol:
        return Symbol("net", self.label(l, j), sample=self.sample_no(s))

    def weight_symbol(self, l: int, j: int, i: int, updated: bool = False) -> Symbol:
        number = self.weight_offsets[l - 1] + j * self.sizes[l - 1] + i + 1
        return Symbol("w", str(number), updated=updated)

    def bias_symbol(self, l: int, j: int, updated: bool = False) -> Symbol:
        return Symbol("b", str(self.bias_offsets[l - 1] + j + 1), updated=updated)

    def loss_symbol(self, s: int | None) -> Symbol:
        return Symbol("E", sample=None if s is None else self.sample_no(s))

    def out(self, l: int, j: int, s: int) -> Term:
        return Term(self.out_symbol(l, j, s), float(self.trace.a[l][s, j]), ElementRef.neuron(l, j))

    def net(self, l: int, j: int, s: int) -> Term:
        z = self.trace.z[l]
        assert z is not None
        return Term(self.net_symbol(l, j, s), float(z[s, j]), ElementRef.neuron(l, j))

    def weight(self, l: int, j: int, i: int) -> Term:
        return Term(
            self.weight_symbol(l, j, i),
            float(self.network.weights[l - 1][j, i]),
            ElementRef.weight(l, j, i),
        )

    def bias(self, l: int, j: int) -> Term:
        return Term(
            self.bias_symbol(l, j), float(self.network.biases[l - 1][j]), ElementRef.bias(l, j)
        )

    def target(self, j: int, s: int) -> Term:
        symbol = Symbol("t", self.label(self.L, j), sample=self.sample_no(s))
        return Term(symbol, float(self.trace.targets[s, j]), None)

    def delta(self, l: int, j: int, s: int) -> Term:
        symbol = Symbol("δ", self.label(l, j), sample=self.sample_no(s))
        return Term(symbol, float(self.own_delta(l)[s, j]), ElementRef.neuron(l, j))

    def grad_out(self, l: int, j: int, s: int) -> Term:
        symbol = Partial(self.loss_symbol(s), self.out_symbol(l, j, s))
        return Term(symbol, float(self.own.grad_a[l][s, j]), ElementRef.neuron(l, j))

    def derivative(self, l: int, j: int, s: int, values: Array) -> Term:
        symbol = Partial(self.out_symbol(l, j, s), self.net_symbol(l, j, s))
        return Term(symbol, float(values[s, j]), ElementRef.neuron(l, j))

    def into(self, l: int, j: int) -> tuple[ElementRef, ...]:
        """The weights and the bias into neuron j of layer l."""
        return (ElementRef.fan_in(l, j),)

    # -- forward

    def forward(self, l: int, title: str, key: str) -> list[Section]:
        sections = []
        for s in range(self.B):
            equations = []
            for j in range(self.sizes[l]):
                if not self.needed(l, j):
                    continue
                products = [
                    _apply(MUL, self.weight(l, j, i), self.out(l - 1, i, s))
                    for i in range(self.sizes[l - 1])
                ]
                net = self.net(l, j, s)
                equations.append(_equation(net, _apply(ADD, *products, self.bias(l, j)), NET, s))
                if self.chain_needed(l, j):
                    equations.append(self.activation_equation(l, j, s))
            sections.append(Section(self.sample_title(title, s), key, tuple(equations)))
        return sections

    def activation_equation(self, l: int, j: int, s: int) -> Equation:
        name = self.activation(l)
        net = self.net(l, j, s)
        rhs: Expr
        note = ""
        if name == "sigmoid":
            rhs = _apply(DIV, ONE, _apply(ADD, ONE, _apply(EXP, _apply(NEG, net))))
        elif name == "tanh":
            rhs = _apply(TANH, net)
        elif name == "relu":
            rhs = _apply(MAX, Const(0.0), net)
        elif name == "leaky_relu":
            rhs = _apply(MAX, _apply(MUL, Const(0.01), net), net)
            note = "Leaky ReLU: net if net > 0, else 0.01·net"
        elif name == "linear":
            rhs = net
            note = "linear activation: out = net"
        else:
            size = self.sizes[l]
            exps = [_apply(EXP, self.net(l, k, s)) for k in range(size)]
            rhs = _apply(DIV, exps[j], _apply(ADD, *exps))
            note = "softmax: exp(net) of this output over the sum of exp(net) of every output"
        return _equation(self.out(l, j, s), rhs, OUT, s, note)

    # -- loss

    def loss(self, title: str, key: str) -> list[Section]:
        spec = self.network.loss
        outputs = self.sizes[self.L]
        sections = []
        sample_terms = []
        for s in range(self.B):
            equations = []
            loss_terms = []
            for j in range(outputs):
                y, t = self.out(self.L, j, s), self.target(j, s)
                rhs = _loss_term_expression(spec, y, t, MUL)
                symbol = Symbol("E", self.label(self.L, j), sample=self.sample_no(s))
                term = Term(
                    symbol, float(self.trace.loss_terms[s, j]), ElementRef.neuron(self.L, j)
                )
                loss_terms.append(term)
                equations.append(_equation(term, rhs, LOSS_TERM, s))
            total: Expr = _apply(ADD, *loss_terms) if outputs > 1 else loss_terms[0]
            if spec.outputs == "mean":
                total = _apply(MUL, _fraction(outputs), total)
            outputs_note = f"{spec.outputs} over the {outputs} output{'s' if outputs > 1 else ''}"
            if self.B == 1:
                lhs = Term(self.loss_symbol(None), float(self.trace.loss), None)
                equations.append(_equation(lhs, total, TOTAL_LOSS, None, outputs_note))
            else:
                lhs = Term(self.loss_symbol(s), float(self.trace.sample_losses[s]), None)
                sample_terms.append(lhs)
                equations.append(_equation(lhs, total, SAMPLE_LOSS, s, outputs_note))
            sections.append(Section(self.sample_title(title, s), key, tuple(equations)))
        if self.B > 1:
            rhs_total: Expr = _apply(ADD, *sample_terms)
            if spec.batch == "mean":
                rhs_total = _apply(MUL, _fraction(self.B), rhs_total)
            lhs = Term(self.loss_symbol(None), float(self.trace.loss), None)
            equation = _equation(lhs, rhs_total, TOTAL_LOSS, None, f"{spec.batch} over the batch")
            sections.append(Section(f"{title} — the batch", key, (equation,)))
        return sections

    # -- backward

    def loss_gradient(self, j: int, s: int) -> Equation:
        spec = self.network.loss
        y, t = self.out(self.L, j, s), self.target(j, s)
        factors: list[Expr] = []
        outputs = self.sizes[self.L]
        if spec.outputs == "mean":
            factors.append(_fraction(outputs))
        if spec.kind == "squared_error":
            if spec.scale != 0.5:
                factors += [Const(2.0), Const(spec.scale)]
            core: Expr = _apply(SUB, y, t)
            note = "½(out − t)² gives out − t" if spec.scale == 0.5 else ""
        elif spec.kind == "binary_cross_entropy":
            core = _apply(DIV, _apply(SUB, y, t), _apply(MUL, y, _apply(SUB, ONE, y)))
            note = ""
        else:
            core = _apply(NEG, _apply(DIV, t, y))
            note = ""
        rhs = _apply(MUL, *factors, core) if factors else core
        into = self.into(self.L, j)
        return _equation(self.grad_out(self.L, j, s), rhs, GRAD_OUT, s, note, into)

    def backward(self, l: int, title: str, key: str) -> list[Section]:
        sizes = self.sizes
        derivatives = self.derivatives(l)
        sample_sections = []
        for s in range(self.B):
            equations: list[Equation] = []
            if l == self.L and derivatives is None:
                equations += [self.loss_gradient(j, s) for j in range(sizes[l])]
            for j in range(sizes[l]):
                if not self.needed(l, j, backward=True):
                    continue
                chain = self.chain_needed(l, j)
                if l == self.L and derivatives is not None:
                    if chain:
                        equations.append(self.loss_gradient(j, s))
                elif l < self.L and (chain or self.through_next(l, j)):
                    equations += self.hidden_gradient(l, j, s, chain)
                if chain:
                    equations += self.delta_equations(l, j, s, derivatives)
                equations += self.gradient_equations(l, j, s, derivatives)
            sample_sections.append(Section(self.sample_title(title, s), key, tuple(equations)))
        if self.B == 1:
            return sample_sections
        equations = []
        for j in range(sizes[l]):
            if not self.needed(l, j, backward=True):
                continue
            for i in range(sizes[l - 1]):
                if self.needed_weight(l, j, i):
                    equations.append(self.combined_weight(l, j, i))
            equations.append(self.combined_bias(l, j))
        batch = Section(f"{title} — the batch", key, tuple(equations), self.combine_note())
        return [*sample_sections, batch]

    def hidden_gradient(self, l: int, j: int, s: int, chain: bool = True) -> list[Equation]:
        """∂E/∂out_h = Σ_o δ_o · w(h→o); seed 003 shows each o's share first."""
        size_next = self.sizes[l + 1]
        shares: list[Expr] = [
            _apply(MUL, self.delta(l + 1, o, s), self.weight(l + 1, o, j)) for o in range(size_next)
        ]
        # The tutorial's ∂E_o1/∂out_h1 = δ_o1 · w5 holds when E is the plain sum of
        # per-output terms and E_o1 depends on out_o1 alone (not softmax).
        tutorial = (
            size_next > 1
            and l + 1 == self.L
            and self._derivatives[l + 1] is not None
            and self.network.loss.outputs == "sum"
        )
        equations = []
        rhs: Expr
        if tutorial:
            parts: list[Expr] = []
            for o, share in enumerate(shares):
                of = Symbol("E", self.label(l + 1, o), sample=self.sample_no(s))
                delta_o, w = self.delta(l + 1, o, s), self.weight(l + 1, o, j)
                assert isinstance(delta_o.value, float) and isinstance(w.value, float)
                lhs = Term(
                    Partial(of, self.out_symbol(l, j, s)),
                    delta_o.value * w.value,
                    ElementRef.neuron(l, j),
                )
                if self.needed_part(l, j, o):
                    equations.append(_equation(lhs, share, GRAD_OUT_PART, s, "", self.into(l, j)))
                parts.append(lhs)
            rhs = _apply(ADD, *parts)
        else:
            rhs = _apply(ADD, *shares) if size_next > 1 else shares[0]
        if chain or (not tutorial and self.through_next(l, j)):
            into = self.into(l, j)
            equations.append(_equation(self.grad_out(l, j, s), rhs, GRAD_OUT, s, "", into))
        return equations

    def delta_equations(self, l: int, j: int, s: int, derivatives: Array | None) -> list[Equation]:
        into = self.into(l, j)
        delta = self.delta(l, j, s)
        if derivatives is not None:
            derivative = self.derivative(l, j, s, derivatives)
            y = self.out(l, j, s)
            name = self.activation(l)
            rhs: Expr
            if name == "sigmoid":
                rhs = _apply(MUL, y, _apply(SUB, ONE, y))
            elif name == "tanh":
                rhs = _apply(SUB, ONE, _apply(POW, y, Const(2.0)))
            elif name == "relu":
                rhs = _apply(RELU_PRIME, self.net(l, j, s))
            elif name == "leaky_relu":
                rhs = _apply(LEAKY_RELU_PRIME, self.net(l, j, s))
            else:
                rhs = ONE
            note = {
                "relu": "ReLU′(net) = 1 if net > 0, else 0",
                "leaky_relu": "Leaky ReLU′(net) = 1 if net > 0, else 0.01",
            }.get(name, "")
            return [
                _equation(derivative, rhs, ACTIVATION_DERIVATIVE, s, note, into),
                _equation(
                    delta, _apply(MUL, self.grad_out(l, j, s), derivative), DELTA, s, "", into
                ),
            ]
        # softmax: out_i depends on every net_j, δ_j = Σ_i ∂E/∂out_i · ∂out_i/∂net_j
        jacobian = softmax_jacobian(self.trace.a[l][s])
        equations = []
        parts: list[Expr] = []
        for i in range(self.sizes[l]):
            out_i, out_j = self.out(l, i, s), self.out(l, j, s)
            if i == j:
                rhs = _apply(MUL, out_i, _apply(SUB, ONE, out_j))
            else:
                rhs = _apply(NEG, _apply(MUL, out_i, out_j))
            symbol = Partial(self.out_symbol(l, i, s), self.net_symbol(l, j, s))
            entry = Term(symbol, float(jacobian[i, j]), ElementRef.neuron(l, i))
            equations.append(
                _equation(entry, rhs, JACOBIAN, s, _SOFTMAX_NOTE if i == j else "", into)
            )
            parts.append(_apply(MUL, self.grad_out(l, i, s), entry))
        equations.append(_equation(delta, _apply(ADD, *parts), DELTA, s, "", into))
        return equations

    def gradient_equations(
        self, l: int, j: int, s: int, derivatives: Array | None
    ) -> list[Equation]:
        equations = []
        delta = self.delta(l, j, s)
        if derivatives is not None:
            chain: list[Expr] = [self.grad_out(l, j, s), self.derivative(l, j, s, derivatives)]
        else:
            chain = [delta]
        sample = self.per_sample(s)
        for i in range(self.sizes[l - 1]):
            if not self.needed_weight(l, j, i):
                continue
            weight = self.weight_symbol(l, j, i)
            source = self.out(l - 1, i, s)
            net_symbol = self.net_symbol(l, j, s)
            factor = Term(Partial(net_symbol, weight), source.value, source.ref)
            if self.B == 1:
                value = float(self.grad_weights(l)[j, i])
            else:
                value = float(self.own_delta(l)[s, j] * self.trace.a[l - 1][s, i])
            lhs = Term(Partial(self.loss_symbol(s), weight), value, ElementRef.weight(l, j, i))
            rhs = _apply(MUL, *chain, factor)
            note: Note = (Partial(net_symbol, weight), " = ", source.symbol)
            extra = [ElementRef.neuron(l, j)]
            equations.append(_equation(lhs, rhs, GRAD_WEIGHT, sample, note, extra))
        if not self.chain_needed(l, j):
            return equations
        bias = self.bias_symbol(l, j)
        value = float(self.grad_biases(l)[j]) if self.B == 1 else float(self.own_delta(l)[s, j])
        lhs = Term(Partial(self.loss_symbol(s), bias), value, ElementRef.bias(l, j))
        bias_note: Note = (Partial(self.net_symbol(l, j, s), bias), " = 1")
        equations.append(
            _equation(lhs, delta, GRAD_BIAS, sample, bias_note, [ElementRef.neuron(l, j)])
        )
        return equations

    def combined_weight(self, l: int, j: int, i: int) -> Equation:
        weight = self.weight_symbol(l, j, i)
        ref = ElementRef.weight(l, j, i)
        delta, a = self.own_delta(l), self.trace.a[l - 1]
        parts: list[Expr] = [
            Term(Partial(self.loss_symbol(s), weight), float(delta[s, j] * a[s, i]), ref)
            for s in range(self.B)
        ]
        lhs = Term(Partial(self.loss_symbol(None), weight), float(self.grad_weights(l)[j, i]), ref)
        return _equation(lhs, self.combine(parts), GRAD_WEIGHT, None, "", [ElementRef.neuron(l, j)])

    def combined_bias(self, l: int, j: int) -> Equation:
        bias = self.bias_symbol(l, j)
        ref = ElementRef.bias(l, j)
        delta = self.own_delta(l)
        parts: list[Expr] = [
            Term(Partial(self.loss_symbol(s), bias), float(delta[s, j]), ref) for s in range(self.B)
        ]
        lhs = Term(Partial(self.loss_symbol(None), bias), float(self.grad_biases(l)[j]), ref)
        return _equation(lhs, self.combine(parts), GRAD_BIAS, None, "", [ElementRef.neuron(l, j)])

    # -- update

    def update(self, title: str, key: str) -> list[Section]:
        previous = self.velocities()
        optimizer = self.network.optimizer
        rate = Term(Symbol("η"), float(optimizer.learning_rate), None)
        momentum = Term(Symbol("μ"), float(optimizer.momentum), None)
        after = self.trace.network_after
        sections = []
        for l in range(1, self.L + 1):
            equations = []
            grad_w, grad_b = self.grad_weights(l), self.grad_biases(l)
            items: list[
                tuple[Symbol, Symbol, float, float, float, ElementRef, int, tuple[int, ...]]
            ]
            items = []
            for j in range(self.sizes[l]):
                if not self.needed(l, j):
                    continue
                for i in range(self.sizes[l - 1]):
                    if not self.needed_weight(l, j, i):
                        continue
                    items.append(
                        (
                            self.weight_symbol(l, j, i),
                            self.weight_symbol(l, j, i, updated=True),
                            float(self.network.weights[l - 1][j, i]),
                            float(grad_w[j, i]),
                            float(after.weights[l - 1][j, i]),
                            ElementRef.weight(l, j, i),
                            l - 1,
                            (j, i),
                        )
                    )
                items.append(
                    (
                        self.bias_symbol(l, j),
                        self.bias_symbol(l, j, updated=True),
                        float(self.network.biases[l - 1][j]),
                        float(grad_b[j]),
                        float(after.biases[l - 1][j]),
                        ElementRef.bias(l, j),
                        self.L + l - 1,
                        (j,),
                    )
                )
            for symbol, symbol_after, value, gradient, value_after, ref, k, index in items:
                grad = Term(Partial(self.loss_symbol(None), symbol), gradient, ref)
                extra = [ElementRef.neuron(l, index[0])]
                move: Expr = grad
                if previous is not None:
                    assert self.trace.velocity is not None
                    name = symbol.name + symbol.sub
                    v_before = Term(Symbol("v", name), float(previous[k][index]), ref)
                    v_after = Term(
                        Symbol("v", name, updated=True), float(self.trace.velocity[k][index]), ref
                    )
                    rhs_v = _apply(ADD, _apply(MUL, momentum, v_before), grad)
                    equations.append(
                        _equation(
                            v_after, rhs_v, VELOCITY, None, "momentum: v⁺ = μ·v + ∂E/∂p", extra
                        )
                    )
                    move = v_after
                lhs = Term(symbol_after, value_after, ref)
                rhs = _apply(SUB, Term(symbol, value, ref), _apply(MUL, rate, move))
                equations.append(_equation(lhs, rhs, PARAMETER, None, "", extra))
            role = layer_role(l, self.L)
            sections.append(Section(f"{title} — into {role}", key, tuple(equations)))
        return sections


# -- vector notation ---------------------------------------------------------------

_VECTOR_FUNCTIONS = {
    "sigmoid": SIGMOID,
    "tanh": TANH,
    "relu": RELU,
    "leaky_relu": LEAKY_RELU,
    "softmax": SOFTMAX,
}


class _VectorDerivation(_Derivation):
    def sample_no_vec(self, s: int | None) -> int | None:
        return None if s is None else self.sample_no(s)

    def A(self, l: int, s: int | None = None) -> Term:
        """A[l] of the batch (one column per sample) or of sample s."""
        a = self.trace.a[l]
        values = a.T if s is None else a[s][:, None]
        return Term(
            Symbol("A", layer=l, sample=self.sample_no_vec(s)),
            _matrix(values),
            ElementRef.whole_layer(l),
        )

    def Z(self, l: int, s: int | None = None) -> Term:
        z = self.trace.z[l]
        assert z is not None
        values = z.T if s is None else z[s][:, None]
        return Term(
            Symbol("Z", layer=l, sample=self.sample_no_vec(s)),
            _matrix(values),
            ElementRef.whole_layer(l),
        )

    def Y(self, s: int | None = None) -> Term:
        t = self.trace.targets
        values = t.T if s is None else t[s][:, None]
        return Term(Symbol("Y", sample=self.sample_no_vec(s)), _matrix(values), None)

    def W(self, l: int) -> Term:
        return Term(
            Symbol("W", layer=l), _matrix(self.network.weights[l - 1]), ElementRef.weight_matrix(l)
        )

    def b(self, l: int) -> Term:
        return Term(
            Symbol("b", layer=l), _matrix(self.network.biases[l - 1]), ElementRef.bias_vector(l)
        )

    def dA(self, l: int, s: int) -> Term:
        return Term(
            Symbol("dA", layer=l, sample=self.sample_no(s)),
            _matrix(self.own.grad_a[l][s]),
            ElementRef.whole_layer(l),
        )

    def dZ(self, l: int, s: int) -> Term:
        return Term(
            Symbol("dZ", layer=l, sample=self.sample_no(s)),
            _matrix(self.own_delta(l)[s]),
            ElementRef.whole_layer(l),
        )

    def layer_refs(self, l: int) -> list[ElementRef]:
        return [ElementRef.weight_matrix(l), ElementRef.bias_vector(l)]

    # -- forward

    def forward(self, l: int, title: str, key: str) -> list[Section]:
        W, A, b = self.W(l), self.A(l - 1), self.b(l)
        weights = self.network.weights[l - 1]
        inputs = self.trace.a[l - 1].T
        z = self.trace.z[l]
        assert z is not None
        note: Note = (
            f"shapes: {_shape(weights)}·{_shape(inputs)} + {_shape(self.network.biases[l - 1])}"
            f" → {_shape(z.T)}",
        )
        if self.B > 1:
            note += (
                "; one column per sample; ",
                Symbol("b", layer=l),
                f" is added to each of the {self.B} columns",
            )
        net = _equation(self.Z(l), _apply(ADD, _apply(MATMUL, W, A), b), NET, None, note)
        name = self.activation(l)
        rhs: Expr
        if name == "linear":
            rhs = self.Z(l)
        else:
            rhs = _apply(_VECTOR_FUNCTIONS[name], self.Z(l))
        act_note = {
            "softmax": "softmax of each column",
            "linear": "linear activation: A = Z",
        }.get(name, f"{activation_title(name)} of each entry")
        out = _equation(self.A(l), rhs, OUT, None, act_note)
        return [Section(title, key, (net, out))]

    # -- loss

    def loss(self, title: str, key: str) -> list[Section]:
        spec = self.network.loss
        A, Y = self.A(self.L), self.Y()
        rhs = _loss_term_expression(spec, A, Y, HADAMARD)
        terms_value = _matrix(self.trace.loss_terms.T)
        ell = Term(Symbol("ℓ"), terms_value, ElementRef.whole_layer(self.L))
        equations = [
            _equation(
                ell,
                rhs,
                LOSS_TERM,
                None,
                "one term per output (rows) and sample (columns); powers and logs entry by entry",
            )
        ]
        outputs = self.sizes[self.L]
        total = Term(Symbol("J"), float(self.trace.loss), None)
        if self.B == 1:
            rhs_total: Expr = _apply(SUM, ell)
            if spec.outputs == "mean":
                rhs_total = _apply(MUL, _fraction(outputs), rhs_total)
            equations.append(
                _equation(total, rhs_total, TOTAL_LOSS, None, f"{spec.outputs} over the outputs")
            )
        else:
            per_sample: Expr = _apply(COLSUM, ell)
            if spec.outputs == "mean":
                per_sample = _apply(MUL, _fraction(outputs), per_sample)
            E = Term(Symbol("E"), _matrix(self.trace.sample_losses[None, :]), None)
            equations.append(
                _equation(
                    E,
                    per_sample,
                    SAMPLE_LOSS,
                    None,
                    f"each sample's loss: {spec.outputs} of its column",
                )
            )
            rhs_total = _apply(SUM, E)
            if spec.batch == "mean":
                rhs_total = _apply(MUL, _fraction(self.B), rhs_total)
            equations.append(
                _equation(total, rhs_total, TOTAL_LOSS, None, f"{spec.batch} over the batch")
            )
        return [Section(title, key, tuple(equations))]

    # -- backward

    def backward(self, l: int, title: str, key: str) -> list[Section]:
        sections = []
        sizes = self.sizes
        name = self.activation(l)
        for s in range(self.B):
            equations = []
            note: str | Note
            dA = self.dA(l, s)
            if l == self.L:
                equations.append(self.loss_gradient(s))
            else:
                dZ_next = self.dZ(l + 1, s)
                rhs: Expr = _apply(MATMUL, _apply(TRANSPOSE, self.W(l + 1)), dZ_next)
                note = f"shapes: ({sizes[l]}×{sizes[l + 1]})·({sizes[l + 1]}×1) → ({sizes[l]}×1)"
                equations.append(
                    _equation(dA, rhs, GRAD_OUT, s, note, [ElementRef.weight_matrix(l + 1)])
                )
            A, Z = self.A(l, s), self.Z(l, s)
            dZ = self.dZ(l, s)
            if name == "softmax":
                jacobian = softmax_jacobian(self.trace.a[l][s])
                symbol = Partial(
                    Symbol("A", layer=l, sample=self.sample_no(s)),
                    Symbol("Z", layer=l, sample=self.sample_no(s)),
                )
                J = Term(symbol, _matrix(jacobian), ElementRef.whole_layer(l))
                rhs_j = _apply(SUB, _apply(DIAG, A), _apply(MATMUL, A, _apply(TRANSPOSE, A)))
                equations.append(
                    _equation(J, rhs_j, JACOBIAN, s, "softmax Jacobian: diag(A) − A·Aᵀ")
                )
                rhs_dz: Expr = _apply(MATMUL, J, dA)
                note = "the Jacobian is symmetric"
            else:
                derivative: Expr | None = {
                    "sigmoid": _apply(HADAMARD, A, _apply(SUB, ONE, A)),
                    "tanh": _apply(SUB, ONE, _apply(POW, A, Const(2.0))),
                    "relu": _apply(RELU_PRIME, Z),
                    "leaky_relu": _apply(LEAKY_RELU_PRIME, Z),
                }.get(name)
                rhs_dz = dA if derivative is None else _apply(HADAMARD, dA, derivative)
                note = (
                    ("linear activation: ", Partial(Symbol("A"), Symbol("Z")), " = 1")
                    if derivative is None
                    else f"{activation_title(name)}′ of each entry"
                )
            equations.append(_equation(dZ, rhs_dz, DELTA, s, note, self.layer_refs(l)))
            a_prev = self.trace.a[l - 1][s]
            A_prev = self.A(l - 1, s)
            if self.B == 1:
                gw, gb = self.grad_weights(l), self.grad_biases(l)
            else:
                gw, gb = np.outer(self.own_delta(l)[s], a_prev), self.own_delta(l)[s]
            sample = self.per_sample(s)
            dW = Term(
                Symbol("dW", layer=l, sample=self.sample_no(s)),
                _matrix(gw),
                ElementRef.weight_matrix(l),
            )
            db = Term(
                Symbol("db", layer=l, sample=self.sample_no(s)),
                _matrix(gb),
                ElementRef.bias_vector(l),
            )
            note_w = f"shapes: ({sizes[l]}×1)·(1×{sizes[l - 1]}) → ({sizes[l]}×{sizes[l - 1]})"
            equations.append(
                _equation(
                    dW, _apply(MATMUL, dZ, _apply(TRANSPOSE, A_prev)), GRAD_WEIGHT, sample, note_w
                )
            )
            equations.append(_equation(db, dZ, GRAD_BIAS, sample, "∂Z/∂b = 1"))
            sections.append(Section(self.sample_title(title, s), key, tuple(equations)))
        if self.B == 1:
            return sections
        own = self.own_delta(l)
        a_prev_all = self.trace.a[l - 1]
        parts_w: list[Expr] = [
            Term(
                Symbol("dW", layer=l, sample=s + 1),
                _matrix(np.outer(own[s], a_prev_all[s])),
                ElementRef.weight_matrix(l),
            )
            for s in range(self.B)
        ]
        parts_b: list[Expr] = [
            Term(Symbol("db", layer=l, sample=s + 1), _matrix(own[s]), ElementRef.bias_vector(l))
            for s in range(self.B)
        ]
        dW_total = Term(
            Symbol("dW", layer=l), _matrix(self.grad_weights(l)), ElementRef.weight_matrix(l)
        )
        db_total = Term(
            Symbol("db", layer=l), _matrix(self.grad_biases(l)), ElementRef.bias_vector(l)
        )
        equations = [
            _equation(dW_total, self.combine(parts_w), GRAD_WEIGHT),
            _equation(db_total, self.combine(parts_b), GRAD_BIAS),
        ]
        sections.append(Section(f"{title} — the batch", key, tuple(equations), self.combine_note()))
        return sections

    def loss_gradient(self, s: int) -> Equation:
        spec = self.network.loss
        A, Y = self.A(self.L, s), self.Y(s)
        factors: list[Expr] = []
        if spec.outputs == "mean":
            factors.append(_fraction(self.sizes[self.L]))
        if spec.kind == "squared_error":
            if spec.scale != 0.5:
                factors += [Const(2.0), Const(spec.scale)]
            core: Expr = _apply(SUB, A, Y)
        elif spec.kind == "binary_cross_entropy":
            core = _apply(DIV, _apply(SUB, A, Y), _apply(HADAMARD, A, _apply(SUB, ONE, A)))
        else:
            core = _apply(NEG, _apply(DIV, Y, A))
        rhs = _apply(MUL, *factors, core) if factors else core
        dA_name, A_name = Symbol("dA"), Symbol("A")
        note: Note = (
            (dA_name, " = ", Partial(Symbol("J"), A_name), ", entry by entry")
            if self.B == 1
            else (
                dA_name,
                " = ",
                Partial(Symbol("E"), A_name),
                " of this sample's own loss, entry by entry",
            )
        )
        return _equation(self.dA(self.L, s), rhs, GRAD_OUT, s, note)

    # -- update

    def update(self, title: str, key: str) -> list[Section]:
        previous = self.velocities()
        optimizer = self.network.optimizer
        rate = Term(Symbol("η"), float(optimizer.learning_rate), None)
        momentum = Term(Symbol("μ"), float(optimizer.momentum), None)
        after = self.trace.network_after
        equations = []
        for l in range(1, self.L + 1):
            for kind, k in (("W", l - 1), ("b", self.L + l - 1)):
                ref = ElementRef.weight_matrix(l) if kind == "W" else ElementRef.bias_vector(l)
                before = self.W(l) if kind == "W" else self.b(l)
                gradient = self.grad_weights(l) if kind == "W" else self.grad_biases(l)
                new = after.weights[l - 1] if kind == "W" else after.biases[l - 1]
                grad = Term(Symbol("d" + kind, layer=l), _matrix(gradient), ref)
                move: Expr = grad
                if previous is not None:
                    assert self.trace.velocity is not None
                    v_before = Term(Symbol("V", kind, layer=l), _matrix(previous[k]), ref)
                    v_after = Term(
                        Symbol("V", kind, layer=l, updated=True),
                        _matrix(self.trace.velocity[k]),
                        ref,
                    )
                    rhs_v = _apply(ADD, _apply(MUL, momentum, v_before), grad)
                    equations.append(
                        _equation(v_after, rhs_v, VELOCITY, None, "momentum: V⁺ = μ·V + d")
                    )
                    move = v_after
                lhs = Term(Symbol(kind, layer=l, updated=True), _matrix(new), ref)
                rhs = _apply(SUB, before, _apply(MUL, rate, move))
                equations.append(_equation(lhs, rhs, PARAMETER))
        return [Section(title, key, tuple(equations))]


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
