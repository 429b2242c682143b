"""The automatic view (the default): every step shows on the diagram what it computes.

Driven as a user does (arrow keys on the diagram, the toolbar's combo boxes), then read
off what is drawn: the texts in the neurons' pills and on the edges, pens and fills.
Expected numbers are the seed-003 tutorial's (step-by-step-2-2-2.json).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

import resources
from engine.fileformat import load_network
from gui.diagram.legends import note_text
from gui.themes import current_theme

W5, W6, W7, W8 = range(4)  # edges into the output layer, row-major (target x source)


def press(qtbot, window, key=Qt.Key.Key_Right, times=1, modifier=Qt.KeyboardModifier.NoModifier):  # type: ignore[no-untyped-def]
    for _ in range(times):
        qtbot.keyClick(window.view, key, modifier)


def pill(window, layer: int, index: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines in a neuron's pill, as drawn."""
    return window.scene.neurons[layer][index].pill_lines()


def number(text: str) -> float:
    """The number at the end of a pill or label text ('δ 0.138498562' -> 0.138498562)."""
    return float(text.split()[-1])


def edge_labels(window, layer: int) -> list[str]:  # type: ignore[no-untyped-def]
    return window.scene.edge_layers[layer].label_texts()


def test_the_automatic_view_is_the_default_in_both_combo_boxes(window):  # type: ignore[no-untyped-def]
    assert window.node_value_box.currentData() == "auto"
    assert window.edge_mode_box.currentData() == "auto"
    assert window.settings.node_value == "auto" and window.settings.edge_mode == "auto"


def test_forward_steps_show_z_and_a_on_the_layer_computed_and_weights_on_edges(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window)  # forward 1
    h1 = pill(window, 1, 0)
    assert len(h1) == 1 and h1[0].startswith("z 0.3775")  # z and a side by side
    assert h1[0].endswith("a 0.593269992")  # out_h1
    assert window.scene.neurons[1][0].value_text == "0.593269992"
    assert pill(window, 2, 0) == []  # the output layer is not computed yet
    assert edge_labels(window, 1) == ["0.15", "0.2", "0.25", "0.3"]  # w1 … w4
    assert window.scene.edge_scale.title == "Edges: weight w"
    assert note_text(window.scene.node_scale) == "numbers: z and a"
    press(qtbot, window)  # forward 2
    assert pill(window, 2, 0)[0].endswith("a 0.75136507")  # out_o1
    assert "z" not in pill(window, 1, 0)[0]  # z only where this step computes it
    assert edge_labels(window, 2) == ["0.4", "0.45", "0.5", "0.55"]  # w5 … w8


def test_backward_two_shows_delta_and_gradients_coloured_by_their_size(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, times=4)
    assert "backward 2" in window.caption.text()
    o1, o2, h1 = pill(window, 2, 0), pill(window, 2, 1), pill(window, 1, 0)
    assert o1[0].startswith("δ ") and number(o1[0]) == pytest.approx(0.138498562, abs=1e-9)
    assert number(o2[0]) == pytest.approx(-0.0380982365, abs=1e-10)
    assert h1 == ["a 0.593269992"]  # δ of the hidden layer comes at backward 1
    gradients = [number(t) for t in edge_labels(window, 2)]
    assert gradients[W5] == pytest.approx(0.082167041, abs=1e-9)  # ∂E/∂w5
    assert gradients[W7] == pytest.approx(-0.0226025405, abs=1e-9)
    scale = window.scene.edge_scale
    assert scale.title.startswith("Edges: gradient")
    assert scale.low == 0 and not scale.signed  # |∂E/∂w|: a sequential map from 0
    edges = window.scene.edge_layers[2]
    assert not edges.dimmed
    # |∂E/∂w5| = 0.0822 > |∂E/∂w7| = 0.0226: a wider, different pen.
    assert edges.pen_of(W5).widthF() > edges.pen_of(W7).widthF()
    assert edges.pen_of(W5).color() != edges.pen_of(W7).color()
    assert window.scene.edge_layers[1].label_texts() == []  # not computed yet: no numbers


def test_backward_one_keeps_the_output_deltas_and_lights_the_weights_carrying_delta_back(
    qtbot, window
):  # type: ignore[no-untyped-def]
    press(qtbot, window, times=5)
    assert "backward 1" in window.caption.text()
    assert number(pill(window, 1, 0)[0]) == pytest.approx(0.00877135469, abs=1e-11)  # δ_h1
    assert number(pill(window, 2, 0)[0]) == pytest.approx(0.138498562, abs=1e-9)  # δ_o1 kept
    gradients = [number(t) for t in edge_labels(window, 1)]
    assert gradients[0] == pytest.approx(0.000438568, abs=1e-9)  # ∂E/∂w1
    carriers = window.scene.edge_layers[2]
    assert not carriers.dimmed  # lit: δ_h1 = (δ_o1·w5 + δ_o2·w7)·σ′
    assert carriers.label_texts() == ["0.4", "0.45", "0.5", "0.55"]  # w5 … w8 as used
    assert carriers.pen_of(W5).color() == QColor(current_theme().ink)
    assert "carrying δ back" in window.scene.edge_scale.note


