"""The network settings panel, driven as a user does: typing, clicking, choosing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QSpinBox,
    QStyle,
    QStyleOptionSpinBox,
    QWidget,
)

import resources
from engine import edits
from engine.fileformat import load_network, network_to_text, save_network
from gui.document import NetworkDocument
from gui.panels.network_panel import NetworkPanel


@pytest.fixture
def panel(qtbot):  # type: ignore[no-untyped-def]
    """The panel on the 2-2-2 step-by-step example, dock-sized and shown."""
    document = NetworkDocument(load_network(resources.preset_path()))
    widget = NetworkPanel(document)
    qtbot.addWidget(widget)
    widget.resize(340, 900)
    with qtbot.waitExposed(widget):
        widget.show()
    return widget


def text_of(panel: NetworkPanel) -> str:
    return network_to_text(panel.document.network)


def check_undo_redo(panel: NetworkPanel, before: str, undo_text: str) -> None:
    """The last edit is one undo step named ``undo_text``; undo and redo restore exactly."""
    stack = panel.document.undo_stack
    assert stack.undoText() == undo_text
    after = text_of(panel)
    assert after != before
    stack.undo()
    assert text_of(panel) == before
    stack.redo()
    assert text_of(panel) == after


def check_round_trip(panel: NetworkPanel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "edited.json"
    save_network(panel.document.network, path)
    assert network_to_text(load_network(path)) == text_of(panel)


def type_into(qtbot, widget: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Select what the field shows, type ``text``, press Enter."""
    line_edit = widget.lineEdit() if isinstance(widget, QSpinBox) else widget
    line_edit.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def field_message(panel: NetworkPanel, field: QWidget) -> QWidget:
    """The note under ``field`` that says why its text was refused."""
    message = field.message_label
    assert message is not None
    return message


def below(widget: QWidget, field: QWidget, panel: QWidget) -> bool:
    """``widget`` is on screen right under ``field``."""
    top = widget.mapTo(panel, QPoint(0, 0)).y()
    bottom = field.mapTo(panel, QPoint(0, field.height())).y()
    return 0 <= top - bottom <= 12


def choose(qtbot, combo: QComboBox, data: object) -> None:  # type: ignore[no-untyped-def]
    """Pick the item holding ``data`` with the arrow keys, as on a focused combo box."""
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    combo.setFocus()
    key = Qt.Key.Key_Down if index > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(combo.count()):
        if combo.currentIndex() == index:
            break
        qtbot.keyClick(combo, key)
    assert combo.currentIndex() == index


def click_up_arrow(qtbot, box: QSpinBox) -> None:  # type: ignore[no-untyped-def]
    option = QStyleOptionSpinBox()
    box.initStyleOption(option)
    rect = box.style().subControlRect(
        QStyle.ComplexControl.CC_SpinBox, option, QStyle.SubControl.SC_SpinBoxUp, box
    )
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=rect.center())


def hidden_size_box(panel: NetworkPanel) -> QSpinBox:
    return panel.layer_rows[1].size_box


# -- layers ----------------------------------------------------------------------------


def test_typing_a_hidden_size_resizes_the_layer_in_one_undoable_edit(qtbot, panel, tmp_path):
    before = text_of(panel)
    type_into(qtbot, hidden_size_box(panel), "4")
    network = panel.document.network
    assert network.sizes == (2, 4, 2)
    assert network.weights[0].shape == (4, 2) and network.weights[1].shape == (2, 4)
    check_undo_redo(panel, before, "Set hidden layer 1 to 4 neurons")
    panel.document.undo_stack.undo()
    assert hidden_size_box(panel).value() == 2  # the widget follows the document
    panel.document.undo_stack.redo()
    assert hidden_size_box(panel).value() == 4
    check_round_trip(panel, tmp_path)


def test_arrow_clicks_on_one_size_box_merge_into_one_undo_step(qtbot, panel):
    before = text_of(panel)
    box = hidden_size_box(panel)
    for _ in range(3):
        click_up_arrow(qtbot, box)
    assert panel.document.network.sizes == (2, 5, 2)
    stack = panel.document.undo_stack
    assert stack.count() == 1
    check_undo_redo(panel, before, "Set hidden layer 1 to 5 neurons")
    stack.undo()
    assert box.value() == 2
    stack.redo()
    # Finishing the edit (Enter) ends the merge: the next click is a step of its own.
    qtbot.keyClick(box, Qt.Key.Key_Return)
    click_up_arrow(qtbot, box)
    assert panel.document.network.sizes == (2, 6, 2)
    assert stack.count() == 2


