"""Gradients of the trace against central finite differences of an independent loss.

The reference loss below is written from the spec's formulas (shared/spec/
network-file.md), in float64, vectorised over many perturbed copies of the
parameters so that a whole finite-difference gradient costs one NumPy pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.losses import LossSpec
from engine.network import Layer, Network, OptimizerSpec
from engine.trace import trace_iteration

ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
ACTIVATIONS = (*ELEMENTWISE, "softmax")
KINKED = ("relu", "leaky_relu")
STEP = 1e-6  # central differences: error ~ STEP² · f''' + ε · |L| / STEP, far below 1e-6
RTOL = 1e-6
ATOL = 1e-6

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


# -- the independent reference -----------------------------------------------------


def reference_activation(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z)
    if name == "linear":
        return z
    assert name == "softmax"
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Problem:
    sizes: tuple[int, ...]
    activations: tuple[str, ...]  # one per layer after the input
    loss: LossSpec
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    inputs: np.ndarray
    targets: np.ndarray
    batch_size: int | None = None
    iteration: int = 0
    learning_rate: float = 0.1
    momentum: float = 0.0

    def network(self) -> Network:
        layers = [Layer(self.sizes[0], None)]
        layers += [Layer(s, a) for s, a in zip(self.sizes[1:], self.activations, strict=True)]
        return Network.create(
            name="gradient check",
            layers=layers,
            weights=self.weights,
            biases=self.biases,
            loss=self.loss,
            optimizer=OptimizerSpec(
                learning_rate=self.learning_rate,
                momentum=self.momentum,
                batch_size=self.batch_size,
            ),
            inputs=self.inputs,
            targets=self.targets,
        )

    def rows(self, iteration: int) -> list[int]:
        n = self.inputs.shape[0]
        if self.batch_size is None:
            return list(range(n))
        k = self.batch_size
        return [(iteration * k + r) % n for r in range(k)]

    def flat(self) -> np.ndarray:
        return np.concatenate([w.ravel() for w in self.weights] + list(self.biases))

    def unflatten(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(K, m) parameter sets -> weights (K, out, in) and biases (K, out) per layer."""
        weights, biases, offset = [], [], 0
        for l in range(len(self.sizes) - 1):
            n = self.sizes[l + 1] * self.sizes[l]
            weights.append(
                flat[:, offset : offset + n].reshape(-1, self.sizes[l + 1], self.sizes[l])
            )
            offset += n
        for size in self.sizes[1:]:
            biases.append(flat[:, offset : offset + size])
            offset += size
        return weights, biases

    def losses(
        self,
        flat: np.ndarray,
        rows: list[int],
        z_shifts: list[np.ndarray] | None = None,
    ) -> np.ndarray:
        """The spec's loss for K parameter sets (K, m), optionally with z nudged per layer."""
        weights, biases = self.unflatten(flat)
        K = flat.shape[0]
        x, t = self.inputs[rows], self.targets[rows]
        a = np.broadcast_to(x, (K, *x.shape))
        for l, (w, b) in enumerate(zip(weights, biases, strict=True)):
            z = np.einsum("kbi,koi->kbo", a, w) + b[:, None, :]
            if z_shifts is not None:
                z = z + z_shifts[l]
            a = reference_activation(self.activations[l], z)
        y = a
        spec = self.loss
        if spec.kind == "squared_error":
            terms = spec.scale * (y - t) ** 2
        elif spec.kind == "binary_cross_entropy":
            terms = -(t * np.log(y) + (1 - t) * np.log(1 - y))
        else:
            terms = -t * np.log(y)
        per_sample = terms.sum(axis=-1)
        if spec.outputs == "mean":
            per_sample = per_sample / y.shape[-1]
        total = per_sample.sum(axis=-1)
        if spec.batch == "mean":
            total = total / len(rows)
        return total

    def finite_difference_gradient(self, flat: np.ndarray, rows: list[int]) -> np.ndarray:
        m = flat.shape[0]
        nudges = np.eye(m) * STEP
        values = self.losses(np.vstack([flat + nudges, flat - nudges]), rows)
        return (values[:m] - values[m:]) / (2 * STEP)

    def finite_difference_deltas(self, rows: list[int]) -> list[np.ndarray]:
        """∂L/∂z for every layer, sample and neuron, by nudging that one z."""
        flat = self.flat()
        B = len(rows)
        cells = [
            (l, b, j) for l, s in enumerate(self.sizes[1:]) for b in range(B) for j in range(s)
        ]
        K = 2 * len(cells)
        shifts = [np.zeros((K, B, s)) for s in self.sizes[1:]]
        for q, (l, b, j) in enumerate(cells):
            shifts[l][q, b, j] = STEP
            shifts[l][len(cells) + q, b, j] = -STEP
        values = self.losses(np.broadcast_to(flat, (K, flat.shape[0])), rows, shifts)
        slopes = (values[: len(cells)] - values[len(cells) :]) / (2 * STEP)
        deltas = [np.zeros((B, s)) for s in self.sizes[1:]]
        for q, (l, b, j) in enumerate(cells):
            deltas[l][b, j] = slopes[q]
        return deltas


