"""Soak: seeded random actions through the real widgets of a main window, with zero
uncaught exceptions and a window that still responds at the end.

About 20 s in the normal suite. Longer or other runs, one process per seed (a SIGSEGV
shows as exit status -11/139, with faulthandler's traceback):

    BACKPROP_LENS_SOAK_SECONDS=300 BACKPROP_LENS_SOAK_SEED=7 \
        QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q tests/gui/test_soak.py

A failure prints the seed and the actions that led to it, oldest first;
BACKPROP_LENS_SOAK_SKIP=loss_log_scale,save leaves actions out.
"""

from __future__ import annotations

import os
import random
import time
import traceback
from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QWidget,
)

import gui.document
import resources
from gui.document import Selection

SOAK_SECONDS = float(os.environ.get("BACKPROP_LENS_SOAK_SECONDS", "20"))
SOAK_SEED = int(os.environ.get("BACKPROP_LENS_SOAK_SEED", "8"))
# Comma-separated action names to leave out while hunting something else (e.g. "save").
SOAK_SKIP = {name for name in os.environ.get("BACKPROP_LENS_SOAK_SKIP", "").split(",") if name}
MAX_NEURONS = 40  # beyond this the soak stops growing the network: it tests, not benchmarks
NUMBERS = ["0.3", "-1.25", "0", "2", "0.001", "-0.07", "10", "1e6", "-3.5e-4", "abc", "", "1e999"]
K = Qt.Key
M = Qt.KeyboardModifier


