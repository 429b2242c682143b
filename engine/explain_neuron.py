"""The neuron notation's derivation (``_NeuronDerivation``): one equation per neuron and weight.

The forward, loss and update steps are here; the names and terms
(engine/explain_neuron_terms.py) and the backward steps
(engine/explain_neuron_backward.py) are inherited. engine.explain builds one
``_NeuronDerivation`` per derived step.
"""

from __future__ import annotations

from engine.explain_derivation import _loss_term_expression
from engine.explain_neuron_backward import _NeuronBackward
from engine.explain_refs import ElementRef
from engine.explain_terms import (
    ADD,
    DIV,
    EXP,
    LOSS_TERM,
    MAX,
    MUL,
    NEG,
    NET,
    ONE,
    OUT,
    PARAMETER,
    SAMPLE_LOSS,
    SUB,
    TANH,
    TOTAL_LOSS,
    VELOCITY,
    Const,
    Equation,
    Expr,
    Partial,
    Section,
    Symbol,
    Term,
    _apply,
    _equation,
    _fraction,
)
from engine.steps import layer_role


class _NeuronDerivation(_NeuronBackward):
    """Every step of the neuron notation: forward, loss, backward (inherited), update."""

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
