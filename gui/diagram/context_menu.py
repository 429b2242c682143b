"""The diagram's right-click menu: edits of what is under the mouse, and the layout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QMenu

from engine import edits
from engine.activations import ACTIVATION_NAMES
from gui.view_settings import EDGE_LABEL_TEXT_NAMES, EDGE_LABEL_TEXTS, ViewSettings

if TYPE_CHECKING:
    from gui.diagram.scene import DiagramScene


def context_menu(scene: DiagramScene, point: QPointF, tolerance: float = 6.0) -> QMenu:
    """The right-click menu for what is at ``point`` (built apart from exec for tests)."""
    document = scene.document
    network = document.initial_network
    L = network.weight_layer_count
    selection = scene.selection_at(point, tolerance)
    menu = QMenu()
    if selection is not None and selection.kind == "neuron":
        document.select(selection)
        l, j = selection.layer, selection.index
        label = network.labels(l)[j]
        role = "input" if l == 0 else "output" if l == L else f"hidden layer {l}"
        menu.addAction(
            f"Add a neuron to the {role} layer" if l in (0, L) else f"Add a neuron to {role}",
            lambda: document.push_edit(f"Add a neuron to {role}", edits.add_neuron, l),
        )
        menu.addAction(
            f"Remove neuron {label}",
            lambda: document.push_edit(f"Remove neuron {label}", edits.remove_neuron, l, j),
        )
        if l < L:
            menu.addAction(
                "Add a hidden layer after this one",
                lambda: document.push_edit("Add a hidden layer", edits.add_hidden_layer, l),
            )
        if 0 < l < L:
            menu.addAction(
                f"Remove {role}",
                lambda: document.push_edit(f"Remove {role}", edits.remove_hidden_layer, l),
            )
        if l > 0:
            submenu = menu.addMenu("Activation")
            for name in ACTIVATION_NAMES:
                if name == "softmax" and l != L:
                    continue
                action = submenu.addAction(
                    name,
                    lambda n=name: document.push_edit(
                        f"Set {role} activation to {n}", edits.set_activation, l, n
                    ),
                )
                action.setCheckable(True)
                action.setChecked(network.layers[l].activation == name)
            menu.addAction(
                "Randomise the weights into this layer (Xavier)",
                lambda: document.push_edit(
                    f"Randomise the weights into {role} (Xavier)",
                    edits.randomise,
                    "xavier",
                    0,
                    l,
                ),
            )
    elif selection is not None and selection.kind in ("weight", "bias"):
        document.select(selection)
        menu.addAction("Edit value…", lambda: scene.edit_requested.emit(selection, point))
    else:
        menu.addAction(
            "Add a hidden layer",
            lambda: document.push_edit("Add a hidden layer", edits.add_hidden_layer, L - 1),
        )
    menu.addSeparator()
    _edge_label_menu(menu.addMenu("Edge labels"), scene.settings)
    menu.addAction("Auto-layout", scene.auto_layout)
    return menu


def _edge_label_menu(menu: QMenu, settings: ViewSettings) -> None:
    """Values on the edges, the tutorial's weight names (w5), or both."""
    for key in EDGE_LABEL_TEXTS:
        action = menu.addAction(
            EDGE_LABEL_TEXT_NAMES[key],
            lambda k=key: setattr(settings, "edge_label_text", k),
        )
        action.setCheckable(True)
        action.setChecked(settings.edge_label_text == key)
