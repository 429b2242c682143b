"""The diagram elements an equation's terms belong to (``ElementRef``).

An ``ElementRef`` names a neuron, weight or bias as the network file indexes it, or
a whole layer, weight matrix or bias vector (the vector notation's terms), or the
fan-in of a neuron (what a δ's equations concern). ``href`` and ``from_href`` carry
it through the HTML of the Maths panel. Part of engine.explain, which re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass

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