def test_adding_and_removing_a_hidden_layer(qtbot, panel, tmp_path):
    before = text_of(panel)
    qtbot.mouseClick(panel.add_layer_button, Qt.MouseButton.LeftButton)
    network = panel.document.network
    assert network.sizes == (2, 2, 2, 2)
    assert network.layers[2].activation == "sigmoid"
    assert [row.name_label.text() for row in panel.layer_rows] == [
        "Input",
        "Hidden 1",
        "Hidden 2",
        "Output",
    ]
    assert [row.remove_button is not None for row in panel.layer_rows] == [
        False,
        True,
        True,
        False,
    ]
    check_undo_redo(panel, before, "Add hidden layer 2")
    check_round_trip(panel, tmp_path)

    with_two = text_of(panel)
    row = panel.layer_rows[1]
    assert row.remove_button is not None
    type_into(qtbot, panel.layer_rows[2].size_box, "3")  # tell the two hidden layers apart
    before = text_of(panel)
    qtbot.mouseClick(row.remove_button, Qt.MouseButton.LeftButton)
    assert panel.document.network.sizes == (2, 3, 2)
    assert len(panel.layer_rows) == 3
    check_undo_redo(panel, before, "Remove hidden layer 1")
    panel.document.undo_stack.undo()
    panel.document.undo_stack.undo()
    assert text_of(panel) == with_two
    assert len(panel.layer_rows) == 4


def test_activation_choices_offer_softmax_for_the_output_layer_only(qtbot, panel, tmp_path):
    hidden, output = panel.layer_rows[1].activation_box, panel.layer_rows[2].activation_box
    assert panel.layer_rows[0].activation_box is None  # the input has no activation
    assert hidden is not None and output is not None
    assert hidden.findData("softmax") == -1
    assert output.findData("softmax") >= 0

    before = text_of(panel)
    choose(qtbot, output, "softmax")
    assert panel.document.network.layers[2].activation == "softmax"
    check_undo_redo(panel, before, "Set output activation to softmax")

    before = text_of(panel)
    choose(qtbot, hidden, "tanh")
    assert panel.document.network.layers[1].activation == "tanh"
    check_undo_redo(panel, before, "Set hidden layer 1 activation to tanh")
    panel.document.undo_stack.undo()
    assert hidden.currentData() == "sigmoid"
    panel.document.undo_stack.redo()
    check_round_trip(panel, tmp_path)


def test_more_than_256_neurons_is_refused_with_the_reason_shown(qtbot, panel):
    box = hidden_size_box(panel)
    type_into(qtbot, box, "256")
    assert panel.document.network.sizes == (2, 256, 2)
    assert panel.message() == ""
    full = text_of(panel)
    click_up_arrow(qtbot, box)
    assert text_of(panel) == full
    assert box.value() == 256  # the box shows the real size again
    assert "at most 256 neurons" in panel.message()
    assert panel.message_label.isVisible()
    type_into(qtbot, box, "300")
    assert text_of(panel) == full
    assert box.value() == 256
    assert panel.document.undo_stack.count() == 1


def test_more_than_16_layers_is_refused_with_the_reason_shown(qtbot, panel):
    for _ in range(edits.MAX_LAYERS - 3):
        qtbot.mouseClick(panel.add_layer_button, Qt.MouseButton.LeftButton)
    assert len(panel.document.network.layers) == edits.MAX_LAYERS
    full = text_of(panel)
    qtbot.mouseClick(panel.add_layer_button, Qt.MouseButton.LeftButton)
    assert text_of(panel) == full
    assert len(panel.layer_rows) == edits.MAX_LAYERS
    assert "at most 16 layers" in panel.message()
    qtbot.mouseClick(panel.dismiss_button, Qt.MouseButton.LeftButton)
    assert panel.message() == ""


# -- loss and training -----------------------------------------------------------------


def test_loss_kind_scale_and_reductions_are_undoable_edits(qtbot, panel, tmp_path):
    before = text_of(panel)
    type_into(qtbot, panel.loss_scale_edit, "1")
    assert panel.document.network.loss.scale == 1.0
    check_undo_redo(panel, before, "Set loss scale to 1")

    before = text_of(panel)
    choose(qtbot, panel.loss_outputs_box, "mean")
    assert panel.document.network.loss.outputs == "mean"
    check_undo_redo(panel, before, "Average the loss over the outputs")

    before = text_of(panel)
    choose(qtbot, panel.loss_batch_box, "sum")
    assert panel.document.network.loss.batch == "sum"
    check_undo_redo(panel, before, "Sum the loss over the batch")

    before = text_of(panel)
    assert panel.loss_scale_edit.isEnabled()
    choose(qtbot, panel.loss_kind_box, "cross_entropy")
    assert panel.document.network.loss.kind == "cross_entropy"
    assert not panel.loss_scale_edit.isEnabled()  # the scale is for squared error only
    check_undo_redo(panel, before, "Set loss to cross-entropy")
    assert "ln y" in panel.loss_formula_label.text()
    check_round_trip(panel, tmp_path)


