"""File ▸ Export and Copy image, for MainWindow (a mixin: ``self`` is the window).

The slides themselves are drawn by gui/export.py; this asks where, shows progress and
says what was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from gui.export import (
    PDF_PAGES,
    SlideOptions,
    copy_image,
    export_current_step,
    export_iteration,
    options_from_window,
    progress_dialog_callback,
    suggested_file_name,
)


class WindowExport:
    def slide_options(self: Any) -> SlideOptions:
        return options_from_window(
            self,
            with_math=self.with_math_action.isChecked(),
            with_loss=self.with_loss_action.isChecked(),
        )

    def ask_export_path(
        self: Any, title: str, file_filter: str, folder: bool = False, name: str = ""
    ) -> str:
        """Where to export (replaced in tests)."""
        if folder:
            return QFileDialog.getExistingDirectory(self, title)
        path, _ = QFileDialog.getSaveFileName(self, title, name, file_filter)
        return path

    def export_step(self: Any, fmt: str) -> Path | None:
        """The current step as a slide picture (PNG at 2×, SVG or PDF)."""
        step = self.document.global_step_number()
        name = f"{step:03d}-{self.document.step.key if self.document.step else 'start'}.{fmt}"
        path = self.ask_export_path(
            f"Export {name}",
            f"{fmt.upper()} (*.{fmt})",
            name=suggested_file_name(self.document, fmt),
        )
        if not path:
            return None
        try:
            written = export_current_step(
                self.document, self.settings, Path(path), fmt, self.slide_options()
            )
        except OSError as error:
            self.files.show_error("Cannot export", str(error))
            return None
        self.statusBar().showMessage(f"Exported {written}", 6000)
        return written

    def export_whole_iteration(self: Any, fmt: str) -> list[Path]:
        """Every step of this iteration: numbered PNGs in a folder, or one PDF."""
        as_pages = fmt == PDF_PAGES
        target = self.ask_export_path(
            "Export the iteration" + (" as one PDF" if as_pages else " into a folder"),
            "PDF (*.pdf)",
            folder=not as_pages,
            name=suggested_file_name(self.document, PDF_PAGES) if as_pages else "",
        )
        if not target:
            return []
        steps = len(self.document.steps)
        dialog = QProgressDialog("Exporting the steps…", "Stop", 0, steps, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        try:
            written = export_iteration(
                self.document,
                self.settings,
                Path(target),
                fmt,
                self.slide_options(),
                progress_dialog_callback(dialog),
            )
        except OSError as error:
            self.files.show_error("Cannot export", str(error))
            return []
        finally:
            dialog.close()
        self.statusBar().showMessage(written.message, 6000)
        return written

    def copy_step_image(self: Any) -> None:
        copy_image(self.document, self.settings, self.slide_options())
        self.statusBar().showMessage("Copied the picture of this step", 4000)
