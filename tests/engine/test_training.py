"""Trainer: the fast path must be the same arithmetic as stepping through traces.

trace_iteration is itself checked against the tutorial and finite differences
(test_trace.py, test_gradients.py); here every Trainer result is compared with
chained traces, and divergence with a loop written out by hand.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Iterator

import numpy as np
import pytest

from engine.fileformat import load_network
from engine.losses import LossSpec
from engine.network import Layer, Network, OptimizerSpec
from engine.trace import IterationTrace, trace_iteration
from engine.training import Trainer
from resources import preset_path

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
SAME = {"rtol": 1e-12, "atol": 1e-12}


@pytest.fixture(autouse=True)
def _numpy_warnings_are_errors() -> Iterator[None]:
    # A diverging run must stay silent: any RuntimeWarning fails the test.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _network(
    hidden: str,
    output: str,
    kind: str,
    *,
    batch_size: int | None = None,
    momentum: float = 0.0,
    learning_rate: float = 0.05,
    seed: int = 1,
) -> Network:
    rng = np.random.default_rng(seed)
    sizes = (3, 4, 3, 2) if output != "softmax" else (3, 4, 3, 3)
    activations = (hidden, hidden, output)
    rows = 5
    if kind == "cross_entropy":
        targets = rng.dirichlet(np.ones(sizes[-1]), rows)
    elif kind == "binary_cross_entropy":
        targets = rng.uniform(0.05, 0.95, (rows, sizes[-1]))
    else:
        targets = rng.uniform(-0.5, 1.0, (rows, sizes[-1]))
    return Network.create(
        name="trainer parity",
        layers=[Layer(sizes[0], None)]
        + [Layer(s, a) for s, a in zip(sizes[1:], activations, strict=True)],
        weights=[rng.uniform(-1, 1, (sizes[l + 1], sizes[l])) for l in range(3)],
        biases=[rng.uniform(-0.5, 0.5, s) for s in sizes[1:]],
        loss=LossSpec(kind=kind, scale=0.75, outputs="mean", batch="sum")
        if kind == "squared_error"
        else LossSpec(kind=kind),
        optimizer=OptimizerSpec(
            learning_rate=learning_rate, momentum=momentum, batch_size=batch_size
        ),
        inputs=rng.uniform(-1, 1, (rows, sizes[0])),
        targets=targets,
    )


def _chain(
    network: Network, count: int, start: int = 0, velocity: object = None
) -> list[IterationTrace]:
    traces = []
    for i in range(start, start + count):
        trace = trace_iteration(network, i, velocity)  # type: ignore[arg-type]
        traces.append(trace)
        if trace.diverged:
            break
        network, velocity = trace.network_after, trace.velocity
    return traces


def _assert_same_parameters(a: Network, b: Network) -> None:
    for x, y in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_allclose(x, y, **SAME)


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for activation in ACTIVATIONS:
        hidden = activation if activation != "softmax" else "tanh"
        cases.append((hidden, activation, "squared_error"))
        cases.append(
            (hidden, "softmax" if activation == "softmax" else "sigmoid", "binary_cross_entropy")
        )
        cases.append((hidden, "sigmoid" if activation == "sigmoid" else "softmax", "cross_entropy"))
    return cases


MODES = {
    "full batch": {},
    "mini-batches of 2": {"batch_size": 2},
    "momentum 0.9 with mini-batches of 3": {"batch_size": 3, "momentum": 0.9},
    "batches of 7 from 5 rows": {"batch_size": 7},
}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize(("hidden", "output", "kind"), _cases())
def test_fast_training_gives_the_same_losses_and_weights_as_stepping(
    hidden: str, output: str, kind: str, mode: str
) -> None:
    network = _network(hidden, output, kind, **MODES[mode])  # type: ignore[arg-type]
    traces = _chain(network, 50)
    assert len(traces) == 50 and not traces[-1].diverged

    trainer = Trainer(network)
    assert trainer.run(50) == 50
    assert trainer.iteration == 50
    assert trainer.diverged_at is None
    np.testing.assert_allclose(trainer.losses, [t.loss for t in traces], **SAME)
    _assert_same_parameters(trainer.network(), traces[-1].network_after)
    velocity = trainer.velocity()
    if MODES[mode].get("momentum"):
        assert velocity is not None and traces[-1].velocity is not None
        for v, w in zip(velocity, traces[-1].velocity, strict=True):
            np.testing.assert_allclose(v, w, **SAME)
    else:
        assert velocity is None


def test_batches_too_large_to_precompute_give_the_same_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Big data sets take each batch's rows on the fly instead of from a precomputed cycle.
    monkeypatch.setattr("engine.training._MAX_PRECOMPUTED_BATCH_VALUES", 0)
    network = _network("sigmoid", "sigmoid", "squared_error", batch_size=3, momentum=0.5)
    traces = _chain(network, 20)
    trainer = Trainer(network)
    trainer.run(20)
    np.testing.assert_allclose(trainer.losses, [t.loss for t in traces], **SAME)
    _assert_same_parameters(trainer.network(), traces[-1].network_after)


def test_training_in_chunks_continues_where_it_stopped() -> None:
    network = _network("tanh", "sigmoid", "squared_error", batch_size=2, momentum=0.5)
    traces = _chain(network, 30)
    trainer = Trainer(network)
    for count in (1, 7, 22):
        trainer.run(count)
    np.testing.assert_allclose(trainer.losses, [t.loss for t in traces], **SAME)
    _assert_same_parameters(trainer.network(), traces[-1].network_after)


def test_trainer_resumes_from_a_given_iteration_and_velocity() -> None:
    network = _network("relu", "linear", "squared_error", batch_size=3, momentum=0.8)
    traces = _chain(network, 20)
    resumed_from = traces[9]  # iteration 9 runs with the velocity left by iteration 8
    trainer = Trainer(resumed_from.network, start_iteration=9, velocity=traces[8].velocity)
    trainer.run(11)
    np.testing.assert_allclose(trainer.losses, [t.loss for t in traces[9:]], **SAME)
    _assert_same_parameters(trainer.network(), traces[-1].network_after)


def test_seed_003_first_fast_iteration_matches_the_tutorial() -> None:
    trainer = Trainer(load_network(preset_path()))
    trainer.run(1)
    assert trainer.losses[0] == pytest.approx(0.298371108760, abs=1e-12)
    w1, w2 = trainer.network().weights
    expected_w2 = [[0.358916479718, 0.408666186076], [0.511301270239, 0.561370121108]]
    expected_w1 = [[0.149780716133, 0.199561432266], [0.249751143632, 0.299502287265]]
    np.testing.assert_allclose(w2, expected_w2, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w1, expected_w1, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("activation", "w1_after"), [("relu", 0.0), ("leaky_relu", -0.003)])
def test_fast_training_uses_pytorch_slopes_at_exactly_zero(
    activation: str, w1_after: float
) -> None:
    # x = 3 → neuron with net input exactly 0 → y = 2 a + 0.5, ½ (y − 0)²:
    # ∂L/∂a = 0.5 · 2 = 1, slope 0 (relu) or 0.01 (leaky), ∂L/∂w1 = slope · 3, η = 0.1.
    network = Network.create(
        name="kink",
        layers=[Layer(1, None), Layer(1, activation), Layer(1, "linear")],
        weights=[[[0.0]], [[2.0]]],
        biases=[[0.0], [0.5]],
        loss=LossSpec(),
        optimizer=OptimizerSpec(learning_rate=0.1),
        inputs=[[3.0]],
        targets=[[0.0]],
    )
    trainer = Trainer(network)
    trainer.run(1)
    assert trainer.network().weights[0][0, 0] == pytest.approx(w1_after, abs=1e-15)


# -- divergence --------------------------------------------------------------------


def _exploding_network() -> Network:
    """One linear neuron, y = w x + b, ½ (y − t)², rate 1000: y grows ×1999 per step."""
    return Network.create(
        name="explodes",
        layers=[Layer(1, None), Layer(1, "linear")],
        weights=[[[1.0]]],
        biases=[[0.0]],
        loss=LossSpec(),
        optimizer=OptimizerSpec(learning_rate=1000.0),
        inputs=[[1.0]],
        targets=[[0.0]],
    )


def _exploding_by_hand() -> tuple[int, list[float], tuple[float, float]]:
    """The first iteration whose loss or new parameters are not finite, written out."""
    w, b, x, t, rate = 1.0, 0.0, 1.0, 0.0, 1000.0
    losses = []
    for i in range(10_000):
        y = w * x + b
        loss = 0.5 * (y - t) * (y - t)
        losses.append(loss)
        new_w, new_b = w - rate * (y - t) * x, b - rate * (y - t)
        if not (math.isfinite(loss) and math.isfinite(new_w) and math.isfinite(new_b)):
            return i, losses, (w, b)
        w, b = new_w, new_b
    raise AssertionError("the hand loop never diverged")


def test_diverging_training_stops_at_the_iteration_that_overflowed() -> None:
    expected_at, expected_losses, last_finite = _exploding_by_hand()
    trainer = Trainer(_exploding_network())
    ran = trainer.run(1000)
    assert trainer.diverged_at == expected_at
    assert ran == expected_at + 1
    assert trainer.iteration == expected_at + 1
    finite = trainer.losses[:-1]
    np.testing.assert_allclose(finite, expected_losses[:-1], rtol=1e-12)
    # ½ y² overflows long before the parameters do: the diverging loss is +inf.
    assert expected_losses[-1] == math.inf
    assert trainer.losses[-1] == math.inf
    # The parameters are the last finite ones, from before the diverging iteration.
    network = trainer.network()
    assert network.parameters_finite()
    assert network.weights[0][0, 0] == pytest.approx(last_finite[0], rel=1e-12)
    assert network.biases[0][0] == pytest.approx(last_finite[1], rel=1e-12)
    # A diverged trainer refuses to go on.
    assert trainer.run(10) == 0
    assert trainer.diverged_at == expected_at


def test_trace_of_the_overflowing_iteration_is_marked_diverged() -> None:
    expected_at, _, _ = _exploding_by_hand()
    traces = _chain(_exploding_network(), 1000)
    assert len(traces) == expected_at + 1
    assert [t.diverged for t in traces[:-1]] == [False] * expected_at
    assert traces[-1].diverged is True
    assert traces[-1].index == expected_at


def test_trace_of_an_overflowing_network_reports_divergence_without_warnings() -> None:
    network = _exploding_network().replace(weights=[[[1e200]]], inputs=[[1e200]])
    trace = trace_iteration(network)  # z = 1e400 overflows to inf
    assert trace.diverged is True
    assert not math.isfinite(trace.loss)


def test_large_but_finite_parameters_are_not_divergence() -> None:
    # Two weights of 1e308 sum to inf, but each is a finite number.
    network = Network.create(
        name="large",
        layers=[Layer(2, None), Layer(1, "linear")],
        weights=[[[1e308, 1e308]]],
        biases=[[0.5]],
        loss=LossSpec(),
        optimizer=OptimizerSpec(learning_rate=0.1),
        inputs=[[0.0, 0.0]],
        targets=[[0.0]],
    )
    trace = trace_iteration(network)
    assert trace.loss == pytest.approx(0.125)
    assert trace.diverged is False
    trainer = Trainer(network)
    trainer.run(1)
    assert trainer.diverged_at is None
    assert trainer.network().biases[0][0] == pytest.approx(0.5 - 0.1 * 0.5)


def test_cross_entropy_on_a_saturated_softmax_diverges_silently() -> None:
    # A huge rate drives a softmax output to exactly 0; −t ln 0 is infinite.
    network = _network("tanh", "softmax", "cross_entropy", learning_rate=1e6)
    traces = _chain(network, 200)
    trainer = Trainer(network)
    trainer.run(200)
    assert traces[-1].diverged
    assert trainer.diverged_at == traces[-1].index
    assert trainer.network().parameters_finite()
    _assert_same_parameters(trainer.network(), traces[-1].network)


# -- loss history and stopping ------------------------------------------------------


def _seed_003_loss(network: Network) -> float:
    """½ Σ (y − t)², mean over every row, for a sigmoid net, written out."""
    a = np.asarray(network.inputs)
    for w, b in zip(network.weights, network.biases, strict=True):
        a = 1.0 / (1.0 + np.exp(-(a @ w.T + b)))
    return float(np.mean(0.5 * np.sum((a - network.targets) ** 2, axis=1)))


def test_loss_history_keeps_every_iteration_past_1024() -> None:
    network = load_network(preset_path())
    traces = _chain(network, 1500)
    trainer = Trainer(network)
    trainer.run(1000)
    trainer.run(500)
    assert trainer.losses.shape == (1500,)
    np.testing.assert_allclose(trainer.losses, [t.loss for t in traces], **SAME)
    assert trainer.losses[0] == pytest.approx(0.298371108760, abs=1e-12)
    assert np.all(np.diff(trainer.losses) < 0)  # this example descends steadily


def test_data_set_loss_history_keeps_every_iteration_past_1024() -> None:
    base = load_network(preset_path())
    network = base.replace(
        inputs=[[0.05, 0.10], [0.5, -0.2], [0.3, 0.9]],
        targets=[[0.01, 0.99], [0.7, 0.2], [0.4, 0.4]],
        optimizer=OptimizerSpec(learning_rate=0.5, batch_size=2),
    )
    traces = _chain(network, 1100)
    trainer = Trainer(network, track_dataset_loss=True)
    trainer.run(1100)
    dataset = trainer.dataset_losses
    assert dataset is not None and dataset.shape == (1100,)
    for i in (0, 1, 1023, 1024, 1099):
        assert dataset[i] == pytest.approx(_seed_003_loss(traces[i].network), rel=1e-12)


def test_a_past_deadline_stops_after_one_iteration() -> None:
    trainer = Trainer(load_network(preset_path()))
    assert trainer.run(1_000_000, deadline=time.perf_counter() - 1.0) == 1
    assert trainer.iteration == 1


def test_should_stop_is_asked_every_64_iterations_and_stops_the_run() -> None:
    calls = []

    def stop_now() -> bool:
        calls.append(1)
        return True

    trainer = Trainer(load_network(preset_path()))
    assert trainer.run(1_000_000, should_stop=stop_now) == 64
    assert len(calls) == 1

    calls.clear()
    trainer = Trainer(load_network(preset_path()))
    assert trainer.run(200, should_stop=lambda: bool(calls.append(1))) == 200
    assert len(calls) == 3  # after iterations 64, 128 and 192


def test_trainer_network_is_a_copy_that_later_training_does_not_change() -> None:
    trainer = Trainer(load_network(preset_path()))
    trainer.run(1)
    snapshot = trainer.network()
    before = snapshot.weights[0].copy()
    trainer.run(10)
    np.testing.assert_array_equal(snapshot.weights[0], before)
    assert not snapshot.weights[0].flags.writeable


def _scale_1e308_xor() -> Network:
    """The issue's file: XOR 2-4-1 with loss.scale 1e308 (D17)."""
    return load_network(preset_path("xor-2-4-1.json")).replace(
        loss=LossSpec(kind="squared_error", scale=1e308)
    )


