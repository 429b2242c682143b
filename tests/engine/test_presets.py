"""The preset network files: valid, each with its tutorial's loss convention, and
doing what their descriptions promise (checked against hand-written NumPy, not
the engine, where a tutorial shows the arithmetic)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import resources
from engine.fileformat import load_network
from engine.network import Network
from engine.trace import dataset_loss, forward, trace_iteration
from engine.training import Trainer

# What each preset must be: sizes, activations after the input layer, loss
# convention and optimiser, as its tutorial has them (see each description).
EXPECTED: dict[str, dict[str, Any]] = {
    "step-by-step-2-2-2.json": {
        "sizes": (2, 2, 2),
        "activations": ("sigmoid", "sigmoid"),
        "loss": ("squared_error", 0.5, "sum", "mean"),
        "learning_rate": 0.5,
        "batch_size": None,
        "rows": 1,
    },
    # Seeds 000/001: L = L1 + L2, each ½(y − t)², one batch step on both samples.
    "batch-of-two-2-2-1.json": {
        "sizes": (2, 2, 1),
        "activations": ("sigmoid", "sigmoid"),
        "loss": ("squared_error", 0.5, "sum", "sum"),
        "learning_rate": 0.1,
        "batch_size": None,
        "rows": 2,
    },
    # Seed 002: MSE (y − ŷ)² averaged over outputs, one sample per step (SGD).
    "vectorised-sgd-3-4-1.json": {
        "sizes": (3, 4, 1),
        "activations": ("sigmoid", "sigmoid"),
        "loss": ("squared_error", 1.0, "mean", "mean"),
        "learning_rate": 0.5,
        "batch_size": 1,
        "rows": 6,
    },
    # Seed 004: J = ½ Σ (y − ŷ)² over all 5 samples.
    "sum-squared-error-2-3-1.json": {
        "sizes": (2, 3, 1),
        "activations": ("sigmoid", "sigmoid"),
        "loss": ("squared_error", 0.5, "sum", "sum"),
        "learning_rate": 0.5,
        "batch_size": None,
        "rows": 5,
    },
    "xor-2-2-1.json": {
        "sizes": (2, 2, 1),
        "activations": ("sigmoid", "sigmoid"),
        "loss": ("squared_error", 0.5, "sum", "mean"),
        "learning_rate": 1.0,
        "batch_size": None,
        "rows": 4,
    },
    "xor-2-4-1.json": {
        "sizes": (2, 4, 1),
        "activations": ("sigmoid", "sigmoid"),
        "loss": ("squared_error", 0.5, "sum", "mean"),
        "learning_rate": 1.0,
        "batch_size": None,
        "rows": 4,
    },
    "three-class-softmax-2-4-3.json": {
        "sizes": (2, 4, 3),
        "activations": ("tanh", "softmax"),
        "loss": ("cross_entropy", 0.5, "sum", "mean"),
        "learning_rate": 0.5,
        "batch_size": None,
        "rows": 9,
    },
}

# Presets that must learn their data: iteration budget and loss threshold. The
# budget is the one the description states.
CONVERGENCE = {
    "xor-2-2-1.json": (3_000, 0.01),
    "xor-2-4-1.json": (3_000, 0.01),
    "three-class-softmax-2-4-3.json": (500, 0.05),
}


def preset(name: str) -> Network:
    return load_network(resources.preset_path(name))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def test_every_preset_is_listed_here() -> None:
    names = {path.name for path in resources.preset_paths()}
    assert names == set(EXPECTED)
    assert resources.DEFAULT_PRESET in names


@pytest.mark.parametrize("path", resources.preset_paths(), ids=lambda p: p.name)
def test_preset_loads_and_is_well_formed(path: Path) -> None:
    network = load_network(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == "backprop-lens.network" and doc["version"] == 1
    assert network.name.strip() and network.name == doc["name"]
    assert len(network.description) > 40
    assert network.extra == {}  # only keys of the format
    assert network.parameters_finite()
    assert np.isfinite(network.inputs).all() and np.isfinite(network.targets).all()
    for index in range(len(network.layers)):
        labels = network.labels(index)
        assert len(set(labels)) == len(labels)
    # The initial loss is finite on the whole data set.
    assert np.isfinite(dataset_loss(network))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_has_its_tutorials_convention(name: str) -> None:
    network = preset(name)
    expected = EXPECTED[name]
    assert network.sizes == expected["sizes"]
    assert tuple(layer.activation for layer in network.layers[1:]) == expected["activations"]
    loss = network.loss
    assert (loss.kind, loss.scale, loss.outputs, loss.batch) == expected["loss"]
    assert network.optimizer.kind == "sgd"
    assert network.optimizer.learning_rate == expected["learning_rate"]
    assert network.optimizer.momentum == 0.0
    assert network.optimizer.batch_size == expected["batch_size"]
    assert network.row_count == expected["rows"]


# -- seeds 000/001: one batch gradient-descent step on two samples ----------------------


def test_batch_of_two_says_its_weights_are_chosen_here() -> None:
    network = preset("batch-of-two-2-2-1.json")
    assert "chosen here" in network.name
    assert "chosen here" in network.description
    np.testing.assert_array_equal(network.inputs, [[0.1, 0.1], [0.1, 0.2]])
    np.testing.assert_array_equal(network.targets, [[0.0], [1.0]])
    # 0.1 … 0.9 in the order W1, b1, W2, b2, as the description says.
    np.testing.assert_array_equal(network.weights[0], [[0.1, 0.2], [0.3, 0.4]])
    np.testing.assert_array_equal(network.biases[0], [0.5, 0.6])
    np.testing.assert_array_equal(network.weights[1], [[0.7, 0.8]])
    np.testing.assert_array_equal(network.biases[1], [0.9])


def test_batch_of_two_step_matches_a_hand_computed_update() -> None:
    network = preset("batch-of-two-2-2-1.json")
    W1, b1 = np.array(network.weights[0]), np.array(network.biases[0])
    W2, b2 = np.array(network.weights[1]), np.array(network.biases[1])
    rate = 0.1

    # By hand, one sample at a time: L = L1 + L2 with Li = ½(yi − ti)².
    total_loss = 0.0
    gW1, gb1 = np.zeros_like(W1), np.zeros_like(b1)
    gW2, gb2 = np.zeros_like(W2), np.zeros_like(b2)
    for x, t in zip(([0.1, 0.1], [0.1, 0.2]), (0.0, 1.0), strict=True):
        x = np.array(x)
        h = sigmoid(W1 @ x + b1)  # forward hidden
        y = sigmoid(W2 @ h + b2)[0]  # forward output
        total_loss += 0.5 * (y - t) ** 2  # quadratic loss
        delta_out = (y - t) * y * (1 - y)  # backprop output
        delta_hidden = delta_out * W2[0] * h * (1 - h)  # backprop hidden
        gW2 += delta_out * h[np.newaxis, :]
        gb2 += delta_out
        gW1 += np.outer(delta_hidden, x)
        gb1 += delta_hidden

    trace = trace_iteration(network, 0)
    assert list(trace.rows) == [0, 1]  # both samples in the one batch
    assert trace.loss == pytest.approx(total_loss, rel=1e-12)
    np.testing.assert_allclose(trace.sample_losses.sum(), total_loss, rtol=1e-12)
    after = trace.network_after
    # Gradient descent: p − 0.1 · ∂L/∂p.
    np.testing.assert_allclose(after.weights[0], W1 - rate * gW1, rtol=0, atol=1e-14)
    np.testing.assert_allclose(after.biases[0], b1 - rate * gb1, rtol=0, atol=1e-14)
    np.testing.assert_allclose(after.weights[1], W2 - rate * gW2, rtol=0, atol=1e-14)
    np.testing.assert_allclose(after.biases[1], b2 - rate * gb2, rtol=0, atol=1e-14)
    # Every parameter actually moves.
    for before, moved in zip(
        network.weights + network.biases, after.weights + after.biases, strict=True
    ):
        assert np.all(before != moved)


# -- seed 002: one sample per iteration ------------------------------------------------


def test_vectorised_sgd_uses_one_row_per_iteration_wrapping() -> None:
    network = preset("vectorised-sgd-3-4-1.json")
    n = network.row_count
    current = network
    trace_losses = []
    for index in range(2 * n + 2):
        trace = trace_iteration(current, index)
        row = index % n
        assert list(trace.rows) == [row]
        np.testing.assert_array_equal(trace.a[0], network.inputs[[row]])
        np.testing.assert_array_equal(trace.targets, network.targets[[row]])
        # MSE with one output and one sample: (ŷ − y)², no ½.
        y_hat = trace.a[-1][0, 0]
        assert trace.loss == pytest.approx((y_hat - network.targets[row, 0]) ** 2, rel=1e-12)
        trace_losses.append(trace.loss)
        current = trace.network_after
    # The fast trainer walks the rows the same way.
    trainer = Trainer(network)
    trainer.run(len(trace_losses))
    np.testing.assert_allclose(trainer.losses, trace_losses, rtol=1e-10)


# -- seed 004: the W2 gradient is the sum of the 5 samples' gradients -----------------


def one_sample_gradients(
    W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, x: np.ndarray, y: float
) -> tuple[np.ndarray, np.ndarray]:
    """dJ/dW2 and dJ/dW1 of J = ½(y − ŷ)² for one sample, sigmoid on both layers."""
    z2 = W1 @ x + b1
    a2 = sigmoid(z2)
    z3 = W2 @ a2 + b2
    y_hat = sigmoid(z3)
    delta3 = -(y - y_hat) * y_hat * (1 - y_hat)  # shape (1,)
    dW2 = np.outer(delta3, a2)  # 1 x 3, the shape of W2
    delta2 = (W2.T @ delta3) * a2 * (1 - a2)  # shape (3,)
    dW1 = np.outer(delta2, x)  # 3 x 2
    return dW2, dW1


def test_sum_squared_error_w2_gradient_is_the_sum_of_the_samples() -> None:
    network = preset("sum-squared-error-2-3-1.json")
    W1, b1 = np.array(network.weights[0]), np.array(network.biases[0])
    W2, b2 = np.array(network.weights[1]), np.array(network.biases[1])
    per_sample = [
        one_sample_gradients(W1, b1, W2, b2, x, t[0])
        for x, t in zip(network.inputs, network.targets, strict=True)
    ]
    assert len(per_sample) == 5
    trace = trace_iteration(network, 0)
    assert list(trace.rows) == [0, 1, 2, 3, 4]
    grad_w2 = trace.grad_weights[2]
    assert grad_w2 is not None and grad_w2.shape == W2.shape
    np.testing.assert_allclose(grad_w2, sum(g[0] for g in per_sample), rtol=1e-12, atol=1e-15)
    grad_w1 = trace.grad_weights[1]
    assert grad_w1 is not None
    np.testing.assert_allclose(grad_w1, sum(g[1] for g in per_sample), rtol=1e-12, atol=1e-15)
    # Each sample contributes: no single one makes up the whole gradient.
    for dW2, _ in per_sample:
        assert np.all(dW2 != 0)
        assert not np.allclose(dW2, grad_w2)
    # J = ½ Σ (y − ŷ)² over the 5 samples, not their mean.
    _, activations = forward(network, network.inputs)
    expected_j = 0.5 * float(np.sum((network.targets - activations[-1]) ** 2))
    assert trace.loss == pytest.approx(expected_j, rel=1e-12)


# -- XOR and softmax: they learn their data within the stated budget -----------------


def classified_right(network: Network) -> bool:
    _, activations = forward(network, network.inputs)
    outputs = activations[-1]
    if outputs.shape[1] == 1:
        return bool(np.all((outputs > 0.5) == (network.targets > 0.5)))
    return bool(np.all(outputs.argmax(axis=1) == network.targets.argmax(axis=1)))


@pytest.mark.parametrize("name", sorted(CONVERGENCE))
def test_preset_converges_within_its_budget(name: str) -> None:
    budget, threshold = CONVERGENCE[name]
    network = preset(name)
    assert f"{budget:,} iterations" in network.description
    assert not classified_right(network) or dataset_loss(network) > threshold
    trainer = Trainer(network)
    assert trainer.run(budget) == budget
    assert trainer.diverged_at is None
    trained = trainer.network()
    assert classified_right(trained)
    assert dataset_loss(trained) < threshold
    # The loss went down overall.
    assert trainer.losses[-1] < trainer.losses[0]


@pytest.mark.parametrize("name", ["xor-2-2-1.json", "xor-2-4-1.json"])
def test_xor_presets_hold_the_xor_table(name: str) -> None:
    network = preset(name)
    np.testing.assert_array_equal(network.inputs, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(network.targets, [[0], [1], [1], [0]])
    assert not classified_right(network)


def test_softmax_output_delta_is_y_minus_t_over_rows() -> None:
    network = preset("three-class-softmax-2-4-3.json")
    np.testing.assert_array_equal(network.targets.sum(axis=1), np.ones(9))
    trace = trace_iteration(network, 0)
    y = trace.a[-1]
    delta = trace.delta[-1]
    assert delta is not None
    np.testing.assert_allclose(delta, (y - network.targets) / 9, rtol=1e-10, atol=1e-15)
    expected_loss = -np.mean(np.sum(network.targets * np.log(y), axis=1))
    assert trace.loss == pytest.approx(expected_loss, rel=1e-12)
