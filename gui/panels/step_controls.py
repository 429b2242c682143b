"""StepCaption: the current step in words, large enough to read when projected."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui import constants as C
from gui.document import NetworkDocument


class StepCaption(QWidget):
    def __init__(self, document: NetworkDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.label = QLabel()
        font = QFont(C.FONT_FAMILY)
        font.setPointSize(C.CAPTION_POINT_SIZE)
        self.label.setFont(font)
        self.label.setStyleSheet(f"color: {C.INK};")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: #fdecea; color: #8a1c1c; border: 1px solid #f5c2c0;"
            "border-radius: 4px; padding: 6px 10px;"
        )
        self.banner.hide()
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

    def refresh(self) -> None:
        self.label.setText(self.document.caption())
        if self.document.diverged_at is None:
            self.banner.hide()

    def show_message(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def text(self) -> str:
        return self.label.text()
