"""Trainer: many iterations fast, keeping only the loss history.

The fast path does exactly the arithmetic of ``trace_iteration`` but in
preallocated buffers: all parameters live in one flat array (weights and
biases are views into it), and so do their gradients, so an update is a
couple of NumPy calls whatever the depth. For tiny nets the cost is the
number of NumPy calls, so the common activations and squared error have
in-place kernels; every other combination takes the general functions.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from engine import losses
from engine.activations import ACTIVATIONS, LEAKY_SLOPE
from engine.network import Array, Network, batch_rows
from engine.trace import forward_arrays

# Precomputing every batch of one cycle of the data is worth it up to this size.
_MAX_PRECOMPUTED_BATCH_VALUES = 1_000_000
# Below this, scale * sum (y - t)^2 and the trace's sum of terms are both far from
# overflow (1.8e308), so the fast loss is finite exactly when the trace's is.
_FAST_LOSS_LIMIT = 1e300


def _forward_in_place(name: str, z: Array, a: Array) -> Array:
    """a = f(z) into ``a``; returns the array holding the activation."""
    if name == "sigmoid":
        np.negative(z, out=a)
        np.exp(a, out=a)
        a += 1.0
        np.reciprocal(a, out=a)
    elif name == "tanh":
        np.tanh(z, out=a)
    elif name == "relu":
        np.maximum(z, 0.0, out=a)
    elif name == "leaky_relu":
        # max(z, 0.01 z) is z for z > 0 and 0.01 z otherwise.
        np.multiply(z, LEAKY_SLOPE, out=a)
        np.maximum(z, a, out=a)
    elif name == "linear":
        return z
    else:
        a[...] = ACTIVATIONS[name].forward(z)
    return a


def _backward_in_place(name: str, z: Array, a: Array, grad: Array, scratch: Array) -> None:
    """Turn dL/da in ``grad`` into dL/dz, in place."""
    if name == "sigmoid":
        np.subtract(1.0, a, out=scratch)
        scratch *= a
        grad *= scratch
    elif name == "tanh":
        np.multiply(a, a, out=scratch)
        np.subtract(1.0, scratch, out=scratch)
        grad *= scratch
    elif name == "relu":
        grad *= z > 0.0
    elif name == "leaky_relu":
        grad *= np.where(z > 0.0, 1.0, LEAKY_SLOPE)
    elif name == "linear":
        pass
    else:
        grad[...] = ACTIVATIONS[name].backward(z, a, grad)


class Trainer:
    """Runs iterations from a starting network; momentum and batch cursor carry over."""

    def __init__(
        self,
        network: Network,
        *,
        start_iteration: int = 0,
        velocity: tuple[Array, ...] | None = None,
        track_dataset_loss: bool = False,
    ) -> None:
        self._network = network
        self.iteration = start_iteration  # index of the next iteration to run
        self.diverged_at: int | None = None
        self._track_dataset_loss = track_dataset_loss
        sizes = network.sizes
        L = network.weight_layer_count
        self._L = L
        self._activations = [layer.activation or "" for layer in network.layers]

        weight_sizes = [sizes[l + 1] * sizes[l] for l in range(L)]
        total = sum(weight_sizes) + sum(sizes[1:])
        self._params = np.empty(total)
        self._grads = np.empty(total)
        self._scratch = np.empty(total)
        self._zeros = np.zeros(total)
        self._weights, self._biases = self._views(self._params, sizes)
        self._grad_weights, self._grad_biases = self._views(self._grads, sizes)
        for view, value in zip(
            self._weights + self._biases, network.weights + network.biases, strict=True
        ):
            view[...] = value
        self._weights_t = [w.T for w in self._weights]

        self._learning_rate = network.optimizer.learning_rate
        self._momentum = network.optimizer.momentum
        self._velocity: Array | None = None
        self._velocity_scratch = np.empty(total if self._momentum > 0.0 else 0)
        if self._momentum > 0.0:
            self._velocity = np.zeros(total)
            if velocity is not None:
                v_weights, v_biases = self._views(self._velocity, sizes)
                for view, value in zip(v_weights + v_biases, velocity, strict=True):
                    view[...] = value

        self._loss_spec = network.loss
        self._fast_squared_error = network.loss.kind == "squared_error"
        self._losses = np.empty(1024)
        self._dataset_losses = np.empty(1024) if track_dataset_loss else None
        self._loss_count = 0

        self._batch_size = network.optimizer.batch_size
        rows = self._batch_size if self._batch_size is not None else network.row_count
        self._inputs_full = np.ascontiguousarray(network.inputs)
        self._targets_full = np.ascontiguousarray(network.targets)
        self._z = [np.empty((rows, s)) for s in sizes]
        self._a = [np.empty((rows, s)) for s in sizes]
        self._grad_a = [np.empty((rows, s)) for s in sizes]
        self._tmp = [np.empty((rows, s)) for s in sizes]
        self._loss_factor = losses.reduction_factor(network.loss, rows, sizes[-1])
        self._prepare_batches()

    @staticmethod
    def _views(flat: Array, sizes: tuple[int, ...]) -> tuple[list[Array], list[Array]]:
        weights, biases, offset = [], [], 0
        for l in range(len(sizes) - 1):
            n = sizes[l + 1] * sizes[l]
            weights.append(flat[offset : offset + n].reshape(sizes[l + 1], sizes[l]))
            offset += n
        for size in sizes[1:]:
            biases.append(flat[offset : offset + size])
            offset += size
        return weights, biases

    def _prepare_batches(self) -> None:
        self._cycle: list[tuple[Array, Array]] | None = None
        if self._batch_size is None:
            return
        n, k = self._network.row_count, self._batch_size
        period = n // math.gcd(n, k)  # batches repeat after this many iterations
        values = period * k * (self._inputs_full.shape[1] + self._targets_full.shape[1])
        if values <= _MAX_PRECOMPUTED_BATCH_VALUES:
            self._cycle = []
            for i in range(period):
                rows = batch_rows(self._network, i)
                self._cycle.append(
                    (
                        np.ascontiguousarray(self._inputs_full[rows]),
                        np.ascontiguousarray(self._targets_full[rows]),
                    )
                )

    def _batch(self, iteration: int) -> tuple[Array, Array]:
        if self._batch_size is None:
            return self._inputs_full, self._targets_full
        if self._cycle is not None:
            return self._cycle[iteration % len(self._cycle)]
        rows = batch_rows(self._network, iteration)
        return self._inputs_full[rows], self._targets_full[rows]

    # -- results -------------------------------------------------------------------

    @property
    def losses(self) -> Array:
        """Loss of every iteration run by this trainer (before its update)."""
        return self._losses[: self._loss_count]

    @property
    def dataset_losses(self) -> Array | None:
        """With track_dataset_loss: loss on all rows before each iteration's update."""
        if self._dataset_losses is None:
            return None
        return self._dataset_losses[: self._loss_count]

    def network(self) -> Network:
        """The current parameters as a Network (a copy)."""
        return self._network.with_parameters(self._weights, self._biases)

    def velocity(self) -> tuple[Array, ...] | None:
        """Momentum state, weights then biases; None without momentum."""
        if self._velocity is None:
            return None
        weights, biases = self._views(self._velocity.copy(), self._network.sizes)
        return tuple(weights + biases)

    # -- running -------------------------------------------------------------------

    def run(
        self,
        count: int,
        *,
        deadline: float | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> int:
        """Run up to ``count`` iterations; returns how many ran.

        Stops early at ``deadline`` (a ``time.perf_counter()`` value), when
        ``should_stop()`` is true (checked every 64 iterations) or on divergence,
        which leaves the parameters as they were before the diverging
        iteration and sets ``diverged_at``.
        """
        if self.diverged_at is not None:
            return 0
        done = 0
        with np.errstate(all="ignore"):  # divergence is reported, never warned about
            while done < count:
                # Loss on all rows before this iteration's update, when tracked.
                dataset_loss = self._dataset_loss() if self._track_dataset_loss else None
                loss = self._step()
                self._record(loss, dataset_loss)
                done += 1
                if self.diverged_at is not None:
                    break
                if deadline is not None and time.perf_counter() >= deadline:
                    break
                if should_stop is not None and done % 64 == 0 and should_stop():
                    break
        return done

    def _record(self, loss: float, dataset_loss: float | None) -> None:
        if self._loss_count == self._losses.shape[0]:
            self._losses = np.concatenate([self._losses, np.empty_like(self._losses)])
            if self._dataset_losses is not None:
                grown = np.empty_like(self._dataset_losses)
                self._dataset_losses = np.concatenate([self._dataset_losses, grown])
        self._losses[self._loss_count] = loss
        if self._dataset_losses is not None and dataset_loss is not None:
            self._dataset_losses[self._loss_count] = dataset_loss
        self._loss_count += 1

    def _step(self) -> float:
        """One iteration in place; returns its loss."""
        inputs, targets = self._batch(self.iteration)
        L = self._L
        a = inputs
        for l in range(1, L + 1):
            z = self._z[l]
            np.matmul(a, self._weights_t[l - 1], out=z)
            z += self._biases[l - 1]
            a = _forward_in_place(self._activations[l], z, self._a[l])
            self._a[l] = a
        self._a[0] = inputs

        grad = self._grad_a[L]
        if self._fast_squared_error:
            np.subtract(a, targets, out=grad)
            # L = factor * scale * sum (y - t)^2. Near float64's overflow the trace's
            # order of operations decides what is finite: take it there.
            scale = self._loss_spec.scale
            unscaled = scale * float(np.vdot(grad, grad))
            if unscaled < _FAST_LOSS_LIMIT:
                loss = unscaled * self._loss_factor
            else:
                loss = losses.loss_value(self._loss_spec, a, targets)
            # dL/dy = (2 scale (y - t)) * factor, in the order of losses.gradient
            grad *= 2.0 * scale
            if self._loss_factor != 1.0:
                grad *= self._loss_factor
        else:
            loss = losses.loss_value(self._loss_spec, a, targets)
            grad[...] = losses.gradient(self._loss_spec, a, targets)

        for l in range(L, 0, -1):
            _backward_in_place(self._activations[l], self._z[l], self._a[l], grad, self._tmp[l])
            np.matmul(grad.T, self._a[l - 1], out=self._grad_weights[l - 1])
            np.add.reduce(grad, axis=0, out=self._grad_biases[l - 1])  # np.sum adds 0.7 µs
            if l > 1:
                previous = self._grad_a[l - 1]
                np.matmul(grad, self._weights[l - 1], out=previous)
                grad = previous

        # New parameters (and momentum) go to scratch first, so a diverging step leaves
        # the state as it was before the diverging iteration.
        step = self._grads
        if self._velocity is not None:
            step = self._velocity_scratch
            np.multiply(self._velocity, self._momentum, out=step)
            step += self._grads
        np.multiply(step, self._learning_rate, out=self._scratch)
        np.subtract(self._params, self._scratch, out=self._scratch)
        # A dot product with zeros is NaN exactly when some entry is inf or NaN.
        finite = math.isfinite(loss) and math.isfinite(float(np.dot(self._scratch, self._zeros)))
        if finite:
            np.copyto(self._params, self._scratch)
            if self._velocity is not None:
                self._velocity, self._velocity_scratch = step, self._velocity
        else:
            self.diverged_at = self.iteration
        self.iteration += 1
        return loss

    def _dataset_loss(self) -> float:
        _, outputs = forward_arrays(
            self._activations[1:], self._weights, self._biases, self._inputs_full
        )
        return losses.loss_value(self._loss_spec, outputs[-1], self._targets_full)
