"""The network's name and description, as a lecturer reads and edits them: under the
caption, and in the Network panel's "About this network"; every change undoable and
saved in the file."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

import resources
from engine.fileformat import load_network


def test_the_description_of_the_file_is_shown_under_the_caption(window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path())
    about = window.caption.about
    assert about.isVisible()
    assert about.full_text == f"{network.name} — {' '.join(network.description.split())}"
    assert network.description[:40] in about.toolTip()
    # One line, cut to the window's width: a long description never widens the window.
    assert about.height() < 2.2 * about.fontMetrics().height()
    assert about.fontMetrics().horizontalAdvance(about.text()) <= about.width()


def test_clicking_the_line_opens_the_name_to_edit(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.caption.about, Qt.MouseButton.LeftButton)
    about = window.network_panel.about
    qtbot.waitUntil(about.name_edit.isVisible)
    assert about.name_edit.hasFocus()
    assert about.name_edit.selectedText() == window.document.built_network.name


def test_renaming_and_describing_are_undoable_and_saved(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    window.network_dock.raise_()
    about = window.network_panel.about
    qtbot.waitUntil(about.name_edit.isVisible)
    about.name_edit.selectAll()
    qtbot.keyClicks(about.name_edit, "XOR for week 3")
    qtbot.keyClick(about.name_edit, Qt.Key.Key_Return)
    assert window.document.built_network.name == "XOR for week 3"
    assert window.document.undo_stack.undoText() == "Rename the network “XOR for week 3”"
    assert window.caption.about.full_text.startswith("XOR for week 3 — ")
    assert window.windowTitle().startswith("XOR for week 3")

    qtbot.mouseClick(about.description_edit.viewport(), Qt.MouseButton.LeftButton)
    about.description_edit.selectAll()
    qtbot.keyClicks(about.description_edit, "Two hidden neurons.")
    qtbot.keyClick(about.description_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.document.built_network.description == "Two hidden neurons."
    assert window.document.undo_stack.undoText() == "Change the description"
    assert window.caption.about.full_text == "XOR for week 3 — Two hidden neurons."

    path = tmp_path / "week3.json"
    window.files.ask_save_path = lambda *args: str(path)
    window.save_as_action.trigger()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert (saved["name"], saved["description"]) == ("XOR for week 3", "Two hidden neurons.")

    window.undo_action.trigger()
    window.undo_action.trigger()
    network = load_network(resources.preset_path())
    assert window.document.built_network.name == network.name
    assert about.name_edit.text() == network.name
    assert about.description_edit.toPlainText() == network.description


def test_an_empty_name_is_refused_with_the_reason(qtbot, window):  # type: ignore[no-untyped-def]
    window.network_dock.raise_()
    about = window.network_panel.about
    qtbot.waitUntil(about.name_edit.isVisible)
    name = window.document.built_network.name
    about.name_edit.selectAll()
    qtbot.keyClick(about.name_edit, Qt.Key.Key_Delete)
    qtbot.keyClick(about.name_edit, Qt.Key.Key_Return)
    assert window.document.built_network.name == name
    assert about.name_edit.text() == name  # the field shows the name again
    assert "the name cannot be empty" in window.network_panel.message()
    assert window.document.undo_stack.count() == 0


def test_escape_puts_the_name_back(qtbot, window):  # type: ignore[no-untyped-def]
    window.network_dock.raise_()
    about = window.network_panel.about
    qtbot.waitUntil(about.name_edit.isVisible)
    name = window.document.built_network.name
    about.name_edit.selectAll()
    qtbot.keyClicks(about.name_edit, "oops")
    qtbot.keyClick(about.name_edit, Qt.Key.Key_Escape)
    assert about.name_edit.text() == name
    assert window.document.undo_stack.count() == 0


def test_renaming_mid_training_renames_what_save_writes(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.document.is_mid_training()
    window.network_dock.raise_()
    about = window.network_panel.about
    qtbot.waitUntil(about.name_edit.isVisible)
    about.name_edit.selectAll()
    qtbot.keyClicks(about.name_edit, "Week 3")
    qtbot.keyClick(about.name_edit, Qt.Key.Key_Return)
    # The fixture answers "continue training" to mid-training edits; a name is the file's.
    assert window.document.built_network.name == "Week 3"
    assert about.name_edit.text() == "Week 3"
    path = tmp_path / "w3.json"
    window.files.ask_save_path = lambda *args: str(path)
    window.save_as_action.trigger()
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "Week 3"


def test_presenting_hides_the_small_line_and_brings_it_back(qtbot, window):  # type: ignore[no-untyped-def]
    window.presentation.enter()
    assert not window.caption.about.isVisible()
    window.presentation.leave()
    assert window.caption.about.isVisible()