def test_learning_rate_momentum_and_batch_size_are_undoable_edits(qtbot, panel, tmp_path):
    before = text_of(panel)
    type_into(qtbot, panel.learning_rate_edit, "0.1")
    assert panel.document.network.optimizer.learning_rate == 0.1
    check_undo_redo(panel, before, "Set learning rate to 0.1")

    before = text_of(panel)
    type_into(qtbot, panel.momentum_edit, "0.9")
    assert panel.document.network.optimizer.momentum == 0.9
    check_undo_redo(panel, before, "Set momentum to 0.9")

    box = panel.batch_size_box
    assert box.text() == "whole data set"
    before = text_of(panel)
    type_into(qtbot, box, "3")
    assert panel.document.network.optimizer.batch_size == 3
    check_undo_redo(panel, before, "Set batch size to 3")
    check_round_trip(panel, tmp_path)

    before = text_of(panel)
    count = panel.document.undo_stack.count()
    for _ in range(3):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert panel.document.network.optimizer.batch_size is None
    assert box.text() == "whole data set"
    assert panel.document.undo_stack.count() == count + 1  # the three steps merged
    check_undo_redo(panel, before, "Use the whole data set in each iteration")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("abc", "not a finite number"), ("inf", "not a finite number"), ("0", "greater than 0")],
)
def test_a_learning_rate_that_is_not_a_positive_number_is_refused(qtbot, panel, typed, reason):
    before = text_of(panel)
    field = panel.learning_rate_edit
    type_into(qtbot, field, typed)
    assert text_of(panel) == before
    assert panel.document.undo_stack.count() == 0
    assert field.invalid and field.styleSheet()  # marked red
    assert reason in field.toolTip()
    message = field_message(panel, field)  # said right under the field, not only in a tooltip
    assert message.isVisible() and reason in message.text()
    assert below(message, field, panel)
    type_into(qtbot, field, "0.25")  # a good value clears the mark
    assert not field.invalid and not message.isVisible()
    assert panel.document.network.optimizer.learning_rate == 0.25


# -- parameters ------------------------------------------------------------------------


def test_randomise_with_a_seed_is_reproducible_and_within_xavier_range(qtbot, panel, tmp_path):
    choose(qtbot, panel.randomise_method_box, "xavier")
    type_into(qtbot, panel.randomise_seed_box, "3")
    assert panel.randomise_button.text() == "Randomise all weights (Xavier, seed 3)"
    before = text_of(panel)
    qtbot.mouseClick(panel.randomise_button, Qt.MouseButton.LeftButton)
    first = panel.document.network
    for w, b in zip(first.weights, first.biases, strict=True):
        fan_out, fan_in = w.shape
        assert np.all(np.abs(w) <= math.sqrt(6 / (fan_in + fan_out)))
        assert len(np.unique(w)) == w.size  # really random, not one value
        assert np.all(b == 0)
    check_undo_redo(panel, before, "Randomise all weights (Xavier, seed 3)")
    check_round_trip(panel, tmp_path)

    type_into(qtbot, panel.randomise_seed_box, "4")
    qtbot.mouseClick(panel.randomise_button, Qt.MouseButton.LeftButton)
    assert not np.array_equal(panel.document.network.weights[0], first.weights[0])
    type_into(qtbot, panel.randomise_seed_box, "3")
    qtbot.mouseClick(panel.randomise_button, Qt.MouseButton.LeftButton)
    again = panel.document.network
    for w1, w2 in zip(first.weights, again.weights, strict=True):
        np.testing.assert_array_equal(w1, w2)


def test_randomise_one_layer_leaves_the_others(qtbot, panel):
    choose(qtbot, panel.randomise_method_box, "he")
    choose(qtbot, panel.randomise_scope_box, 2)
    old = panel.document.network
    before = text_of(panel)
    qtbot.mouseClick(panel.randomise_button, Qt.MouseButton.LeftButton)
    new = panel.document.network
    np.testing.assert_array_equal(new.weights[0], old.weights[0])
    assert not np.array_equal(new.weights[1], old.weights[1])
    check_undo_redo(panel, before, "Randomise weights into output layer (He, seed 1)")


