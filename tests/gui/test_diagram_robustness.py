"""The diagram never lets an exception reach Qt, never asks the document for values while
a neuron is dragged, and draws every neuron whatever a file says about its position."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath

import resources
from engine.fileformat import load_network
from gui import constants as C
from gui.diagram.items import EdgeLayerItem, NeuronItem
from gui.diagram.scene import MAX_SAVED_COORDINATE, usable_positions

AUTO_0_0 = (0.0, -C.NEURON_SPACING / 2)  # where the 2-2-2 example's i1 goes by itself


def neuron_point(window, layer: int, index: int) -> QPoint:  # type: ignore[no-untyped-def]
    p = window.view.mapFromScene(window.scene.neurons[layer][index].scenePos())
    return QPoint(p.x(), p.y())


def drawn_sizes(window) -> list[int]:  # type: ignore[no-untyped-def]
    return [len(layer) for layer in window.scene.neurons]


def with_positions(positions: dict) -> object:  # type: ignore[type-arg]
    network = load_network(resources.preset_path())
    return network.replace(layout={"positions": positions})


ODD_POSITIONS = {
    "an object": {"0": 1, "1": 2},
    "a 400-digit integer": [10**400, 5],
    "infinity": [float("inf"), 0.0],
    "nan": [0.0, float("nan")],
    "too far out": [MAX_SAVED_COORDINATE * 10, 0.0],
    "one number": [5.0],
    "three numbers": [1.0, 2.0, 3.0],
    "a string": "12",
    "text numbers": ["1", "2"],
    "booleans": [True, False],
    "null": None,
    "nested lists": [[1.0], [2.0]],
}


@pytest.mark.parametrize("name", sorted(ODD_POSITIONS))
def test_a_position_the_diagram_cannot_use_leaves_that_neuron_in_its_automatic_place(
    qtbot, open_window, name
):  # type: ignore[no-untyped-def]
    network = with_positions({"0:0": ODD_POSITIONS[name], "2:1": [900.0, 300.0]})
    window = open_window(network)
    assert drawn_sizes(window) == [2, 2, 2]
    assert window.scene.neurons[0][0].pos().toTuple() == AUTO_0_0
    assert window.scene.neurons[2][1].pos().toTuple() == (900.0, 300.0)  # the good one is used
    # Stepping works and the window draws.
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.scene.neurons[1][0].value_text == "0.593269992"
    assert not window.grab().isNull()


def test_positions_of_neurons_that_do_not_exist_are_ignored():  # type: ignore[no-untyped-def]
    layout = {
        "positions": {
            "9:0": [1.0, 1.0],
            "0:7": [1.0, 1.0],
            "-1:0": [1.0, 1.0],
            "x": [1.0, 1.0],
            "0:0:0": [1.0, 1.0],
            "1:" + "9" * 5000: [1.0, 1.0],  # int() refuses more than 4,300 digits
            "1:1": [10.5, -3],
        }
    }
    usable, ignored = usable_positions(layout, (2, 2, 2))
    assert usable == {(1, 1): (10.5, -3.0)}
    assert len(ignored) == 6
    assert usable_positions({"positions": ["not", "a", "mapping"]}, (2, 2)) == ({}, [])
    assert usable_positions(None, (2, 2)) == ({}, [])


def test_opening_a_file_with_odd_positions_refuses_it_or_draws_every_neuron(
    qtbot, window, tmp_path
):  # type: ignore[no-untyped-def]
    # The loader may refuse such a file (with the key path) or let the diagram ignore
    # the entry; either way the user sees a whole diagram and nothing raises.
    document = json.loads(resources.preset_path("xor-2-4-1.json").read_text())
    for k, point in enumerate(['{"0": 1, "1": 2}', "1" + "0" * 400]):
        path = tmp_path / f"odd-{k}.json"
        document["layout"] = {"positions": {"0:0": "POINT"}}
        path.write_text(json.dumps(document).replace('"POINT"', point))
        opened = window.open_path(str(path))
        if opened:
            assert drawn_sizes(window) == [2, 4, 1]
        else:
            assert window.files.errors and "positions" in window.files.errors[-1][1]
        for _ in range(len(window.document.steps)):
            qtbot.keyClick(window.view, Qt.Key.Key_Right)
        assert drawn_sizes(window) == list(window.document.network.sizes)


def test_dragging_a_neuron_moves_its_edges_without_restyling_until_release(qtbot, window):  # type: ignore[no-untyped-def]
    restyles = []
    viewport = window.view.viewport()
    start = neuron_point(window, 1, 0)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)  # selects h1: a restyle
    window.scene.restyled.connect(lambda: restyles.append(1))
    for k in range(1, 6):
        qtbot.mouseMove(viewport, start + QPoint(0, -8 * k))
    # During the drag: the edges follow, and the document was not asked for anything.
    y = window.scene.neurons[1][0].pos().y()
    assert y < -C.NEURON_SPACING / 2 - 20
    assert window.scene.edge_layers[1].lines[0][3] == y
    assert window.scene.edge_layers[2].lines[0][1] == y
    assert restyles == []
    assert window.document.undo_stack.count() == 0
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(0, -40))
    assert window.document.undo_stack.count() == 1  # one command, on release
    assert restyles


def test_edge_labels_follow_a_dragged_neuron(qtbot, window):  # type: ignore[no-untyped-def]
    edges = window.scene.edge_layers[1]
    assert edges.label_texts()  # the 2-2-2 example shows its weights on the edges
    before = [point.y() for point, _ in edges._labels]
    viewport = window.view.viewport()
    start = neuron_point(window, 1, 0)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, start + QPoint(0, 40))
    after = [point.y() for point, _ in edges._labels]
    assert after[0] > before[0]  # w1 (into h1) moved down with h1
    assert after[2] == before[2]  # w3 (into h2) stayed
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(0, 40))


def test_a_network_rebuilt_during_a_drag_ends_the_drag_quietly(qtbot, window):  # type: ignore[no-untyped-def]
    from engine import edits

    viewport = window.view.viewport()
    start = neuron_point(window, 1, 0)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, start + QPoint(0, 20))
    window.document.push_edit("Add a neuron", edits.add_neuron, 1)  # e.g. a shortcut
    count = window.document.undo_stack.count()
    qtbot.mouseMove(viewport, start + QPoint(0, 40))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(0, 40))
    assert drawn_sizes(window) == [2, 3, 2]
    assert window.document.undo_stack.count() == count  # no move of a neuron now gone


def test_edge_buffers_refuse_endpoints_of_another_shape():  # type: ignore[no-untyped-def]
    # paint hands Qt a raw pointer into the lines: a buffer of another size would be read
    # past its end (a crash), so a mismatch is an error before anything changes.
    edges = EdgeLayerItem(1, np.zeros((2, 2)), np.ones((3, 2)))
    lines = edges.lines.copy()
    with pytest.raises(ValueError):
        edges.set_endpoints(np.zeros((3, 2)), np.ones((3, 2)))
    np.testing.assert_array_equal(edges.lines, lines)
    edges.set_endpoints(np.full((2, 2), 5.0), np.ones((3, 2)))
    assert edges.lines[:, :2].tolist() == [[5.0, 5.0]] * 6


def test_overrides_report_errors_and_answer_safely(qtbot, monkeypatch):  # type: ignore[no-untyped-def]
    item = NeuronItem(1, 0, "h1", C.NEURON_RADIUS)
    del item._pill_width  # any broken state
    monkeypatch.setattr(item, "scene", lambda: 1 / 0)
    with qtbot.capture_exceptions() as caught:
        assert item.boundingRect() == QRectF()
        assert item.itemChange(
            NeuronItem.GraphicsItemChange.ItemPositionHasChanged, QPointF(1, 2)
        ) == QPointF(1, 2)
    assert [type(e[1]) for e in caught] == [AttributeError, ZeroDivisionError]
    monkeypatch.setattr(item, "radius", "not a number")
    with qtbot.capture_exceptions() as caught:
        assert item.shape() == QPainterPath()
    assert len(caught) == 1


def test_an_inline_editor_closes_when_an_undo_removes_the_weight_it_edits(qtbot, window):  # type: ignore[no-untyped-def]
    # Found by the soak: a field left open with refused text, then Ctrl+Z removed its
    # layer; Enter on a number raised IndexError from the stale selection.
    from engine import edits

    window.document.push_edit("Add a hidden layer", edits.add_hidden_layer, 1)
    x1, y1, x2, y2 = window.scene.edge_layers[3].lines[0]
    point = window.view.mapFromScene(QPointF((x1 + x2) / 2, (y1 + y2) / 2))
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    editor = window.view.inline_editor
    assert editor is not None
    qtbot.keyClicks(editor, "abc")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.view.inline_editor is editor and editor.invalid  # refused, still open
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.document.network.sizes) == 3
    assert window.view.inline_editor is None
    count = window.document.undo_stack.count()
    editor.setText("0.5")
    editor.commit()  # a stale field changes nothing
    assert window.document.undo_stack.count() == count
