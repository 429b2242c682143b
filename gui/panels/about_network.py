"""The Network panel's "About this network": the file's name and description, editable.

The name commits on Enter or on leaving the field, the description on leaving it (or
Ctrl+Enter); each change is one undoable edit (engine.edits.set_name_and_description).
Esc puts back what the network holds.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGroupBox, QLineEdit, QPlainTextEdit, QWidget

from engine import edits
from engine.network import Network
from gui.crash_guard import guarded
from gui.formatting import elide
from gui.panels.network_widgets import form_layout

DESCRIPTION_LINES = 4  # the description box's height; a longer text scrolls

# (undo text, edit function, keyword arguments) -> done
PushEdit = Callable[..., bool]


class AboutSection(QGroupBox):
    """Name and description of the network as built."""

    def __init__(self, push_edit: PushEdit, parent: QWidget | None = None) -> None:
        super().__init__("About this network", parent)
        self._push_edit = push_edit
        self._network: Network | None = None
        form = form_layout(self)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("A short title, e.g. XOR with 2 hidden neurons")
        self.name_edit.setToolTip("The network's name, saved in the file (Enter applies)")
        self.name_edit.editingFinished.connect(self.commit_name)
        form.addRow("Name", self.name_edit)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setPlaceholderText(
            "What this network shows and where it comes from (saved in the file)"
        )
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setToolTip(
            "The network's description, saved in the file (applied when you leave the box, "
            "or Ctrl+Enter)"
        )
        line = self.description_edit.fontMetrics().lineSpacing()
        self.description_edit.setFixedHeight(DESCRIPTION_LINES * line + 12)
        form.addRow("Description", self.description_edit)
        for field in (self.name_edit, self.description_edit):
            field.installEventFilter(self)

    def refresh(self, network: Network) -> None:
        """Show ``network``'s name and description (a box being typed in keeps its text)."""
        self._network = network
        if not self.name_edit.hasFocus() or not self.name_edit.isModified():
            self.name_edit.setText(network.name)
            self.name_edit.setCursorPosition(0)
        typing = self.description_edit.document().isModified()
        if not self.description_edit.hasFocus() or not typing:
            self._set_description(network.description)

    def _set_description(self, text: str) -> None:
        if self.description_edit.toPlainText() == text:
            self.description_edit.document().setModified(False)
            return  # the cursor stays where it is
        self.description_edit.blockSignals(True)
        self.description_edit.setPlainText(text)
        self.description_edit.document().setModified(False)
        self.description_edit.blockSignals(False)

    def focus_name(self) -> None:
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.name_edit.selectAll()

    def commit_name(self) -> bool:
        network = self._network
        text = self.name_edit.text()
        self.name_edit.setModified(False)
        if network is None or " ".join(text.split()) == network.name:
            return False
        done = self._push_edit(
            f"Rename the network “{elide(' '.join(text.split()), 40)}”",
            edits.set_name_and_description,
            name=text,
        )
        if not done:
            self.name_edit.setText(network.name)  # the panel's message says why
        return done

    def commit_description(self) -> bool:
        network = self._network
        text = self.description_edit.toPlainText()
        self.description_edit.document().setModified(False)
        if network is None or text.strip() == network.description:
            return False
        what = "Clear the description" if not text.strip() else "Change the description"
        done = self._push_edit(what, edits.set_name_and_description, description=text)
        if not done:
            self._set_description(network.description)
        return done

    @guarded(fallback=False)  # an event filter that raises takes the process down
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.description_edit and kind == QEvent.Type.FocusOut:
            self.commit_description()
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key == Qt.Key.Key_Escape and self._network is not None:
                if watched is self.name_edit:
                    self.name_edit.setText(self._network.name)
                    self.name_edit.setModified(False)
                else:
                    self._set_description(self._network.description)
                return False  # Esc also hands the focus back to the diagram (gui/keys.py)
            if (
                watched is self.description_edit
                and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                self.commit_description()
                return True
        return False
