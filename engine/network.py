"""The Network value: architecture, parameters, loss, optimiser and data.

A Network is immutable: its arrays are read-only and every edit returns a new
Network. ``weights[l]`` has shape (size of layer l+1) x (size of layer l), as
PyTorch's ``Linear.weight``; ``biases[l]`` has the size of layer l+1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from engine.losses import LossSpec

Array = NDArray[np.float64]

DEFAULT_LABEL_PREFIX = ("x", "h", "y")
# An iteration holds a few arrays of (rows in its batch) x (neurons in all layers):
# beyond this many values each (80 MB) a file or an edit asks for more memory than is sane.
MAX_BATCH_VALUES = 10_000_000


def frozen_array(values: Any) -> Array:
    """A float64 read-only copy, so a Network cannot be changed behind its back."""
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


def default_labels(index: int, count: int, size: int) -> tuple[str, ...]:
    """x1.. for the input layer, y1.. for the output layer, h1.. for hidden ones.

    With several hidden layers, hidden labels carry the layer number (h2_1) so
    that every neuron's label is unique.
    """
    if index == 0:
        prefix = "x"
    elif index == count - 1:
        prefix = "y"
    elif count > 3:
        prefix = f"h{index}_"
    else:
        prefix = "h"
    return tuple(f"{prefix}{k + 1}" for k in range(size))


@dataclass(frozen=True)
class Layer:
    size: int
    activation: str | None  # None for the input layer
    labels: tuple[str, ...] | None = None  # None: default labels


@dataclass(frozen=True)
class OptimizerSpec:
    kind: str = "sgd"
    learning_rate: float = 0.5
    momentum: float = 0.0
    batch_size: int | None = None  # None: the whole data set every iteration


@dataclass(frozen=True, eq=False)
class Network:
    name: str
    layers: tuple[Layer, ...]
    weights: tuple[Array, ...]
    biases: tuple[Array, ...]
    loss: LossSpec
    optimizer: OptimizerSpec
    inputs: Array  # rows x input size
    targets: Array  # rows x output size
    description: str = ""
    layout: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # Unknown top-level keys of the file, written back on save.
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @staticmethod
    def create(
        *,
        name: str,
        layers: Sequence[Layer],
        weights: Sequence[Any],
        biases: Sequence[Any],
        loss: LossSpec,
        optimizer: OptimizerSpec,
        inputs: Any,
        targets: Any,
        description: str = "",
        layout: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Network:
        """Build a Network from plain values (lists or arrays), copying them."""
        return Network(
            name=name,
            layers=tuple(layers),
            weights=tuple(frozen_array(w) for w in weights),
            biases=tuple(frozen_array(b) for b in biases),
            loss=loss,
            optimizer=optimizer,
            inputs=frozen_array(inputs),
            targets=frozen_array(targets),
            description=description,
            layout=MappingProxyType(dict(layout or {})),
            extra=MappingProxyType(dict(extra or {})),
        )

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(layer.size for layer in self.layers)

    @property
    def weight_layer_count(self) -> int:
        """L: the number of weight matrices (layers after the input layer)."""
        return len(self.layers) - 1

    @property
    def row_count(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def edge_count(self) -> int:
        return sum(int(w.size) for w in self.weights)

    def labels(self, layer_index: int) -> tuple[str, ...]:
        layer = self.layers[layer_index]
        if layer.labels is not None:
            return layer.labels
        return default_labels(layer_index, len(self.layers), layer.size)

    def weight_name(self, layer: int, to: int, frm: int) -> str:
        """Human name of weights[layer][to][frm], e.g. 'w(h1→o1)'."""
        return f"w({self.labels(layer)[frm]}→{self.labels(layer + 1)[to]})"

    def weight_symbol(self, layer: int, to: int, frm: int) -> str:
        """The tutorials' name of weights[layer-1][to][frm]: w1, w2, … numbered layer by
        layer, target by target, source by source (seed 003's w1 … w8)."""
        before = sum(int(w.size) for w in self.weights[: layer - 1])
        return f"w{before + to * self.layers[layer - 1].size + frm + 1}"

    def bias_symbol(self, layer: int, index: int) -> str:
        """The name of biases[layer-1][index], after the neuron it feeds: b(h1)."""
        return f"b({self.labels(layer)[index]})"

    def replace(self, **changes: Any) -> Network:
        """A copy with some fields changed; arrays given as lists are frozen."""
        for key in ("weights", "biases"):
            if key in changes:
                changes[key] = tuple(frozen_array(w) for w in changes[key])
        for key in ("inputs", "targets"):
            if key in changes:
                changes[key] = frozen_array(changes[key])
        for key in ("layout", "extra"):
            if key in changes:
                changes[key] = MappingProxyType(dict(changes[key]))
        return dataclasses.replace(self, **changes)

    def with_parameters(self, weights: Sequence[Array], biases: Sequence[Array]) -> Network:
        return self.replace(weights=weights, biases=biases)

    def with_frozen_parameters(
        self, weights: tuple[Array, ...], biases: tuple[Array, ...]
    ) -> Network:
        """Fast path of with_parameters for arrays the caller has already frozen."""
        new = object.__new__(Network)
        new.__dict__.update(self.__dict__)
        new.__dict__["weights"] = weights
        new.__dict__["biases"] = biases
        return new

    def parameters_finite(self) -> bool:
        return all(np.isfinite(w).all() for w in self.weights) and all(
            np.isfinite(b).all() for b in self.biases
        )


def batch_rows(network: Network, iteration: int) -> NDArray[np.intp]:
    """Rows of the data used by iteration ``iteration`` (0-based).

    batch_size None: every row. k: rows (i*k + r) mod n for r = 0..k-1, so
    batches follow file order, wrap around and are never short.
    """
    n = network.row_count
    k = network.optimizer.batch_size
    if k is None:
        return np.arange(n)
    return (iteration * k + np.arange(k)) % n


def batch_size_problem(sizes: Sequence[int], rows: int, batch_size: int | None) -> str | None:
    """Why iterations of this shape would not fit in memory, or None.

    ``rows``: the data rows; ``batch_size`` None means all of them each iteration.
    """
    batch = rows if batch_size is None else batch_size
    neurons = sum(sizes)
    values = batch * neurons
    if values <= MAX_BATCH_VALUES:
        return None
    if batch_size is None:
        what = f"{batch:,} rows in one batch"
    else:
        what = f"a batch of {batch:,} rows"
    return (
        f"{what} through {neurons:,} neurons needs {values:,} values per array "
        f"(at most {MAX_BATCH_VALUES:,}): use a smaller batch or fewer neurons"
    )
