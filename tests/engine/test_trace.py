"""One iteration of the seed 003 example, every number checked against the tutorial.

Expected values are the ones printed in shared/seeds/003_*.txt (to their printed
precision) and the 12-digit values of shared/seeds/README.md, never the engine's
own output. Tutorial names: w1..w4 are weights[0] (i1→h1, i2→h1, i1→h2, i2→h2),
w5..w8 are weights[1] (h1→o1, h2→o1, h1→o2, h2→o2).
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.fileformat import load_network
from engine.losses import LossSpec
from engine.network import Layer, Network, OptimizerSpec, batch_rows
from engine.steps import iteration_steps
from engine.trace import IterationTrace, trace_iteration
from resources import preset_path

# The tutorial prints 9 or 10 decimals computed from rounded intermediates, so its
# last digit can be one off; 1e-9 is the precision of what it prints.
PRINTED = 1e-9
# The seeds README gives 12 decimals.
TWELVE_DIGITS = 1e-12


@pytest.fixture(scope="module")
def seed_003() -> IterationTrace:
    return trace_iteration(load_network(preset_path("step-by-step-2-2-2.json")))


def _approx(value: float, tolerance: float = PRINTED) -> object:
    return pytest.approx(value, abs=tolerance)


# -- forward pass ------------------------------------------------------------------


def test_seed_003_hidden_net_inputs_match_tutorial(seed_003: IterationTrace) -> None:
    z = seed_003.z[1]
    assert z is not None
    assert z.shape == (1, 2)
    assert z[0, 0] == _approx(0.3775)  # net_h1 = 0.15·0.05 + 0.20·0.10 + 0.35
    assert z[0, 1] == _approx(0.3925)  # net_h2 = 0.25·0.05 + 0.30·0.10 + 0.35


def test_seed_003_hidden_outputs_match_tutorial(seed_003: IterationTrace) -> None:
    assert seed_003.a[1].shape == (1, 2)
    assert seed_003.a[1][0, 0] == _approx(0.593269992)  # out_h1
    assert seed_003.a[1][0, 1] == _approx(0.596884378)  # out_h2


def test_seed_003_output_net_inputs_match_tutorial(seed_003: IterationTrace) -> None:
    z = seed_003.z[2]
    assert z is not None
    assert z[0, 0] == _approx(1.105905967)  # net_o1
    assert z[0, 1] == _approx(1.224921404)  # net_o2


def test_seed_003_outputs_match_tutorial(seed_003: IterationTrace) -> None:
    assert seed_003.a[2][0, 0] == _approx(0.75136507, 1e-8)  # out_o1, printed to 8 decimals
    assert seed_003.a[2][0, 1] == _approx(0.772928465)  # out_o2


def test_seed_003_input_layer_shows_the_data_row(seed_003: IterationTrace) -> None:
    assert seed_003.z[0] is None
    assert seed_003.a[0].tolist() == [[0.05, 0.10]]
    assert seed_003.targets.tolist() == [[0.01, 0.99]]


# -- loss --------------------------------------------------------------------------


def test_seed_003_error_of_each_output_matches_tutorial(seed_003: IterationTrace) -> None:
    assert seed_003.loss_terms.shape == (1, 2)
    assert seed_003.loss_terms[0, 0] == _approx(0.274811083)  # E_o1
    assert seed_003.loss_terms[0, 1] == _approx(0.023560026)  # E_o2


def test_seed_003_total_error_matches_tutorial(seed_003: IterationTrace) -> None:
    assert seed_003.loss == _approx(0.298371109)
    assert seed_003.sample_losses.tolist() == [pytest.approx(0.298371109, abs=PRINTED)]


def test_seed_003_total_error_matches_twelve_digit_reference(seed_003: IterationTrace) -> None:
    assert seed_003.loss == _approx(0.298371108760, TWELVE_DIGITS)


# -- backward pass, output layer ---------------------------------------------------


def test_seed_003_error_derivative_wrt_outputs_matches_tutorial(
    seed_003: IterationTrace,
) -> None:
    assert seed_003.grad_a[2][0, 0] == _approx(0.74136507, 1e-8)  # ∂E/∂out_o1
    # ∂E/∂out_o2 = −(0.99 − 0.772928465)
    assert seed_003.grad_a[2][0, 1] == _approx(-(0.99 - 0.772928465))


def test_seed_003_output_deltas_match_tutorial(seed_003: IterationTrace) -> None:
    delta = seed_003.delta[2]
    assert delta is not None
    assert delta.shape == (1, 2)
    assert delta[0, 0] == _approx(0.13849856185)  # δo1
    assert delta[0, 1] == _approx(-0.03809823661)  # δo2
    # The sigmoid's slope at o1: out_o1 (1 − out_o1) = 0.186815602.
    assert delta[0, 0] / seed_003.grad_a[2][0, 0] == _approx(0.186815602)


def test_seed_003_output_weight_gradients_match_tutorial(seed_003: IterationTrace) -> None:
    grad = seed_003.grad_weights[2]
    assert grad is not None
    assert grad.shape == (2, 2)
    # The page prints ∂E/∂w5 as 0.0821671041, a typo: its own factors
    # 0.74136507 · 0.186815602 · 0.593269992 give 0.082167041.
    assert grad[0, 0] == _approx(0.082167041)  # ∂E/∂w5
    assert grad[0, 1] == _approx(0.082667628)  # ∂E/∂w6
    assert grad[1, 0] == _approx(-0.022602541)  # ∂E/∂w7
    assert grad[1, 1] == _approx(-0.022740242)  # ∂E/∂w8


def test_seed_003_output_bias_gradients_are_the_output_deltas(seed_003: IterationTrace) -> None:
    grad = seed_003.grad_biases[2]
    assert grad is not None
    assert grad.shape == (2,)
    # ∂net/∂b = 1, so ∂E/∂b = δ.
    assert grad[0] == _approx(0.13849856185)
    assert grad[1] == _approx(-0.03809823661)


# -- backward pass, hidden layer ---------------------------------------------------


def test_seed_003_error_derivative_wrt_hidden_outputs_matches_tutorial(
    seed_003: IterationTrace,
) -> None:
    assert seed_003.grad_a[1][0, 0] == _approx(0.036350307)  # ∂E/∂out_h1
    assert seed_003.grad_a[1][0, 1] == _approx(0.041370322)  # ∂E/∂out_h2
    # The tutorial's four paths: 0.055399425 − 0.019049118 and 0.0623243528 − 0.02095403013.
    assert seed_003.grad_a[1][0, 0] == _approx(0.055399425 - 0.019049118)
    assert seed_003.grad_a[1][0, 1] == _approx(0.0623243528 - 0.02095403013)


def test_seed_003_hidden_deltas_match_tutorial(seed_003: IterationTrace) -> None:
    delta = seed_003.delta[1]
    assert delta is not None
    assert delta.shape == (1, 2)
    assert delta[0, 0] == _approx(0.008771354)  # δh1
    assert delta[0, 1] == _approx(0.00995425455)  # δh2
    # Slopes of the hidden sigmoids: 0.241300709 and 0.2406134173.
    assert delta[0, 0] / seed_003.grad_a[1][0, 0] == _approx(0.241300709)
    assert delta[0, 1] / seed_003.grad_a[1][0, 1] == _approx(0.2406134173)


def test_seed_003_hidden_weight_gradients_match_tutorial(seed_003: IterationTrace) -> None:
    grad = seed_003.grad_weights[1]
    assert grad is not None
    assert grad.shape == (2, 2)
    assert grad[0, 0] == _approx(0.000438568)  # ∂E/∂w1
    assert grad[0, 1] == _approx(0.0008771354)  # ∂E/∂w2
    assert grad[1, 0] == _approx(0.0004977127)  # ∂E/∂w3
    assert grad[1, 1] == _approx(0.000995425455)  # ∂E/∂w4


def test_seed_003_input_layer_has_no_delta_or_gradient(seed_003: IterationTrace) -> None:
    assert seed_003.delta[0] is None
    assert seed_003.grad_weights[0] is None
    assert seed_003.grad_biases[0] is None


# -- update ------------------------------------------------------------------------


def test_seed_003_first_update_matches_tutorial_weights(seed_003: IterationTrace) -> None:
    w1, w2 = seed_003.network_after.weights
    assert w2[0, 0] == _approx(0.35891648, 1e-8)  # w5+
    assert w2[0, 1] == _approx(0.408666186)  # w6+
    assert w2[1, 0] == _approx(0.51130127, 1e-8)  # w7+
    assert w2[1, 1] == _approx(0.561370121)  # w8+
    assert w1[0, 0] == _approx(0.149780716)  # w1+
    assert w1[0, 1] == _approx(0.1995614323)  # w2+
    assert w1[1, 0] == _approx(0.2497511436)  # w3+
    assert w1[1, 1] == _approx(0.2995022873)  # w4+


def test_seed_003_first_update_matches_twelve_digit_reference(seed_003: IterationTrace) -> None:
    w1, w2 = seed_003.network_after.weights
    expected_w2 = [[0.358916479718, 0.408666186076], [0.511301270239, 0.561370121108]]
    expected_w1 = [[0.149780716133, 0.199561432266], [0.249751143632, 0.299502287265]]
    np.testing.assert_allclose(w2, expected_w2, rtol=0, atol=TWELVE_DIGITS)
    np.testing.assert_allclose(w1, expected_w1, rtol=0, atol=TWELVE_DIGITS)


def test_seed_003_biases_move_by_rate_times_delta(seed_003: IterationTrace) -> None:
    # The tutorial leaves biases alone; the spec moves them: b+ = b − η δ.
    b1, b2 = seed_003.network_after.biases
    assert b1[0] == _approx(0.35 - 0.5 * 0.008771354)
    assert b1[1] == _approx(0.35 - 0.5 * 0.00995425455)
    assert b2[0] == _approx(0.60 - 0.5 * 0.13849856185)
    assert b2[1] == _approx(0.60 - 0.5 * -0.03809823661)


def test_seed_003_update_leaves_the_starting_network_unchanged(
    seed_003: IterationTrace,
) -> None:
    assert seed_003.network.weights[0].tolist() == [[0.15, 0.2], [0.25, 0.3]]
    assert seed_003.network.weights[1].tolist() == [[0.4, 0.45], [0.5, 0.55]]
    assert seed_003.network.biases[1].tolist() == [0.6, 0.6]
    change_w, change_b = seed_003.updates(2)
    assert change_w[0, 0] == _approx(0.35891648 - 0.40, 1e-8)
    assert change_b[0] == _approx(-0.5 * 0.13849856185)


def test_seed_003_without_momentum_keeps_no_velocity(seed_003: IterationTrace) -> None:
    assert seed_003.velocity is None
    assert seed_003.diverged is False


def test_seed_003_second_iteration_loss_is_lower(seed_003: IterationTrace) -> None:
    second = trace_iteration(seed_003.network_after, 1)
    assert second.index == 1
    assert second.loss < 0.298371108760
    # Its net input to h1 uses the updated weights: 0.149780716·0.05 + 0.1995614323·0.10 + b.
    b_h1 = 0.35 - 0.5 * 0.008771354
    z = second.z[1]
    assert z is not None
    assert z[0, 0] == _approx(0.149780716 * 0.05 + 0.1995614323 * 0.10 + b_h1)


# -- steps -------------------------------------------------------------------------


def test_seed_003_iteration_has_the_six_tutorial_steps(seed_003: IterationTrace) -> None:
    keys = [step.key for step in seed_003.steps]
    assert keys == ["forward-1", "forward-2", "loss", "backward-2", "backward-1", "update"]


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5])
def test_steps_go_forward_then_loss_then_backward_then_update(L: int) -> None:
    expected = (
        [f"forward-{l}" for l in range(1, L + 1)]
        + ["loss"]
        + [f"backward-{l}" for l in range(L, 0, -1)]
        + ["update"]
    )
    assert [step.key for step in iteration_steps(L)] == expected
    assert len(expected) == 2 * L + 2


@pytest.mark.parametrize("sizes", [(3, 2), (2, 3, 4, 1), (1, 1, 1, 1, 1, 1)])
def test_trace_of_a_deep_network_lists_its_steps_in_order(sizes: tuple[int, ...]) -> None:
    network = _network(sizes, rows=2)
    trace = trace_iteration(network)
    L = len(sizes) - 1
    keys = [step.key for step in trace.steps]
    assert keys[:L] == [f"forward-{l}" for l in range(1, L + 1)]
    assert keys[L] == "loss"
    assert keys[L + 1 : 2 * L + 1] == [f"backward-{l}" for l in range(L, 0, -1)]
    assert keys[-1] == "update"
    for l in range(1, L + 1):
        z, a, delta, gw = trace.z[l], trace.a[l], trace.delta[l], trace.grad_weights[l]
        assert z is not None and delta is not None and gw is not None
        assert z.shape == a.shape == delta.shape == (2, sizes[l])
        assert gw.shape == (sizes[l], sizes[l - 1])


# -- batches -----------------------------------------------------------------------


def _network(
    sizes: tuple[int, ...], rows: int, batch_size: int | None = None, seed: int = 0
) -> Network:
    rng = np.random.default_rng(seed)
    layers = [Layer(sizes[0], None)] + [Layer(s, "sigmoid") for s in sizes[1:]]
    return Network.create(
        name="test",
        layers=layers,
        weights=[rng.uniform(-1, 1, (sizes[l + 1], sizes[l])) for l in range(len(sizes) - 1)],
        biases=[rng.uniform(-1, 1, s) for s in sizes[1:]],
        loss=LossSpec(),
        optimizer=OptimizerSpec(learning_rate=0.5, batch_size=batch_size),
        # Row r holds r in every input, so a batch's rows can be read off its inputs.
        inputs=[[float(r)] * sizes[0] for r in range(rows)],
        targets=rng.uniform(0, 1, (rows, sizes[-1])),
    )


@pytest.mark.parametrize(
    ("n", "k", "expected"),
    [
        (5, 2, [[0, 1], [2, 3], [4, 0], [1, 2], [3, 4], [0, 1]]),
        (4, 2, [[0, 1], [2, 3], [0, 1], [2, 3], [0, 1], [2, 3]]),
        (3, 1, [[0], [1], [2], [0], [1], [2]]),
        (3, 3, [[0, 1, 2]] * 6),
        (3, 5, [[0, 1, 2, 0, 1], [2, 0, 1, 2, 0], [1, 2, 0, 1, 2]] * 2),
        (1, 2, [[0, 0]] * 6),
    ],
)
def test_mini_batches_take_k_rows_in_file_order_wrapping_around(
    n: int, k: int, expected: list[list[int]]
) -> None:
    network = _network((2, 1), rows=n, batch_size=k)
    for i, rows in enumerate(expected):
        assert batch_rows(network, i).tolist() == rows
        # (i·k + r) mod n, written out.
        assert rows == [(i * k + r) % n for r in range(k)]


def test_without_batch_size_every_iteration_uses_all_rows() -> None:
    network = _network((2, 1), rows=4)
    for i in (0, 1, 7):
        assert batch_rows(network, i).tolist() == [0, 1, 2, 3]
        trace = trace_iteration(network, i)
        assert trace.a[0][:, 0].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_trace_of_a_mini_batch_shows_only_that_batch_rows() -> None:
    network = _network((2, 3, 1), rows=5, batch_size=3)
    trace = trace_iteration(network, 1)  # rows 3, 4, 0
    assert trace.rows.tolist() == [3, 4, 0]
    assert trace.batch_size == 3
    assert trace.a[0][:, 0].tolist() == [3.0, 4.0, 0.0]
    np.testing.assert_array_equal(trace.targets, network.targets[[3, 4, 0]])
    for l in (1, 2):
        assert trace.a[l].shape[0] == 3
    # Batch mean of ½ Σ (y − t)² over these three rows, written out.
    y = trace.a[2]
    expected = sum(0.5 * float(np.sum((y[r] - trace.targets[r]) ** 2)) for r in range(3)) / 3
    assert trace.loss == pytest.approx(expected, rel=1e-14)
