"""Slides: the current step or a whole iteration as PNG, SVG or PDF, and the clipboard."""

from __future__ import annotations

import re

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