def test_update_shows_old_and_new_weights_coloured_by_the_change(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, times=6)
    w5 = edge_labels(window, 2)[W5]
    old, new = w5.split(" → ")
    assert old == "0.4" and float(new) == pytest.approx(0.35891648, abs=1e-8)
    w1 = edge_labels(window, 1)[0]
    assert float(w1.split(" → ")[1]) == pytest.approx(0.149780716, abs=1e-9)
    assert window.scene.edge_scale.title.startswith("Edges: last update")
    assert window.scene.edge_scale.note == "numbers: old → new"
    assert not window.scene.edge_layers[1].dimmed and not window.scene.edge_layers[2].dimmed


def test_the_manual_choices_stay(qtbot, window):  # type: ignore[no-untyped-def]
    window.node_value_box.setCurrentIndex(window.node_value_box.findData("a"))
    window.edge_mode_box.setCurrentIndex(window.edge_mode_box.findData("weight"))
    press(qtbot, window, times=4)
    assert pill(window, 2, 0) == ["0.75136507"]  # a, not δ, and no symbol
    assert edge_labels(window, 2) == ["0.4", "0.45", "0.5", "0.55"]
    window.node_value_box.setCurrentIndex(window.node_value_box.findData("delta"))
    assert pill(window, 2, 0) == ["0.138498562"]
    window.node_value_box.setCurrentIndex(window.node_value_box.findData("z"))
    assert number(pill(window, 1, 0)[0]) == pytest.approx(0.3775)


def test_a_fill_keeps_its_colour_at_every_step_of_an_iteration(qtbot, window):  # type: ignore[no-untyped-def]
    i2, h1 = window.scene.neurons[0][1], window.scene.neurons[1][0]
    fills = [i2.fill.name()]
    hidden = []
    for _ in range(6):
        press(qtbot, window)
        fills.append(i2.fill.name())
        hidden.append(h1.fill.name())
    assert len(set(fills)) == 1, fills
    assert len(set(hidden)) == 1, hidden  # h1 from forward 1 on, also at the backward steps
    # Sigmoid outputs and these inputs lie in [0, 1]: a sequential scale over [0, 1].
    scale = window.scene.node_scale
    assert (scale.low, scale.high) == (0.0, 1.0)


def test_a_diverged_network_says_not_finite_not_all_zero(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path("xor-2-4-1.json"))
    layers = tuple(
        replace(layer, activation="linear") if k else layer
        for k, layer in enumerate(network.layers)
    )
    window = open_window(
        network.replace(layers=layers, optimizer=replace(network.optimizer, learning_rate=1000.0))
    )
    for _ in range(200):
        before = window.document.position
        press(qtbot, window)
        if window.document.position == before:
            break  # refused after the diverged iteration's update
    assert window.document.diverged_at is not None
    window.edge_mode_box.setCurrentIndex(window.edge_mode_box.findData("weight"))
    scale = window.scene.edge_scale
    words = f"{scale.empty_reason} {note_text(scale)}"
    assert "not finite" in words and "all zero" not in words


def test_a_saturated_sigmoid_net_says_so_on_the_diagram(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path())
    window = open_window(
        network.replace(optimizer=replace(network.optimizer, learning_rate=1000.0))
    )
    assert not window.scene.warning_text.isVisible()  # iteration 1 learns normally
    press(qtbot, window, times=3, modifier=Qt.KeyboardModifier.ControlModifier)
    warning = window.scene.warning_text
    assert warning.isVisible()
    text = " ".join(warning.lines)
    assert text.startswith("Saturated: 4 of 4 sigmoid outputs are within 0.001 of 0 or 1")
    assert "gradients vanish" in text and "Lower the learning rate" in text
    # It is on the diagram, on screen, clear of everything else.
    view = window.view
    box = warning.deviceTransform(view.viewportTransform()).mapRect(warning.boundingRect())
    assert view.viewport().rect().contains(box.toAlignedRect())


def test_no_warning_at_the_tutorials_learning_rate(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, times=5, modifier=Qt.KeyboardModifier.ControlModifier)
    assert not window.scene.warning_text.isVisible()
