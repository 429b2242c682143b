"""The network file (shared/spec/network-file.md, format 1): load, validate, save.

Every refusal is a NetworkFileError whose message starts with the key path of
what is wrong, e.g. ``weights[1][0]: expected 2 numbers, got 3``. Whatever
loads can be saved again (engine.filechecks) and drawn (``layout``), and
fits in memory when trained (engine.network.MAX_BATCH_VALUES).
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np

from engine import fileio
from engine.activations import ACTIVATION_NAMES
from engine.filechecks import describe, kept_value_problem, key_path, shorten_path, text_problem
from engine.losses import LOSS_KINDS, REDUCTIONS, LossSpec, target_range_problem
from engine.network import Layer, Network, OptimizerSpec, batch_size_problem

FORMAT = "backprop-lens.network"
MAX_BATCH_SIZE = 1_000_000
MAX_FILE_BYTES = fileio.MAX_FILE_BYTES
MAX_POSITION = 1e6  # |x| and |y| of a node position in layout.positions
VERSION = 1
KNOWN_KEYS = (
    "format",
    "version",
    "name",
    "description",
    "layers",
    "weights",
    "biases",
    "loss",
    "optimizer",
    "data",
    "layout",
)


class NetworkFileError(ValueError):
    """A file that breaks the format; ``str()`` is the message for the user."""

    def __init__(self, path: str, problem: str) -> None:
        self.key_path = path
        self.problem = problem
        super().__init__(f"{shorten_path(path)}: {problem}" if path else problem)


_describe = describe


def _number(value: Any, path: str) -> float:
    # bool is an int in Python, but true is not a number in a network file.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NetworkFileError(path, f"expected a number, got {_describe(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer with hundreds of digits
        raise NetworkFileError(path, "expected a finite number, got a too large integer") from None
    if not math.isfinite(number):
        raise NetworkFileError(path, f"expected a finite number, got {value!r}")
    return number


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NetworkFileError(path, f"expected an object, got {_describe(value)}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise NetworkFileError(path, f"expected a list, got {_describe(value)}")
    return value


def _require(obj: dict[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise NetworkFileError(path + key, "missing")
    return obj[key]


def _no_unknown_keys(obj: dict[str, Any], allowed: tuple[str, ...], path: str) -> None:
    for key in obj:
        if key not in allowed:
            raise NetworkFileError(
                key_path(path, key), f"unknown key (expected one of {', '.join(allowed)})"
            )


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise NetworkFileError(path, f"expected a string, got {_describe(value)}")
    problem = text_problem(value)
    if problem is not None:
        raise NetworkFileError(path, problem)
    return value


def _choice(value: Any, choices: tuple[str, ...], path: str, what: str) -> str:
    if value not in choices:
        expected = ", ".join(choices)
        raise NetworkFileError(
            path, f"unknown {what} {_describe(value)} (expected one of {expected})"
        )
    return str(value)


def _vector(value: Any, size: int, path: str) -> list[float]:
    items = _list(value, path)
    if len(items) != size:
        raise NetworkFileError(path, f"expected {size} numbers, got {len(items)}")
    return [_number(item, f"{path}[{i}]") for i, item in enumerate(items)]


def _matrix(
    value: Any, rows: int, cols: int, path: str, row_word: str = "rows"
) -> list[list[float]]:
    items = _list(value, path)
    if len(items) != rows:
        raise NetworkFileError(path, f"expected {rows} {row_word}, got {len(items)}")
    return [_vector(row, cols, f"{path}[{r}]") for r, row in enumerate(items)]


def _positive_int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        if isinstance(value, float) and value.is_integer() and value >= 1:
            return int(value)
        raise NetworkFileError(path, f"expected a whole number ≥ 1, got {_describe(value)}")
    return value


def _layers(value: Any) -> list[Layer]:
    items = _list(value, "layers")
    if len(items) < 2:
        raise NetworkFileError(
            "layers", f"expected at least 2 layers (input and output), got {len(items)}"
        )
    layers = []
    for index, item in enumerate(items):
        path = f"layers[{index}]"
        obj = _object(item, path)
        _no_unknown_keys(obj, ("size", "activation", "labels"), path)
        size = _positive_int(_require(obj, "size", path + "."), path + ".size")
        activation: str | None = None
        if index == 0:
            if "activation" in obj:
                raise NetworkFileError(path + ".activation", "the input layer has no activation")
        else:
            activation = _choice(
                _require(obj, "activation", path + "."),
                ACTIVATION_NAMES,
                path + ".activation",
                "activation",
            )
            if activation == "softmax" and index != len(items) - 1:
                raise NetworkFileError(
                    path + ".activation", "softmax is allowed on the output layer only"
                )
        labels: tuple[str, ...] | None = None
        if "labels" in obj:
            raw = _list(obj["labels"], path + ".labels")
            if len(raw) != size:
                raise NetworkFileError(path + ".labels", f"expected {size} labels, got {len(raw)}")
            for k, label in enumerate(raw):
                if not isinstance(label, str) or not label.strip():
                    raise NetworkFileError(
                        f"{path}.labels[{k}]",
                        f"expected a non-empty string, got {_describe(label)}",
                    )
                _text(label, f"{path}.labels[{k}]")
            labels = tuple(raw)
        layers.append(Layer(size=size, activation=activation, labels=labels))
    return layers


def _loss(value: Any) -> LossSpec:
    obj = _object(value, "loss")
    _no_unknown_keys(obj, ("kind", "scale", "outputs", "batch"), "loss")
    kind = _choice(_require(obj, "kind", "loss."), LOSS_KINDS, "loss.kind", "loss kind")
    scale = 0.5
    if "scale" in obj:
        if kind != "squared_error":
            raise NetworkFileError("loss.scale", "applies to squared_error only")
        scale = _number(obj["scale"], "loss.scale")
        if scale <= 0:
            raise NetworkFileError(
                "loss.scale", f"expected a number > 0, got {_describe(obj['scale'])}"
            )
    outputs = _choice(obj.get("outputs", "sum"), REDUCTIONS, "loss.outputs", "reduction")
    batch = _choice(obj.get("batch", "mean"), REDUCTIONS, "loss.batch", "reduction")
    return LossSpec(kind=kind, scale=scale, outputs=outputs, batch=batch)


def _optimizer(value: Any) -> OptimizerSpec:
    obj = _object(value, "optimizer")
    _no_unknown_keys(obj, ("kind", "learning_rate", "momentum", "batch_size"), "optimizer")
    _choice(_require(obj, "kind", "optimizer."), ("sgd",), "optimizer.kind", "optimizer")
    rate_value = _require(obj, "learning_rate", "optimizer.")
    rate = _number(rate_value, "optimizer.learning_rate")
    if rate <= 0:
        raise NetworkFileError(
            "optimizer.learning_rate", f"expected a number > 0, got {_describe(rate_value)}"
        )
    momentum = 0.0
    if "momentum" in obj:
        momentum = _number(obj["momentum"], "optimizer.momentum")
        if momentum < 0:
            raise NetworkFileError(
                "optimizer.momentum", f"expected a number ≥ 0, got {_describe(obj['momentum'])}"
            )
    batch_size = obj.get("batch_size")
    if batch_size is not None:
        batch_size = _positive_int(batch_size, "optimizer.batch_size")
        if batch_size > MAX_BATCH_SIZE:
            # Each iteration holds batch x layer-size arrays: beyond this it cannot fit.
            raise NetworkFileError(
                "optimizer.batch_size", f"at most {MAX_BATCH_SIZE} rows per batch, got {batch_size}"
            )
    return OptimizerSpec(learning_rate=rate, momentum=momentum, batch_size=batch_size)


def _check_targets(loss: LossSpec, targets: list[list[float]]) -> None:
    problem = target_range_problem(loss.kind, np.array(targets, dtype=np.float64))
    if problem is not None:
        (row, column), message = problem
        raise NetworkFileError(f"data.targets[{row}][{column}]", message)


def _check_batch(sizes: list[int], rows: int, optimizer: OptimizerSpec) -> None:
    problem = batch_size_problem(sizes, rows, optimizer.batch_size)
    if problem is not None:
        where = "data.inputs" if optimizer.batch_size is None else "optimizer.batch_size"
        raise NetworkFileError(where, problem)


def check_layout(value: Any) -> dict[str, Any]:
    """The layout, kept as written; what the diagram reads of it must be drawable."""
    layout = _object(value, "layout")
    problem = kept_value_problem({"layout": layout}, "")
    if problem is not None:
        raise NetworkFileError(*problem)
    if "positions" in layout:
        positions = _object(layout["positions"], "layout.positions")
        for key, point in positions.items():
            path = key_path("layout.positions", key)
            if not isinstance(point, list) or len(point) != 2:
                got = f"{len(point)} items" if isinstance(point, list) else _describe(point)
                raise NetworkFileError(path, f"expected [x, y], got {got}")
            for i, coordinate in enumerate(point):
                if abs(_number(coordinate, f"{path}[{i}]")) > MAX_POSITION:
                    raise NetworkFileError(
                        f"{path}[{i}]",
                        f"expected a number from −{MAX_POSITION:.0e} to {MAX_POSITION:.0e}, "
                        f"got {_describe(coordinate)}",
                    )
    return layout


def network_from_dict(doc: Any) -> Network:
    """Validate a parsed file and build its Network; raises NetworkFileError."""
    obj = _object(doc, "")
    fmt = _require(obj, "format", "")
    if fmt != FORMAT:
        raise NetworkFileError("format", f"expected {json.dumps(FORMAT)}, got {_describe(fmt)}")
    version = _require(obj, "version", "")
    if isinstance(version, bool) or version != VERSION:
        raise NetworkFileError(
            "version",
            f"unsupported version {_describe(version)} (this app reads version {VERSION})",
        )
    name = _text(obj.get("name", "Untitled"), "name")
    description = _text(obj.get("description", ""), "description")

    layers = _layers(_require(obj, "layers", ""))
    sizes = [layer.size for layer in layers]
    L = len(layers) - 1

    weights_raw = _list(_require(obj, "weights", ""), "weights")
    if len(weights_raw) != L:
        raise NetworkFileError(
            "weights", f"expected {L} matrices (one per pair of layers), got {len(weights_raw)}"
        )
    weights = [
        _matrix(w, sizes[l + 1], sizes[l], f"weights[{l}]") for l, w in enumerate(weights_raw)
    ]
    biases_raw = _list(_require(obj, "biases", ""), "biases")
    if len(biases_raw) != L:
        raise NetworkFileError(
            "biases", f"expected {L} vectors (one per layer after the input), got {len(biases_raw)}"
        )
    biases = [_vector(b, sizes[l + 1], f"biases[{l}]") for l, b in enumerate(biases_raw)]

    loss = _loss(_require(obj, "loss", ""))
    optimizer = _optimizer(_require(obj, "optimizer", ""))

    data = _object(_require(obj, "data", ""), "data")
    _no_unknown_keys(data, ("inputs", "targets"), "data")
    inputs_raw = _list(_require(data, "inputs", "data."), "data.inputs")
    if not inputs_raw:
        raise NetworkFileError("data.inputs", "expected at least one row")
    inputs = [_vector(row, sizes[0], f"data.inputs[{r}]") for r, row in enumerate(inputs_raw)]
    targets = _matrix(
        _require(data, "targets", "data."),
        len(inputs),
        sizes[-1],
        "data.targets",
        row_word="rows (one per input row)",
    )

    _check_targets(loss, targets)
    _check_batch(sizes, len(inputs), optimizer)
    layout = check_layout(obj.get("layout", {}))
    extra = {key: value for key, value in obj.items() if key not in KNOWN_KEYS}
    problem = kept_value_problem(extra, "")
    if problem is not None:
        raise NetworkFileError(*problem)
    return Network.create(
        name=name,
        description=description,
        layers=layers,
        weights=weights,
        biases=biases,
        loss=loss,
        optimizer=optimizer,
        inputs=inputs,
        targets=targets,
        layout=layout,
        extra=extra,
    )


def _reject_constant(token: str) -> float:
    raise NetworkFileError("", f"not valid JSON: {token} is not a number in JSON")


def parse_network(text: str) -> Network:
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise NetworkFileError(
            "", f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise NetworkFileError("", "not valid JSON: nested too deeply") from None
    except NetworkFileError:
        raise  # NaN or Infinity, refused by _reject_constant
    except ValueError:  # Python refuses integers of more than 4300 digits
        raise NetworkFileError("", "not valid JSON: a number has too many digits") from None
    return network_from_dict(doc)


def load_network(path: str | os.PathLike[str]) -> Network:
    """Read and validate a network file; raises NetworkFileError with a clear message.

    Only a regular file of at most MAX_FILE_BYTES is read; a UTF-8 byte order
    mark at its start is allowed.
    """
    try:
        data = fileio.read_file_bytes(path, MAX_FILE_BYTES)
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NetworkFileError("", "cannot read the file: it is not UTF-8 text") from None
    except fileio.FileAccessError as error:
        raise NetworkFileError("", f"cannot read the file: {error}") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise NetworkFileError("", f"cannot read the file: {reason}") from None
    except MemoryError:
        raise NetworkFileError("", "cannot read the file: not enough memory") from None
    try:
        return parse_network(text)
    except MemoryError:
        # The window's Open reports a NetworkFileError and keeps the open network.
        raise NetworkFileError("", "cannot read the file: not enough memory") from None


# -- saving ----------------------------------------------------------------------------


def _plain(values: np.ndarray) -> Any:
    return values.tolist()


def network_to_dict(network: Network) -> dict[str, Any]:
    """The file form of a network, keys in the spec's order, unknown keys last."""
    layers: list[dict[str, Any]] = []
    for layer in network.layers:
        entry: dict[str, Any] = {"size": layer.size}
        if layer.activation is not None:
            entry["activation"] = layer.activation
        if layer.labels is not None:
            entry["labels"] = list(layer.labels)
        layers.append(entry)
    loss: dict[str, Any] = {"kind": network.loss.kind}
    if network.loss.kind == "squared_error":
        loss["scale"] = network.loss.scale
    loss["outputs"] = network.loss.outputs
    loss["batch"] = network.loss.batch
    optimizer: dict[str, Any] = {"kind": "sgd", "learning_rate": network.optimizer.learning_rate}
    if network.optimizer.momentum:
        optimizer["momentum"] = network.optimizer.momentum
    optimizer["batch_size"] = network.optimizer.batch_size
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": network.name}
    if network.description:
        doc["description"] = network.description
    doc.update(
        {
            "layers": layers,
            "weights": [_plain(w) for w in network.weights],
            "biases": [_plain(b) for b in network.biases],
            "loss": loss,
            "optimizer": optimizer,
            "data": {"inputs": _plain(network.inputs), "targets": _plain(network.targets)},
            "layout": dict(network.layout),
        }
    )
    doc.update(network.extra)
    return doc


