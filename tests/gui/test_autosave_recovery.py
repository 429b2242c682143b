"""Recovered work is never lost to a second crash, and a broken autosave never stops
the app from starting."""

from __future__ import annotations

import json
import os

from PySide6.QtCore import Qt

from gui.document import Selection
from gui.files import autosave_dir
from resources import preset_path


def crash_with_w1(qtbot, window, value: str):  # type: ignore[no-untyped-def]
    """Edit w1, autosave, then 'crash': the autosave stays under a pid no longer running."""
    window.document.select(Selection("weight", 1, 0, 0))
    window.inspector.value_field.setText(value)
    qtbot.keyClick(window.inspector.value_field, Qt.Key.Key_Return)
    assert window.files.autosave_now()
    crashed = autosave_dir() / "autosave-999999991.json"
    os.replace(window.files.autosave_path(), crashed)
    return crashed


def test_recovered_work_survives_a_second_crash(qtbot, window, open_window):  # type: ignore[no-untyped-def]
    crashed = crash_with_w1(qtbot, window, "0.888")
    second = open_window()
    second.files.ask_recover = lambda description: True
    # Until this session holds the work on disk, the crashed session's copy stays.
    second.files.autosave_now = lambda: False
    assert second.files.offer_recovery()
    assert second.document.built_network.weights[0][0, 0] == 0.888
    assert crashed.exists()
    # This session's autosave now holds the work: only then does the old copy go.
    del second.files.autosave_now
    assert second.files.autosave_now()
    assert not crashed.exists()
    assert second.files.autosave_path().exists()
    os.replace(second.files.autosave_path(), crashed)  # a second crash
    third = open_window()
    offered: list[str] = []
    third.files.ask_recover = lambda description: offered.append(description) or True
    assert third.files.offer_recovery()
    assert third.document.built_network.weights[0][0, 0] == 0.888
    third.files.remove_autosave()


def test_declining_recovery_removes_that_autosave(qtbot, window, open_window):  # type: ignore[no-untyped-def]
    crashed = crash_with_w1(qtbot, window, "0.5")
    second = open_window()
    second.files.ask_recover = lambda description: False
    assert not second.files.offer_recovery()
    assert not crashed.exists()
    assert second.document.built_network.weights[0][0, 0] == 0.15


def test_a_malformed_autosave_is_set_aside_not_fatal(qtbot, open_window):  # type: ignore[no-untyped-def]
    folder = autosave_dir()
    folder.mkdir(parents=True, exist_ok=True)
    not_an_object = folder / "autosave-999999992.json"
    document = json.loads(preset_path().read_text())
    document["backprop-lens.autosave"] = "not an object"
    not_an_object.write_text(json.dumps(document))
    garbage = folder / "autosave-999999993.json"
    garbage.write_text("{ this is not json")
    window = open_window()
    offered: list[str] = []
    window.files.ask_recover = lambda description: offered.append(description) or False
    assert not window.files.offer_recovery()
    assert len(offered) == 1 and "never saved" in offered[0]  # offered without the details
    assert not garbage.exists()
    assert garbage.with_name(garbage.name + ".unreadable").exists()  # kept, never deleted
    assert "set aside" in window.statusBar().currentMessage()
    assert not window.files.offer_recovery()  # not offered again
