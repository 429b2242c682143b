"""What crashed the window once, done again as the user did it (issue: never crash)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from engine import edits
from engine.explain import explain_step
from engine.fileformat import load_network
from engine.network import OptimizerSpec
from engine.trace import trace_iteration
from gui.document import EDIT_CONTINUE, Selection
from gui.panels.math_panel import element_ref
from resources import preset_path


def test_drag_after_an_edit_mid_training_with_update_edges(qtbot, window):  # type: ignore[no-untyped-def]
    """D2: Edges = update, Ctrl+→, an edit, then a drag once raised inside itemChange."""
    window.edit_choice.ask = lambda text: EDIT_CONTINUE
    window.edge_mode_box.setCurrentIndex(window.edge_mode_box.findData("update"))
    qtbot.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    window.document.select(Selection("weight", 1, 0, 0))
    window.inspector.value_field.setText("0.3")
    qtbot.keyClick(window.inspector.value_field, Qt.Key.Key_Return)
    assert window.document.last_update() is None  # nothing updated the edited parameters yet
    viewport = window.view.viewport()
    point = window.view.mapFromScene(window.scene.neurons[1][0].scenePos())
    start = QPoint(point.x(), point.y())
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(30, 30))
    QTest.mouseRelease(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(30, 30)
    )
    assert window.document.undo_stack.undoText().startswith("Move")
    qtbot.keyClick(window.view, Qt.Key.Key_Right)  # stepping still works
    assert window.document.position == (1, 0)


def momentum_network():  # type: ignore[no-untyped-def]
    network = load_network(preset_path("xor-2-4-1.json"))
    return network.replace(optimizer=OptimizerSpec(learning_rate=0.5, momentum=0.9))


def test_the_maths_panel_follows_play_with_momentum(qtbot, open_window):  # type: ignore[no-untyped-def]
    """D15: the derivation needs the momentum the shown trace was computed with."""
    window = open_window(momentum_network())
    window.math_dock.raise_()
    window.document.select(Selection("weight", 2, 0, 0))
    window.speed_box.setCurrentIndex(window.speed_box.findData(0))
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    seen = set()
    for _ in range(40):
        qtbot.wait(20)
        document = window.document
        seen.add(document.iteration)
        # The same question the panel asks: it must be answerable at every frame.
        if document.step is not None:
            explain_step(
                document.trace,
                document.step.key,
                element_ref(document.selection),
                previous_velocity=document.velocity_before(),
            )
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert len(seen) > 5


def test_a_diverging_run_with_momentum_shows_the_momentum_it_had(qtbot, open_window):  # type: ignore[no-untyped-def]
    """D14: play stops at the diverging iteration; its momentum is the one before it."""
    network = edits.set_activation(momentum_network(), 1, "relu")
    network = edits.set_activation(network, 2, "linear")
    network = network.replace(optimizer=OptimizerSpec(learning_rate=10, momentum=0.99))
    reference, velocity = network, None
    for index in range(10_000):
        trace = trace_iteration(reference, index, velocity)
        if trace.diverged:
            break
        reference, velocity = trace.network_after, trace.velocity
    else:
        raise AssertionError("this network was meant to diverge")
    window = open_window(network)
    window.speed_box.setCurrentIndex(window.speed_box.findData(0))
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.document.player.playing, timeout=20_000)
    assert window.document.iteration == index
    shown = window.document.velocity_before()
    assert shown is not None and velocity is not None
    for mine, theirs in zip(shown, velocity, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)


def test_many_edits_after_a_long_run_keep_undo_cheap(qtbot, window):  # type: ignore[no-untyped-def]
    """D7: undo snapshots share the loss history instead of copying it per edit."""
    window.edit_choice.ask = lambda text: EDIT_CONTINUE
    document = window.document
    document.run_iterations(100_000, None)
    for k in range(20):
        document.push_edit(f"w{k}", edits.set_weight, 1, 0, 0, 0.1 + k * 1e-3)
    chunks = {id(c) for c in document._run.losses._chunks}
    for index in range(document.undo_stack.count()):
        command = document.undo_stack.command(index)
        for state in (command._before, command._after):
            assert all(id(c) in chunks for c in state.run.losses._chunks[:-1])
    assert document.undo_stack.undoLimit() > 0


def _preset_text_with(change) -> str:  # type: ignore[no-untyped-def]
    document = json.loads(preset_path("xor-2-4-1.json").read_text())
    change(document)
    return json.dumps(document)


UNSAVEABLE = {
    "layout-1e999": lambda d: d["layout"].update(zoom="__INF__"),
    "extra-key-1e999": lambda d: d.update(comment={"weight": "__INF__"}),
    "lone-surrogate-label": lambda d: d["layers"][2].update(labels=["__SURROGATE__"]),
    "layout-950-deep": lambda d: d["layout"].update(deep="__DEEP__"),
}


@pytest.mark.parametrize("name", sorted(UNSAVEABLE))
def test_a_file_that_could_never_be_saved_is_refused_at_open(qtbot, window, tmp_path, name):  # type: ignore[no-untyped-def]
    """D4: such files opened, then Save, autosave and close-with-Save all failed."""
    text = _preset_text_with(UNSAVEABLE[name])
    text = text.replace('"__INF__"', "1e999").replace('"__SURROGATE__"', '"\\ud800"')
    text = text.replace('"__DEEP__"', "[" * 950 + "]" * 950)
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    before = window.document.built_network
    assert not window.open_path(str(path))
    title, message = window.files.errors[-1]
    assert title == "Cannot open the file"
    assert window.document.built_network is before  # the open work is untouched
    window.files.ask_unsaved = lambda: "save"
    assert window.close()