# -- drawing problems --------------------------------------------------------------


@st.composite
def problems(
    draw: st.DrawFn,
    activation: str,
    kind: str,
    outputs: str,
    batch: str,
    scale: float = 0.5,
) -> Problem:
    weight_layers = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 4)) for _ in range(weight_layers + 1)]
    hidden = [
        activation if activation != "softmax" else draw(st.sampled_from(ELEMENTWISE))
        for _ in range(weight_layers - 1)
    ]
    output = activation
    if kind != "squared_error" and activation not in ("sigmoid", "softmax"):
        output = "sigmoid"  # logs need outputs in (0, 1); the activation is tested in hidden layers
    if output == "softmax" and kind == "binary_cross_entropy":
        sizes[-1] = max(sizes[-1], 2)  # one softmax output is exactly 1 and ln(1 − 1) is −∞
    rows = draw(st.integers(1, 4))
    batch_size = draw(st.one_of(st.none(), st.integers(1, 4)))
    iteration = draw(st.integers(0, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    O = sizes[-1]
    if kind == "squared_error":
        targets = rng.uniform(-1, 1, (rows, O))
    elif kind == "binary_cross_entropy":
        targets = rng.uniform(0.02, 0.98, (rows, O))
    else:
        targets = rng.dirichlet(np.ones(O), rows)  # probability rows
    return Problem(
        sizes=tuple(sizes),
        activations=(*hidden, output),
        loss=LossSpec(kind=kind, scale=scale, outputs=outputs, batch=batch),
        weights=tuple(
            rng.uniform(-1.5, 1.5, (sizes[l + 1], sizes[l])) for l in range(weight_layers)
        ),
        biases=tuple(rng.uniform(-1, 1, s) for s in sizes[1:]),
        inputs=rng.uniform(-1, 1, (rows, sizes[0])),
        targets=targets,
        batch_size=batch_size,
        iteration=iteration,
    )


def _cases() -> list[tuple[str, str, str, str, float]]:
    cases = []
    for activation in ACTIVATIONS:
        for outputs in ("sum", "mean"):
            for batch in ("sum", "mean"):
                for scale in (0.5, 1.0):
                    cases.append((activation, "squared_error", outputs, batch, scale))
                cases.append((activation, "binary_cross_entropy", outputs, batch, 0.5))
                cases.append((activation, "cross_entropy", outputs, batch, 0.5))
    return cases


def _away_from_kinks_and_logs(problem: Problem, trace_z: list[np.ndarray], y: np.ndarray) -> bool:
    for activation, z in zip(problem.activations, trace_z, strict=True):
        if activation in KINKED and np.abs(z).min() < 1e-3:
            return False
    if problem.loss.kind == "binary_cross_entropy":
        return bool(0.01 < y.min() and y.max() < 0.99)
    if problem.loss.kind == "cross_entropy":
        return bool(y.min() > 0.01)
    return True


# -- the property ------------------------------------------------------------------


@pytest.mark.parametrize(("activation", "kind", "outputs", "batch", "scale"), _cases())
@SETTINGS
@given(data=st.data())
def test_gradients_and_deltas_match_finite_differences(
    activation: str, kind: str, outputs: str, batch: str, scale: float, data: st.DataObject
) -> None:
    problem = data.draw(problems(activation, kind, outputs, batch, scale))
    trace = trace_iteration(problem.network(), problem.iteration)
    L = len(problem.sizes) - 1
    zs = [trace.z[l] for l in range(1, L + 1)]
    assume(_away_from_kinks_and_logs(problem, zs, trace.a[L]))  # type: ignore[arg-type]

    rows = problem.rows(problem.iteration)
    assert trace.rows.tolist() == rows
    flat = problem.flat()
    assert trace.loss == pytest.approx(float(problem.losses(flat[None, :], rows)[0]), rel=1e-12)

    expected = problem.finite_difference_gradient(flat, rows)
    grad_w, grad_b = problem.unflatten(expected[None, :])
    for l in range(1, L + 1):
        np.testing.assert_allclose(trace.grad_weights[l], grad_w[l - 1][0], RTOL, ATOL)
        np.testing.assert_allclose(trace.grad_biases[l], grad_b[l - 1][0], RTOL, ATOL)

    for l, expected_delta in enumerate(problem.finite_difference_deltas(rows), start=1):
        np.testing.assert_allclose(trace.delta[l], expected_delta, RTOL, ATOL)


# -- kinks -------------------------------------------------------------------------


def _one_neuron_at_zero(activation: str) -> Network:
    """x → one neuron whose net input is exactly 0 → linear output, ½ (y − t)²."""
    return Network.create(
        name="kink",
        layers=[Layer(1, None), Layer(1, activation), Layer(1, "linear")],
        weights=[[[0.0]], [[2.0]]],
        biases=[[0.0], [0.5]],
        loss=LossSpec(),
        optimizer=OptimizerSpec(learning_rate=0.1),
        inputs=[[3.0]],
        targets=[[0.0]],
    )


def test_relu_at_exactly_zero_passes_no_gradient_as_in_pytorch() -> None:
    trace = trace_iteration(_one_neuron_at_zero("relu"))
    assert trace.z[1] is not None and trace.z[1][0, 0] == 0.0
    # y = 2·relu(0) + 0.5 = 0.5, ∂L/∂y = 0.5, ∂L/∂a1 = 0.5 · 2 = 1, relu'(0) = 0.
    assert trace.grad_a[1][0, 0] == pytest.approx(1.0)
    assert trace.delta[1] is not None and trace.delta[1][0, 0] == 0.0
    assert trace.grad_weights[1] is not None and trace.grad_weights[1][0, 0] == 0.0
    assert trace.grad_biases[1] is not None and trace.grad_biases[1][0] == 0.0


def test_leaky_relu_at_exactly_zero_has_slope_one_hundredth_as_in_pytorch() -> None:
    trace = trace_iteration(_one_neuron_at_zero("leaky_relu"))
    assert trace.z[1] is not None and trace.z[1][0, 0] == 0.0
    # ∂L/∂a1 = 1 as above, leaky_relu'(0) = 0.01, ∂z/∂w = x = 3.
    assert trace.delta[1] is not None
    assert trace.delta[1][0, 0] == pytest.approx(0.01, rel=1e-15)
    assert trace.grad_weights[1] is not None
    assert trace.grad_weights[1][0, 0] == pytest.approx(0.03, rel=1e-15)
    assert trace.grad_biases[1] is not None
    assert trace.grad_biases[1][0] == pytest.approx(0.01, rel=1e-15)


# -- momentum ----------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [None, 2])
@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_momentum_updates_follow_pytorch_sgd_carried_across_iterations(
    momentum: float, batch_size: int | None
) -> None:
    rng = np.random.default_rng(3)
    sizes = (2, 3, 2)
    problem = Problem(
        sizes=sizes,
        activations=("tanh", "sigmoid"),
        loss=LossSpec(),
        weights=(rng.uniform(-1, 1, (3, 2)), rng.uniform(-1, 1, (2, 3))),
        biases=(rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 2)),
        inputs=rng.uniform(-1, 1, (5, 2)),
        targets=rng.uniform(0, 1, (5, 2)),
        batch_size=batch_size,
        learning_rate=0.3,
        momentum=momentum,
    )
    # Hand-written PyTorch SGD: v = μ v + g; p = p − η v; v starts at zero.
    p = problem.flat()
    v = np.zeros_like(p)
    expected_params = []
    for i in range(6):
        g = problem.finite_difference_gradient(p, problem.rows(i))
        v = momentum * v + g
        p = p - 0.3 * v
        expected_params.append(p)

    network, velocity = problem.network(), None
    for i in range(6):
        trace = trace_iteration(network, i, velocity)
        network, velocity = trace.network_after, trace.velocity
        actual = np.concatenate([w.ravel() for w in network.weights] + list(network.biases))
        np.testing.assert_allclose(actual, expected_params[i], rtol=1e-7, atol=1e-8)
        if momentum == 0.0:
            assert velocity is None
        else:
            assert velocity is not None
            # Velocity is stored weights then biases, each with its parameter's shape.
            assert [v_part.shape for v_part in velocity] == [(3, 2), (2, 3), (3,), (2,)]


def test_momentum_starts_from_zero_velocity() -> None:
    network = _one_neuron_at_zero("linear").replace(
        optimizer=OptimizerSpec(learning_rate=0.1, momentum=0.9)
    )
    first = trace_iteration(network, 0)
    plain = trace_iteration(network.replace(optimizer=OptimizerSpec(learning_rate=0.1)), 0)
    # v₁ = μ · 0 + g₁ = g₁: the first step equals plain SGD.
    for a, b in zip(first.network_after.weights, plain.network_after.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    # Linear net: y = 2 (3 w1 + b1) + b2 = 0.5; ∂L/∂b2 = y − t = 0.5 → v(b2) = 0.5.
    assert first.velocity is not None
    assert first.velocity[-1][0] == pytest.approx(0.5)
    assert first.network_after.biases[1][0] == pytest.approx(0.5 - 0.1 * 0.5)
