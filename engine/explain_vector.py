"""The vector notation's derivation (``_VectorDerivation``): Z[l], A[l], dZ[l], dW[l].

One equation per layer and step, with one column per sample and the matrices'
shapes in the notes: Z[l] = W[l]·A[l−1] + b[l], A[l] = f(Z[l]); the loss ℓ and J;
dA, dZ, dW, db per sample, then the batch's dW, db; W⁺, b⁺ (and V⁺ with
momentum). engine.explain builds one ``_VectorDerivation`` per derived step.
"""

from __future__ import annotations

import numpy as np

from engine.activations import softmax_jacobian
from engine.explain_derivation import _Derivation, _loss_term_expression, activation_title
from engine.explain_refs import ElementRef
from engine.explain_terms import (
    ADD,
    COLSUM,
    DELTA,
    DIAG,
    DIV,
    GRAD_BIAS,
    GRAD_OUT,
    GRAD_WEIGHT,
    HADAMARD,
    JACOBIAN,
    LEAKY_RELU,
    LEAKY_RELU_PRIME,
    LOSS_TERM,
    MATMUL,
    MUL,
    NEG,
    NET,
    ONE,
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
    Const,
    Equation,
    Expr,
    Note,
    Partial,
    Section,
    Symbol,
    Term,
    _apply,
    _equation,
    _fraction,
    _matrix,
)
from engine.network import Array


def _shape(array: Array) -> str:
    rows, cols = (array.shape[0], 1) if array.ndim == 1 else array.shape
    return f"({rows}×{cols})"


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
