"""File ▸ Export and the copy commands, used from the window as a lecturer would."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog

from gui.export import PDF_PAGES, suggested_file_name


def test_current_step_as_a_sharp_png(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    target = tmp_path / "slide.png"
    window.ask_export_path = lambda *args, **kwargs: str(target)
    qtbot.keyClick(window.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    image = QImage(str(target))
    assert (image.width(), image.height()) == (3840, 2160)  # 1920×1080 at 2×
    assert window.document.position == (0, 0)  # exporting does not move the window


def test_with_the_derivation_beside_the_diagram(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    plain, with_math = tmp_path / "plain.png", tmp_path / "math.png"
    window.ask_export_path = lambda *args, **kwargs: str(plain)
    window.export_png_action.trigger()
    window.with_math_action.setChecked(True)
    window.with_loss_action.setChecked(True)
    window.ask_export_path = lambda *args, **kwargs: str(with_math)
    window.export_png_action.trigger()
    assert QImage(str(plain)) != QImage(str(with_math))


def test_svg_and_pdf_of_the_current_step(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    for fmt, action, magic in (
        ("svg", window.export_svg_action, b"<?xml"),
        ("pdf", window.export_pdf_action, b"%PDF"),
    ):
        target = tmp_path / f"slide.{fmt}"
        window.ask_export_path = lambda *args, t=target, **kwargs: str(t)
        action.trigger()
        assert target.read_bytes().startswith(magic)


def test_whole_iteration_as_numbered_pngs_and_one_pdf(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "slides"
    folder.mkdir()
    window.ask_export_path = lambda *args, f=folder, **kwargs: str(f)
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
    window.ask_export_path = lambda *args, **kwargs: str(pdf)
    window.export_pages_action.trigger()
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages == 6


def test_an_export_that_cannot_be_written_says_why(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    window.ask_export_path = lambda *args, **kwargs: str(tmp_path / "no-such-folder" / "x.png")
    assert window.export_step("png") is None
    assert window.files.errors


def test_copy_image_of_this_step(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    window.copy_image_action.trigger()
    image = QApplication.clipboard().image()
    assert (image.width(), image.height()) == (3840, 2160)


def test_whole_iteration_as_one_pdf_says_it_holds_six_steps(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    pdf = tmp_path / "iteration.pdf"
    window.ask_export_path = lambda *args, **kwargs: str(pdf)
    window.export_pages_action.trigger()
    message = window.statusBar().currentMessage()
    assert "6 steps in one PDF" in message
    assert "1 step" not in message


def test_the_save_dialog_suggests_a_name(qtbot, window, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    for _ in range(4):
        qtbot.keyClick(window.view, Qt.Key.Key_Right)  # backward 2
    offered: list[str] = []

    def save_dialog(parent, title, start="", file_filter="", *args, **kwargs):  # type: ignore[no-untyped-def]
        offered.append(start)
        return "", ""  # the user cancels

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    window.export_svg_action.trigger()
    window.export_pages_action.trigger()
    assert offered[0].endswith(suggested_file_name(window.document, "svg"))
    assert offered[0].endswith(" 004-backward-2.svg")  # the network's name, the step's
    assert offered[1].endswith(suggested_file_name(window.document, PDF_PAGES))


def test_exporting_leaves_the_window_as_it_was(qtbot, window, tmp_path):  # type: ignore[no-untyped-def]
    """Slides draw their text larger (the presentation text scale, set and put back):
    the window, presenting or not, looks the same afterwards."""
    for _ in range(4):
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
    window.with_math_action.setChecked(True)
    window.with_loss_action.setChecked(True)
    window.statusBar().clearMessage()
    qtbot.wait(20)
    before = window.grab().toImage()
    window.ask_export_path = lambda *args, **kwargs: str(tmp_path / "deck.pdf")
    window.export_pages_action.trigger()
    window.ask_export_path = lambda *args, **kwargs: str(tmp_path / "step.png")
    window.export_png_action.trigger()
    qtbot.wait(20)
    assert (tmp_path / "deck.pdf").exists() and (tmp_path / "step.png").exists()
    window.statusBar().clearMessage()  # "Exported …" said, and gone
    qtbot.wait(20)
    assert window.grab().toImage() == before
