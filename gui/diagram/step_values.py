"""What the diagram shows at the current step: numbers, colours and lit edges.

The automatic view ("auto", the default) shows what the step computes:

- start, forward and loss steps: activations a on the nodes (and z of the layer computed
  at a forward step), weights on the edges;
- backward l: δ on the nodes of layer l and of the later layers (computed before), ∂E/∂w
  on the edges into layer l coloured by |∂E/∂w|, and the weights into layer l + 1 lit:
  they carry δ back (δ_h1 = (δ_o1·w5 + δ_o2·w7)·σ′);
- update: old → new on every edge, coloured by |Δw|.

Node fills always encode a in the automatic view, on one scale for the whole iteration:
a node keeps its colour from step to step. The manual choices (a, z, δ; weight,
gradient, update) show one quantity at every step, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from engine.network import Network
from engine.steps import BACKWARD, FORWARD, LOSS, UPDATE
from gui.diagram.colour_scales import Range, activation_range, magnitude_range, symmetric_range
from gui.document import NetworkDocument
from gui.formatting import format_number
from gui.view_settings import EDGE_MODE_NAMES, NODE_VALUE_NAMES, ViewSettings

Array = NDArray[np.float64]

DELTA = "δ"
SHORT_DIGITS = 4  # edge labels that do not all fit are shortened to this many digits
ARROW = " → "

# What an edge set shows. CARRIER: the weights that carry δ back at a backward step
# (drawn lit in a neutral ink, not on the colour scale); NONE: nothing computed yet.
WEIGHT, GRADIENT, UPDATE_KIND, CARRIER, NONE = "weight", "gradient", "update", "carrier", "none"


@dataclass
class NodeLayer:
    numbers: Array | None = None  # per neuron, in its pill; None: nothing computed yet
    symbol: str = ""  # "a", "z" or "δ" before the number (automatic view)
    detail: Array | None = None  # a line above the number: z at a forward step
    detail_symbol: str = ""
    colour: Array | None = None  # what the fill encodes; None: the empty fill


@dataclass
class NodePlan:
    layers: list[NodeLayer]
    title: str  # the legend's
    note: str  # a line under the legend's bar: what the numbers are when not the colour
    scale: Range
    empty_reason: str


@dataclass(frozen=True)
class LabelTexts:
    full: list[str]
    short: list[str]  # with at most SHORT_DIGITS digits, for when the full ones are crowded


@dataclass
class EdgeSet:
    """The weights (or biases) into one layer."""

    kind: str = NONE
    colour: Array | None = None  # flattened; None: the neutral pen
    labels: LabelTexts | None = None
    dimmed: bool = False


@dataclass
class EdgePlan:
    weights: dict[int, EdgeSet] = field(default_factory=dict)
    biases: dict[int, EdgeSet] = field(default_factory=dict)
    kind: str = WEIGHT  # what the colour scale is of
    title: str = ""
    note: str = ""
    scale: Range = field(default_factory=lambda: Range(0.0, 0.0, True))
    empty_reason: str = ""


def _step_kind(document: NetworkDocument) -> tuple[str | None, int | None]:
    step = document.step
    return (None, None) if step is None else (step.kind, step.layer)


# -- nodes -------------------------------------------------------------------------------


def node_plan(document: NetworkDocument, settings: ViewSettings, sample: int) -> NodePlan:
    trace = document.trace
    network = document.initial_network
    count = len(network.layers)
    mode = settings.node_value
    kind, active = _step_kind(document)

    def a(l: int) -> Array | None:
        return trace.a[l][sample] if document.shows_activation(l) else None

    def z(l: int) -> Array | None:
        if not document.shows_activation(l):
            return None
        values = trace.z[l]
        return trace.a[0][sample] if values is None else values[sample]

    def delta(l: int) -> Array | None:
        values = trace.delta[l] if document.shows_delta(l) else None
        return None if values is None else values[sample]

    a_range = activation_range(trace.a)
    if mode == "a":
        layers = [NodeLayer(a(l), colour=a(l)) for l in range(count)]
        scale, title = a_range, NODE_VALUE_NAMES["a"]
    elif mode == "z":
        layers = [NodeLayer(z(l), colour=z(l)) for l in range(count)]
        scale = symmetric_range([trace.a[0], *trace.z])
        title = NODE_VALUE_NAMES["z"]
    elif mode == "delta":
        layers = [NodeLayer(delta(l), colour=delta(l)) for l in range(count)]
        scale, title = symmetric_range(trace.delta), NODE_VALUE_NAMES["delta"]
    else:
        return _auto_nodes(document, kind, active, count, a, z, delta, a_range)
    shown = any(layer.colour is not None for layer in layers)
    reason = "" if shown else "not computed yet at this step"
    return NodePlan(layers, f"Nodes: {title}", "", scale, reason)


def _auto_nodes(  # type: ignore[no-untyped-def]
    document: NetworkDocument,
    kind: str | None,
    active: int | None,
    count: int,
    a,
    z,
    delta,
    a_range: Range,
) -> NodePlan:
    layers = []
    backward_from = None  # layers from here on show δ
    if kind == BACKWARD:
        backward_from = active
    elif kind == UPDATE:
        backward_from = 1
    for l in range(count):
        symbol = "" if l == 0 else "a"
        layer = NodeLayer(a(l), symbol, colour=a(l))
        if backward_from is not None and l >= backward_from:
            layer.numbers, layer.symbol = delta(l), DELTA
        elif kind == FORWARD and l == active:
            layer.detail, layer.detail_symbol = z(l), "z"
        layers.append(layer)
    if backward_from is not None:
        note = "numbers: δ (error signal)"
    elif kind == FORWARD:
        note = "numbers: z and a"
    else:
        note = ""
    return NodePlan(layers, f"Nodes: {NODE_VALUE_NAMES['a']}", note, a_range, "")


# -- edges -------------------------------------------------------------------------------


class _Labels:
    """Edge label texts: the value, the tutorial's name (w5, b(o1)) or both."""

    def __init__(self, network: Network, settings: ViewSettings, digits: int) -> None:
        self.network = network
        self.digits = digits
        self.text = settings.edge_label_text
        self.shown = settings.show_edge_values

    def number(self, value: float, digits: int) -> str:
        return format_number(float(value), digits)

    def _names(self, l: int, biases: bool) -> list[str]:
        network = self.network
        if biases:
            return [network.bias_symbol(l, j) for j in range(network.sizes[l])]
        n_out, n_in = network.sizes[l], network.sizes[l - 1]
        return [network.weight_symbol(l, j, i) for j in range(n_out) for i in range(n_in)]

    def texts(self, l: int, biases: bool, values: list[str]) -> list[str]:
        if self.text == "value":
            return values
        names = self._names(l, biases)
        if self.text == "name":
            return names
        return [f"{name} {value}" for name, value in zip(names, values, strict=True)]

    def _both(self, l: int, biases: bool, numbers) -> LabelTexts | None:  # type: ignore[no-untyped-def]
        if not self.shown:
            return None
        short = min(self.digits, SHORT_DIGITS)
        return LabelTexts(
            self.texts(l, biases, numbers(self.digits)), self.texts(l, biases, numbers(short))
        )

    def of(self, l: int, biases: bool, values: Array) -> LabelTexts | None:
        flat = np.asarray(values, dtype=np.float64).reshape(-1)
        return self._both(l, biases, lambda d: [self.number(v, d) for v in flat])

    def old_new(self, l: int, biases: bool, old: Array, new: Array) -> LabelTexts | None:
        pairs = list(zip(np.reshape(old, -1), np.reshape(new, -1), strict=True))
        return self._both(
            l, biases, lambda d: [self.number(o, d) + ARROW + self.number(n, d) for o, n in pairs]
        )


