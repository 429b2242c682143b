"""The diagram uses the view's space and drops what cannot be read: big nets fill the
width, layer titles never run together, values too small on screen are not drawn.

The helpers here read what the diagram draws, in viewport pixels; the edge-label and
presentation tests use them too.
"""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QApplication

from gui import constants as C
from gui.diagram.edges import EdgeLayerItem
from gui.diagram.items import BiasNodeItem, NeuronItem
from gui.diagram.texts import TextItem

# -- what the diagram draws --------------------------------------------------------------


def zoom(window) -> float:  # type: ignore[no-untyped-def]
    return window.view.transform().m11()


def on_screen(window, item, rect: QRectF | None = None) -> QRectF:  # type: ignore[no-untyped-def]
    """``item``'s bounding rect (or ``rect`` in its coordinates) in viewport pixels."""
    transform = item.deviceTransform(window.view.viewportTransform())
    return transform.mapRect(item.boundingRect() if rect is None else rect)


def edge_items(window) -> list[EdgeLayerItem]:  # type: ignore[no-untyped-def]
    scene = window.scene
    return [*scene.edge_layers.values(), *scene.bias_layers.values()]


def labels_drawn(window, edges: EdgeLayerItem) -> bool:  # type: ignore[no-untyped-def]
    """The item's labels are large enough on screen to be drawn."""
    return zoom(window) * edges.label_pixel_size >= edges.min_readable_px


def drawn_texts(window) -> list[tuple[str, float, QRectF]]:  # type: ignore[no-untyped-def]
    """Every text the diagram draws: (what, pixel height on screen, viewport rect)."""
    texts = []
    z = zoom(window)
    for item in window.scene.items():
        if not item.isVisible():
            continue
        if isinstance(item, TextItem) and item.lines:
            texts.append((" / ".join(item.lines), item.pixel_size, on_screen(window, item)))
        elif isinstance(item, NeuronItem):
            label, value = item.text_readable(z)
            box = on_screen(window, item)
            if label:
                texts.append((item.label, item._label_font.pixelSize() * z, box))
            if value and item.pill_lines():
                texts.append((" / ".join(item.pill_lines()), item.value_pixel_size * z, box))
        elif isinstance(item, BiasNodeItem):
            if item.text_pixel_size * z >= item.min_readable_px:
                texts.append(("+1", item.text_pixel_size * z, on_screen(window, item)))
        elif isinstance(item, EdgeLayerItem) and item.label_texts() and labels_drawn(window, item):
            for (_, box), text in zip(item.label_rects(), item.label_texts(), strict=True):
                texts.append((text, item.label_pixel_size * z, on_screen(window, item, box)))
    return texts


def settle(qtbot, window, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """The window at ``size``, its docks arranged as a first window of that size has them."""
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size)
    if not window.presentation.presenting:
        window.arrange_docks()
    QApplication.processEvents()


def new_network(qtbot, window, sizes: str) -> None:  # type: ignore[no-untyped-def]
    """File ▸ New, typing ``sizes`` (e.g. "3-4-2") into the dialog."""
    window.files.ask_sizes = lambda: sizes
    window.new_action.trigger()
    assert window.document.initial_network.sizes == tuple(int(s) for s in sizes.split("-"))
    QApplication.processEvents()


# -- big nets ----------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", ["8-16-16-4", "16-64-64-10"])
def test_a_big_net_fills_the_width_and_its_titles_never_run_together(qtbot, window, sizes):  # type: ignore[no-untyped-def]
    new_network(qtbot, window, sizes)
    for size in ((1400, 900), (1366, 768)):
        settle(qtbot, window, size)
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
        viewport = QRectF(window.view.viewport().rect())
        titles = [on_screen(window, t) for t in window.scene.titles]
        for a, b in zip(titles, titles[1:], strict=False):
            assert not a.intersects(b), [t.lines for t in window.scene.titles]
        assert all(viewport.contains(t) for t in titles)
        drawn = QRectF(window.view.mapFromScene(window.scene.content_rect()).boundingRect())
        for text in [*window.scene.titles, *window.scene.target_texts]:
            drawn = drawn.united(on_screen(window, text))
        assert drawn.width() >= 0.8 * viewport.width(), (drawn, viewport)


def test_values_too_small_to_read_are_not_drawn(qtbot, window):  # type: ignore[no-untyped-def]
    new_network(qtbot, window, "16-64-64-10")
    settle(qtbot, window, (1400, 900))
    for _ in range(2):
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
    hidden = window.scene.neurons[1][0]
    assert hidden.pill_lines()  # it has a value …
    assert hidden.text_readable(zoom(window)) == (False, False)  # … too small to draw
    for _, pixels, _ in drawn_texts(window):
        assert pixels >= C.MIN_READABLE_TEXT_PX


def test_long_titles_shorten_on_a_narrow_window(qtbot, window):  # type: ignore[no-untyped-def]
    new_network(qtbot, window, "2-3-3-3-3-3-2")
    settle(qtbot, window, (1024, 768))
    titles = window.scene.titles
    boxes = [on_screen(window, t) for t in titles]
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert not a.intersects(b), [t.lines for t in titles]
    assert titles[0].lines[0].startswith("In")  # each still names its layer
    lines = [t.lines for t in titles]
    assert lines[1] in (["H1", "sigmoid"], ["H1", "σ"]), lines  # the activation stays
    assert len({len(line) for line in lines[1:-1]}) == 1  # hidden titles alike


def test_the_2_2_2_example_uses_the_width_it_is_given(qtbot, window):  # type: ignore[no-untyped-def]
    viewport = window.view.viewport().rect()
    drawn = QRectF()
    for _, _, box in drawn_texts(window):
        drawn = drawn.united(box)
    assert drawn.width() >= 0.8 * viewport.width()
    assert math.isclose(zoom(window), window.scene.zoom)
