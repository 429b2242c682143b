"""The user's work is what Save writes: the network as built, never what training made
of it without their say-so. Examples open as copies; Reset returns to the network as
built and is undoable; an edit mid-training asks once what it should change."""

from __future__ import annotations

import shutil

import numpy as np
from PySide6.QtCore import Qt

import resources
from engine import edits
from engine.fileformat import load_network
from engine.trace import trace_iteration
from gui.document import EDIT_BUILT, EDIT_CONTINUE, START, Selection


def type_weight(qtbot, window, layer: int, to: int, frm: int, text: str) -> None:  # type: ignore[no-untyped-def]
    window.document.select(Selection("weight", layer, to, frm))
    field = window.inspector.value_field
    field.setText(text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def next_iterations(qtbot, window, count: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(count):
        qtbot.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)


def save_with_ctrl_s(qtbot, window, path) -> list[str]:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    window.files.ask_save_path = lambda *args: asked.append("asked") or str(path)
    qtbot.keyClick(window.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    return asked


def test_save_after_training_writes_the_network_as_built(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    window.files.ask_sizes = lambda: "3-4-2"
    window.new_action.trigger()
    type_weight(qtbot, window, 1, 0, 0, "0.25")
    type_weight(qtbot, window, 2, 1, 3, "-0.75")
    built = window.document.built_network
    target = tmp_path / "mine.json"
    assert save_with_ctrl_s(qtbot, window, target) == ["asked"]
    assert not window.isWindowModified()
    next_iterations(qtbot, window, 3)
    assert window.document.iteration == 3
    assert not window.isWindowModified()  # training is not an unsaved change
    assert save_with_ctrl_s(qtbot, window, target) == []  # the file is known: no question
    saved = load_network(target)
    assert saved.weights[0][0, 0] == 0.25 and saved.weights[1][1, 3] == -0.75
    for mine, theirs in zip(saved.weights, built.weights, strict=True):
        assert np.array_equal(mine, theirs)
    assert "Saved" in window.statusBar().currentMessage()
    assert "mine.json" in window.statusBar().currentMessage()


def test_save_trained_network_as_writes_the_parameters_at_this_step(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    next_iterations(qtbot, window, 2)
    target = tmp_path / "trained.json"
    window.files.ask_save_path = lambda *args: str(target)
    window.save_trained_action.trigger()
    # Two updates of seed 003's network, chained with the engine's trace.
    network = load_network(resources.preset_path())
    for index in range(2):
        network = trace_iteration(network, index).network_after
    trained = load_network(target)
    for mine, expected in zip(trained.weights, network.weights, strict=True):
        np.testing.assert_allclose(mine, expected, rtol=0, atol=1e-15)
    assert abs(trained.weights[1][0, 0] - 0.358916480) > 1e-3  # not the first update's w5
    assert "2 updates" in trained.name
    assert "trained network" in window.statusBar().currentMessage()
    # The document is still the example, untouched.
    assert window.document.path is None
    assert window.document.built_network.weights[0][0, 0] == 0.15


def test_an_example_opens_as_an_untitled_copy_and_is_never_written(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    preset = resources.preset_path("xor-2-4-1.json")
    before = preset.read_bytes()
    examples = next(
        a.menu() for a in window.menuBar().actions()[0].menu().actions() if a.text() == "Examples"
    )
    next(a for a in examples.actions() if a.text() == "XOR 2-4-1").trigger()
    assert window.windowTitle().startswith("XOR 2-4-1 (example)")
    window.speed_box.setCurrentIndex(window.speed_box.findData(0))
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.document.iteration > 50)
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    target = tmp_path / "my-xor.json"
    assert save_with_ctrl_s(qtbot, window, target) == ["asked"]
    assert preset.read_bytes() == before
    assert target.exists() and "my-xor.json" in window.windowTitle()
    # Choosing the example's own file by hand is refused with a message.
    window.files.ask_save_path = lambda *args: str(preset)
    window.save_as_action.trigger()
    assert preset.read_bytes() == before
    assert "examples shipped" in window.files.errors[-1][1]


def test_reset_after_an_edit_mid_training_returns_to_the_network_as_built(qtbot, window):  # type: ignore[no-untyped-def]
    window.edit_choice.ask = lambda text: EDIT_CONTINUE
    window.document.go_to_global_step(90 * 6)  # the end of iteration 90
    next_iterations(qtbot, window, 1)
    assert window.document.position == (90, START)
    type_weight(qtbot, window, 2, 0, 0, "0.5")  # w5, training continues with it
    assert window.document.network.weights[1][0, 0] == 0.5
    assert window.document.built_network.weights[0][0, 0] == 0.15
    qtbot.keyClick(window.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.document.position == (0, START)
    assert window.document.network.weights[0][0, 0] == 0.15  # the file's w1
    assert window.document.network.weights[1][0, 0] == 0.4  # the file's w5
    assert "network as built" in window.statusBar().currentMessage()
    assert window.document.undo_stack.undoText() == "Reset to the network as built"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.position == (90, START)
    assert window.document.network.weights[1][0, 0] == 0.5


def test_a_mid_training_edit_asks_once_and_the_history_says_what_it_did(qtbot, window):  # type: ignore[no-untyped-def]
    asked: list[str] = []
    window.edit_choice.ask = lambda text: asked.append(text) or EDIT_CONTINUE
    type_weight(qtbot, window, 1, 0, 0, "0.2")  # at the start: the network as built, no question
    assert not asked and window.document.built_network.weights[0][0, 0] == 0.2
    next_iterations(qtbot, window, 3)
    type_weight(qtbot, window, 1, 0, 0, "0.3")
    type_weight(qtbot, window, 1, 0, 1, "0.31")
    assert len(asked) == 1  # asked once, then remembered
    assert window.edit_choice.actions[EDIT_CONTINUE].isChecked()
    history = [window.undo_view.model().index(i, 0).data() for i in range(1, 4)]
    assert history[1].endswith("(training continues from iteration 4)")
    assert window.document.built_network.weights[0][0, 0] == 0.2  # the built network stays
    assert window.document.iteration == 3
    # Changing the choice in the Edit menu: the next edit changes the network as built.
    window.edit_choice.actions[EDIT_BUILT].trigger()
    type_weight(qtbot, window, 1, 0, 0, "0.4")
    assert len(asked) == 1
    assert window.document.built_network.weights[0][0, 0] == 0.4
    assert window.document.position == (0, START)
    assert window.undo_view.model().index(4, 0).data().endswith("training restarts)")
    assert window.isWindowModified()


def test_cancelling_the_question_changes_nothing(qtbot, window):  # type: ignore[no-untyped-def]
    window.edit_choice.ask = lambda text: None
    next_iterations(qtbot, window, 2)
    type_weight(qtbot, window, 1, 0, 0, "0.9")
    assert window.document.undo_stack.count() == 0
    assert window.document.iteration == 2
    assert window.document.mid_training_edits is None  # still asks next time


def test_a_copied_preset_opens_as_a_file_not_an_example(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    copy = tmp_path / "copy.json"
    shutil.copy(resources.preset_path(), copy)
    assert window.open_path(str(copy))
    assert "copy.json" in window.windowTitle()
    assert not window.document.example


def test_undoing_a_drag_leaves_no_unsaved_mark(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    window.files.ask_save_path = lambda *args: str(tmp_path / "laid-out.json")
    window.save_as_action.trigger()
    assert not window.isWindowModified()
    window.document.push_layout("Move h1", {"positions": {"h1": [1.0, 2.0]}})
    assert window.isWindowModified()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not window.isWindowModified()
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.isWindowModified()


def test_renaming_mid_training_keeps_the_run_and_asks_nothing(qtbot, window):  # type: ignore[no-untyped-def]
    asked: list[str] = []
    window.edit_choice.ask = lambda text: asked.append(text) or EDIT_BUILT
    next_iterations(qtbot, window, 3)
    position = window.document.position
    window.document.push_edit("Rename", edits.set_name_and_description, name="Lecture 3")
    window.document.push_edit("Rename h1", edits.set_labels, 1, ["hidden A", "h2"])
    assert not asked
    assert window.document.position == position  # the run goes on where it was
    assert window.document.built_network.name == "Lecture 3"
    assert window.document.initial_network.labels(1) == ("hidden A", "h2")
    assert window.windowTitle().startswith("Lecture 3")
    assert window.isWindowModified()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.position == position
    assert not window.isWindowModified()
