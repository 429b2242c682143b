"""A lecturer builds seed 004's 2-3-1 net by hand through the UI and gets the preset's trace."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

import resources
from engine.fileformat import load_network
from engine.trace import trace_iteration


def click_edge(qtbot, window, layer: int, k: int, bias: bool = False) -> None:  # type: ignore[no-untyped-def]
    edges = (window.scene.bias_layers if bias else window.scene.edge_layers)[layer]
    x1, y1, x2, y2 = edges.lines[k]
    t = 0.22  # near the source: clear of crossings, of the labels and of the circles
    point: QPoint = window.view.mapFromScene(x1 + (x2 - x1) * t, y1 + (y2 - y1) * t)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def type_value(qtbot, window, value: float) -> None:  # type: ignore[no-untyped-def]
    field = window.inspector.value_field
    field.selectAll()
    qtbot.keyClicks(field, repr(value))
    qtbot.keyClick(field, Qt.Key.Key_Return)


def choose(qtbot, combo, data: str) -> None:  # type: ignore[no-untyped-def]
    """Pick an item with the keyboard, as a user tabbing through the form would."""
    combo.setFocus()
    target = next(k for k in range(combo.count()) if data in (combo.itemData(k), combo.itemText(k)))
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(abs(target - combo.currentIndex())):
        qtbot.keyClick(combo, key)
    assert combo.currentIndex() == target


def test_seed_004_built_by_hand_traces_like_the_preset(qtbot, window):  # type: ignore[no-untyped-def]
    preset = load_network(resources.preset_path("sum-squared-error-2-3-1.json"))

    # File ▸ New, 2-3-1.
    window.files.ask_sizes = lambda: "2-3-1"
    window.new_action.trigger()
    assert window.document.network.sizes == (2, 3, 1)

    # Every weight and bias typed from the notes, selecting each edge on the diagram.
    for layer in (1, 2):
        weights = preset.weights[layer - 1]
        for k, value in enumerate(weights.reshape(-1)):
            click_edge(qtbot, window, layer, k)
            selection = window.document.selection
            assert selection.kind == "weight" and selection.layer == layer
            assert (selection.index, selection.source) == divmod(k, weights.shape[1])
            type_value(qtbot, window, float(value))
        for j, value in enumerate(preset.biases[layer - 1]):
            click_edge(qtbot, window, layer, j, bias=True)
            assert window.document.selection.kind == "bias"
            type_value(qtbot, window, float(value))

    # Loss: ½ Σ over the batch; learning rate 0.5; both in the Network panel.
    panel = window.network_panel
    window.network_dock.raise_()
    choose(qtbot, panel.loss_batch_box, "sum")
    panel.learning_rate_edit.setFocus()
    panel.learning_rate_edit.selectAll()
    qtbot.keyClicks(panel.learning_rate_edit, "0.5")
    qtbot.keyClick(panel.learning_rate_edit, Qt.Key.Key_Return)

    # Five rows pasted from a spreadsheet into the Data table.
    window.data_dock.raise_()
    rows = [[*preset.inputs[r], *preset.targets[r]] for r in range(preset.row_count)]
    QApplication.clipboard().setText(
        "sleep\tstudy\tscore\n" + "\n".join("\t".join(repr(float(v)) for v in row) for row in rows)
    )
    table = window.data_table
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    first_cell = table.view.visualRect(table.model.index(0, 0)).center()
    qtbot.mouseClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=first_cell)
    qtbot.keyClick(table.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    built = window.document.network
    assert built.loss == preset.loss
    assert built.optimizer == preset.optimizer
    assert built.row_count == 5

    # Same trace, iteration after iteration.
    mine, theirs = built, preset
    for index in range(3):
        a, b = trace_iteration(mine, index), trace_iteration(theirs, index)
        assert a.loss == b.loss
        for layer in (1, 2):
            assert np.array_equal(a.a[layer], b.a[layer])
            assert np.array_equal(a.delta[layer], b.delta[layer])
            assert np.array_equal(a.grad_weights[layer], b.grad_weights[layer])
        mine, theirs = a.network_after, b.network_after
    # And the window shows it: step to the loss of iteration 1.
    window.document.go_to_global_step(3)
    expected = trace_iteration(preset).loss
    assert window.scene.loss_text.lines == [f"Loss = {expected:#.9g}"]