class Monkey:
    """Random user actions; each returns what it did, for the log."""

    def __init__(self, qtbot, window, rng: random.Random, tmp_path) -> None:  # type: ignore[no-untyped-def]
        self.qtbot, self.window, self.rng, self.tmp_path = qtbot, window, rng, tmp_path
        self.log: list[str] = []
        self.actions: list[tuple[int, Callable[[], str]]] = [
            (30, self.key),
            (10, self.click_diagram),
            (8, self.drag_neuron),
            (3, self.drag_diagram),
            (3, self.double_click_and_type),
            (3, self.wheel),
            (4, self.context_menu_action),
            (4, self.toggle_dock),
            (3, self.resize_window),
            (6, self.toolbar_setting),
            (3, self.loss_log_scale),
            (6, self.inspector_edit),
            (8, self.network_panel_edit),
            (2, self.data_cell_edit),
            (2, self.open_preset),
            (1, self.new_network),
            (1, self.save),
            (1, self.presentation),
            (1, self.theme),
            (2, self.maths_notation),
            (2, self.history_click),
        ]
        self.actions = [(w, a) for w, a in self.actions if a.__name__ not in SOAK_SKIP]
        self._weights = [w for w, _ in self.actions]

    # -- helpers ---------------------------------------------------------------------

    def run_one(self) -> None:
        [(_, action)] = self.rng.choices(self.actions, weights=self._weights)
        self.log.append(f"{action.__name__}: …")
        self.log[-1] = f"{action.__name__}: {action()}"
        self.qtbot.wait(self.rng.choice([0, 0, 1, 5, 20]))  # timers (play, redraws) run

    def activate(self) -> None:
        window = self.window
        if not window.isActiveWindow():
            window.activateWindow()
            self.qtbot.waitUntil(window.isActiveWindow, timeout=2000)

    def viewport_point(self) -> QPoint:
        viewport = self.window.view.viewport()
        return QPoint(
            self.rng.randrange(max(1, viewport.width())),
            self.rng.randrange(max(1, viewport.height())),
        )

    def neuron_point(self) -> tuple[str, QPoint] | None:
        neurons = [item for layer in self.window.scene.neurons for item in layer]
        if not neurons:
            return None
        item = self.rng.choice(neurons)
        return item.label, self.window.view.mapFromScene(item.scenePos())

    def total_neurons(self) -> int:
        return sum(self.window.document.network.sizes)

    def type_into(self, field: QWidget, text: str) -> None:
        line = field.lineEdit() if isinstance(field, (QSpinBox, QComboBox)) else field
        assert isinstance(line, QLineEdit)
        field.setFocus()
        line.selectAll()
        self.qtbot.keyClicks(line, text)
        self.qtbot.keyClick(line, K.Key_Return)

    def random_selection(self) -> Selection:
        network = self.window.document.network
        L = network.weight_layer_count
        layer = self.rng.randint(1, L)
        to = self.rng.randrange(network.sizes[layer])
        if self.rng.random() < 0.7:
            return Selection("weight", layer, to, self.rng.randrange(network.sizes[layer - 1]))
        return Selection("bias", layer, to)

    # -- actions ---------------------------------------------------------------------

    def key(self) -> str:
        key, modifier = self.rng.choice(
            [
                (K.Key_Right, M.NoModifier),
                (K.Key_Right, M.NoModifier),
                (K.Key_Left, M.NoModifier),
                (K.Key_Space, M.NoModifier),
                (K.Key_Right, M.ControlModifier),
                (K.Key_Left, M.ControlModifier),
                (K.Key_Home, M.NoModifier),
                (K.Key_Z, M.ControlModifier),
                (K.Key_Z, M.ControlModifier | M.ShiftModifier),
                (K.Key_R, M.ControlModifier),
                (K.Key_F, M.NoModifier),
                (K.Key_Plus, M.NoModifier),
                (K.Key_Minus, M.NoModifier),
                (K.Key_0, M.NoModifier),
                (K.Key_Escape, M.NoModifier),
                (K.Key_Delete, M.NoModifier),
            ]
        )
        self.activate()
        self.qtbot.keyClick(self.window.view, key, modifier)
        return f"{key.name} {modifier.name}"

    def click_diagram(self) -> str:
        point = self.viewport_point()
        self.qtbot.mouseClick(self.window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
        return f"at {point.toTuple()}"

    def drag_neuron(self) -> str:
        found = self.neuron_point()
        if found is None:
            return "no neuron"
        label, start = found
        return f"{label} " + self._drag(start)

    def drag_diagram(self) -> str:
        return self._drag(self.viewport_point())

    def _drag(self, start: QPoint) -> str:
        viewport = self.window.view.viewport()
        dx, dy = self.rng.randint(-150, 150), self.rng.randint(-150, 150)
        self.qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
        steps = self.rng.randint(1, 6)
        for k in range(1, steps + 1):
            self.qtbot.mouseMove(viewport, start + QPoint(dx * k // steps, dy * k // steps))
            if self.rng.random() < 0.2:
                self.qtbot.wait(5)  # a play tick may land in the middle of a drag
        self.qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(dx, dy))
        return f"from {start.toTuple()} by {(dx, dy)} in {steps} moves"

    def double_click_and_type(self) -> str:
        found = self.neuron_point() if self.rng.random() < 0.3 else None
        point = found[1] if found else self.viewport_point()
        self.qtbot.mouseDClick(self.window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
        editor = self.window.view.inline_editor
        if editor is None:
            return f"at {point.toTuple()}, no editor"
        text = self.rng.choice(NUMBERS)
        if self.rng.random() < 0.2:
            self.qtbot.keyClick(editor, K.Key_Escape)
            return f"at {point.toTuple()}, Esc"
        self.type_into(editor, text)
        return f"at {point.toTuple()}, typed {text!r}"

    def wheel(self) -> str:
        viewport = self.window.view.viewport()
        point = QPointF(self.viewport_point())
        delta = self.rng.choice([-240, -120, 120, 240])
        event = QWheelEvent(
            point,
            viewport.mapToGlobal(point),
            QPoint(0, 0),
            QPoint(0, delta),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(viewport, event)
        return f"{delta} at {point.toTuple()}"

    def context_menu_action(self) -> str:
        # The scene builds the right-click menu apart from exec(): trigger one of its
        # actions as a click would, without the nested event loop of a popup.
        window = self.window
        found = self.neuron_point() if self.rng.random() < 0.6 else None
        point = found[1] if found else self.viewport_point()
        menu = window.scene.context_menu(window.view.mapToScene(point))
        actions = [a for a in menu.actions() if not a.isSeparator()]
        for action in list(actions):
            if action.menu() is not None:
                actions.remove(action)
                actions.extend(action.menu().actions())
        growth = ("Add a neuron", "Add a hidden layer")
        if self.total_neurons() > MAX_NEURONS:
            actions = [a for a in actions if not a.text().startswith(growth)]
        if not actions:
            return "nothing to choose"
        action = self.rng.choice(actions)
        text = action.text()
        action.trigger()
        menu.deleteLater()
        return f"{text!r} at {point.toTuple()}"

    def toggle_dock(self) -> str:
        window = self.window
        docks = [
            window.inspector_dock,
            window.loss_dock,
            window.math_dock,
            window.network_dock,
            window.data_dock,
            window.history_dock,
        ]
        dock = self.rng.choice(docks)
        if dock.isFloating() or self.rng.random() < 0.05:
            dock.setFloating(not dock.isFloating())  # a floating dock takes the focus away
            return f"{dock.objectName()} floating={dock.isFloating()}"
        if self.rng.random() < 0.5:
            dock.toggleViewAction().trigger()
            return f"{dock.objectName()} shown={dock.isVisible()}"
        dock.show()
        dock.raise_()
        return f"{dock.objectName()} raised"

    def resize_window(self) -> str:
        size = (self.rng.randint(700, 1800), self.rng.randint(450, 1100))
        self.window.resize(*size)
        return f"{size}"

    def toolbar_setting(self) -> str:
        window = self.window
        box = self.rng.choice(
            [
                window.node_value_box,
                window.edge_mode_box,
                window.speed_box,
                window.log_scale_box,
                window.edge_values_box,
                window.digits_box,
                window.sample_box,
            ]
        )
        if isinstance(box, QComboBox):
            box.setCurrentIndex(self.rng.randrange(box.count()))
            return f"{box.currentText()}"
        if isinstance(box, QSpinBox):
            box.setValue(self.rng.randint(box.minimum(), box.maximum()))
            return f"{box.value()}"
        self.qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
        return f"{box.text()} {box.isChecked()}"

    def loss_log_scale(self) -> str:
        box = self.window.loss_plot.log_y
        self.qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
        return f"{box.isChecked()}"

    def inspector_edit(self) -> str:
        window = self.window
        selection = self.random_selection()
        window.document.select(selection)
        window.inspector_dock.show()
        window.inspector_dock.raise_()
        text = self.rng.choice(NUMBERS)
        self.type_into(window.inspector.value_field, text)
        return f"{selection} := {text!r}"

    def network_panel_edit(self) -> str:
        window = self.window
        panel = window.network_panel
        window.network_dock.show()
        window.network_dock.raise_()
        rows = panel.layer_rows
        choices: list[tuple[str, QWidget]] = [
            ("learning rate", panel.learning_rate_edit),
            ("momentum", panel.momentum_edit),
            ("loss scale", panel.loss_scale_edit),
            ("set value", panel.set_value_edit),
            ("batch size", panel.batch_size_box),
            ("loss kind", panel.loss_kind_box),
            ("loss outputs", panel.loss_outputs_box),
            ("loss batch", panel.loss_batch_box),
            ("randomise", panel.randomise_button),
            ("set", panel.set_button),
            ("randomise scope", panel.randomise_scope_box),
            ("set which", panel.set_which_box),
        ]
        for row in rows:
            choices.append((f"size of layer {row.layer}", row.size_box))
            if row.activation_box is not None:
                choices.append((f"activation of layer {row.layer}", row.activation_box))
            if row.remove_button is not None:
                choices.append((f"remove layer {row.layer}", row.remove_button))
        if self.total_neurons() <= MAX_NEURONS:
            choices.append(("add layer", panel.add_layer_button))
        name, widget = self.rng.choice(choices)
        if not widget.isEnabled():
            return f"{name}: disabled"
        if isinstance(widget, QComboBox):
            widget.setFocus()
            key = self.rng.choice([K.Key_Down, K.Key_Up])
            self.qtbot.keyClick(widget, key)
            return f"{name}: {key.name} -> {widget.currentText()}"
        if isinstance(widget, QSpinBox):
            high = 8 if name.startswith("size") else 6
            text = str(self.rng.randint(1, high))
            if name.startswith("size") and self.total_neurons() > MAX_NEURONS:
                text = "1"
            self.type_into(widget, text)
            return f"{name}: typed {text}"
        if isinstance(widget, QLineEdit):
            text = self.rng.choice(NUMBERS + ["0.5", "0.9", "0.1"])
            self.type_into(widget, text)
            return f"{name}: typed {text!r}"
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        return f"{name}: clicked"

    def data_cell_edit(self) -> str:
        window = self.window
        window.data_dock.show()
        window.data_dock.raise_()
        panel = window.data_table
        model = panel.model
        if model.rowCount() == 0 or model.columnCount() == 0:
            return "empty table"
        row, column = self.rng.randrange(model.rowCount()), self.rng.randrange(model.columnCount())
        rect = panel.view.visualRect(model.index(row, column))
        if rect.isEmpty():
            return f"cell {row},{column} not shown"
        self.qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        self.qtbot.keyClick(panel.view, K.Key_F2)
        editor = QApplication.focusWidget()
        if not isinstance(editor, QLineEdit):
            return f"cell {row},{column}: no editor"
        text = self.rng.choice(["0", "1", "0.5", "-2", "abc", "0.25"])
        editor.selectAll()
        self.qtbot.keyClicks(editor, text)
        self.qtbot.keyClick(editor, K.Key_Return)
        return f"cell {row},{column} := {text!r}"

    def open_preset(self) -> str:
        path = self.rng.choice(resources.preset_paths())
        self.window.open_path(str(path))
        return path.name

    def new_network(self) -> str:
        sizes = self.rng.choice(["2-2-1", "3-4-2", "1-1", "2-3-3-1", "bad"])
        self.window.files.ask_sizes = lambda: sizes
        self.window.new_action.trigger()
        return sizes

    def save(self) -> str:
        path = self.tmp_path / f"soak-{len(self.log)}.json"
        self.window.files.ask_save_path = lambda: str(path)
        self.window.save_as_action.trigger()
        return path.name

    def presentation(self) -> str:
        mode = self.window.presentation
        mode.toggle()
        return f"presenting={mode.presenting}"

    def theme(self) -> str:
        actions = list(self.window.presentation.theme_menu.actions.values())
        action = self.rng.choice(actions)
        action.trigger()
        return str(action.data())

    def history_click(self) -> str:
        # Clicking an entry of the History dock undoes or redoes many edits at once.
        window = self.window
        window.history_dock.show()
        window.history_dock.raise_()
        view = window.undo_view
        rows = view.model().rowCount()
        row = self.rng.randrange(rows)
        rect = view.visualRect(view.model().index(row, 0))
        if rect.isEmpty():
            return f"row {row} of {rows} not shown"
        self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        return f"row {row} of {rows}"

    def maths_notation(self) -> str:
        box = self.window.math_panel.notation_box
        box.setCurrentIndex(self.rng.randrange(box.count()))
        return box.currentText()


@pytest.fixture
def no_dialogs(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """Every dialog a random action could open answers at once, as a careful user would."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)


def close_modals(found: list[str]) -> None:
    """A modal dialog the monkey did not expect would wait forever: note it and close it."""
    for widget in (QApplication.activeModalWidget(), QApplication.activePopupWidget()):
        if widget is None:
            continue
        found.append(f"{type(widget).__name__} {widget.windowTitle()!r}")
        if isinstance(widget, QDialog):
            widget.reject()
        else:
            widget.close()


def test_random_actions_through_the_real_widgets_raise_nothing(
    qtbot, open_window, no_dialogs, tmp_path
):  # type: ignore[no-untyped-def]
    window = open_window()
    window.ask_export_path = lambda *a, **k: ""
    window.files.ask_open_path = lambda: ""
    window.files.ask_recover = lambda description: False
    rng = random.Random(SOAK_SEED)
    if hasattr(window, "edit_choice"):  # an edit mid-training asks what it changes
        answers = [getattr(gui.document, n, None) for n in ("EDIT_BUILT", "EDIT_CONTINUE")]
        window.edit_choice.ask = lambda text: rng.choice([*answers, None])
    monkey = Monkey(qtbot, window, rng, tmp_path)
    modals: list[str] = []
    watchdog = QTimer()
    watchdog.timeout.connect(lambda: close_modals(modals))
    watchdog.start(50)
    deadline = time.monotonic() + SOAK_SECONDS
    try:
        with qtbot.capture_exceptions() as exceptions:
            while time.monotonic() < deadline and not exceptions and not modals:
                monkey.run_one()
    finally:
        watchdog.stop()
        window.document.player.pause()

    recent = "\n".join(f"  {k:5d} {line}" for k, line in enumerate(monkey.log))
    recent = "\n".join(recent.splitlines()[-40:])
    if exceptions:
        exc_type, exc, tb = exceptions[0]
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        pytest.fail(
            f"seed {SOAK_SEED}: {len(exceptions)} uncaught exception(s) after "
            f"{len(monkey.log)} actions; the last ones:\n{recent}\n\n{details}"
        )
    assert not modals, f"seed {SOAK_SEED}: a modal dialog opened: {modals}\n{recent}"
    assert len(monkey.log) > 50, "the soak ran too few actions to mean anything"

    # Still responding: stepping from the start shows the next step.
    window.presentation.leave()
    monkey.activate()
    qtbot.keyClick(window.view, K.Key_Home)
    before = window.document.position
    qtbot.keyClick(window.view, K.Key_Right)
    assert window.document.position != before
    assert not window.grab().isNull()
