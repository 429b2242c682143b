"""Slides: the current step or a whole iteration as PNG, SVG or PDF, and the clipboard."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QProgressDialog

import resources
from engine.fileformat import load_network
from gui.document import START, NetworkDocument, Position, Selection
from gui.export import (
    PDF_PAGES,
    SlideOptions,
    SlideWidget,
    copy_image,
    export_current_step,
    export_iteration,
    progress_dialog_callback,
    suggested_file_name,
)
from gui.view_settings import ViewSettings

STEPS_2_2_2 = ["forward-1", "forward-2", "loss", "backward-2", "backward-1", "update"]
H1_AT_FORWARD_1 = "0.593269992"  # out_h1 of the seed-003 network, the default example


@pytest.fixture
def document(qapp):  # type: ignore[no-untyped-def]
    """The default example (the seed-003 2-2-2 network) at forward 1."""
    doc = NetworkDocument(load_network(str(resources.preset_path())))
    doc.go_to(Position(0, 0))
    return doc


@pytest.fixture
def settings(qapp):  # type: ignore[no-untyped-def]
    return ViewSettings()


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_current_step_png_is_sharp_and_shows_the_step(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    first = export_current_step(document, settings, tmp_path / "a.png", "png")
    document.go_to(Position(0, 1))
    second = export_current_step(document, settings, tmp_path / "b.png", "png")
    images = [QImage(str(first)), QImage(str(second))]
    assert [(i.width(), i.height()) for i in images] == [(3840, 2160)] * 2
    assert images[0] != images[1]


def test_the_slide_shows_the_derivation_beside_the_diagram(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    plain = export_current_step(
        document, settings, tmp_path / "plain.png", "png", SlideOptions(scale=1)
    )
    options = SlideOptions(scale=1, with_math=True)
    with_math = export_current_step(document, settings, tmp_path / "math.png", "png", options)
    assert QImage(str(plain)) != QImage(str(with_math))

    slide = SlideWidget(document, settings, options)
    assert H1_AT_FORWARD_1 in slide.math_text()
    assert "net" in slide.math_text() and "0.3775" in slide.math_text()
    assert slide.math_font_px >= 16  # readable when projected
    assert slide.math_truncated == 0
    assert slide.math.width() == pytest.approx(0.38 * (1920 - 2 * 28), abs=2)
    slide.dispose()


def test_a_long_derivation_ends_with_a_note_instead_of_being_clipped(document, settings):  # type: ignore[no-untyped-def]
    document.go_to(Position(0, 4))  # backward 1 of the whole network: ~13 equations
    slide = SlideWidget(document, settings, SlideOptions(with_math=True))
    assert slide.math_font_px >= 16
    assert slide.math_truncated > 0
    text = slide.math_text()
    assert f"{slide.math_truncated} more equation" in text
    assert "select a neuron" in text
    content = slide.math.document().size().height()
    assert content <= slide.math.viewport().height()
    slide.dispose()
    # A selection derives one element: it fits whole.
    options = SlideOptions(with_math=True, selection=Selection("neuron", 1, 0))
    slide = SlideWidget(document, settings, options)
    assert slide.math_truncated == 0
    assert "δ" in slide.math_text()
    slide.dispose()


def test_the_loss_curve_goes_under_the_diagram(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    options = SlideOptions(scale=1, with_math=True, with_loss=True)
    slide = SlideWidget(document, settings, options)
    assert slide.loss_plot is not None
    view = slide.view.geometry()
    plot = slide.loss_plot.geometry()
    assert plot.top() >= view.bottom()
    assert plot.left() == view.left() and plot.right() <= slide.math.geometry().left()
    slide.dispose()


def test_svg_keeps_text_as_text(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    path = export_current_step(document, settings, tmp_path / "step.svg", "svg")
    content = path.read_bytes()
    assert content.startswith(b"<?xml")
    assert H1_AT_FORWARD_1.encode() in content


def test_pdf_of_the_current_step_is_one_slide_shaped_page(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    path = export_current_step(document, settings, tmp_path / "step.pdf", "pdf")
    content = path.read_bytes()
    assert content.startswith(b"%PDF")
    assert _pages(content) == 1
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", content)
    assert box is not None
    assert float(box.group(1)) / float(box.group(2)) == pytest.approx(16 / 9, rel=0.01)


def test_iteration_as_numbered_pngs(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    document.go_to(Position(0, 2))
    written = export_iteration(
        document, settings, tmp_path / "slides", "png", SlideOptions(scale=1)
    )
    assert [p.name for p in written] == [
        f"{k + 1:03d}-{key}.png" for k, key in enumerate(STEPS_2_2_2)
    ]
    assert sorted(p.name for p in (tmp_path / "slides").iterdir()) == [p.name for p in written]
    images = [QImage(str(p)) for p in written]
    assert all((i.width(), i.height()) == (1920, 1080) for i in images)
    for before, after in zip(images, images[1:], strict=False):
        assert before != after
    assert document.position == Position(0, 2)  # the document did not move


def test_numbering_follows_the_iteration(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    document.go_to(Position(1, START))
    written = export_iteration(
        document, settings, tmp_path, "svg", SlideOptions(size=(640, 360), scale=1)
    )
    assert written[0].name == "007-forward-1.svg"
    assert written[-1].name == "012-update.svg"
    assert document.position == Position(1, START)


def test_iteration_as_one_multi_page_pdf(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    target = tmp_path / "iteration.pdf"
    options = SlideOptions(with_math=True, with_loss=True)
    assert export_iteration(document, settings, target, PDF_PAGES, options) == [target]
    content = target.read_bytes()
    assert content.startswith(b"%PDF")
    assert _pages(content) == 6
    assert document.position == Position(0, 0)


def test_progress_is_reported_and_can_stop_the_export(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    options = SlideOptions(size=(640, 360), scale=1)
    export_iteration(document, settings, tmp_path / "all", "png", options, progress)
    assert calls == [(k, 6) for k in range(1, 7)]

    calls.clear()

    def stop_after_two(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 2

    written = export_iteration(document, settings, tmp_path / "two", "png", options, stop_after_two)
    assert len(calls) == 2
    assert [p.name for p in written] == ["001-forward-1.png", "002-forward-2.png"]
    assert len(list((tmp_path / "two").iterdir())) == 2

    calls.clear()
    pdf = tmp_path / "two.pdf"
    export_iteration(document, settings, pdf, PDF_PAGES, options, stop_after_two)
    assert _pages(pdf.read_bytes()) == 2


def test_copy_image_puts_the_slide_on_the_clipboard(document, settings):  # type: ignore[no-untyped-def]
    image = copy_image(document, settings, SlideOptions(with_math=True))
    pasted = QGuiApplication.clipboard().image()
    assert (pasted.width(), pasted.height()) == (3840, 2160)
    assert (image.width(), image.height()) == (3840, 2160)


def test_exporting_never_moves_the_window(window, tmp_path):  # type: ignore[no-untyped-def]
    document = window.document
    document.go_to(Position(0, 3))
    moves: list[object] = []
    document.position_changed.connect(lambda: moves.append(document.position))
    options = SlideOptions(size=(960, 540), scale=1, with_math=True, with_loss=True)
    export_iteration(document, window.settings, tmp_path / "out.pdf", PDF_PAGES, options)
    export_current_step(document, window.settings, tmp_path / "now.png", "png", options)
    assert moves == []
    assert document.position == Position(0, 3)


def test_a_small_slide_keeps_every_label_inside(document, settings):  # type: ignore[no-untyped-def]
    document.go_to(Position(0, 2))  # the targets' labels stick out right of the outputs
    slide = SlideWidget(document, settings, SlideOptions(size=(1280, 720), with_math=True))
    drawn = slide._drawn_rect()
    assert slide.view.viewport().rect().toRectF().contains(drawn)
    slide.dispose()


def test_bad_format_and_unwritable_path(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        export_current_step(document, settings, tmp_path / "x.gif", "gif")
    with pytest.raises(ValueError):
        export_iteration(document, settings, tmp_path, "gif")
    with pytest.raises(OSError):
        export_current_step(document, settings, tmp_path / "missing" / "x.png", "png")


def test_a_progress_dialog_follows_and_cancels(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    dialog = QProgressDialog("Exporting slides…", "Cancel", 0, 1)
    dialog.setAutoReset(False)
    options = SlideOptions(size=(640, 360), scale=1)
    written = export_iteration(
        document, settings, tmp_path / "all", "png", options, progress_dialog_callback(dialog)
    )
    assert (dialog.maximum(), dialog.value()) == (6, 6)
    assert len(written) == 6
    dialog.cancel()
    written = export_iteration(
        document, settings, tmp_path / "none", "png", options, progress_dialog_callback(dialog)
    )
    assert len(written) == 1  # the step in progress is finished, then it stops


# -- slide-ready: readable from afar, nothing missing, nothing clipped -------------------

SVG = "{http://www.w3.org/2000/svg}"
MIN_TEXT_SHARE = 0.016  # of the slide's height: the smallest text projected and read


def svg_texts(path) -> list[tuple[float, str, float, float]]:  # type: ignore[no-untyped-def]
    """Every text of an SVG: its size in pixels and where it starts on the slide."""
    texts: list[tuple[float, str, float, float]] = []

    def walk(element, matrix) -> None:  # type: ignore[no-untyped-def]
        found = re.match(r"matrix\(([^)]*)\)", element.get("transform", ""))
        if found:
            a, b, c, d, e, f = (float(v) for v in re.split(r"[ ,]+", found[1].strip()))
            m = matrix
            matrix = (
                m[0] * a + m[2] * b,
                m[1] * a + m[3] * b,
                m[0] * c + m[2] * d,
                m[1] * c + m[3] * d,
                m[0] * e + m[2] * f + m[4],
                m[1] * e + m[3] * f + m[5],
            )
        if element.tag == f"{SVG}text":
            x, y = float(element.get("x", "0")), float(element.get("y", "0"))
            scale = abs(matrix[0] * matrix[3] - matrix[1] * matrix[2]) ** 0.5
            texts.append(
                (
                    float(element.get("font-size", "0")) * scale,
                    "".join(element.itertext()),
                    matrix[0] * x + matrix[2] * y + matrix[4],
                    matrix[1] * x + matrix[3] * y + matrix[5],
                )
            )
        for child in element:
            walk(child, matrix)

    import xml.etree.ElementTree as ET

    walk(ET.parse(path).getroot(), (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
    return texts


def network_3_4_2():  # type: ignore[no-untyped-def]
    """The 3-4-1 example with a second output: the issue's new 3-4-2."""
    network = load_network(resources.preset_path("vectorised-sgd-3-4-1.json"))
    layers = list(network.layers)
    layers[2] = replace(layers[2], size=2, labels=("y1", "y2"))
    weights = (network.weights[0], np.vstack([network.weights[1], [[0.41, -0.55, 0.18, 0.72]]]))
    biases = (network.biases[0], np.array([-0.31, 0.12]))
    targets = np.hstack([network.targets, 1 - network.targets])
    optimizer = replace(network.optimizer, batch_size=None)
    return network.replace(
        layers=tuple(layers), weights=weights, biases=biases, targets=targets, optimizer=optimizer
    )


