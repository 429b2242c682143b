"""Edits of a Network: pure functions that return a new Network or raise EditError.

Shapes always stay consistent: adding a neuron adds zero weights into and out
of it (so the outputs do not change), removing one drops its row and column,
and the data table gains or loses a column when the input or output size
changes. Limits keep the diagram readable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine import fileformat
from engine.activations import ACTIVATION_NAMES
from engine.filechecks import text_problem
from engine.losses import LOSS_KINDS, REDUCTIONS, LossSpec, target_range_problem
from engine.network import Array, Layer, Network, OptimizerSpec, batch_size_problem

MAX_NEURONS_PER_LAYER = 256
MAX_LAYERS = 16  # input and output included
MAX_ROWS = 100_000
MAX_BATCH_SIZE = fileformat.MAX_BATCH_SIZE
INITIALISERS = ("uniform", "xavier", "he")


class EditError(ValueError):
    """An edit refused, with the reason for the user."""


def _check_finite(value: float, what: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise EditError(f"{what} must be a finite number")
    return float(value)


def _fits(network: Network) -> Network:
    """The network, if its iterations fit in memory (engine.network.MAX_BATCH_VALUES)."""
    problem = batch_size_problem(network.sizes, network.row_count, network.optimizer.batch_size)
    if problem is not None:
        raise EditError(problem)
    return network


def _check_targets(kind: str, targets: Array, what: str) -> None:
    problem = target_range_problem(kind, targets)
    if problem is not None:
        (row, column), reason = problem
        raise EditError(f"{reason} (row {row + 1}, target {column + 1}){what}")


def _labels_with(network: Network, layer: int, labels: Sequence[str] | None) -> Layer:
    old = network.layers[layer]
    return Layer(
        len(labels) if labels is not None else old.size,
        old.activation,
        None if labels is None else tuple(labels),
    )


# -- parameters ------------------------------------------------------------------------


def set_weight(network: Network, layer: int, to: int, frm: int, value: float) -> Network:
    """weights[layer-1][to][frm] = value (``layer`` is the layer the weight feeds)."""
    value = _check_finite(value, "A weight")
    weights = [w.copy() for w in network.weights]
    weights[layer - 1][to, frm] = value
    return network.replace(weights=weights)


def set_bias(network: Network, layer: int, index: int, value: float) -> Network:
    value = _check_finite(value, "A bias")
    biases = [b.copy() for b in network.biases]
    biases[layer - 1][index] = value
    return network.replace(biases=biases)


def randomise(
    network: Network, method: str, seed: int, layer: int | None = None, scale: float = 1.0
) -> Network:
    """New weights for one layer (1..L) or all: uniform U(−scale, scale) (biases too),
    Xavier/Glorot uniform or He normal (biases zero). Same seed, same numbers."""
    if method not in INITIALISERS:
        raise EditError(
            f"unknown initialiser {method!r} (expected one of {', '.join(INITIALISERS)})"
        )
    scale = _check_finite(scale, "The range")
    rng = np.random.default_rng(seed)
    weights = list(network.weights)
    biases = list(network.biases)
    layers = range(1, network.weight_layer_count + 1) if layer is None else [layer]
    for l in layers:
        fan_out, fan_in = network.weights[l - 1].shape
        if method == "uniform":
            weights[l - 1] = rng.uniform(-scale, scale, (fan_out, fan_in))
            biases[l - 1] = rng.uniform(-scale, scale, (fan_out,))
        elif method == "xavier":
            limit = math.sqrt(6.0 / (fan_in + fan_out))
            weights[l - 1] = rng.uniform(-limit, limit, (fan_out, fan_in))
            biases[l - 1] = np.zeros(fan_out)
        else:
            weights[l - 1] = rng.normal(0.0, math.sqrt(2.0 / fan_in), (fan_out, fan_in))
            biases[l - 1] = np.zeros(fan_out)
    return network.replace(weights=weights, biases=biases)


def set_all(
    network: Network,
    value: float,
    layer: int | None = None,
    weights: bool = True,
    biases: bool = True,
) -> Network:
    """Every weight and/or bias of one layer (1..L) or of all layers set to ``value``."""
    value = _check_finite(value, "The value")
    new_weights = list(network.weights)
    new_biases = list(network.biases)
    layers = range(1, network.weight_layer_count + 1) if layer is None else [layer]
    for l in layers:
        if weights:
            new_weights[l - 1] = np.full(network.weights[l - 1].shape, value)
        if biases:
            new_biases[l - 1] = np.full(network.biases[l - 1].shape, value)
    return network.replace(weights=new_weights, biases=new_biases)


# -- structure -------------------------------------------------------------------------


def _check_size(size: int) -> None:
    if size > MAX_NEURONS_PER_LAYER:
        raise EditError(
            f"at most {MAX_NEURONS_PER_LAYER} neurons per layer: more would not stay readable"
        )


def add_neuron(network: Network, layer: int) -> Network:
    """One more neuron at the end of ``layer``, with zero weights in and out."""
    size = network.layers[layer].size + 1
    _check_size(size)
    weights = list(network.weights)
    biases = list(network.biases)
    inputs, targets = network.inputs, network.targets
    if layer > 0:
        weights[layer - 1] = np.vstack([weights[layer - 1], np.zeros(weights[layer - 1].shape[1])])
        biases[layer - 1] = np.append(biases[layer - 1], 0.0)
    if layer < network.weight_layer_count:
        weights[layer] = np.hstack([weights[layer], np.zeros((weights[layer].shape[0], 1))])
    if layer == 0:
        inputs = np.hstack([inputs, np.zeros((inputs.shape[0], 1))])
    if layer == network.weight_layer_count:
        targets = np.hstack([targets, np.zeros((targets.shape[0], 1))])
    old = network.layers[layer]
    labels = None
    if old.labels is not None:
        labels = old.labels + (_fresh_label(old.labels, network, layer),)
    layers = list(network.layers)
    layers[layer] = Layer(size, old.activation, labels)
    return _fits(
        _with_layout_dropped(
            network.replace(
                layers=tuple(layers), weights=weights, biases=biases, inputs=inputs, targets=targets
            )
        )
    )


def _fresh_label(labels: tuple[str, ...], network: Network, layer: int) -> str:
    prefix = labels[-1].rstrip("0123456789") or ("x" if layer == 0 else "h")
    number = len(labels) + 1
    while f"{prefix}{number}" in labels:
        number += 1
    return f"{prefix}{number}"


def remove_neuron(network: Network, layer: int, index: int) -> Network:
    """Drop neuron ``index`` of ``layer`` with its weights (and its data column)."""
    old = network.layers[layer]
    if old.size == 1:
        what = (
            "input" if layer == 0 else "output" if layer == network.weight_layer_count else "hidden"
        )
        raise EditError(
            f"cannot remove the last neuron of the {what} layer: a layer needs at least one"
            + ("; remove the whole layer instead" if what == "hidden" else "")
        )
    weights = list(network.weights)
    biases = list(network.biases)
    inputs, targets = network.inputs, network.targets
    if layer > 0:
        weights[layer - 1] = np.delete(weights[layer - 1], index, axis=0)
        biases[layer - 1] = np.delete(biases[layer - 1], index)
    if layer < network.weight_layer_count:
        weights[layer] = np.delete(weights[layer], index, axis=1)
    if layer == 0:
        inputs = np.delete(inputs, index, axis=1)
    if layer == network.weight_layer_count:
        targets = np.delete(targets, index, axis=1)
    labels = None if old.labels is None else old.labels[:index] + old.labels[index + 1 :]
    layers = list(network.layers)
    layers[layer] = Layer(old.size - 1, old.activation, labels)
    return _with_layout_dropped(
        network.replace(
            layers=tuple(layers), weights=weights, biases=biases, inputs=inputs, targets=targets
        )
    )


def set_layer_size(network: Network, layer: int, size: int) -> Network:
    """Grow or shrink ``layer`` to ``size`` neurons (at the end)."""
    if size < 1:
        raise EditError("a layer needs at least one neuron")
    _check_size(size)
    while network.layers[layer].size < size:
        network = add_neuron(network, layer)
    while network.layers[layer].size > size:
        network = remove_neuron(network, layer, network.layers[layer].size - 1)
    return network


def add_hidden_layer(network: Network, after: int, activation: str = "sigmoid") -> Network:
    """A new hidden layer after layer ``after`` (0..L-1), the same size as that layer, with
    identity weights and zero biases into it, so with a linear activation nothing changes."""
    if len(network.layers) >= MAX_LAYERS:
        raise EditError(f"at most {MAX_LAYERS} layers: more would not stay readable")
    if not 0 <= after < network.weight_layer_count:
        raise EditError("a hidden layer goes between the input and the output layer")
    if activation not in ACTIVATION_NAMES or activation == "softmax":
        raise EditError(f"a hidden layer cannot use {activation!r}")
    size = network.layers[after].size
    layers = list(network.layers)
    layers.insert(after + 1, Layer(size, activation, None))
    weights = list(network.weights)
    biases = list(network.biases)
    weights.insert(after, np.eye(size))
    biases.insert(after, np.zeros(size))
    return _fits(
        _with_layout_dropped(network.replace(layers=tuple(layers), weights=weights, biases=biases))
    )


def remove_hidden_layer(network: Network, layer: int) -> Network:
    """Drop hidden layer ``layer``; the layers either side are joined by new weights
    (zeros, or the identity when the sizes match), so the shapes always fit."""
    if not 0 < layer < network.weight_layer_count:
        raise EditError("only a hidden layer can be removed (the input and output layers stay)")
    before, after = network.layers[layer - 1].size, network.layers[layer + 1].size
    joined = np.eye(after, before) if before == after else np.zeros((after, before))
    layers = list(network.layers)
    del layers[layer]
    weights = list(network.weights)
    biases = list(network.biases)
    weights[layer - 1 : layer + 1] = [joined]
    del biases[layer - 1]
    return _with_layout_dropped(
        network.replace(layers=tuple(layers), weights=weights, biases=biases)
    )


def set_activation(network: Network, layer: int, activation: str) -> Network:
    if layer == 0:
        raise EditError("the input layer has no activation")
    if activation not in ACTIVATION_NAMES:
        raise EditError(f"unknown activation {activation!r}")
    if activation == "softmax" and layer != network.weight_layer_count:
        raise EditError("softmax is allowed on the output layer only")
    layers = list(network.layers)
    old = layers[layer]
    layers[layer] = Layer(old.size, activation, old.labels)
    return network.replace(layers=tuple(layers))


def set_labels(network: Network, layer: int, labels: Sequence[str] | None) -> Network:
    if labels is not None:
        if len(labels) != network.layers[layer].size:
            raise EditError(f"expected {network.layers[layer].size} labels")
        if any(not label.strip() for label in labels):
            raise EditError("a label cannot be empty")
    layers = list(network.layers)
    layers[layer] = _labels_with(network, layer, labels)
    return network.replace(layers=tuple(layers))


MAX_NAME_CHARS = 200
MAX_DESCRIPTION_CHARS = 20_000


def set_name_and_description(
    network: Network, name: str | None = None, description: str | None = None
) -> Network:
    """The network's name (one line, not empty) and description (any text); None keeps
    what is there. Both are what the file's "name" and "description" hold."""
    if name is not None:
        name = " ".join(name.split())  # one line: a title, never a paragraph
        if not name:
            raise EditError("the name cannot be empty")
        if len(name) > MAX_NAME_CHARS:
            raise EditError(f"a name has at most {MAX_NAME_CHARS} characters")
    if description is not None:
        description = description.strip()
        if len(description) > MAX_DESCRIPTION_CHARS:
            raise EditError(f"a description has at most {MAX_DESCRIPTION_CHARS:,} characters")
    for text in (name, description):
        problem = None if text is None else text_problem(text)
        if problem is not None:
            raise EditError(problem)
    return network.replace(
        name=network.name if name is None else name,
        description=network.description if description is None else description,
    )


