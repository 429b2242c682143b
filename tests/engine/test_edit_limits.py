"""Edits refuse what a file would be refused for (issue 8: D11, D18, D5): targets a
cross-entropy cannot take, iterations too large for memory, an undrawable layout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine import edits
from engine.edits import EditError
from engine.fileformat import NetworkFileError, load_network, save_network
from engine.network import MAX_BATCH_VALUES, Network
from engine.trace import trace_iteration
from resources import preset_path

XOR = preset_path("xor-2-4-1.json")
SOFTMAX = preset_path("three-class-softmax-2-4-3.json")


def _bce_xor() -> Network:
    return edits.set_loss(load_network(XOR), kind="binary_cross_entropy")


# -- D18: cross-entropy targets ------------------------------------------------------


@pytest.mark.parametrize("bad", [2.0, -1.0, 1.0000001, -1e-300])
def test_typing_a_target_outside_0_1_under_bce_is_refused_with_the_reason(bad: float) -> None:
    network = _bce_xor()
    targets = network.targets.copy()
    targets[2, 0] = bad
    with pytest.raises(EditError) as caught:
        edits.set_data(network, network.inputs, targets)
    assert str(caught.value) == (
        f"binary cross-entropy needs targets in [0, 1], got {bad!r} (row 3, target 1)"
    )


def test_targets_at_0_and_1_and_between_are_fine_under_bce() -> None:
    network = _bce_xor()
    targets = np.array([[0.0], [1.0], [0.25], [1.0]])
    assert edits.set_data(network, network.inputs, targets).targets.tolist() == targets.tolist()


def test_cross_entropy_refuses_a_negative_target_too() -> None:
    network = load_network(SOFTMAX)
    assert network.loss.kind == "cross_entropy"
    targets = network.targets.copy()
    targets[0, 1] = -0.5
    with pytest.raises(EditError, match=r"cross-entropy needs targets in \[0, 1\], got -0.5"):
        edits.set_data(network, network.inputs, targets)


def test_squared_error_takes_any_finite_target() -> None:
    network = load_network(XOR)
    targets = network.targets * 40.0 - 7.0
    assert edits.set_data(network, network.inputs, targets).targets.min() == -7.0


def test_switching_to_bce_on_data_outside_0_1_is_refused() -> None:
    network = load_network(XOR)
    network = edits.set_data(network, network.inputs, [[-1.0], [1.0], [1.0], [-1.0]])
    with pytest.raises(EditError) as caught:
        edits.set_loss(network, kind="binary_cross_entropy")
    assert str(caught.value) == (
        "binary cross-entropy needs targets in [0, 1], got -1.0 (row 1, target 1): "
        "change the data first"
    )
    # Other loss changes on the same data stay possible.
    assert edits.set_loss(network, outputs="mean").loss.outputs == "mean"


def test_bce_loss_never_goes_negative_on_what_can_be_loaded_or_edited(tmp_path: Path) -> None:
    network = _bce_xor()
    path = tmp_path / "bce.json"
    save_network(network, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["data"]["targets"] = [[2.0], [-1.0], [1.5], [-0.5]]  # the file: loss −37
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(NetworkFileError) as caught:
        load_network(path)
    assert str(caught.value) == (
        "data.targets[0][0]: binary cross-entropy needs targets in [0, 1], got 2.0"
    )
    assert trace_iteration(network).loss > 0


# -- D11: iterations that fit in memory ----------------------------------------------


def _wide_xor() -> Network:
    return edits.set_layer_size(load_network(XOR), 1, 20)  # 2 + 20 + 1 = 23 neurons


def test_a_batch_size_needing_gigabytes_is_refused() -> None:
    network = _wide_xor()
    too_many = MAX_BATCH_VALUES // 23 + 1
    with pytest.raises(EditError, match="needs .* values per array"):
        edits.set_optimizer(network, batch_size=too_many)
    assert edits.set_optimizer(network, batch_size=too_many - 1).optimizer.batch_size == (
        too_many - 1
    )


def test_growing_a_layer_past_the_memory_limit_of_the_batch_is_refused() -> None:
    network = edits.set_optimizer(_wide_xor(), batch_size=MAX_BATCH_VALUES // 23)
    with pytest.raises(EditError, match="use a smaller batch or fewer neurons"):
        edits.add_neuron(network, 1)


# -- D5: layouts -----------------------------------------------------------------------


def test_an_undrawable_layout_is_refused_as_an_edit() -> None:
    network = load_network(XOR)
    with pytest.raises(EditError, match=r"layout.positions.1:0: expected \[x, y\]"):
        edits.set_layout(network, {"positions": {"1:0": {"x": 1}}})
    with pytest.raises(EditError, match="expected a finite number, got nan"):
        edits.set_layout(network, {"positions": {"1:0": [float("nan"), 0.0]}})
    assert edits.set_layout(network, {"positions": {"1:0": [3.0, 4.0]}}).layout["positions"] == {
        "1:0": [3.0, 4.0]
    }
