"""The words the window says, as a new user reads them: one spelling, one numbering,
singulars, numbers without padding, a History that says where the network came from,
passing confirmations that pass."""

from __future__ import annotations

import re
import shutil

from PySide6.QtCore import Qt

import resources
from engine.fileformat import load_network
from gui.document import Selection


def history_lines(window) -> list[str]:  # type: ignore[no-untyped-def]
    model = window.undo_view.model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier, times=1):  # type: ignore[no-untyped-def]
    for _ in range(times):
        qtbot.keyClick(window.view, key, modifier)


def test_history_starts_with_where_the_network_came_from(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    assert history_lines(window) == ["Example “Step-by-step example 2-2-2”"]
    copy = tmp_path / "my-net.json"
    shutil.copy(resources.preset_path(), copy)
    window.files.ask_open_path = lambda: str(copy)
    window.open_action.trigger()
    assert history_lines(window) == ["Opened my-net.json"]
    window.files.ask_sizes = lambda: "2-3-1"
    window.new_action.trigger()
    assert history_lines(window) == ["New network"]
    window.document.select(Selection("weight", 1, 0, 0))
    window.inspector.value_field.setText("0.5")
    qtbot.keyClick(window.inspector.value_field, Qt.Key.Key_Return)
    assert history_lines(window) == ["New network", "Change w1 to 0.5"]


def test_new_with_a_fraction_says_why_in_words(qtbot, window):  # type: ignore[no-untyped-def]
    window.files.ask_sizes = lambda: "2.5-3-1"
    window.new_action.trigger()
    title, text = window.files.errors[-1]
    assert "“2.5” is not a whole number" in text
    assert "invalid literal" not in text and "int()" not in text


def test_caption_counts_updates_in_the_singular_and_plural(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.caption.text() == "Iteration 2 · start: parameters after 1 update"
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.caption.text() == "Iteration 3 · start: parameters after 2 updates"


def test_relu_is_spelled_the_same_in_every_menu_and_panel(qtbot, window):  # type: ignore[no-untyped-def]
    combo = window.network_panel.layer_rows[1].activation_box
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == ["sigmoid", "tanh", "ReLU", "Leaky ReLU", "linear"]
    combo.setCurrentIndex(combo.findData("relu"))
    combo.activated.emit(combo.currentIndex())  # chosen from the list
    assert window.document.undo_stack.undoText() == "Set hidden layer 1 activation to ReLU"
    window.document.select(Selection("neuron", 1, 0))
    assert "hidden layer 1 · ReLU" in window.inspector.text()
    window.math_dock.raise_()
    press(qtbot, window, Qt.Key.Key_Right, times=5)  # backward 1
    maths = window.math_panel.text()
    assert "ReLU′(net" in maths and "ReLU′(net) = 1 if net > 0, else 0" in maths
    for text in (maths, window.inspector.text(), window.caption.text()):
        assert not re.search(r"\brelu|leaky ReLU|leaky_relu", text)


def test_numbers_are_never_padded_with_zeros(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right)  # forward 1
    window.document.select(Selection("neuron", 1, 1))  # h2
    text = window.inspector.text()
    # net_h2 = 0.25 × 0.05 + 0.3 × 0.1 + 0.35 = 0.3925 exactly, as the tutorial prints it.
    assert "0.3925" in text and "0.39250" not in text
    window.math_dock.raise_()
    maths = window.math_panel.text()
    assert "\n0.3925\n" in maths and "0.39250" not in maths  # the result line of net_h2
    press(qtbot, window, Qt.Key.Key_Right)  # forward 2
    assert window.scene.neurons[2][0].value_text == "0.75136507"  # out_o1, as printed


def test_copied_confirmation_passes_in_the_status_bar(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right)
    window.math_dock.raise_()
    qtbot.mouseClick(window.math_panel.copy_latex_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage() == "Copied the derivation as LaTeX."
    assert not window.caption.banner.isVisible()  # the banner is for warnings
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "", timeout=8000)


def test_the_same_file_and_loss_words_everywhere(window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path())
    assert network.name in window.caption.about.full_text
    assert network.description.split()[0] in window.caption.about.full_text
