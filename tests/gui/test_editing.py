"""Editing the network on the diagram, in the inspector and from the Edit toolbar.

Every edit is followed by undo and redo, compared in the saved-file form, and
by a save → open round trip.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QPoint, Qt

import resources
from engine.fileformat import load_network, network_to_text, save_network
from engine.network import Layer
from gui.document import START, Selection


def saved(window) -> str:  # type: ignore[no-untyped-def]
    return network_to_text(window.document.network)


def assert_undo_redo_exact(window, before: str) -> str:  # type: ignore[no-untyped-def]
    after = saved(window)
    assert after != before
    window.document.undo_stack.undo()
    assert saved(window) == before
    window.document.undo_stack.redo()
    assert saved(window) == after
    return after


def assert_round_trip(window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "round-trip.json"
    save_network(window.document.network, path)
    assert network_to_text(load_network(path)) == saved(window)


def edge_midpoint(window, layer: int, k: int) -> QPoint:  # type: ignore[no-untyped-def]
    x1, y1, x2, y2 = window.scene.edge_layers[layer].lines[k]
    # A third of the way along: clear of the crossing in the middle and of the label.
    return window.view.mapFromScene(x1 + (x2 - x1) * 0.6, y1 + (y2 - y1) * 0.6)


def neuron_point(window, layer: int, index: int) -> QPoint:  # type: ignore[no-untyped-def]
    return window.view.mapFromScene(window.scene.neurons[layer][index].scenePos())


def test_double_click_an_edge_and_type_a_weight(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    before = saved(window)
    qtbot.mouseDClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=edge_midpoint(window, 2, 0)
    )
    editor = window.view.inline_editor
    assert editor is not None and editor.hasFocus()
    assert editor.text() == "0.4"  # w5 as it is
    editor.selectAll()
    qtbot.keyClicks(editor, "0.42")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.view.inline_editor is None
    assert window.document.network.weights[1][0, 0] == 0.42
    assert window.document.undo_stack.undoText() == "Change w5 to 0.42"
    assert window.undo_action.text() == "Undo Change w5 to 0.42"
    assert window.scene.edge_layers[2].label_texts()[0] == "0.42"
    assert_undo_redo_exact(window, before)
    assert_round_trip(window, tmp_path)


def test_typing_text_that_is_not_a_number_changes_nothing(qtbot, window):  # type: ignore[no-untyped-def]
    before = saved(window)
    qtbot.mouseDClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=edge_midpoint(window, 1, 0)
    )
    editor = window.view.inline_editor
    editor.selectAll()
    qtbot.keyClicks(editor, "0.4.2")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.invalid
    assert "not a finite number" in editor.toolTip()
    assert window.view.inline_editor is editor  # still open for a correction
    assert saved(window) == before
    assert window.document.undo_stack.count() == 0
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert window.view.inline_editor is None
    assert saved(window) == before


def test_infinity_is_refused_too(qtbot, window):  # type: ignore[no-untyped-def]
    before = saved(window)
    qtbot.mouseDClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=edge_midpoint(window, 1, 0)
    )
    editor = window.view.inline_editor
    editor.selectAll()
    qtbot.keyClicks(editor, "inf")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.invalid and saved(window) == before


def test_double_click_a_neuron_edits_its_bias(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    before = saved(window)
    qtbot.mouseDClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=neuron_point(window, 1, 0)
    )
    editor = window.view.inline_editor
    editor.selectAll()
    qtbot.keyClicks(editor, "-0.25")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.document.network.biases[0][0] == -0.25
    assert window.document.undo_stack.undoText() == "Change b(h1) to -0.25"
    assert_undo_redo_exact(window, before)
    assert_round_trip(window, tmp_path)


def test_double_click_an_input_edits_the_data(qtbot, window):  # type: ignore[no-untyped-def]
    before = saved(window)
    qtbot.mouseDClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=neuron_point(window, 0, 1)
    )
    editor = window.view.inline_editor
    editor.selectAll()
    qtbot.keyClicks(editor, "0.2")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.document.network.inputs[0, 1] == 0.2
    assert window.scene.neurons[0][1].value_text == "0.2"
    assert_undo_redo_exact(window, before)


def test_inspector_value_field_edits_the_selected_weight(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    before = saved(window)
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=edge_midpoint(window, 2, 3)
    )
    assert window.document.selection == Selection("weight", 2, 1, 1)
    field = window.inspector.value_field
    assert window.inspector.edit_box.isVisible()
    assert "w8" in window.inspector.value_label.text()
    field.selectAll()
    qtbot.keyClicks(field, "0.6")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.document.network.weights[1][1, 1] == 0.6
    assert_undo_redo_exact(window, before)
    assert_round_trip(window, tmp_path)


def test_an_edit_restarts_the_current_iteration_and_marks_the_curve(qtbot, window):  # type: ignore[no-untyped-def]
    for _ in range(3):
        qtbot.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    for _ in range(4):
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.document.position == (3, 3)
    window.inspector  # noqa: B018 - the user edits through the inspector
    window.document.select(Selection("weight", 2, 0, 0))
    window.inspector.value_field.setText("0.1")
    qtbot.keyClick(window.inspector.value_field, Qt.Key.Key_Return)
    assert window.document.position == (3, START)
    assert window.document.edit_marks == [3]
    assert len(window.loss_plot._edit_lines) == 1
    assert window.document.losses.shape[0] == 4  # iterations 1-3 kept, 4 recomputed
    # The earlier iterations used the network before the edit: stepping back is refused.
    qtbot.keyClick(window.view, Qt.Key.Key_Left)
    assert window.document.position == (3, START)
    assert "edited" in window.statusBar().currentMessage()
    window.document.undo_stack.undo()
    assert window.document.position == (3, 3)
    assert window.document.edit_marks == []


def test_context_menu_adds_a_neuron_without_changing_the_outputs(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    before = saved(window)
    h1 = window.scene.neurons[1][0].scenePos()
    menu = window.scene.context_menu(h1)
    action = next(a for a in menu.actions() if a.text() == "Add a neuron to hidden layer 1")
    action.trigger()
    assert window.document.network.sizes == (2, 3, 2)
    assert len(window.scene.neurons[1]) == 3
    assert window.scene.edge_layers[1].count == 6
    # Zero weights in and out: the outputs are the tutorial's.
    window.document.go_to_global_step(2)
    assert window.scene.neurons[2][0].value_text == "0.75136507"
    assert window.document.undo_stack.undoText() == "Add a neuron to hidden layer 1"
    assert_undo_redo_exact(window, before)
    assert_round_trip(window, tmp_path)


def test_delete_key_removes_the_selected_neuron(qtbot, window):  # type: ignore[no-untyped-def]
    before = saved(window)
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=neuron_point(window, 1, 1)
    )
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.document.network.sizes == (2, 1, 2)
    assert window.document.network.weights[0].tolist() == [[0.15, 0.2]]
    assert window.document.network.weights[1].tolist() == [[0.4], [0.5]]
    assert window.document.undo_stack.undoText() == "Remove neuron h2"
    assert_undo_redo_exact(window, before)


def test_removing_the_last_neuron_of_a_layer_is_refused(qtbot, open_window):  # type: ignore[no-untyped-def]
    window = open_window(load_network(resources.preset_path("xor-2-2-1.json")))
    before = saved(window)
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=neuron_point(window, 2, 0)
    )
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert saved(window) == before
    assert "last neuron of the output layer" in window.statusBar().currentMessage()
    assert window.document.undo_stack.count() == 0


def test_add_and_remove_a_hidden_layer_from_the_toolbar(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    before = saved(window)
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=neuron_point(window, 1, 0)
    )
    window.add_layer_action.trigger()
    assert window.document.network.sizes == (2, 2, 2, 2)
    assert window.document.network.weights[1].tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert_undo_redo_exact(window, before)
    assert_round_trip(window, tmp_path)
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=neuron_point(window, 2, 0)
    )
    after_add = saved(window)
    window.remove_layer_action.trigger()
    assert window.document.network.sizes == (2, 2, 2)
    assert_undo_redo_exact(window, after_add)


def test_sizes_beyond_readable_are_refused_quickly(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path())
    wide = network.replace(
        layers=(network.layers[0], Layer(256, "sigmoid"), network.layers[2]),
        weights=[np.zeros((256, 2)), np.zeros((2, 256))],
        biases=[np.zeros(256), network.biases[1]],
    )
    window = open_window(wide)
    before = saved(window)
    window.document.select(Selection("neuron", 1, 0))
    window.add_neuron_action.trigger()
    assert saved(window) == before
    assert "at most 256 neurons" in window.statusBar().currentMessage()


def test_sixteen_layers_at_most(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path())
    deep = network.replace(
        layers=(network.layers[0],) + (Layer(2, "sigmoid"),) * 15,
        weights=[np.eye(2)] * 15,
        biases=[np.zeros(2)] * 15,
    )
    window = open_window(deep)
    before = saved(window)
    window.add_layer_action.trigger()
    assert saved(window) == before
    assert "at most 16 layers" in window.statusBar().currentMessage()


def test_dragging_a_neuron_is_one_undoable_move_saved_in_the_layout(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    before = saved(window)
    viewport = window.view.viewport()
    start = neuron_point(window, 1, 0)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, start + QPoint(0, -8 * step))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(0, -40))
    assert window.document.undo_stack.count() == 1  # one command per drag
    assert window.document.undo_stack.undoText() == "Move h1"
    positions = window.document.network.layout["positions"]
    y_before = -60.0
    assert positions["1:0"][1] < y_before - 20
    # The edges follow the neuron.
    assert window.scene.edge_layers[1].lines[0][3] == positions["1:0"][1]
    # Moving a neuron is not an edit of the maths: the position in the iteration stays.
    assert window.document.edit_marks == []
    assert_undo_redo_exact(window, before)
    assert_round_trip(window, tmp_path)
    after = saved(window)
    window.auto_layout_action.trigger()
    assert "positions" not in window.document.network.layout
    assert_undo_redo_exact(window, after)


def test_layout_positions_survive_save_and_open(qtbot, window, open_window, tmp_path):  # type: ignore[no-untyped-def]
    layout = window.scene.layout_with_positions()
    layout["positions"]["2:1"] = [900.0, 300.0]
    window.document.push_layout("Move o2", layout)
    path = tmp_path / "moved.json"
    save_network(window.document.network, path)
    reopened = open_window(load_network(path), str(path))
    assert tuple(reopened.scene.neurons[2][1].pos().toTuple()) == (900.0, 300.0)


def test_history_view_lists_the_edits(qtbot, window):  # type: ignore[no-untyped-def]
    window.document.select(Selection("weight", 1, 0, 0))
    window.inspector.value_field.setText("0.3")
    qtbot.keyClick(window.inspector.value_field, Qt.Key.Key_Return)
    model = window.undo_view.model()
    texts = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert texts == ["Example “Step-by-step example 2-2-2”", "Change w1 to 0.3"]


def test_undo_and_redo_keys(qtbot, window):  # type: ignore[no-untyped-def]
    before = saved(window)
    window.document.select(Selection("bias", 2, 1))
    window.inspector.value_field.setText("1.5")
    qtbot.keyClick(window.inspector.value_field, Qt.Key.Key_Return)
    after = saved(window)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert saved(window) == before
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert saved(window) == after


def test_activation_from_the_context_menu(qtbot, window):  # type: ignore[no-untyped-def]
    before = saved(window)
    menu = window.scene.context_menu(window.scene.neurons[1][0].scenePos())
    activation_menu = next(a.menu() for a in menu.actions() if a.text() == "Activation")
    names = [a.text() for a in activation_menu.actions()]
    assert "softmax" not in names  # only the output layer may use it
    next(a for a in activation_menu.actions() if a.text() == "tanh").trigger()
    assert window.document.network.layers[1].activation == "tanh"
    assert window.scene.neurons[1][0].label == "h1"
    assert_undo_redo_exact(window, before)


def test_editing_keeps_the_trace_consistent_with_the_new_weights(qtbot, window):  # type: ignore[no-untyped-def]
    window.document.push_edit("set", lambda n: replace(n, name=n.name))  # a no-op edit
    window.document.select(Selection("weight", 1, 0, 0))
    window.inspector.value_field.setText("0")
    qtbot.keyClick(window.inspector.value_field, Qt.Key.Key_Return)
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    # net_h1 = 0·0.05 + 0.2·0.1 + 0.35 = 0.37, out_h1 = σ(0.37)
    expected = 1 / (1 + np.exp(-0.37))
    assert window.scene.neurons[1][0].value_text == f"{expected:#.9g}"