def _flat(value: Any) -> bool:
    """A scalar or a list of scalars: short enough to stay on one line."""
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value)
    return not isinstance(value, dict)


def _dump(value: Any, indent: int) -> str:
    """JSON with one line per key and per matrix row: readable and diff-friendly."""
    pad = "  " * indent
    inner = "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if indent >= 1 and all(_flat(v) for v in value.values()):
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        items = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, indent + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if _flat(value):
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        items = [inner + _dump(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def network_to_text(network: Network) -> str:
    """The file's text; raises ValueError if a value is NaN or infinite (not JSON)."""
    return _dump(network_to_dict(network), 0) + "\n"


def _unloadable(network: Network) -> str | None:
    """Why loading would refuse what saving ``network`` writes, or None.

    Non-finite numbers are left to the text conversion below, which names no key.
    """
    problem = kept_value_problem({"layout": dict(network.layout), **network.extra}, "")
    if problem is not None:
        path, reason = problem
        if reason.startswith("expected a finite number"):
            return None
        return f"{shorten_path(path)}: {reason}"
    try:
        check_layout(dict(network.layout))
        _check_targets(network.loss, network.targets.tolist())
        _check_batch(list(network.sizes), network.row_count, network.optimizer)
    except NetworkFileError as error:
        return str(error)
    return None


def save_network(network: Network, path: str | os.PathLike[str]) -> None:
    """Write atomically: a temporary file beside the target, then a rename
    (engine.fileio.write_atomically: through symlinks, refusing read-only files,
    removing temporary files of killed saves).

    If anything fails, the old file is left as it was and the error propagates.
    """
    if not network.parameters_finite():
        raise NetworkFileError("", "cannot save: some parameters are not finite numbers")
    problem = _unloadable(network)
    if problem is not None:
        raise NetworkFileError("", f"cannot save: {problem}")
    try:
        data = network_to_text(network).encode("utf-8")
    except UnicodeEncodeError:
        raise NetworkFileError(
            "", "cannot save: a name, label or description is not valid text (a lone surrogate)"
        ) from None
    except ValueError:
        # A file with NaN or Infinity could not be opened again.
        raise NetworkFileError(
            "", "cannot save: the data, layout or another value is not a finite number"
        ) from None
    except RecursionError:
        raise NetworkFileError("", "cannot save: a value is nested too deeply") from None
    try:
        fileio.write_atomically(path, data)
    except fileio.FileAccessError as error:
        raise NetworkFileError("", f"cannot save: {error}") from None
