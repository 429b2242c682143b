"""The network file (shared/spec/network-file.md): every refusal names its key path.

Each malformed-file rule of the spec has a case below with the exact message the
user reads (``str(NetworkFileError)``).
"""

from __future__ import annotations

import copy
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine.fileformat import (
    NetworkFileError,
    load_network,
    network_to_dict,
    parse_network,
    save_network,
)
from engine.losses import LossSpec
from engine.network import Layer, Network, OptimizerSpec
from resources import preset_path, preset_paths

SPEC_EXAMPLE: dict[str, Any] = {
    "format": "backprop-lens.network",
    "version": 1,
    "name": "Step-by-step example 2-2-2",
    "layers": [
        {"size": 2, "labels": ["i1", "i2"]},
        {"size": 2, "activation": "sigmoid", "labels": ["h1", "h2"]},
        {"size": 2, "activation": "sigmoid", "labels": ["o1", "o2"]},
    ],
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
    "biases": [[0.35, 0.35], [0.60, 0.60]],
    "loss": {"kind": "squared_error", "scale": 0.5, "outputs": "sum", "batch": "mean"},
    "optimizer": {"kind": "sgd", "learning_rate": 0.5, "batch_size": None},
    "data": {"inputs": [[0.05, 0.10]], "targets": [[0.01, 0.99]]},
    "layout": {},
}

ACTIVATION_LIST = "sigmoid, tanh, relu, leaky_relu, linear, softmax"


def _doc() -> dict[str, Any]:
    return copy.deepcopy(SPEC_EXAMPLE)


