"""The inspector as a student reads it: the tutorial's names, numbers whole on their
line, and the sample the diagram shows marked."""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import Qt

import resources
from engine import edits
from engine.fileformat import load_network
from gui.document import Selection


def press(qtbot, window, key, times=1):  # type: ignore[no-untyped-def]
    for _ in range(times):
        qtbot.keyClick(window.view, key)


def visual_lines(browser) -> list[list[str]]:  # type: ignore[no-untyped-def]
    document = browser.document()
    blocks = []
    block = document.begin()
    while block.isValid():
        text, layout = block.text(), block.layout()
        lines = [layout.lineAt(i) for i in range(layout.lineCount())]
        blocks.append([text[ln.textStart() : ln.textStart() + ln.textLength()] for ln in lines])
        block = block.next()
    return blocks


def test_a_weight_has_its_tutorial_name_and_no_array_index(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, times=4)  # backward 2
    window.document.select(Selection("weight", 2, 0, 0))
    text = window.inspector.text()
    assert text.startswith("Weight w5 · h1 → o1")
    assert "the weight from h1 to o1" in text
    assert "∂E/∂w5" in text and "0.0821670406" in text  # seed 003: 0.082167041
    assert not re.search(r"weights?\[|biases?\[", text)
    assert window.inspector.value_label.text() == "Set w5 ="


def test_a_bias_is_named_after_its_neuron(qtbot, window):  # type: ignore[no-untyped-def]
    window.document.select(Selection("bias", 1, 0))
    text = window.inspector.text()
    assert text.startswith("Bias b(h1)") and "the bias into h1" in text
    assert "biases[" not in text
    window.document.select(Selection("bias_node", 1, 0))
    text = window.inspector.text()
    assert "b(h1)" in text and "b(h2)" in text and "biases[" not in text


def test_a_neuron_shows_net_out_and_delta_with_subscripts(qtbot, window):  # type: ignore[no-untyped-def]
    press(qtbot, window, Qt.Key.Key_Right, times=5)  # backward 1
    window.document.select(Selection("neuron", 1, 0))  # h1
    text = window.inspector.text()
    assert "neth1" in text and "outh1" in text and "δh1" in text  # subscripts, no "_"
    assert "_" not in text
    html = window.inspector.browser.toHtml()
    assert "vertical-align:sub" in html
    assert "0.593269992" in text  # out_h1
    assert "0.00877135469" in text  # δ_h1, seed 003: 0.008771354


def test_numbers_never_break_across_lines_in_the_narrowest_inspector(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path("xor-2-2-1.json"))
    window = open_window(network)
    window.digits_box.setValue(17)  # the longest numbers there are
    window.resizeDocks([window.inspector_dock], [100], Qt.Orientation.Horizontal)
    press(qtbot, window, Qt.Key.Key_Right, times=5)
    window.document.select(Selection("neuron", 1, 0))
    qtbot.wait(10)
    blocks = visual_lines(window.inspector.browser)
    numbers = re.findall(r"-?\d+\.\d+(?:e-?\d+)?", window.inspector.text())
    assert numbers
    for number in numbers:
        assert any(number in line for lines in blocks for line in lines), number
    for lines in blocks:
        for before, after in zip(lines, lines[1:], strict=False):
            assert not (re.search(r"[\d.]$", before) and re.match(r"[\d.]", after)), (
                before,
                after,
            )


def test_the_sample_on_the_diagram_is_marked(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path("xor-2-2-1.json"))  # 4 rows, one batch
    window = open_window(network)
    press(qtbot, window, Qt.Key.Key_Right)
    window.document.select(Selection("neuron", 1, 0))
    assert "sample 1\non the diagram" in window.inspector.text()
    window.sample_box.setValue(3)  # the toolbar's Sample: the diagram shows row 3
    text = window.inspector.text()
    assert "sample 3\non the diagram" in text and "sample 1\non the diagram" not in text
    # The marked column is the one whose numbers the diagram shows.
    rows = np.asarray(window.document.trace.rows)
    h1 = float(window.document.trace.a[1][2, 0])
    assert int(rows[2]) == 2
    assert window.scene.neurons[1][0].value_text in text
    assert f"{h1:.9g}"[:8] in text


def test_a_big_batch_still_marks_the_shown_sample(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path("xor-2-2-1.json"))
    network = edits.set_data(
        network, np.tile(network.inputs, (5, 1)), np.tile(network.targets, (5, 1))
    )
    window = open_window(network)
    press(qtbot, window, Qt.Key.Key_Right)
    window.document.select(Selection("neuron", 1, 1))
    window.sample_box.setValue(17)
    text = window.inspector.text()
    assert "sample 17\non the diagram" in text and "mean of 20" in text