def _with_layout_dropped(network: Network) -> Network:
    """Node positions of a reshaped network no longer apply: auto-layout takes over."""
    layout = {k: v for k, v in network.layout.items() if k != "positions"}
    return network.replace(layout=layout)


# -- loss, optimiser, data -----------------------------------------------------------------


def set_loss(network: Network, **changes: Any) -> Network:
    spec = network.loss
    kind = changes.get("kind", spec.kind)
    if kind not in LOSS_KINDS:
        raise EditError(f"unknown loss {kind!r}")
    scale = _check_finite(changes.get("scale", spec.scale), "The scale")
    if scale <= 0:
        raise EditError("the scale must be greater than 0")
    outputs = changes.get("outputs", spec.outputs)
    batch = changes.get("batch", spec.batch)
    if outputs not in REDUCTIONS or batch not in REDUCTIONS:
        raise EditError("a reduction is 'sum' or 'mean'")
    if kind != spec.kind:
        _check_targets(kind, network.targets, ": change the data first")
    return network.replace(loss=LossSpec(kind, scale, outputs, batch))


def set_optimizer(network: Network, **changes: Any) -> Network:
    spec = network.optimizer
    rate = _check_finite(changes.get("learning_rate", spec.learning_rate), "The learning rate")
    if rate <= 0:
        raise EditError("the learning rate must be greater than 0")
    momentum = _check_finite(changes.get("momentum", spec.momentum), "The momentum")
    if momentum < 0:
        raise EditError("the momentum cannot be negative")
    batch_size = changes.get("batch_size", spec.batch_size)
    if batch_size is not None and (
        int(batch_size) != batch_size or not 1 <= batch_size <= MAX_BATCH_SIZE
    ):
        raise EditError(
            f"the batch size is a whole number from 1 to {MAX_BATCH_SIZE:,} (or the whole data set)"
        )
    return _fits(
        network.replace(
            optimizer=OptimizerSpec(
                "sgd", rate, momentum, None if batch_size is None else int(batch_size)
            )
        )
    )