def _flat(values: Array | None) -> Array | None:
    return None if values is None else np.asarray(values, dtype=np.float64).reshape(-1)


def edge_plan(document: NetworkDocument, settings: ViewSettings, digits: int) -> EdgePlan:
    """What the edges show at the current step, numbers with ``digits`` digits."""
    trace = document.trace
    network = document.displayed_network()
    L = network.weight_layer_count
    kind, active = _step_kind(document)
    labels = _Labels(network, settings, digits)
    mode = settings.edge_mode
    log = settings.edge_scale == "log"
    # Which edges carry this step's values (the others are drawn faded).
    lit = set(range(1, L + 1))
    if kind in (FORWARD, BACKWARD):
        lit = {active}  # type: ignore[set-item]
    elif kind == LOSS:
        lit = set()
    if mode == "auto":
        if kind == BACKWARD:
            return _auto_backward(document, network, labels, active, log)  # type: ignore[arg-type]
        mode = "update" if kind == UPDATE else "weight"
        if kind == UPDATE:
            return _auto_update(document, labels, log)
    plan = EdgePlan(kind=mode, title=f"Edges: {EDGE_MODE_NAMES[mode]}" + (" (log)" if log else ""))
    if mode == "weight":
        plan.title = f"Edges: {EDGE_MODE_NAMES['weight']}"
        plan.scale = symmetric_range(
            [*trace.network.weights, *trace.network.biases]
            + [*trace.network_after.weights, *trace.network_after.biases]
        )
        for l in range(1, L + 1):
            w, b = network.weights[l - 1], network.biases[l - 1]
            plan.weights[l] = EdgeSet(WEIGHT, _flat(w), labels.of(l, False, w), l not in lit)
            plan.biases[l] = EdgeSet(WEIGHT, _flat(b), labels.of(l, True, b), l not in lit)
        return plan
    if mode == "gradient":
        plan.scale = magnitude_range([*trace.grad_weights, *trace.grad_biases], log)
        for l in range(1, L + 1):
            for sets, values, bias in (
                (plan.weights, trace.grad_weights[l], False),
                (plan.biases, trace.grad_biases[l], True),
            ):
                if document.shows_delta(l) and values is not None:
                    sets[l] = EdgeSet(GRADIENT, _flat(values), labels.of(l, bias, values))
                else:
                    sets[l] = EdgeSet()
                sets[l].dimmed = l not in lit
        if not any(s.kind == GRADIENT for s in plan.weights.values()):
            plan.empty_reason = "gradients appear from the backward steps on"
        return plan
    update = document.last_update()
    if update is None:
        plan.empty_reason = "no update has been made yet"
        for l in range(1, L + 1):
            plan.weights[l] = EdgeSet(dimmed=l not in lit)
            plan.biases[l] = EdgeSet(dimmed=l not in lit)
        return plan
    plan.scale = magnitude_range([*update[0], *update[1]], log)
    for l in range(1, L + 1):
        w, b = update[0][l - 1], update[1][l - 1]
        plan.weights[l] = EdgeSet(UPDATE_KIND, _flat(w), labels.of(l, False, w), l not in lit)
        plan.biases[l] = EdgeSet(UPDATE_KIND, _flat(b), labels.of(l, True, b), l not in lit)
    return plan


