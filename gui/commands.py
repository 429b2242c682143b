"""Undoable edits. Each command stores the document's state before and after itself,
so undo and redo restore exactly what was there (network, history and position)."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from engine.network import Network

if TYPE_CHECKING:
    from gui.document import DocumentState, NetworkDocument

# QUndoCommand.id() values: commands with the same id and merge key merge.
EDIT_ID = 1
LAYOUT_ID = 2


class _DocumentCommand(QUndoCommand):
    """A command on a document it holds weakly: the stack (owned by the document) owns
    the command, and a strong reference back would make a cycle that Python's
    collector tears down in an order Qt cannot survive (a crash in QUndoStack::clear)."""

    def __init__(self, document: NetworkDocument, text: str) -> None:
        super().__init__(text)
        self._document_ref = weakref.ref(document)

    @property
    def _document(self) -> NetworkDocument:
        document = self._document_ref()
        assert document is not None, "a command outlived its document"
        return document


class EditNetworkCommand(_DocumentCommand):
    """Any edit of the network's values or shape ("Change w5 to 0.42").

    Commands pushed with the same ``merge_key`` one after another (a slider being
    dragged, a value typed again) merge into one undo step.
    """

    def __init__(
        self, document: NetworkDocument, network: Network, text: str, merge_key: object = None
    ) -> None:
        super().__init__(document, text)
        self._network = network
        self.merge_key = merge_key
        self._before: DocumentState | None = None
        self._after: DocumentState | None = None

    def redo(self) -> None:
        if self._after is not None:
            self._document.restore(self._after)
            return
        self._before = self._document.snapshot()
        self._document.apply_edit(self._network)
        self._after = self._document.snapshot()

    def undo(self) -> None:
        assert self._before is not None
        self._document.restore(self._before)

    def id(self) -> int:
        return EDIT_ID if self.merge_key is not None else -1

    def mergeWith(self, other: Any) -> bool:
        if not isinstance(other, EditNetworkCommand) or other.merge_key != self.merge_key:
            return False
        self._network = other._network
        self._after = other._after
        self.setText(other.text())
        return True


class LayoutCommand(_DocumentCommand):
    """Neurons moved or auto-laid out: the diagram changes, the training history stays."""

    def __init__(
        self, document: NetworkDocument, layout: dict[str, Any], text: str, merge_key: object = None
    ) -> None:
        super().__init__(document, text)
        self._layout = layout
        self._old_layout = dict(document.initial_network.layout)
        self.merge_key = merge_key

    def redo(self) -> None:
        self._document.apply_layout(self._layout)

    def undo(self) -> None:
        self._document.apply_layout(self._old_layout)

    def id(self) -> int:
        return LAYOUT_ID if self.merge_key is not None else -1

    def mergeWith(self, other: Any) -> bool:
        if not isinstance(other, LayoutCommand) or other.merge_key != self.merge_key:
            return False
        self._layout = other._layout
        self.setText(other.text())
        return True
