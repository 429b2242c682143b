"""What an edit made mid-training does: asked once, remembered, changeable in Edit.

The document (gui/document.py) asks through ``ask_mid_training_edit`` the first
time the user edits after training began; the answer is kept in QSettings and
shown as a choice in the Edit menu, where it can be changed at any time.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from gui.document import EDIT_BUILT, EDIT_CHOICE_NAMES, EDIT_CONTINUE, NetworkDocument

SETTINGS_KEY = "editing/mid_training"


class MidTrainingEditChoice(QObject):
    """Connects the document's question to a dialog, QSettings and an Edit submenu."""

    def __init__(self, window: QWidget, document: NetworkDocument, remember: bool) -> None:
        super().__init__(window)
        self._window = window
        self._document = document
        self._remember = remember
        if remember:
            stored = QSettings().value(SETTINGS_KEY)
            if stored in EDIT_CHOICE_NAMES:
                document.mid_training_edits = str(stored)
        document.ask_mid_training_edit = self._ask_and_remember
        self.menu = QMenu("Edits During Training", window)
        self._group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for key in (EDIT_BUILT, EDIT_CONTINUE):
            action = QAction(EDIT_CHOICE_NAMES[key], self, checkable=True)
            action.triggered.connect(lambda checked=False, k=key: self.choose(k))
            self._group.addAction(action)
            self.menu.addAction(action)
            self.actions[key] = action
        ask = self.menu.addAction("Ask at the next edit")
        ask.triggered.connect(lambda: self.choose(None))
        self._show(document.mid_training_edits)

    def choose(self, key: str | None) -> None:
        self._document.mid_training_edits = key
        if self._remember:
            QSettings().setValue(SETTINGS_KEY, key or "")
        self._show(key)

    def _show(self, key: str | None) -> None:
        for name, action in self.actions.items():
            action.setChecked(name == key)
        if key is None:
            checked = self._group.checkedAction()
            if checked is not None:  # an exclusive group keeps one checked: lift it
                self._group.setExclusive(False)
                checked.setChecked(False)
                self._group.setExclusive(True)

    def _ask_and_remember(self, text: str) -> str | None:
        choice = self.ask(text)
        if choice is not None:
            self.choose(choice)
        return choice

    def ask(self, text: str) -> str | None:
        """The dialog (replaced in tests): EDIT_BUILT, EDIT_CONTINUE or None to cancel."""
        document = self._document
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Edit during training")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(
            f"<b>{html.escape(text)}</b> at iteration {document.iteration + 1}: what should "
            "it change?"
        )
        box.setInformativeText(
            "The network as built is what Save writes and Reset returns to. Changing it "
            "restarts training from iteration 1. Continuing keeps it as it is and trains on "
            "from the current parameters with the change (File ▸ Save Trained Network As… "
            "keeps those).\n\nYour choice is remembered; Edit ▸ Edits During Training "
            "changes it."
        )
        built = box.addButton(EDIT_CHOICE_NAMES[EDIT_BUILT], QMessageBox.ButtonRole.AcceptRole)
        box.addButton(EDIT_CHOICE_NAMES[EDIT_CONTINUE], QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(built)
        box.exec()
        clicked = box.clickedButton()
        if clicked is None or clicked is cancel:
            return None
        return EDIT_BUILT if clicked is built else EDIT_CONTINUE
