"""The plain values the document is made of: a position, a selection, an undo snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from engine.network import Network
from gui.run_history import RunHistory

START = -1  # step index of "start of the iteration"


class Position(NamedTuple):
    iteration: int
    step: int  # START or an index into the iteration's steps


@dataclass(frozen=True)
class Selection:
    kind: str  # "neuron", "weight", "bias" or "bias_node"
    layer: int  # neuron: its layer; weight/bias: the layer they feed (1..L)
    index: int  # neuron: j; weight/bias: j (the neuron fed); bias_node: 0
    source: int | None = None  # weight only: i, the neuron in layer - 1


@dataclass(frozen=True, eq=False)
class DocumentState:
    """What undo restores: the network as built, the run and where the user was."""

    built: Network
    run: RunHistory
    position: Position
    selection: Selection | None
