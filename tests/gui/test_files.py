"""Files as a user meets them: new, open, save, unsaved changes, recent files,
autosave and recovery, settings remembered between runs."""

from __future__ import annotations

import json
import os
import shutil

from PySide6.QtCore import QSettings, Qt

import resources
from engine.fileformat import load_network, network_to_text, save_network
from gui.document import Selection
from gui.files import autosave_dir


def change_w1(qtbot, window, value: str = "0.3") -> None:  # type: ignore[no-untyped-def]
    window.document.select(Selection("weight", 1, 0, 0))
    field = window.inspector.value_field
    field.setText(value)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_save_as_writes_the_file_and_clears_the_unsaved_mark(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    change_w1(qtbot, window)
    assert window.isWindowModified()
    target = tmp_path / "lecture.json"
    window.files.ask_save_path = lambda: str(target)
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert target.exists()
    assert load_network(target).weights[0][0, 0] == 0.3
    assert not window.isWindowModified()
    assert "lecture.json" in window.windowTitle()
    assert window.files.recent_files()[0] == str(target.resolve())
    change_w1(qtbot, window, "0.31")
    assert window.isWindowModified()
    qtbot.keyClick(window.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert load_network(target).weights[0][0, 0] == 0.31
    assert not window.isWindowModified()


def test_save_and_open_round_trip_exactly(qtbot, window, open_window, tmp_path):  # type: ignore[no-untyped-def]
    change_w1(qtbot, window, "0.123456789012345")
    path = tmp_path / "exact.json"
    window.files.ask_save_path = lambda: str(path)
    window.save_as_action.trigger()
    other = open_window(load_network(resources.preset_path("xor-2-4-1.json")))
    assert other.open_path(str(path))
    assert network_to_text(other.document.network) == network_to_text(window.document.network)


def test_a_failed_save_leaves_the_old_file_and_says_why(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "kept.json"
    save_network(window.document.network, path)
    original = path.read_text()
    window.files.ask_save_path = lambda: str(tmp_path / "missing-folder" / "x.json")
    change_w1(qtbot, window)
    window.save_as_action.trigger()
    assert window.files.errors and "was not written" in window.files.errors[-1][1]
    assert path.read_text() == original
    assert window.isWindowModified()  # still unsaved


def test_opening_a_malformed_file_names_the_key_and_changes_nothing(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    before = network_to_text(window.document.network)
    bad = tmp_path / "bad.json"
    doc = json.loads(resources.preset_path().read_text())
    doc["weights"][1][0] = [0.4, 0.45, 0.9]
    bad.write_text(json.dumps(doc))
    assert not window.open_path(str(bad))
    title, text = window.files.errors[-1]
    assert "weights[1][0]: expected 2 numbers, got 3" in text
    assert network_to_text(window.document.network) == before
    unreadable = tmp_path / "nothing-here.json"
    assert not window.open_path(str(unreadable))
    assert "cannot read the file" in window.files.errors[-1][1]
    assert network_to_text(window.document.network) == before


def test_unsaved_changes_prompt_on_open(qtbot, window):  # type: ignore[no-untyped-def]
    change_w1(qtbot, window)
    edited = network_to_text(window.document.network)
    asked = []
    window.files.ask_unsaved = lambda: asked.append(1) or "cancel"
    assert not window.open_path(str(resources.preset_path("xor-2-4-1.json")))
    assert asked and network_to_text(window.document.network) == edited
    window.files.ask_unsaved = lambda: "discard"
    assert window.open_path(str(resources.preset_path("xor-2-4-1.json")))
    assert window.document.network.sizes == (2, 4, 1)
    assert not window.isWindowModified()
    assert window.document.undo_stack.count() == 0


def test_unsaved_changes_prompt_on_close_can_cancel(qtbot, window):  # type: ignore[no-untyped-def]
    change_w1(qtbot, window)
    window.files.ask_unsaved = lambda: "cancel"
    assert not window.close()
    assert window.isVisible()
    window.files.ask_unsaved = lambda: "discard"
    assert window.close()


def test_new_network_from_sizes(qtbot, window):  # type: ignore[no-untyped-def]
    window.files.ask_sizes = lambda: "3-4-2"
    window.new_action.trigger()
    network = window.document.network
    assert network.sizes == (3, 4, 2)
    assert "not saved yet" in window.windowTitle()
    assert abs(network.weights[0]).max() <= (6 / 7) ** 0.5  # Xavier's range
    window.files.ask_sizes = lambda: "3-x"
    window.new_action.trigger()
    assert window.document.network.sizes == (3, 4, 2)
    assert "3-x" in window.files.errors[-1][1]
    assert "invalid literal" not in window.files.errors[-1][1]
    assert "“x” is not a whole number" in window.files.errors[-1][1]


def test_autosave_and_recovery_after_a_crash(qtbot, window, open_window):  # type: ignore[no-untyped-def]
    change_w1(qtbot, window, "0.777")
    window.files.autosave_now()
    mine = window.files.autosave_path()
    assert mine.exists()
    # The session dies: its autosave stays behind under a process id that no longer runs.
    crashed = autosave_dir() / "autosave-999999999.json"
    os.replace(mine, crashed)
    fresh = open_window()
    offered = []
    fresh.files.ask_recover = lambda description: offered.append(description) or True
    assert fresh.files.offer_recovery()
    assert "Step-by-step example 2-2-2" in offered[0]
    assert fresh.document.network.weights[0][0, 0] == 0.777
    assert fresh.isWindowModified()  # recovered work is unsaved work
    assert "backprop-lens.autosave" not in fresh.document.network.extra
    assert not crashed.exists()


def test_autosave_is_removed_once_saved(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    change_w1(qtbot, window)
    window.files.autosave_now()
    assert window.files.autosave_path().exists()
    window.files.ask_save_path = lambda: str(tmp_path / "saved.json")
    window.save_as_action.trigger()
    assert not window.files.autosave_path().exists()


def test_open_recent_menu_lists_opened_files(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    path = str(tmp_path / "xor-2-2-1.json")
    shutil.copy(resources.preset_path("xor-2-2-1.json"), path)
    other = str(tmp_path / "other.json")
    shutil.copy(resources.preset_path(), other)
    assert window.open_path(path)
    names = [a.text() for a in window.recent_menu.actions()]
    assert names[0] == "xor-2-2-1.json"
    window.open_path(other)
    xor = next(a for a in window.recent_menu.actions() if a.text() == "xor-2-2-1.json")
    xor.trigger()
    assert window.document.network.sizes == (2, 2, 1)


def test_view_settings_are_remembered_between_runs(qtbot, window, open_window):  # type: ignore[no-untyped-def]
    window.digits_box.setValue(5)
    window.edge_mode_box.setCurrentIndex(window.edge_mode_box.findData("gradient"))
    window.log_scale_box.setChecked(True)
    assert window.close()
    assert QSettings().value("view/digits") is not None
    again = open_window()
    assert again.settings.digits == 5
    assert again.settings.edge_mode == "gradient"
    assert again.settings.edge_scale == "log"
