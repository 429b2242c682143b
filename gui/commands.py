"""Undoable edits. Each command stores the document's state before and after itself,
so undo and redo restore exactly what was there (network, history and position)."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from engine.network import Network
from gui.crash_guard import guarded

if TYPE_CHECKING:
    from gui.document import DocumentState, NetworkDocument

# QUndoCommand.id() values: commands with the same id and merge key merge.
EDIT_ID = 1
PRESENTATION_ID = 2


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


class _SnapshotCommand(_DocumentCommand):
    """A command whose first redo does something to the document; undo and redo then
    restore the document's state before and after it exactly."""

    def __init__(self, document: NetworkDocument, text: str) -> None:
        super().__init__(document, text)
        self._before: DocumentState | None = None
        self._after: DocumentState | None = None

    def _apply(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._after is not None:
            self._document.restore(self._after)
            return
        self._before = self._document.snapshot()
        self._apply()
        self._after = self._document.snapshot()

    def undo(self) -> None:
        assert self._before is not None
        self._document.restore(self._before)


class EditNetworkCommand(_SnapshotCommand):
    """Any edit of the network's values or shape ("Change w5 to 0.42"), to the network
    as built or, ``continuing``, to the parameters training continues from.

    Commands pushed with the same ``merge_key`` one after another (a slider being
    dragged, a value typed again) merge into one undo step.
    """

    def __init__(
        self,
        document: NetworkDocument,
        network: Network,
        text: str,
        continuing: bool = False,
        merge_key: object = None,
    ) -> None:
        super().__init__(document, text)
        self._network = network
        self._continuing = continuing
        self.merge_key = merge_key

    def _apply(self) -> None:
        self._document.apply_edit(self._network, self._continuing)

    def id(self) -> int:
        return EDIT_ID if self.merge_key is not None else -1

    @guarded(fallback=False)  # a virtual: an escaping exception would end the process
    def mergeWith(self, other: Any) -> bool:
        if not isinstance(other, EditNetworkCommand) or other.merge_key != self.merge_key:
            return False
        self._network = other._network
        self._after = other._after
        self.setText(other.text())
        return True


class ResetCommand(_SnapshotCommand):
    """Reset: back to the network as built at iteration 1; undo brings the run back."""

    def _apply(self) -> None:
        self._document.apply_reset()


class PresentationCommand(_DocumentCommand):
    """A change of what is shown only (a name, a label, neurons moved): the training
    history stays. Undo and redo return to the exact networks, so the title's unsaved
    mark follows."""

    def __init__(
        self, document: NetworkDocument, network: Network, text: str, merge_key: object = None
    ) -> None:
        super().__init__(document, text)
        self._old_built = document.built_network
        self._new_built = network
        self.merge_key = merge_key

    def redo(self) -> None:
        self._document.apply_presentation(self._new_built)

    def undo(self) -> None:
        self._document.apply_presentation(self._old_built)

    def id(self) -> int:
        return PRESENTATION_ID if self.merge_key is not None else -1

    @guarded(fallback=False)  # a virtual: an escaping exception would end the process
    def mergeWith(self, other: Any) -> bool:
        if not isinstance(other, PresentationCommand) or other.merge_key != self.merge_key:
            return False
        self._new_built = other._new_built
        self.setText(other.text())
        return True
