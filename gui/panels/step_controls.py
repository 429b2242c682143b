"""StepCaption: the current step in words, large enough to read when projected, and
under it one quiet line naming the network and its description (click: edit them)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.steps import UPDATE, describe_position
from gui import constants as C
from gui.document import NetworkDocument
from gui.formatting import elide_words, tooltip_text
from gui.themes import Theme, appearance, current_theme, text_scale

ABOUT_POINT_SIZE = 9.0  # the network's name and description: quiet, under the caption


def caption_text(document: NetworkDocument) -> str:
    """'Iteration 3 · backward 2: …', with 'after 1 update' in the singular."""
    step = document.step
    diverged = step is not None and step.kind == UPDATE and document.trace.diverged
    return describe_position(
        document.iteration, step, document.initial_network.weight_layer_count, diverged
    )


class AboutLine(QLabel):
    """The network's name — its description, on one line (cut with '…' to the width; the
    tooltip has it all). A click asks to edit them."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # file text, shown literally
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.full_text = self.name = self.description = ""

    def set_about(self, name: str, description: str) -> None:
        self.name, self.description = name, description
        description = " ".join(description.split())  # one line, whatever the file holds
        self.full_text = f"{name} — {description}" if description else name
        tip = f"{name}\n\n{description}" if description else f"{name}\n\n(no description)"
        self.setToolTip(tooltip_text(tip + "\n\nClick to edit the name and description."))
        self._elide()

    def _elide(self) -> None:
        width = max(40, self.width())
        self.setText(
            self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width)
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def minimumSizeHint(self):  # type: ignore[no-untyped-def]
        hint = super().minimumSizeHint()
        hint.setWidth(40)  # a long description never widens the window
        return hint

    def sizeHint(self):  # type: ignore[no-untyped-def]
        return self.minimumSizeHint()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class StepCaption(QWidget):
    about_clicked = Signal()  # the name and description line was clicked

    def __init__(self, document: NetworkDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        # Plain text: captions and messages quote names and labels from the file.
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)  # long captions in large type wrap instead of widening
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.about = AboutLine()
        self.about.clicked.connect(self.about_clicked)
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
        layout.setContentsMargins(12, 6, 12, 4)
        layout.setSpacing(0)
        layout.addLayout(row)
        layout.addWidget(self.about)
        layout.addWidget(self.banner)
        document.position_changed.connect(self.refresh)
        document.network_changed.connect(self.refresh)
        document.network_changed.connect(self._refresh_about)  # not on every step
        document.message_posted.connect(self.show_message)
        self.refresh()
        self._refresh_about()

    def _on_theme_changed(self, theme: Theme) -> None:
        self.label.setStyleSheet(f"color: {theme.ink};")
        self.about.setStyleSheet(f"color: {theme.muted_ink};")
        self.banner.setStyleSheet(
            f"background: {theme.banner_background}; color: {theme.banner_ink};"
            f"border: 1px solid {theme.banner_border}; border-radius: 4px; padding: 6px 10px;"
        )

    def _on_text_scale_changed(self, scale: float) -> None:
        font = QFont(C.FONT_FAMILY)
        font.setPointSizeF(C.CAPTION_POINT_SIZE * scale)
        self.label.setFont(font)
        about_font = QFont(C.FONT_FAMILY)
        about_font.setPointSizeF(ABOUT_POINT_SIZE * scale)
        self.about.setFont(about_font)
        self.about.set_about(self.about.name, self.about.description)
        banner_font = QFont(self._banner_font)
        banner_font.setPointSizeF(self._banner_font.pointSizeF() * scale)
        self.banner.setFont(banner_font)

    def refresh(self) -> None:
        self.label.setText(elide_words(caption_text(self.document)))
        if self.document.diverged_at is None:
            self.banner.hide()

    def _refresh_about(self) -> None:
        network = self.document.built_network
        if (network.name, network.description) != (self.about.name, self.about.description):
            self.about.set_about(network.name, network.description)

    def show_message(self, text: str) -> None:
        self.banner.setText(elide_words(text))
        self.banner.show()

    def text(self) -> str:
        return self.label.text()
