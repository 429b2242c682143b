"""The neuron notation's backward steps (``_NeuronBackward``): the chain rule, neuron by neuron.

For each sample: ∂E/∂out of the outputs from the loss, or of a hidden neuron from
the next layer's δs (each one's share first, as the tutorial does); ∂out/∂net, or
the softmax Jacobian; δ; and ∂E/∂w, ∂E/∂b of the weights and bias into the neuron.
In a batch of several, the batch's gradients then combine the samples'.
engine/explain_neuron.py adds the other steps.
"""

from __future__ import annotations

from engine.activations import softmax_jacobian
from engine.explain_neuron_terms import _NeuronTerms
from engine.explain_refs import ElementRef
from engine.explain_terms import (
    ACTIVATION_DERIVATIVE,
    ADD,
    DELTA,
    DIV,
    GRAD_BIAS,
    GRAD_OUT,
    GRAD_OUT_PART,
    GRAD_WEIGHT,
    JACOBIAN,
    LEAKY_RELU_PRIME,
    MUL,
    NEG,
    ONE,
    POW,
    RELU_PRIME,
    SUB,
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
)
from engine.network import Array

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


class _NeuronBackward(_NeuronTerms):
    """``backward``: one section per sample, then the batch's (several samples)."""

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
