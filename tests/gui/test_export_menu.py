"""File ▸ Export and the copy commands, used from the window as a lecturer would."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication


def test_current_step_as_a_sharp_png(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    target = tmp_path / "slide.png"
    window.ask_export_path = lambda title, file_filter, folder=False: str(target)
    qtbot.keyClick(window.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    image = QImage(str(target))
    assert (image.width(), image.height()) == (3840, 2160)  # 1920×1080 at 2×
    assert window.document.position == (0, 0)  # exporting does not move the window


def test_with_the_derivation_beside_the_diagram(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    plain, with_math = tmp_path / "plain.png", tmp_path / "math.png"
    window.ask_export_path = lambda title, file_filter, folder=False: str(plain)
    window.export_png_action.trigger()
    window.with_math_action.setChecked(True)
    window.with_loss_action.setChecked(True)
    window.ask_export_path = lambda title, file_filter, folder=False: str(with_math)
    window.export_png_action.trigger()
    assert QImage(str(plain)) != QImage(str(with_math))


def test_svg_and_pdf_of_the_current_step(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    for fmt, action, magic in (
        ("svg", window.export_svg_action, b"<?xml"),
        ("pdf", window.export_pdf_action, b"%PDF"),
    ):
        target = tmp_path / f"slide.{fmt}"
        window.ask_export_path = lambda title, file_filter, folder=False, t=target: str(t)
        action.trigger()
        assert target.read_bytes().startswith(magic)


def test_whole_iteration_as_numbered_pngs_and_one_pdf(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "slides"
    folder.mkdir()
    window.ask_export_path = lambda title, file_filter, folder=False, f=folder: str(f)
    written = window.export_whole_iteration("png")
    assert [p.name for p in written] == [
        "001-forward-1.png",
        "002-forward-2.png",
        "003-loss.png",
        "004-backward-2.png",
        "005-backward-1.png",
        "006-update.png",
    ]
    images = [QImage(str(p)) for p in written]
    assert all(a != b for a, b in zip(images, images[1:], strict=False))
    pdf = tmp_path / "iteration.pdf"
    window.ask_export_path = lambda title, file_filter, folder=False: str(pdf)
    window.export_pages_action.trigger()
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages == 6


def test_an_export_that_cannot_be_written_says_why(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    window.ask_export_path = lambda title, file_filter, folder=False: str(
        tmp_path / "no-such-folder" / "x.png"
    )
    assert window.export_step("png") is None
    assert window.files.errors


def test_copy_image_of_this_step(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    window.copy_image_action.trigger()
    image = QApplication.clipboard().image()
    assert (image.width(), image.height()) == (3840, 2160)
