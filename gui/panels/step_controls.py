"""StepCaption: the current step in words, large enough to read when projected."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui import constants as C
from gui.document import NetworkDocument
from gui.formatting import elide_words
from gui.themes import Theme, appearance, current_theme, text_scale


class StepCaption(QWidget):
    def __init__(self, document: NetworkDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        # Plain text: captions and messages quote names and labels from the file.
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)  # long captions in large type wrap instead of widening
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner = QLabel()
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self._banner_font = QFont(self.banner.font())
        self._on_theme_changed(current_theme())
        self._on_text_scale_changed(text_scale())
        appearance().theme_changed.connect(self._on_theme_changed)
        appearance().text_scale_changed.connect(self._on_text_scale_changed)
        row = QHBoxLayout()
        row.addWidget(self.label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 4)
        layout.addLayout(row)
        layout.addWidget(self.banner)
        document.position_changed.connect(self.refresh)
        document.network_changed.connect(self.refresh)
        document.message_posted.connect(self.show_message)
        self.refresh()

    def _on_theme_changed(self, theme: Theme) -> None:
        self.label.setStyleSheet(f"color: {theme.ink};")
        self.banner.setStyleSheet(
            f"background: {theme.banner_background}; color: {theme.banner_ink};"
            f"border: 1px solid {theme.banner_border}; border-radius: 4px; padding: 6px 10px;"
        )

    def _on_text_scale_changed(self, scale: float) -> None:
        font = QFont(C.FONT_FAMILY)
        font.setPointSizeF(C.CAPTION_POINT_SIZE * scale)
        self.label.setFont(font)
        banner_font = QFont(self._banner_font)
        banner_font.setPointSizeF(self._banner_font.pointSizeF() * scale)
        self.banner.setFont(banner_font)

    def refresh(self) -> None:
        self.label.setText(elide_words(self.document.caption()))
        if self.document.diverged_at is None:
            self.banner.hide()

    def show_message(self, text: str) -> None:
        self.banner.setText(elide_words(text))
        self.banner.show()

    def text(self) -> str:
        return self.label.text()