def test_set_all_weights_and_biases_to_a_value(qtbot, panel, tmp_path):
    type_into(qtbot, panel.set_value_edit, "0.25")
    assert panel.set_button.text() == "Set all weights and biases to 0.25"
    before = text_of(panel)
    qtbot.mouseClick(panel.set_button, Qt.MouseButton.LeftButton)
    network = panel.document.network
    for w, b in zip(network.weights, network.biases, strict=True):
        assert np.all(w == 0.25) and np.all(b == 0.25)
    check_undo_redo(panel, before, "Set all weights and biases to 0.25")
    check_round_trip(panel, tmp_path)

    panel.set_which_box.setFocus()
    qtbot.keyClick(panel.set_which_box, Qt.Key.Key_Down)  # weights only
    choose(qtbot, panel.set_scope_box, 1)
    type_into(qtbot, panel.set_value_edit, "-1")
    before = text_of(panel)
    qtbot.mouseClick(panel.set_button, Qt.MouseButton.LeftButton)
    network = panel.document.network
    assert np.all(network.weights[0] == -1.0)
    assert np.all(network.biases[0] == 0.25) and np.all(network.weights[1] == 0.25)
    check_undo_redo(panel, before, "Set weights into hidden layer 1 to -1")


def test_set_all_does_nothing_while_the_value_is_not_a_number(qtbot, panel):
    before = text_of(panel)
    type_into(qtbot, panel.set_value_edit, "nan")
    qtbot.mouseClick(panel.set_button, Qt.MouseButton.LeftButton)
    assert text_of(panel) == before
    assert panel.set_value_edit.invalid
    assert "not a finite number" in field_message(panel, panel.set_value_edit).text()


# -- following the document ------------------------------------------------------------


def test_widgets_follow_edits_made_elsewhere_without_making_commands(qtbot, panel):
    document = panel.document
    document.push_edit("Set learning rate to 0.05", edits.set_optimizer, learning_rate=0.05)
    document.push_edit("Add hidden layer 2", edits.add_hidden_layer, 1, "relu")
    assert panel.learning_rate_edit.value() == 0.05
    assert [row.size_box.value() for row in panel.layer_rows] == [2, 2, 2, 2]
    assert panel.layer_rows[2].activation_box.currentData() == "relu"
    assert panel.randomise_scope_box.count() == 4  # all layers + three weight layers
    assert document.undo_stack.count() == 2  # refreshing pushed nothing
    document.replace_network(load_network(resources.preset_path("three-class-softmax-2-4-3.json")))
    assert [row.size_box.value() for row in panel.layer_rows] == [2, 4, 3]
    assert panel.loss_kind_box.currentData() == "cross_entropy"
    assert document.undo_stack.count() == 0


def test_the_panel_fits_a_narrow_dock(panel):
    content = panel.scroll_area.widget()
    assert content.minimumSizeHint().width() <= 310


def test_the_wheel_over_an_unfocused_box_scrolls_instead_of_editing(qtbot, panel):
    box = hidden_size_box(panel)
    box.clearFocus()
    centre = QPointF(box.rect().center())
    wheel = QWheelEvent(
        centre,
        QPointF(box.mapToGlobal(box.rect().center())),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(box, wheel)
    assert box.value() == 2
    assert panel.document.undo_stack.count() == 0


# -- loss conventions by name -----------------------------------------------------------


def test_mean_squared_error_is_one_choice(qtbot, panel, tmp_path):
    before = text_of(panel)
    box = panel.loss_preset_box
    titles = [box.itemText(i) for i in range(box.count())]
    assert "mean squared error (MSE)" in titles and "½ sum of squared errors" in titles
    assert box.currentText() == "½ sum of squared errors"  # seed 003's convention
    choose(qtbot, box, "mse")
    loss = panel.document.network.loss
    assert (loss.kind, loss.scale, loss.outputs, loss.batch) == (
        "squared_error",
        1.0,
        "mean",
        "mean",
    )
    check_undo_redo(panel, before, "Set loss to mean squared error (MSE)")
    # The tutorial's outputs 0.75136507 and 0.772928465 against targets 0.01 and 0.99:
    # MSE = ((0.74136507)² + (0.217071535)²) / 2.
    expected = (0.74136507**2 + 0.217071535**2) / 2
    assert math.isclose(panel.document.trace.loss, expected, rel_tol=1e-8)
    # Changing one reduction by hand is no named convention any more: it says so.
    choose(qtbot, panel.loss_batch_box, "sum")
    assert box.currentData() is None and "custom" in box.currentText()
    choose(qtbot, box, "bce")
    assert panel.document.network.loss.kind == "binary_cross_entropy"
    assert panel.loss_kind_box.currentData() == "binary_cross_entropy"
    check_round_trip(panel, tmp_path)