def _auto_backward(
    document: NetworkDocument, network: Network, labels: _Labels, layer: int, log: bool
) -> EdgePlan:
    trace = document.trace
    L = network.weight_layer_count
    plan = EdgePlan(kind=GRADIENT)
    plan.title = f"Edges: {EDGE_MODE_NAMES['gradient']}" + (" (log)" if log else "")
    plan.scale = magnitude_range([*trace.grad_weights, *trace.grad_biases], log)
    for l in range(1, L + 1):
        if l >= layer:  # computed at this step or an earlier backward step
            dimmed = l > layer  # the next layer's weights are the carriers, below
            for sets, values, bias in (
                (plan.weights, trace.grad_weights[l], False),
                (plan.biases, trace.grad_biases[l], True),
            ):
                sets[l] = EdgeSet(GRADIENT, _flat(values), labels.of(l, bias, values), dimmed)
        else:
            plan.weights[l], plan.biases[l] = EdgeSet(dimmed=True), EdgeSet(dimmed=True)
    if layer < L:
        # The weights into the next layer carry its δ back to this one: lit, with their
        # values (the update has not changed them yet).
        w = network.weights[layer]
        plan.weights[layer + 1] = EdgeSet(CARRIER, _flat(w), labels.of(layer + 1, False, w))
        plan.biases[layer + 1] = EdgeSet(dimmed=True)
        plan.note = "dark: weights carrying δ back"
    return plan


def _auto_update(document: NetworkDocument, labels: _Labels, log: bool) -> EdgePlan:
    trace = document.trace
    before, after = trace.network, trace.network_after
    L = before.weight_layer_count
    update = document.last_update()
    assert update is not None  # at the update step
    plan = EdgePlan(kind=UPDATE_KIND, title=f"Edges: {EDGE_MODE_NAMES['update']}")
    plan.title += " (log)" if log else ""
    plan.note = "numbers: old → new"
    plan.scale = magnitude_range([*update[0], *update[1]], log)
    for l in range(1, L + 1):
        for sets, old, new, change, bias in (
            (plan.weights, before.weights[l - 1], after.weights[l - 1], update[0][l - 1], False),
            (plan.biases, before.biases[l - 1], after.biases[l - 1], update[1][l - 1], True),
        ):
            sets[l] = EdgeSet(UPDATE_KIND, _flat(change), labels.old_new(l, bias, old, new))
    return plan
