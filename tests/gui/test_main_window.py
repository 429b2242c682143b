"""The main window driven as a user does: keys, clicks, then what is on screen.

Expected numbers are the seed 003 tutorial's (shared/seeds/003_*.txt).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPen

import resources
from engine.fileformat import load_network
from gui import constants
from gui.diagram.items import faded
from gui.document import START


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier, times=1):  # type: ignore[no-untyped-def]
    for _ in range(times):
        qtbot.keyClick(window.view, key, modifier)


def node_text(window, layer: int, index: int) -> str:  # type: ignore[no-untyped-def]
    return window.scene.neurons[layer][index].value_text


def screen(window) -> QImage:  # type: ignore[no-untyped-def]
    return window.grab().toImage()


def test_window_title_names_network_and_file(window):  # type: ignore[no-untyped-def]
    # The default example opens as an untitled copy: no file behind it.
    assert window.windowTitle().startswith("Step-by-step example 2-2-2 (example)")
    assert ".json" not in window.windowTitle()


def test_start_shows_inputs_only(window):  # type: ignore[no-untyped-def]
    assert node_text(window, 0, 0) == "0.05"
    assert node_text(window, 0, 1) == "0.1"
    assert node_text(window, 1, 0) == ""  # not computed yet
    assert node_text(window, 2, 0) == ""
    assert "Iteration 1" in window.caption.text()


def test_right_arrow_computes_hidden_layer_as_tutorial(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right)
    assert node_text(window, 1, 0) == "0.593269992"  # out_h1
    assert node_text(window, 1, 1) == "0.596884378"  # out_h2
    assert node_text(window, 2, 0) == ""  # the output layer is not computed yet
    assert "forward 1" in window.caption.text()
    assert window.scene.bands[1].isVisible()
    assert not window.scene.bands[2].isVisible()
    # The edges into the hidden layer carry this step's values; the others are dimmed.
    assert not window.scene.edge_layers[1].dimmed
    assert window.scene.edge_layers[2].dimmed


def test_forward_two_and_loss_show_outputs_and_error(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, times=2)
    assert node_text(window, 2, 0) == "0.75136507"  # out_o1
    assert node_text(window, 2, 1) == "0.772928465"  # out_o2
    assert window.scene.loss_text.lines == []
    press(qtbot, window, Qt.Key.Key_Right)
    assert window.scene.loss_text.lines == ["Loss = 0.298371109"]
    assert "E_o1 = 0.274811083" in window.scene.target_texts[0].lines
    assert "E_o2 = 0.0235600256" in window.scene.target_texts[1].lines


def test_update_step_shows_new_w5(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, times=6)
    assert "update" in window.caption.text()
    labels = window.scene.edge_layers[2].label_texts()
    # w5 = weights[1][0][0], w6, w7, w8 in the tutorial's order (row-major out x in);
    # the automatic view shows old → new at the update.
    assert labels == [
        "0.4 → 0.35891648",
        "0.45 → 0.408666186",
        "0.5 → 0.51130127",
        "0.55 → 0.561370121",
    ]
    hidden = window.scene.edge_layers[1].label_texts()
    assert hidden == [
        "0.15 → 0.149780716",
        "0.2 → 0.199561432",
        "0.25 → 0.249751144",
        "0.3 → 0.299502287",
    ]


def test_delta_toggle_shows_error_signals_from_backward_steps(qtbot, window):  # type: ignore[no-untyped-def]
    window.node_value_box.setCurrentIndex(window.node_value_box.findData("delta"))
    press(qtbot, window, Qt.Key.Key_Right, times=3)
    assert node_text(window, 2, 0) == ""  # δ appears only at backward 2
    press(qtbot, window, Qt.Key.Key_Right)
    assert node_text(window, 2, 0) == "0.138498562"  # δ_o1
    assert node_text(window, 2, 1) == "-0.0380982365"  # δ_o2
    assert node_text(window, 1, 0) == ""
    press(qtbot, window, Qt.Key.Key_Right)
    assert node_text(window, 1, 0) == "0.00877135469"  # δ_h1
    assert node_text(window, 1, 1) == "0.00995425471"  # δ_h2


def test_stepping_back_twice_restores_the_screen(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, times=3)
    before_image = screen(window)
    before_caption = window.caption.text()
    press(qtbot, window, Qt.Key.Key_Right, times=2)
    assert screen(window) != before_image
    press(qtbot, window, Qt.Key.Key_Left, times=2)
    assert window.caption.text() == before_caption
    assert screen(window) == before_image


def test_stepping_back_across_an_iteration_boundary(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, times=6)
    at_update = screen(window)
    press(qtbot, window, Qt.Key.Key_Right, times=2)  # iteration 2: start, forward 1
    assert "Iteration 2" in window.caption.text()
    assert node_text(window, 1, 0) != "0.593269992"  # new weights, new activation
    press(qtbot, window, Qt.Key.Key_Left, times=2)
    assert screen(window) == at_update


def test_iteration_keys_and_home(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier, times=3)
    assert window.document.iteration == 3
    assert window.document.position.step == START
    assert "Iteration 4" in window.caption.text()
    press(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert window.document.iteration == 2
    press(qtbot, window, Qt.Key.Key_Home)
    assert window.document.position == (0, START)
    assert node_text(window, 1, 0) == ""
    assert window.document.losses.shape[0] == 4  # history kept: iterations 1-4 computed


def test_reset_returns_to_initial_parameters_and_clears_the_curve(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier, times=5)
    press(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.document.position == (0, START)
    assert window.document.losses.shape[0] == 1
    labels = window.scene.edge_layers[2].label_texts()
    assert labels == ["0.4", "0.45", "0.5", "0.55"]


def test_colour_mode_switch_changes_edge_pens_and_legend(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, times=4)  # backward 2: output gradients exist
    edges = window.scene.edge_layers[2]
    # The automatic view (the default) shows gradients here: the user picks weights first.
    window.edge_mode_box.setCurrentIndex(window.edge_mode_box.findData("weight"))
    weight_pen = edges.pen_of(0)
    assert window.scene.edge_scale.title == "Edges: weight w"
    qtbot.keyClick(window.edge_mode_box, Qt.Key.Key_Down)  # the user picks "gradient"
    assert window.settings.edge_mode == "gradient"
    assert window.scene.edge_scale.title.startswith("Edges: gradient")
    gradient_pen = edges.pen_of(0)
    assert gradient_pen.color() != weight_pen.color()
    # |∂E/∂w5| = 0.082167041 and |∂E/∂w6| = 0.082667628 outweigh |∂E/∂w7| = 0.022602541
    # and |∂E/∂w8| = 0.022740242: wider pens.
    widths = [edges.pen_of(k).widthF() for k in range(4)]
    assert widths[0] > widths[2] and widths[1] > widths[3]
    # The scale's top is the largest gradient shown, ∂E/∂b of o1 = δ_o1 = 0.13849856.
    assert abs(window.scene.edge_scale.high - 0.13849856) < 1e-8
    # The hidden layer's gradients are not computed until backward 1: neutral pen.
    hidden = window.scene.edge_layers[1]
    # (drawn faded: the hidden layer is not this step's)
    neutral = faded(QPen(QColor(constants.NEUTRAL_EDGE))).color().name()
    assert {hidden.pen_of(k).color().name() for k in range(4)} == {neutral}
    window.digits_box.setValue(8)  # the tutorial prints ∂E/∂w5 = 0.082167041
    assert edges.label_texts()[0] == "0.082167041"


def test_log_scale_changes_gradient_legend(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, times=5)
    window.edge_mode_box.setCurrentIndex(window.edge_mode_box.findData("gradient"))
    qtbot.mouseClick(window.log_scale_box, Qt.MouseButton.LeftButton)
    assert window.scene.edge_scale.log
    assert "(log)" in window.scene.edge_scale.title
    assert window.scene.edge_scale.low > 0


def test_update_mode_shows_last_update(qtbot, window):  # type: ignore[no-untyped-def]
    window.edge_mode_box.setCurrentIndex(window.edge_mode_box.findData("update"))
    assert window.scene.edge_scale.empty_reason  # nothing updated yet
    press(qtbot, window, Qt.Key.Key_Right, times=6)
    window.digits_box.setValue(7)
    # Δw5 = −η ∂E/∂w5 = −0.5 × 0.082167041
    assert window.scene.edge_layers[2].label_texts()[0] == "-0.04108352"


def test_clicking_a_neuron_shows_its_numbers_in_the_inspector(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right)
    h1 = window.scene.neurons[1][0]
    qtbot.mouseClick(
        window.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=window.view.mapFromScene(h1.scenePos()),
    )
    assert window.document.selection.kind == "neuron"
    text = window.inspector.text()
    assert "Neuron h1" in text
    assert "0.3775" in text  # net_h1
    assert "0.593269992" in text  # out_h1
    assert "at backward 1" in text  # δ is not computed yet
    assert h1.selected


def test_clicking_an_edge_selects_the_weight(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, times=6)
    x1, y1, x2, y2 = window.scene.edge_layers[2].lines[0]  # h1 → o1: w5
    middle = window.view.mapFromScene((x1 + x2) / 2, (y1 + y2) / 2)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=middle)
    selection = window.document.selection
    assert (selection.kind, selection.layer, selection.index, selection.source) == (
        "weight",
        2,
        0,
        0,
    )
    text = window.inspector.text()
    assert "h1 → o1" in text
    assert "0.4" in text and "0.0821670406" in text and "0.35891648" in text
    window.digits_box.setValue(8)  # as the tutorial prints them
    text = window.inspector.text()
    assert "0.082167041" in text and "0.35891648" in text


def test_clicking_empty_space_clears_the_selection(qtbot, window):  # type: ignore[no-untyped-def]
    h1 = window.scene.neurons[1][0]
    qtbot.mouseClick(
        window.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=window.view.mapFromScene(h1.scenePos()),
    )
    assert window.document.selection is not None
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert window.document.selection is None


def test_digits_setting_changes_the_numbers_shown(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right)
    window.digits_box.setValue(4)
    assert node_text(window, 1, 0) == "0.5933"


def test_play_then_pause_advances_iterations_and_the_loss_curve(qtbot, window):  # type: ignore[no-untyped-def]
    window.speed_box.setCurrentIndex(window.speed_box.findData(0))  # as fast as possible
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.document.player.playing
    assert window.play_action.text() == "Pause"
    qtbot.waitUntil(lambda: window.document.iteration > 50, timeout=5000)
    press(qtbot, window, Qt.Key.Key_Space)
    assert not window.document.player.playing
    iteration = window.document.iteration
    qtbot.wait(100)
    assert window.document.iteration == iteration  # paused means paused
    x, y = window.loss_plot.batch_curve.xData, window.loss_plot.batch_curve.yData
    assert len(x) == iteration + 1
    assert y[-1] < y[0]  # it learns
    assert f"Iteration {iteration + 1}" in window.caption.text()


def test_divergence_stops_play_with_a_message(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path())
    # Linear layers and a huge learning rate: the loss grows geometrically to infinity.
    linear = tuple(
        replace(layer, activation="linear") if layer.activation else layer
        for layer in network.layers
    )
    explosive = network.replace(
        layers=linear, optimizer=replace(network.optimizer, learning_rate=1000.0)
    )
    window = open_window(explosive)
    window.speed_box.setCurrentIndex(window.speed_box.findData(0))
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.document.player.playing, timeout=5000)
    assert window.caption.banner.isVisible()
    assert "diverged" in window.caption.banner.text()
    assert window.document.diverged_at is not None
    press(qtbot, window, Qt.Key.Key_Right)  # stepping on is refused, not crashed
    assert window.document.iteration == window.document.diverged_at


def test_learning_rate_1000_on_relu_xor_stops_play_and_window_stays_usable(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path("xor-2-4-1.json"))
    layers = (
        network.layers[0],
        replace(network.layers[1], activation="relu"),
        replace(network.layers[2], activation="linear"),
    )
    window = open_window(
        network.replace(layers=layers, optimizer=replace(network.optimizer, learning_rate=1000.0))
    )
    window.speed_box.setCurrentIndex(window.speed_box.findData(0))
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.document.player.playing, timeout=10000)
    assert "diverged" in window.caption.banner.text()
    assert window.play_action.text() == "Play"
    press(qtbot, window, Qt.Key.Key_Home)
    assert window.document.position == (0, START)
    press(qtbot, window, Qt.Key.Key_Right)
    assert node_text(window, 1, 0) != ""  # stepping works again from the start


def test_zoom_and_fit(qtbot, window):  # type: ignore[no-untyped-def]
    fitted = window.view.transform().m11()
    qtbot.keyClick(window.view, Qt.Key.Key_Plus)
    assert window.view.transform().m11() > fitted
    qtbot.keyClick(window.view, Qt.Key.Key_F)
    assert np.isclose(window.view.transform().m11(), fitted)


def test_minibatch_curve_shows_whole_data_set_loss(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path("vectorised-sgd-3-4-1.json"))
    window = open_window(network)
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier, times=4)
    assert window.loss_plot.dataset_curve.isVisible()
    assert len(window.loss_plot.dataset_curve.xData) == 4
    assert len(window.loss_plot.batch_curve.xData) == 4


def test_many_void_qt_calls_do_not_abort(qtbot, window):  # type: ignore[no-untyped-def]
    # PySide6 6.12.0 on Python 3.11 aborted after ~20,000 calls returning None.
    for k in range(100_000):
        window.caption.label.setToolTip(str(k & 7))
    assert window.caption.label.toolTip() == str(99_999 & 7)