NETWORKS = {
    "2-2-2": lambda: load_network(resources.preset_path()),
    "3-4-2": network_3_4_2,
    "2-4-3": lambda: load_network(resources.preset_path("three-class-softmax-2-4-3.json")),
}


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_every_text_on_a_1080_slide_is_at_least_1_6_percent_high(name, settings, tmp_path):  # type: ignore[no-untyped-def]
    document = NetworkDocument(NETWORKS[name]())
    for options in (SlideOptions(), SlideOptions(with_math=True, with_loss=True)):
        folder = tmp_path / f"{options.with_math}"
        written = export_iteration(document, settings, folder, "svg", options)
        for path in written:
            texts = [(size, text) for size, text, _, _ in svg_texts(path) if text.strip()]
            smallest = min(texts)
            assert smallest[0] >= MIN_TEXT_SHARE * 1080, f"{path.name}: {smallest}"
            words = " ".join(text for _, text in texts)
            for title in ("Input", "Hidden ·", "Output ·"):  # the layer titles, activations
                assert title in words, f"{path.name}: no {title!r}"


def test_the_diagram_stays_put_from_slide_to_slide(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    written = export_iteration(document, settings, tmp_path, "svg", SlideOptions())
    places = []
    for path in written:
        labels = {text: (round(x), round(y)) for _, text, x, y in svg_texts(path)}
        places.append([labels[name] for name in ("i1", "h2", "o1")])
    assert all(place == places[0] for place in places)


def test_a_legend_is_as_wide_as_its_words(document, settings):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QFont, QFontMetricsF

    from gui import constants as C
    from gui.themes import scaled

    settings.edge_mode = "gradient"  # at forward 1: "gradients appear from the backward s…"
    slide = SlideWidget(document, settings, SlideOptions(with_math=True))
    with slide.scaled_text():
        reason = slide.scene.edge_scale.empty_reason
        assert reason.startswith("gradients appear")
        font = QFont(C.FONT_FAMILY)
        font.setPixelSize(scaled(C.LEGEND_TEXT_PIXEL_SIZE))
        assert slide.view._legend_width() >= QFontMetricsF(font).horizontalAdvance(reason)
    slide.dispose()


def test_the_derivation_of_a_selection_idle_at_a_step_is_the_steps(document, settings):  # type: ignore[no-untyped-def]
    """Include the derivation, o1 selected: forward 1 computes nothing about o1, so its
    slide derives what forward 1 computes; forward 2 derives o1."""
    o1 = Selection("neuron", 2, 0)
    slide = SlideWidget(document, settings, SlideOptions(with_math=True, selection=o1))
    text = slide.math_text()
    assert "Nothing about o1 is computed at this step" in text
    assert H1_AT_FORWARD_1 in text and "0.3775" in text  # the step's own equations
    assert slide.math_fallback
    slide.dispose()
    document.go_to(Position(0, 1))
    slide = SlideWidget(document, settings, SlideOptions(with_math=True, selection=o1))
    text = slide.math_text()
    assert "Nothing about" not in text and "0.75136507" in text
    slide.dispose()


def test_the_whole_iteration_says_how_many_steps_it_wrote(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    options = SlideOptions(size=(640, 360), scale=1)
    pdf = export_iteration(document, settings, tmp_path / "it.pdf", PDF_PAGES, options)
    assert (len(pdf), pdf.steps) == (1, 6)
    assert pdf.message == f"Exported 6 steps in one PDF: {tmp_path / 'it.pdf'}"
    pngs = export_iteration(document, settings, tmp_path / "pngs", "png", options)
    assert pngs.message == f"Exported 6 steps to {tmp_path / 'pngs'}"


def test_a_suggested_name_says_network_and_step(settings):  # type: ignore[no-untyped-def]
    path = str(resources.preset_path())
    document = NetworkDocument(load_network(path), path)
    document.go_to(Position(0, 3))
    assert suggested_file_name(document, "png") == "step-by-step-2-2-2 004-backward-2.png"
    assert suggested_file_name(document, PDF_PAGES) == "step-by-step-2-2-2 iteration 1.pdf"


def test_exporting_while_presenting_keeps_the_presentation_text(document, settings, tmp_path):  # type: ignore[no-untyped-def]
    from gui.themes import set_text_scale, text_scale

    set_text_scale(1.7)
    try:
        export_iteration(document, settings, tmp_path, "svg", SlideOptions())
        export_current_step(document, settings, tmp_path / "a.png", "png", SlideOptions(scale=1))
        assert text_scale() == 1.7
    finally:
        set_text_scale(1.0)