def _message(doc: Any) -> str:
    with pytest.raises(NetworkFileError) as caught:
        parse_network(json.dumps(doc))
    return str(caught.value)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to the spec example: set the value at a dotted path ("loss.kind", "layers.1")."""

    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        del target[last]

    return change


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        for one in changes:
            one(doc)

    return change


# (what is wrong, change to the spec example, exact message)
MALFORMED: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    # format and version
    ("format missing", _delete("format"), "format: missing"),
    (
        "wrong format",
        _set("format", "keras.model"),
        'format: expected "backprop-lens.network", got "keras.model"',
    ),
    ("version missing", _delete("version"), "version: missing"),
    ("version 2", _set("version", 2), "version: unsupported version 2 (this app reads version 1)"),
    (
        "version as text",
        _set("version", "1"),
        'version: unsupported version "1" (this app reads version 1)',
    ),
    (
        "version true",
        _set("version", True),
        "version: unsupported version true (this app reads version 1)",
    ),
    ("name not text", _set("name", 3), "name: expected a string, got 3"),
    (
        "description not text",
        _set("description", ["x"]),
        "description: expected a string, got a list",
    ),
    # layers
    ("layers missing", _delete("layers"), "layers: missing"),
    ("layers not a list", _set("layers", {"size": 2}), "layers: expected a list, got an object"),
    (
        "one layer",
        _set("layers", [{"size": 2}]),
        "layers: expected at least 2 layers (input and output), got 1",
    ),
    ("layer not an object", _set("layers.1", 2), "layers[1]: expected an object, got 2"),
    ("size missing", _delete("layers.1.size"), "layers[1].size: missing"),
    ("size 0", _set("layers.1.size", 0), "layers[1].size: expected a whole number ≥ 1, got 0"),
    (
        "size negative",
        _set("layers.0.size", -2),
        "layers[0].size: expected a whole number ≥ 1, got -2",
    ),
    (
        "size fraction",
        _set("layers.1.size", 1.5),
        "layers[1].size: expected a whole number ≥ 1, got 1.5",
    ),
    (
        "size text",
        _set("layers.1.size", "2"),
        'layers[1].size: expected a whole number ≥ 1, got "2"',
    ),
    (
        "size true",
        _set("layers.1.size", True),
        "layers[1].size: expected a whole number ≥ 1, got true",
    ),
    (
        "input layer with an activation",
        _set("layers.0.activation", "sigmoid"),
        "layers[0].activation: the input layer has no activation",
    ),
    ("activation missing", _delete("layers.2.activation"), "layers[2].activation: missing"),
    (
        "unknown activation",
        _set("layers.1.activation", "swish"),
        f'layers[1].activation: unknown activation "swish" (expected one of {ACTIVATION_LIST})',
    ),
    (
        "activation null",
        _set("layers.1.activation", None),
        f"layers[1].activation: unknown activation null (expected one of {ACTIVATION_LIST})",
    ),
    (
        "softmax on a hidden layer",
        _set("layers.1.activation", "softmax"),
        "layers[1].activation: softmax is allowed on the output layer only",
    ),
    (
        "too many labels",
        _set("layers.1.labels", ["h1", "h2", "h3"]),
        "layers[1].labels: expected 2 labels, got 3",
    ),
    (
        "labels not a list",
        _set("layers.1.labels", "h1"),
        'layers[1].labels: expected a list, got "h1"',
    ),
    (
        "label not text",
        _set("layers.2.labels", ["o1", 2]),
        "layers[2].labels[1]: expected a non-empty string, got 2",
    ),
    (
        "label empty",
        _set("layers.0.labels", [" ", "i2"]),
        'layers[0].labels[0]: expected a non-empty string, got " "',
    ),
    (
        "unknown key in a layer",
        _set("layers.1.bias", 0.1),
        "layers[1].bias: unknown key (expected one of size, activation, labels)",
    ),
    # weights
    ("weights missing", _delete("weights"), "weights: missing"),
    ("weights not a list", _set("weights", 0.5), "weights: expected a list, got 0.5"),
    (
        "one matrix too few",
        _set("weights", [[[0.15, 0.2], [0.25, 0.3]]]),
        "weights: expected 2 matrices (one per pair of layers), got 1",
    ),
    (
        "one row too many",
        _set("weights.1", [[0.4, 0.45], [0.5, 0.55], [0.6, 0.65]]),
        "weights[1]: expected 2 rows, got 3",
    ),
    (
        "one number too many in a row",
        _set("weights.1.0", [0.4, 0.45, 0.47]),
        "weights[1][0]: expected 2 numbers, got 3",
    ),
    ("row not a list", _set("weights.0.1", 0.25), "weights[0][1]: expected a list, got 0.25"),
    (
        "weight as text",
        _set("weights.0.1", ["0.25", 0.3]),
        'weights[0][1][0]: expected a number, got "0.25"',
    ),
    (
        "weight true",
        _set("weights.0.1", [True, 0.3]),
        "weights[0][1][0]: expected a number, got true",
    ),
    (
        "weight null",
        _set("weights.1.1", [0.5, None]),
        "weights[1][1][1]: expected a number, got null",
    ),
    # biases
    ("biases missing", _delete("biases"), "biases: missing"),
    (
        "one vector too many",
        _set("biases", [[0.35, 0.35], [0.6, 0.6], [0.1]]),
        "biases: expected 2 vectors (one per layer after the input), got 3",
    ),
    ("bias vector too short", _set("biases.1", [0.6]), "biases[1]: expected 2 numbers, got 1"),
    ("bias vector not a list", _set("biases.1", 0.6), "biases[1]: expected a list, got 0.6"),
    ("bias as text", _set("biases.0", [0.35, "x"]), 'biases[0][1]: expected a number, got "x"'),
    ("bias false", _set("biases.0", [False, 0.35]), "biases[0][0]: expected a number, got false"),
    # loss
    ("loss missing", _delete("loss"), "loss: missing"),
    (
        "loss not an object",
        _set("loss", "squared_error"),
        'loss: expected an object, got "squared_error"',
    ),
    ("loss kind missing", _delete("loss.kind"), "loss.kind: missing"),
    (
        "unknown loss kind",
        _set("loss.kind", "hinge"),
        'loss.kind: unknown loss kind "hinge" '
        "(expected one of squared_error, binary_cross_entropy, cross_entropy)",
    ),
    ("scale zero", _set("loss.scale", 0), "loss.scale: expected a number > 0, got 0"),
    ("scale negative", _set("loss.scale", -0.5), "loss.scale: expected a number > 0, got -0.5"),
    ("scale text", _set("loss.scale", "half"), 'loss.scale: expected a number, got "half"'),
    (
        "scale with cross-entropy",
        _set("loss.kind", "binary_cross_entropy"),
        "loss.scale: applies to squared_error only",
    ),
    (
        "unknown outputs reduction",
        _set("loss.outputs", "max"),
        'loss.outputs: unknown reduction "max" (expected one of sum, mean)',
    ),
    (
        "unknown batch reduction",
        _set("loss.batch", "median"),
        'loss.batch: unknown reduction "median" (expected one of sum, mean)',
    ),
    (
        "unknown key in loss",
        _set("loss.weight", 2),
        "loss.weight: unknown key (expected one of kind, scale, outputs, batch)",
    ),
    # optimizer
    ("optimizer missing", _delete("optimizer"), "optimizer: missing"),
    ("optimizer not an object", _set("optimizer", []), "optimizer: expected an object, got a list"),
    ("optimizer kind missing", _delete("optimizer.kind"), "optimizer.kind: missing"),
    (
        "unknown optimizer",
        _set("optimizer.kind", "adam"),
        'optimizer.kind: unknown optimizer "adam" (expected one of sgd)',
    ),
    (
        "learning rate missing",
        _delete("optimizer.learning_rate"),
        "optimizer.learning_rate: missing",
    ),
    (
        "learning rate zero",
        _set("optimizer.learning_rate", 0),
        "optimizer.learning_rate: expected a number > 0, got 0",
    ),
    (
        "learning rate negative",
        _set("optimizer.learning_rate", -0.1),
        "optimizer.learning_rate: expected a number > 0, got -0.1",
    ),
    (
        "learning rate text",
        _set("optimizer.learning_rate", "fast"),
        'optimizer.learning_rate: expected a number, got "fast"',
    ),
    (
        "momentum negative",
        _set("optimizer.momentum", -0.5),
        "optimizer.momentum: expected a number ≥ 0, got -0.5",
    ),
    (
        "momentum true",
        _set("optimizer.momentum", True),
        "optimizer.momentum: expected a number, got true",
    ),
    (
        "batch size zero",
        _set("optimizer.batch_size", 0),
        "optimizer.batch_size: expected a whole number ≥ 1, got 0",
    ),
    (
        "batch size fraction",
        _set("optimizer.batch_size", 2.5),
        "optimizer.batch_size: expected a whole number ≥ 1, got 2.5",
    ),
    (
        "batch size text",
        _set("optimizer.batch_size", "all"),
        'optimizer.batch_size: expected a whole number ≥ 1, got "all"',
    ),
    (
        "unknown key in optimizer",
        _set("optimizer.nesterov", True),
        "optimizer.nesterov: unknown key "
        "(expected one of kind, learning_rate, momentum, batch_size)",
    ),
    # data
    ("data missing", _delete("data"), "data: missing"),
    ("data not an object", _set("data", [[0.05, 0.1]]), "data: expected an object, got a list"),
    ("inputs missing", _delete("data.inputs"), "data.inputs: missing"),
    ("no input rows", _set("data.inputs", []), "data.inputs: expected at least one row"),
    ("inputs not a list", _set("data.inputs", 0.05), "data.inputs: expected a list, got 0.05"),
    (
        "input row too wide",
        _set("data.inputs", [[0.05, 0.1, 0.2]]),
        "data.inputs[0]: expected 2 numbers, got 3",
    ),
    (
        "input value as text",
        _set("data.inputs", [[0.05, "0.1"]]),
        'data.inputs[0][1]: expected a number, got "0.1"',
    ),
    ("targets missing", _delete("data.targets"), "data.targets: missing"),
    (
        "more target rows than input rows",
        _set("data.targets", [[0.01, 0.99], [0.5, 0.5]]),
        "data.targets: expected 1 rows (one per input row), got 2",
    ),
    (
        "fewer target rows than input rows",
        _set("data.inputs", [[0.05, 0.1], [0.2, 0.3]]),
        "data.targets: expected 2 rows (one per input row), got 1",
    ),
    (
        "target row too narrow",
        _set("data.targets", [[0.01]]),
        "data.targets[0]: expected 2 numbers, got 1",
    ),
    (
        "unknown key in data",
        _set("data.labels", ["a"]),
        "data.labels: unknown key (expected one of inputs, targets)",
    ),
    # layout
    ("layout not an object", _set("layout", [1, 2]), "layout: expected an object, got a list"),
    ("layout text", _set("layout", "grid"), 'layout: expected an object, got "grid"'),
    # checks that depend on each other
    (
        "weights sized for the changed hidden layer",
        _both(_set("layers.1.size", 3), _delete("layers.1.labels")),
        "weights[0]: expected 3 rows, got 2",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [pytest.param(change, expected, id=what) for what, change, expected in MALFORMED],
)
def test_malformed_file_is_refused_with_its_key_path(
    change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    doc = _doc()
    change(doc)
    assert _message(doc) == expected


def test_the_spec_example_itself_loads() -> None:
    network = parse_network(json.dumps(SPEC_EXAMPLE))
    assert network.sizes == (2, 2, 2)
    assert network.weights[1].tolist() == [[0.40, 0.45], [0.50, 0.55]]


# -- not JSON ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "not valid JSON: Expecting value (line 1, column 1)"),
        ("weights = 1", "not valid JSON: Expecting value (line 1, column 1)"),
        (
            '{\n  "format": "backprop-lens.network",\n  "version": 1,\n}',
            "not valid JSON: Expecting property name enclosed in double quotes (line 4, column 1)",
        ),
        ("[1, 2", "not valid JSON: Expecting ',' delimiter (line 1, column 6)"),
        ("[]", "expected an object, got a list"),
        ('"network"', 'expected an object, got "network"'),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
        ("[" + "1" * 5000 + "]", "not valid JSON: a number has too many digits"),
    ],
    ids=[
        "empty",
        "not json",
        "trailing comma",
        "unclosed list",
        "list",
        "string",
        "nested too deeply",
        "5000-digit number",
    ],
)
def test_text_that_is_not_a_network_object_is_refused(text: str, expected: str) -> None:
    with pytest.raises(NetworkFileError) as caught:
        parse_network(text)
    assert str(caught.value) == expected


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_tokens_are_refused(token: str) -> None:
    text = json.dumps(_doc()).replace("0.15", token)
    with pytest.raises(NetworkFileError) as caught:
        parse_network(text)
    assert str(caught.value) == f"not valid JSON: {token} is not a number in JSON"


def test_a_number_too_large_for_a_float_is_refused() -> None:
    text = json.dumps(_doc()).replace("0.15", "1e999")
    with pytest.raises(NetworkFileError) as caught:
        parse_network(text)
    assert str(caught.value) == "weights[0][0][0]: expected a finite number, got inf"


def test_an_integer_too_large_for_a_float_is_refused() -> None:
    text = json.dumps(_doc()).replace("0.15", "1" + "0" * 400)
    with pytest.raises(NetworkFileError) as caught:
        parse_network(text)
    assert (
        str(caught.value) == "weights[0][0][0]: expected a finite number, got a too large integer"
    )


def test_key_path_and_problem_are_available_separately() -> None:
    doc = _doc()
    doc["weights"][1][0] = [0.4, 0.45, 0.47]
    with pytest.raises(NetworkFileError) as caught:
        parse_network(json.dumps(doc))
    assert caught.value.key_path == "weights[1][0]"
    assert caught.value.problem == "expected 2 numbers, got 3"


# -- reading files -----------------------------------------------------------------


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NetworkFileError) as caught:
        load_network(tmp_path / "nowhere.json")
    assert str(caught.value) == "cannot read the file: No such file or directory"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NetworkFileError) as caught:
        load_network(tmp_path)
    assert str(caught.value) == "cannot read the file: Is a directory"


def test_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(_doc()).replace("Step", "Étape").encode("latin-1"))
    with pytest.raises(NetworkFileError) as caught:
        load_network(path)
    assert str(caught.value) == "cannot read the file: it is not UTF-8 text"


def test_utf8_names_and_labels_load(tmp_path: Path) -> None:
    doc = _doc()
    doc["name"] = "Étape par étape — ½ Σ"
    doc["layers"][1]["labels"] = ["h₁", "h₂"]
    path = tmp_path / "utf8.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    network = load_network(path)
    assert network.name == "Étape par étape — ½ Σ"
    assert network.labels(1) == ("h₁", "h₂")


@pytest.mark.parametrize("path", preset_paths(), ids=lambda p: p.name)
def test_every_preset_loads(path: Path) -> None:
    network = load_network(path)
    assert network.weight_layer_count >= 1
    assert network.parameters_finite()


# -- defaults and unknown keys -----------------------------------------------------


def test_defaults_fill_what_the_file_leaves_out() -> None:
    doc = _doc()
    doc["loss"] = {"kind": "squared_error"}
    doc["optimizer"] = {"kind": "sgd", "learning_rate": 0.1}
    for layer in doc["layers"]:
        del layer["labels"]
    del doc["layout"]
    del doc["name"]
    network = parse_network(json.dumps(doc))
    assert network.loss == LossSpec(kind="squared_error", scale=0.5, outputs="sum", batch="mean")
    assert network.optimizer.momentum == 0.0
    assert network.optimizer.batch_size is None
    assert dict(network.layout) == {}
    assert network.labels(0) == ("x1", "x2")
    assert network.labels(1) == ("h1", "h2")
    assert network.labels(2) == ("y1", "y2")


def test_whole_number_written_as_float_is_accepted_as_a_size() -> None:
    doc = _doc()
    doc["optimizer"]["batch_size"] = 1.0
    assert parse_network(json.dumps(doc)).optimizer.batch_size == 1


def test_unknown_top_level_keys_are_kept_and_written_back(tmp_path: Path) -> None:
    doc = _doc()
    doc["x-teacher-notes"] = {"lesson": 3, "tags": ["intro", "sigmoid"]}
    doc["future_feature"] = [1, 2.5, None]
    network = parse_network(json.dumps(doc))
    assert dict(network.extra) == {
        "x-teacher-notes": {"lesson": 3, "tags": ["intro", "sigmoid"]},
        "future_feature": [1, 2.5, None],
    }
    path = tmp_path / "kept.json"
    save_network(network, path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["x-teacher-notes"] == {"lesson": 3, "tags": ["intro", "sigmoid"]}
    assert saved["future_feature"] == [1, 2.5, None]


def test_layout_is_kept_as_written(tmp_path: Path) -> None:
    doc = _doc()
    doc["layout"] = {"positions": {"h1": [10.5, -3]}, "zoom": 1.25, "show": ["grid"]}
    path = tmp_path / "layout.json"
    save_network(parse_network(json.dumps(doc)), path)
    assert json.loads(path.read_text(encoding="utf-8"))["layout"] == doc["layout"]


# -- saving ------------------------------------------------------------------------

AWKWARD = [0.1, 1 / 3, -0.0, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308, 0.1 + 0.2]


def _awkward_network() -> Network:
    rng = np.random.default_rng(7)
    w0 = np.zeros((3, 2))
    w0.flat[:6] = AWKWARD[:6]
    return Network.create(
        name="round trip ✓",
        description="floats that print awkwardly",
        layers=[
            Layer(2, None, ("a", "b")),
            Layer(3, "leaky_relu"),
            Layer(2, "softmax", ("p", "q")),
        ],
        weights=[w0, rng.normal(size=(2, 3)) * 10.0 ** rng.integers(-300, 300, (2, 3))],
        biases=[[AWKWARD[6], -0.0, 1e-310], rng.normal(size=2)],
        loss=LossSpec(kind="cross_entropy", outputs="mean", batch="sum"),
        optimizer=OptimizerSpec(learning_rate=1e-3, momentum=0.9, batch_size=3),
        inputs=rng.normal(size=(4, 2)) / 3,
        targets=rng.dirichlet(np.ones(2), 4),
        layout={"zoom": 0.75},
        extra={"x-unknown": {"kept": True}},
    )


def _bits(array: np.ndarray) -> list[int]:
    return np.ascontiguousarray(array, dtype=np.float64).view(np.int64).ravel().tolist()


def test_save_then_load_gives_back_every_float_bit_for_bit(tmp_path: Path) -> None:
    network = _awkward_network()
    path = tmp_path / "net.json"
    save_network(network, path)
    loaded = load_network(path)
    for before, after in zip(
        network.weights + network.biases + (network.inputs, network.targets),
        loaded.weights + loaded.biases + (loaded.inputs, loaded.targets),
        strict=True,
    ):
        assert _bits(after) == _bits(before)
    assert loaded.name == network.name
    assert loaded.description == network.description
    assert loaded.layers == network.layers
    assert loaded.loss == network.loss
    assert loaded.optimizer == network.optimizer
    assert dict(loaded.layout) == {"zoom": 0.75}
    assert dict(loaded.extra) == {"x-unknown": {"kept": True}}
    # A second save writes the same text.
    again = tmp_path / "again.json"
    save_network(loaded, again)
    assert again.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


def test_saving_a_loaded_preset_writes_the_same_values(tmp_path: Path) -> None:
    original = json.loads(preset_path().read_text(encoding="utf-8"))
    path = tmp_path / "preset.json"
    save_network(load_network(preset_path()), path)
    assert json.loads(path.read_text(encoding="utf-8")) == original
    assert network_to_dict(load_network(preset_path())) == original


def test_saved_loss_and_optimizer_spell_out_the_defaults(tmp_path: Path) -> None:
    doc = _doc()
    doc["loss"] = {"kind": "squared_error"}
    doc["optimizer"] = {"kind": "sgd", "learning_rate": 0.5}
    path = tmp_path / "defaults.json"
    save_network(parse_network(json.dumps(doc)), path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["loss"] == {
        "kind": "squared_error",
        "scale": 0.5,
        "outputs": "sum",
        "batch": "mean",
    }
    assert saved["optimizer"]["batch_size"] is None
    assert saved["optimizer"].get("momentum", 0) == 0


def _fail(*args: object, **kwargs: object) -> None:
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("broken", ["replace", "fsync"])
def test_failed_save_leaves_the_old_file_untouched_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    path = tmp_path / "net.json"
    path.write_text("old contents", encoding="utf-8")
    monkeypatch.setattr(os, broken, _fail)
    with pytest.raises(OSError, match="No space left on device"):
        save_network(_awkward_network(), path)
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


def test_failed_first_save_leaves_no_file_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "replace", _fail)
    with pytest.raises(OSError):
        save_network(_awkward_network(), tmp_path / "new.json")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_saving_non_finite_parameters_is_refused(tmp_path: Path, bad: float) -> None:
    path = tmp_path / "net.json"
    path.write_text("old contents", encoding="utf-8")
    network = load_network(preset_path())
    broken = network.replace(biases=[network.biases[0], [0.6, bad]])
    with pytest.raises(NetworkFileError) as caught:
        save_network(broken, path)
    assert str(caught.value) == "cannot save: some parameters are not finite numbers"
    assert path.read_text(encoding="utf-8") == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


def test_saved_file_is_readable_by_others_like_any_new_file(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        save_network(load_network(preset_path()), tmp_path / "new.json")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644


def test_saving_over_a_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    save_network(load_network(preset_path()), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert load_network(path).name == "Step-by-step example 2-2-2"


@pytest.mark.parametrize(
    "change",
    [
        {"inputs": [[0.05, float("inf")]]},
        {"targets": [[float("nan"), 0.99]]},
        {"layout": {"positions": {"h1": [float("nan"), 0.0]}}},
        {"extra": {"x-score": float("inf")}},
    ],
    ids=["inputs", "targets", "layout", "unknown key"],
)
def test_saving_a_value_json_cannot_hold_is_refused_before_touching_the_file(
    tmp_path: Path, change: dict[str, Any]
) -> None:
    # The file would hold NaN or Infinity, which loading refuses: never write it.
    path = tmp_path / "net.json"
    path.write_text("old contents", encoding="utf-8")
    with pytest.raises(NetworkFileError) as caught:
        save_network(load_network(preset_path()).replace(**change), path)
    assert str(caught.value) == (
        "cannot save: the data, layout or another value is not a finite number"
    )
    assert path.read_text(encoding="utf-8") == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


def test_a_batch_size_too_large_to_fit_is_refused_with_its_key() -> None:
    doc = json.loads(preset_path().read_text())
    doc["optimizer"]["batch_size"] = 10**12
    with pytest.raises(NetworkFileError) as error:
        parse_network(json.dumps(doc))
    assert str(error.value) == (
        "optimizer.batch_size: at most 1000000 rows per batch, got 1000000000000"
    )