def test_trace_and_train_diverge_in_the_same_iteration_at_loss_scale_1e308() -> None:
    network = _scale_1e308_xor()
    traces = _chain(network, 100)
    trainer = Trainer(network)
    trainer.run(100)
    # 2·scale overflows first in the trace's dL/dy = 2·s·(y − t)·(1/4): both say iteration 0.
    assert traces[-1].diverged and traces[-1].index == 0
    assert trainer.diverged_at == 0
    assert trainer.network().parameters_finite()


@pytest.mark.parametrize("scale", [1e300, 3e307, 1e308, 1.7e308])
@pytest.mark.parametrize("batch", ["mean", "sum"])
@pytest.mark.parametrize("outputs", ["mean", "sum"])
def test_trace_and_train_agree_on_divergence_near_float64_overflow(
    scale: float, batch: str, outputs: str
) -> None:
    network = _network("tanh", "linear", "squared_error", learning_rate=1e-300).replace(
        loss=LossSpec(kind="squared_error", scale=scale, outputs=outputs, batch=batch)
    )
    traces = _chain(network, 50)
    trainer = Trainer(network)
    trainer.run(50)
    diverged = next((t.index for t in traces if t.diverged), None)
    assert trainer.diverged_at == diverged
    finite = [t.loss for t in traces if not t.diverged]
    np.testing.assert_allclose(trainer.losses[: len(finite)], finite, rtol=1e-12)


def test_a_loss_whose_sum_overflows_is_divergence_for_train_as_for_trace() -> None:
    # Each row's term 8e307·(0 − 1)² is finite; their sum over 4 rows is not, though the
    # mean (what a fast path computing scale/4 · Σ(y − t)² would see) is 8e307.
    network = Network.create(
        name="sum overflows",
        layers=[Layer(1, None), Layer(1, "linear")],
        weights=[[[0.0]]],
        biases=[[0.0]],
        loss=LossSpec(kind="squared_error", scale=8e307),
        optimizer=OptimizerSpec(learning_rate=1e-300),
        inputs=[[0.0]] * 4,
        targets=[[1.0]] * 4,
    )
    trace = trace_iteration(network)
    assert trace.diverged and math.isinf(trace.loss)
    trainer = Trainer(network)
    trainer.run(5)
    assert trainer.diverged_at == 0
    assert math.isinf(trainer.losses[0])
