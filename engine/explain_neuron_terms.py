"""The neuron notation's symbols and terms (``_NeuronTerms``).

Names as the tutorials write them: neurons by their labels (net_h1, out_o1, the
inputs' own labels), weights numbered w1, w2, … in the order of
``weights[l][j][i]`` layer by layer, biases b1, b2, … one per neuron, and a
sample superscript ⁽ˢ⁾ in a batch of several. Each term carries its number from
the trace and its diagram element. The steps build on it:
engine/explain_neuron_backward.py, then engine/explain_neuron.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.explain_derivation import _Derivation
from engine.explain_refs import ElementRef
from engine.explain_terms import Partial, Symbol, Term
from engine.network import Array
from engine.trace import IterationTrace


class _NeuronTerms(_Derivation):
    """The neuron notation's names and terms: out_h1⁽ˢ⁾, net_o1, w5, b2, δ, ∂E/∂out."""

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
