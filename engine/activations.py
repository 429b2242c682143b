"""Activation functions: forward and backward side by side, vectorised over a batch.

Every function takes and returns float64 arrays of shape batch x size. ``backward``
receives ``z`` (net input), ``a`` (activation) and ``grad_a`` (dL/da) and returns
``grad_z`` (dL/dz). Elementwise activations also expose ``derivative`` (da/dz), which
the math panel shows as the middle factor of the chain rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

LEAKY_SLOPE = 0.01


def _sigmoid(z: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_derivative(z: Array, a: Array) -> Array:
    return a * (1.0 - a)


def _tanh(z: Array) -> Array:
    return np.tanh(z)


def _tanh_derivative(z: Array, a: Array) -> Array:
    return 1.0 - a * a


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_derivative(z: Array, a: Array) -> Array:
    # PyTorch's convention: relu'(0) = 0.
    return (z > 0.0).astype(np.float64)


def _leaky_relu(z: Array) -> Array:
    return np.where(z > 0.0, z, LEAKY_SLOPE * z)


def _leaky_relu_derivative(z: Array, a: Array) -> Array:
    # PyTorch's convention: leaky_relu'(0) = negative slope.
    return np.where(z > 0.0, 1.0, LEAKY_SLOPE)


def _linear(z: Array) -> Array:
    return z.copy()


def _linear_derivative(z: Array, a: Array) -> Array:
    return np.ones_like(z)


def _softmax(z: Array) -> Array:
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    a: Array = shifted / shifted.sum(axis=1, keepdims=True)
    return a


def softmax_jacobian(a_row: Array) -> Array:
    """da_i/dz_j of one sample: diag(a) - a a^T."""
    return np.diag(a_row) - np.outer(a_row, a_row)


@dataclass(frozen=True)
class Activation:
    name: str
    forward: Callable[[Array], Array]
    # da/dz elementwise; None for softmax, whose Jacobian is not diagonal.
    derivative: Callable[[Array, Array], Array] | None
    formula: str  # a = f(z), as the math panel prints it
    derivative_formula: str  # da/dz in terms of a or z

    @property
    def elementwise(self) -> bool:
        return self.derivative is not None

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        """dL/dz from dL/da."""
        if self.derivative is not None:
            return grad_a * self.derivative(z, a)
        # Softmax, full Jacobian: dL/dz_j = a_j (dL/da_j - sum_i dL/da_i a_i).
        grad_z: Array = a * (grad_a - np.sum(grad_a * a, axis=1, keepdims=True))
        return grad_z


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("sigmoid", _sigmoid, _sigmoid_derivative, "1 / (1 + e^(−z))", "a (1 − a)"),
        Activation("tanh", _tanh, _tanh_derivative, "tanh(z)", "1 − a²"),
        Activation("relu", _relu, _relu_derivative, "max(0, z)", "1 if z > 0 else 0"),
        Activation(
            "leaky_relu",
            _leaky_relu,
            _leaky_relu_derivative,
            "z if z > 0 else 0.01 z",
            "1 if z > 0 else 0.01",
        ),
        Activation("linear", _linear, _linear_derivative, "z", "1"),
        Activation("softmax", _softmax, None, "e^(z_i) / Σ_j e^(z_j)", "a_i (δ_ij − a_j)"),
    )
}

ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)
