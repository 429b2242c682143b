"""One iteration with every intermediate value kept: what the GUI steps through.

Layer indices follow the network file: layer 0 is the input layer, layers
1..L are computed. Lists indexed by layer hold ``None`` at index 0 where the
input layer has no such value (z, delta, gradients).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from engine import losses
from engine.activations import ACTIVATIONS
from engine.network import Array, Network, batch_rows
from engine.steps import Step, iteration_steps


@dataclass(frozen=True, eq=False)
class IterationTrace:
    index: int  # 0-based iteration number
    network: Network  # parameters before the update
    rows: NDArray[np.intp]  # data rows of this iteration's batch
    targets: Array  # batch x outputs
    z: tuple[Array | None, ...]  # per layer, batch x size (None for layer 0)
    a: tuple[Array, ...]  # per layer, batch x size (a[0] = inputs)
    grad_a: tuple[Array, ...]  # dL/da per layer, batch x size
    delta: tuple[Array | None, ...]  # dL/dz per layer (None for layer 0)
    grad_weights: tuple[Array | None, ...]  # dL/dW into layer l (None for l = 0)
    grad_biases: tuple[Array | None, ...]
    loss_terms: Array  # per-output terms before reduction, batch x outputs
    sample_losses: Array  # one per sample
    loss: float  # the loss before the update
    velocity: tuple[Array, ...] | None  # momentum after the update, weights then biases
    network_after: Network
    diverged: bool  # loss, a gradient or a new parameter is not finite

    @property
    def steps(self) -> tuple[Step, ...]:
        return iteration_steps(self.network.weight_layer_count)

    @property
    def batch_size(self) -> int:
        return int(self.rows.shape[0])

    def updates(self, layer: int) -> tuple[Array, Array]:
        """Change of the weights and biases into ``layer`` made by the update."""
        with np.errstate(all="ignore"):  # inf − inf in a diverged update is NaN, not a warning
            return (
                self.network_after.weights[layer - 1] - self.network.weights[layer - 1],
                self.network_after.biases[layer - 1] - self.network.biases[layer - 1],
            )


def forward(network: Network, inputs: Array) -> tuple[list[Array | None], list[Array]]:
    """z and a of every layer for a batch of inputs."""
    names = [str(layer.activation) for layer in network.layers[1:]]
    return forward_arrays(names, network.weights, network.biases, inputs)


def forward_arrays(
    activations: Sequence[str], weights: Sequence[Array], biases: Sequence[Array], inputs: Array
) -> tuple[list[Array | None], list[Array]]:
    """The forward pass on plain arrays (the Trainer keeps its parameters in views)."""
    zs: list[Array | None] = [None]
    outputs: list[Array] = [inputs]
    a = inputs
    for w, b, name in zip(weights, biases, activations, strict=True):
        z = a @ w.T + b
        a = ACTIVATIONS[name].forward(z)
        zs.append(z)
        outputs.append(a)
    return zs, outputs


def dataset_loss(network: Network) -> float:
    """Loss of the current parameters on the whole data set (all rows, one batch)."""
    with np.errstate(all="ignore"):
        _, activations = forward(network, network.inputs)
        return losses.loss_value(network.loss, activations[-1], network.targets)


def trace_iteration(
    network: Network,
    index: int = 0,
    velocity: tuple[Array, ...] | None = None,
) -> IterationTrace:
    """Run iteration ``index`` (its batch follows the optimiser's batch size).

    ``velocity`` is the momentum carried from the previous iteration (weights
    then biases); None means zero, as at the start of training.
    """
    rows = batch_rows(network, index)
    if network.optimizer.batch_size is None:
        inputs, targets = network.inputs, network.targets
    else:
        inputs, targets = network.inputs[rows], network.targets[rows]
    L = network.weight_layer_count
    with np.errstate(all="ignore"):  # divergence is reported, never warned about
        zs, activations = forward(network, inputs)
        y = activations[-1]
        terms = losses.output_terms(network.loss, y, targets)
        per_sample = losses.sample_losses(network.loss, terms)
        loss = losses.combine_samples(network.loss, per_sample)

        grad_a: list[Array] = [np.empty(0)] * (L + 1)
        deltas: list[Array | None] = [None] * (L + 1)
        grad_w: list[Array | None] = [None] * (L + 1)
        grad_b: list[Array | None] = [None] * (L + 1)
        grad_a[L] = losses.gradient(network.loss, y, targets)
        for layer in range(L, 0, -1):
            activation = network.layers[layer].activation
            assert activation is not None
            z = zs[layer]
            assert z is not None
            delta = ACTIVATIONS[activation].backward(z, activations[layer], grad_a[layer])
            deltas[layer] = delta
            grad_w[layer] = delta.T @ activations[layer - 1]
            grad_b[layer] = delta.sum(axis=0)
            grad_a[layer - 1] = delta @ network.weights[layer - 1]

        gradients: list[Array] = grad_w[1:] + grad_b[1:]  # type: ignore[assignment]
        optimizer = network.optimizer
        new_velocity: list[Array] | None = None
        moves = gradients
        if optimizer.momentum > 0.0:
            previous = velocity if velocity is not None else [np.zeros_like(g) for g in gradients]
            new_velocity = [
                optimizer.momentum * v + g for v, g in zip(previous, gradients, strict=True)
            ]
            moves = new_velocity
        rate = optimizer.learning_rate
        params = network.weights + network.biases
        new_params = [p - rate * m for p, m in zip(params, moves, strict=True)]
        for p in new_params:
            p.flags.writeable = False
        # Not a sum of the parameters: that overflows to inf for large finite ones.
        diverged = not (math.isfinite(loss) and all(np.isfinite(p).all() for p in new_params))

    network_after = network.with_frozen_parameters(tuple(new_params[:L]), tuple(new_params[L:]))
    return IterationTrace(
        index=index,
        network=network,
        rows=rows,
        targets=targets,
        z=tuple(zs),
        a=tuple(activations),
        grad_a=tuple(grad_a),
        delta=tuple(deltas),
        grad_weights=tuple(grad_w),
        grad_biases=tuple(grad_b),
        loss_terms=terms,
        sample_losses=per_sample,
        loss=loss,
        velocity=None if new_velocity is None else tuple(new_velocity),
        network_after=network_after,
        diverged=diverged,
    )