def set_data(
    network: Network,
    inputs: Array | Sequence[Sequence[float]],
    targets: Array | Sequence[Sequence[float]],
) -> Network:
    """Replace the data table; rows must fit the input and output sizes."""
    x = np.array(inputs, dtype=np.float64)
    t = np.array(targets, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise EditError("the data needs at least one row")
    if x.shape[0] > MAX_ROWS:
        raise EditError(f"at most {MAX_ROWS:,} rows")
    if x.shape[1] != network.layers[0].size:
        raise EditError(f"each row needs {network.layers[0].size} inputs, got {x.shape[1]}")
    if t.ndim != 2 or t.shape != (x.shape[0], network.layers[-1].size):
        raise EditError(f"each row needs {network.layers[-1].size} targets")
    if not (np.isfinite(x).all() and np.isfinite(t).all()):
        raise EditError("every input and target must be a finite number")
    _check_targets(network.loss.kind, t, "")
    return _fits(network.replace(inputs=x, targets=t))


def set_layout(network: Network, layout: dict[str, Any]) -> Network:
    """The diagram's layout; refused (EditError) if a file could not hold it."""
    try:
        fileformat.check_layout(layout)
    except fileformat.NetworkFileError as error:
        raise EditError(str(error)) from None
    return network.replace(layout=layout)
