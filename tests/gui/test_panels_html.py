"""Text from a file (name, labels) is shown literally by the panels, never as HTML (D9).

The labels are those of ../shared/repro/html-labels.json: an ``<img src="probe.png">``
in a label made Qt open that file, and tags restyled the inspector, the caption banner,
the maths panel and tooltips. Each test does what the user did, then checks what is
shown: the label's characters as typed, and no image in any rich text.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import Qt as QtGui  # Qt.mightBeRichText lives here
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

import resources
from engine import edits
from engine.fileformat import load_network, save_network

IMG = '<img src="probe.png" width=40>ZQXx2'  # input x2
BOLD = "<b>ZQXx1</b>"  # input x1
HIDDEN = [
    '<a href="http://example.com">ZQXh1</a>',
    "<i>ZQXh2</i>",
    "<table><tr><td>ZQXh3</td></tr></table>",
    "&lt;ZQXh4&gt;",
]
OUTPUT = "<font color=red size=7>ZQXout</font>"


def html_labels_file(folder: Path) -> Path:
    """The XOR 2-4-1 preset with html-labels.json's name and labels."""
    network = load_network(resources.preset_path("xor-2-4-1.json"))
    network = edits.set_labels(network, 0, [BOLD, IMG])
    network = edits.set_labels(network, 1, HIDDEN)
    network = edits.set_labels(network, 2, [OUTPUT])
    network = network.replace(
        name='<b>ZQXname</b><img src="probe.png" width=40>',
        description="<script>alert(1)</script><h1>ZQXdesc</h1>",
    )
    path = folder / "html-labels.json"
    save_network(network, path)
    return path


def as_qt_shows(text: str) -> str:
    """What a tooltip (or an AutoText label) shows for ``text``: HTML when Qt guesses so."""
    document = QTextDocument()
    if QtGui.mightBeRichText(text):
        document.setHtml(text)
    else:
        document.setPlainText(text)
    return document.toPlainText()


def has_image(document: QTextDocument) -> bool:
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            if iterator.fragment().charFormat().isImageFormat():
                return True
            iterator += 1
        block = block.next()
    return False


def shows_literally(label: QLabel, text: str) -> bool:
    """The label shows ``text`` as its characters: plain text, or rich text that renders
    to them."""
    if label.textFormat() == Qt.TextFormat.PlainText:
        return text in label.text()
    return text in as_qt_shows(label.text())


def neuron_point(window, layer: int, index: int) -> QPoint:  # type: ignore[no-untyped-def]
    return window.view.mapFromScene(window.scene.neurons[layer][index].scenePos())


def click_neuron(qtbot, window, layer: int, index: int) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=neuron_point(window, layer, index)
    )


def test_inspector_shows_labels_as_typed(qtbot, open_window, tmp_path):  # type: ignore[no-untyped-def]
    path = html_labels_file(tmp_path)
    window = open_window(load_network(path), str(path))
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    click_neuron(qtbot, window, 0, 1)  # input x2: its edit row names it
    label = window.inspector.value_label
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert IMG in label.text()
    assert IMG in window.inspector.text()
    assert not has_image(window.inspector.browser.document())
    click_neuron(qtbot, window, 1, 3)  # hidden neuron "&lt;ZQXh4&gt;", entity and all
    assert "Neuron &lt;ZQXh4&gt;" in window.inspector.text()
    click_neuron(qtbot, window, 2, 0)
    assert f"Neuron {OUTPUT}" in window.inspector.text()


def test_refusal_banner_and_network_panel_message_show_labels_as_typed(
    qtbot, open_window, tmp_path
):  # type: ignore[no-untyped-def]
    path = html_labels_file(tmp_path)
    window = open_window(load_network(path), str(path))
    click_neuron(qtbot, window, 2, 0)  # the only output neuron
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)  # − Neuron: refused, the message names it
    banner = window.caption.banner
    assert banner.isVisible()
    assert "refused" in banner.text()
    assert shows_literally(banner, OUTPUT)
    network_message = window.network_panel.message_label
    assert shows_literally(network_message, OUTPUT)
    assert shows_literally(window.caption.label, window.caption.text())


def test_maths_panel_shows_labels_as_typed(qtbot, open_window, tmp_path):  # type: ignore[no-untyped-def]
    path = html_labels_file(tmp_path)
    window = open_window(load_network(path), str(path))
    window.math_dock.raise_()
    qtbot.keyClick(window.view, Qt.Key.Key_Right)  # forward 1: net = w·x1 + w·x2 + b
    text = window.math_panel.text()
    assert BOLD in text and '<img src="probe.png"' in text  # (long labels are cut)
    assert not has_image(window.math_panel.browser.document())
    click_neuron(qtbot, window, 1, 1)
    assert "<i>ZQXh2</i>" in window.math_panel.text()


def test_inline_editor_tooltip_shows_labels_as_typed(qtbot, open_window, tmp_path):  # type: ignore[no-untyped-def]
    path = html_labels_file(tmp_path)
    window = open_window(load_network(path), str(path))
    qtbot.mouseDClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=neuron_point(window, 0, 1)
    )
    editor = window.view.inline_editor
    assert editor is not None
    shown = as_qt_shows(editor.toolTip())
    assert IMG in shown and "of row 1" in shown
    editor.selectAll()
    qtbot.keyClicks(editor, "<img src=probe.png>")  # typed text is quoted back, literally
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.invalid
    assert "“<img src=probe.png>” is not a finite number" in as_qt_shows(editor.toolTip())


def test_data_table_headers_and_tooltips_show_labels_as_typed(qtbot, open_window, tmp_path):  # type: ignore[no-untyped-def]
    path = html_labels_file(tmp_path)
    window = open_window(load_network(path), str(path))
    window.data_dock.raise_()
    model = window.data_table.model
    horizontal = Qt.Orientation.Horizontal
    header = model.headerData(1, horizontal)  # a header paints plain text; long ones cut
    assert header.endswith("…") and IMG.startswith(header[:-1])
    tip = model.headerData(1, horizontal, Qt.ItemDataRole.ToolTipRole)
    assert as_qt_shows(tip) == f"input {IMG}"
    tip = model.headerData(2, horizontal, Qt.ItemDataRole.ToolTipRole)
    assert as_qt_shows(tip) == f"target for output {OUTPUT}"
    tip = model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert as_qt_shows(tip) == f"{IMG} of row 1 = 0.0"
    assert window.data_table.message.textFormat() == Qt.TextFormat.PlainText
