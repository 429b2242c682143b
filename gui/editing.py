"""What the user edits on the diagram and in the inspector: one value of the selection.

Weights and biases are the network's; an input neuron's value is the data table's
cell of the row the diagram shows.
"""

from __future__ import annotations

from engine import edits
from engine.network import Network
from gui.document import NetworkDocument, Selection
from gui.formatting import format_number


def editable(selection: Selection | None) -> bool:
    return selection is not None and selection.kind in ("weight", "bias", "neuron")


def _data_row(document: NetworkDocument, sample: int) -> int:
    rows = document.trace.rows
    return int(rows[min(sample, rows.shape[0] - 1)])


def current_value(document: NetworkDocument, selection: Selection, sample: int = 0) -> float:
    """The value a double-click edits: the parameter before this iteration's update."""
    network = document.network
    if selection.kind == "weight":
        assert selection.source is not None
        return float(network.weights[selection.layer - 1][selection.index, selection.source])
    if selection.kind == "bias" or (selection.kind == "neuron" and selection.layer > 0):
        return float(network.biases[selection.layer - 1][selection.index])
    if selection.kind == "neuron":
        return float(network.inputs[_data_row(document, sample), selection.index])
    raise ValueError(f"{selection.kind} has no single value")


def describe(document: NetworkDocument, selection: Selection, sample: int = 0) -> str:
    """What is being edited, in the words the undo history uses."""
    network = document.network
    if selection.kind == "weight":
        assert selection.source is not None
        return network.weight_symbol(selection.layer, selection.index, selection.source)
    if selection.kind == "bias" or (selection.kind == "neuron" and selection.layer > 0):
        return network.bias_symbol(selection.layer, selection.index)
    label = network.labels(0)[selection.index]
    return f"input {label} of row {_data_row(document, sample) + 1}"


def set_value(
    document: NetworkDocument, selection: Selection, value: float, sample: int = 0
) -> bool:
    """One undoable edit "Change w5 to 0.42"; False (with a message) if refused."""
    text = f"Change {describe(document, selection, sample)} to {format_number(value)}"
    if selection.kind == "weight":
        return document.push_edit(
            text, edits.set_weight, selection.layer, selection.index, selection.source, value
        )
    if selection.kind == "bias" or (selection.kind == "neuron" and selection.layer > 0):
        return document.push_edit(text, edits.set_bias, selection.layer, selection.index, value)
    row = _data_row(document, sample)

    def set_input(network: Network) -> Network:
        inputs = network.inputs.copy()
        inputs[row, selection.index] = value
        return edits.set_data(network, inputs, network.targets)

    return document.push_edit(text, set_input)
