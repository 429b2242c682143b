"""How the diagram shows the document: a view's state, not the network's."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.formatting import DEFAULT_DIGITS

# "auto" (the default) shows what the current step computes: z and a at the forward
# steps, δ and ∂E/∂w at the backward steps, old → new weights at the update.
NODE_VALUES = ("auto", "a", "z", "delta")
NODE_VALUE_NAMES = {
    "auto": "auto (this step's)",
    "a": "activation a",
    "z": "net input z",
    "delta": "error signal δ",
}
EDGE_MODES = ("auto", "weight", "gradient", "update")
EDGE_MODE_NAMES = {
    "auto": "auto (this step's)",
    "weight": "weight w",
    "gradient": "gradient |∂L/∂w|",
    "update": "last update |Δw|",
}
SCALES = ("linear", "log")
# What an edge label says: its number, the tutorial's name of the weight (w5), or both.
EDGE_LABEL_TEXTS = ("value", "name", "both")
EDGE_LABEL_TEXT_NAMES = {"value": "Values", "name": "Names (w5)", "both": "Names and values"}


class ViewSettings(QObject):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._values = {
            "node_value": "auto",
            "digits": DEFAULT_DIGITS,
            "edge_mode": "auto",
            "edge_label_text": "value",
            "edge_scale": "linear",
            "show_edge_values": True,
            "show_node_values": True,
            "sample": 0,
        }

    def copy(self) -> ViewSettings:
        """Independent settings with the same values (exports draw with their own)."""
        twin = ViewSettings()
        twin._values = dict(self._values)
        return twin

    def _set(self, key: str, value: object) -> None:
        if self._values[key] != value:
            self._values[key] = value
            self.changed.emit()

    @property
    def node_value(self) -> str:
        return str(self._values["node_value"])

    @node_value.setter
    def node_value(self, value: str) -> None:
        if value not in NODE_VALUES:
            raise ValueError(f"node value must be one of {NODE_VALUES}")
        self._set("node_value", value)

    @property
    def digits(self) -> int:
        return int(self._values["digits"])  # type: ignore[call-overload]

    @digits.setter
    def digits(self, value: int) -> None:
        self._set("digits", max(1, min(17, int(value))))

    @property
    def edge_mode(self) -> str:
        return str(self._values["edge_mode"])

    @edge_mode.setter
    def edge_mode(self, value: str) -> None:
        if value not in EDGE_MODES:
            raise ValueError(f"edge mode must be one of {EDGE_MODES}")
        self._set("edge_mode", value)

    @property
    def edge_scale(self) -> str:
        return str(self._values["edge_scale"])

    @edge_scale.setter
    def edge_scale(self, value: str) -> None:
        if value not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}")
        self._set("edge_scale", value)

    @property
    def edge_label_text(self) -> str:
        return str(self._values["edge_label_text"])

    @edge_label_text.setter
    def edge_label_text(self, value: str) -> None:
        if value not in EDGE_LABEL_TEXTS:
            raise ValueError(f"edge label text must be one of {EDGE_LABEL_TEXTS}")
        self._set("edge_label_text", value)

    @property
    def show_edge_values(self) -> bool:
        return bool(self._values["show_edge_values"])

    @show_edge_values.setter
    def show_edge_values(self, value: bool) -> None:
        self._set("show_edge_values", bool(value))

    @property
    def show_node_values(self) -> bool:
        return bool(self._values["show_node_values"])

    @show_node_values.setter
    def show_node_values(self, value: bool) -> None:
        self._set("show_node_values", bool(value))

    @property
    def sample(self) -> int:
        """Which sample of the iteration's batch the diagram shows (0-based)."""
        return int(self._values["sample"])  # type: ignore[call-overload]

    @sample.setter
    def sample(self, value: int) -> None:
        self._set("sample", max(0, int(value)))
