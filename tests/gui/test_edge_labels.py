"""Edge labels beyond 2-2-2: none overlap, none hides under a neuron or a bias node,
each sits on its own edge; optionally the tutorial's weight names (w5).

Driven as a user does: open an example (or File ▸ New), size the window, step with the
arrow keys, read the labels' boxes in scene coordinates after the fit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from test_diagram_layout import edge_items, labels_drawn, new_network, settle

import resources
from engine.fileformat import load_network

NETWORKS = {
    "2-4-3": "three-class-softmax-2-4-3.json",
    "3-4-1": "vectorised-sgd-3-4-1.json",
    "3-4-2": None,  # File ▸ New
}
SIZES = [(1400, 900), (1366, 768)]
ON_THE_LINE = 1.0  # scene units from the label's centre to its edge


def opened(qtbot, open_window, name: str):  # type: ignore[no-untyped-def]
    preset = NETWORKS[name]
    if preset is None:
        window = open_window()
        new_network(qtbot, window, name)
        return window
    path = str(resources.preset_path(preset))
    return open_window(load_network(path), path)


def distance_to_segment(point: QPointF, line: np.ndarray) -> float:
    p = np.array([point.x(), point.y()])
    a, b = line[:2], line[2:]
    ab = b - a
    t = float(np.clip(np.dot(p - a, ab) / max(float(np.dot(ab, ab)), 1e-12), 0, 1))
    return float(np.hypot(*(a + t * ab - p)))


def check_labels(window) -> int:  # type: ignore[no-untyped-def]
    """Every drawn label clear of the others and of every neuron and bias node, on its
    own edge; returns how many are drawn."""
    scene = window.scene
    solid = [item.sceneBoundingRect() for layer in scene.neurons for item in layer]
    solid += [node.sceneBoundingRect() for node in scene.bias_nodes.values()]
    boxes: list[tuple[str, QRectF]] = []
    for edges in edge_items(window):
        if not edges.label_texts():
            continue
        assert labels_drawn(window, edges)  # large enough on screen to be drawn
        if not edges.dimmed:  # the edges this step computes show every number, or when
            # too many for the room, the selected neuron's and the legend says so
            if len(edges.label_texts()) < len(edges.all_label_texts()):
                assert scene.labels_dense()
                assert "click a neuron" in scene.edge_scale.note
        for (k, box), text in zip(edges.label_rects(), edges.label_texts(), strict=True):
            assert distance_to_segment(box.center(), edges.lines[k]) <= ON_THE_LINE, text
            for other in solid:
                assert not box.intersects(other), f"{text!r} over a neuron or bias node"
            boxes.append((text, box))
    for k, (text, box) in enumerate(boxes):
        for other_text, other in boxes[k + 1 :]:
            assert not box.intersects(other), f"{text!r} overlaps {other_text!r}"
    return len(boxes)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_edge_labels_never_overlap_and_sit_on_their_edges(qtbot, open_window, name, size):  # type: ignore[no-untyped-def]
    window = opened(qtbot, open_window, name)
    settle(qtbot, window, size)
    drawn = [check_labels(window)]
    for _ in range(len(window.document.steps)):
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
        drawn.append(check_labels(window))
    # The update step labels the weights and biases with old → new (every one unless
    # the layer is too dense for its room).
    sizes = window.document.initial_network.sizes
    parameters = sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))
    assert drawn[-1] == parameters or window.scene.labels_dense()
    assert all(" → " in t for e in edge_items(window) for t in e.label_texts())


def test_a_selected_neurons_edges_keep_their_labels(qtbot, open_window):  # type: ignore[no-untyped-def]
    window = opened(qtbot, open_window, "3-4-2")
    settle(qtbot, window, (1366, 768))
    h3 = window.scene.neurons[1][2]
    point = window.view.mapFromScene(h3.scenePos())
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.document.selection.layer == 1 and window.document.selection.index == 2
    into = window.scene.edge_layers[1]
    shown = {k for k, _ in into.label_rects()}
    assert {k for k in range(into.count) if k // 3 == 2} <= shown  # x1→h3, x2→h3, x3→h3
    check_labels(window)


def test_edge_labels_can_name_the_weights_as_the_tutorial_does(qtbot, window):  # type: ignore[no-untyped-def]
    edges = window.scene.edge_layers[2]
    x1, y1, x2, y2 = edges.lines[0]  # w5: h1 → o1
    middle = QPointF((x1 + x2) / 2, (y1 + y2) / 2)
    menu = window.scene.context_menu(middle)  # right-click on w5
    labels_menu = next(a.menu() for a in menu.actions() if a.text() == "Edge labels")
    choices = {a.text(): a for a in labels_menu.actions()}
    choices["Names (w5)"].trigger()
    assert edges.label_texts() == ["w5", "w6", "w7", "w8"]
    assert window.scene.edge_layers[1].label_texts() == ["w1", "w2", "w3", "w4"]
    assert window.scene.bias_layers[2].label_texts() == ["b(o1)", "b(o2)"]
    menu = window.scene.context_menu(middle)
    labels_menu = next(a.menu() for a in menu.actions() if a.text() == "Edge labels")
    next(a for a in labels_menu.actions() if a.text() == "Names and values").trigger()
    assert edges.label_texts()[0] == "w5 0.4"
    check_labels(window)
    assert math.isfinite(edges.label_fractions[0])
