"""DocumentEditing: how edits reach the network as built or the run (a part of
NetworkDocument, gui/document.py, kept apart because it changes for its own reasons).

An edit is a pure function Network -> Network (engine/edits.py). Pushed here, it
becomes one undoable command (gui/commands.py, created here only): a change of what
is shown (name, labels, layout) keeps the run; any other edit changes the network as
built (training restarts) or, mid-training and if the user so chose, continues
training from the current parameters with the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine import edits
from engine.edits import EditError
from engine.network import Network
from gui.commands import EditNetworkCommand, PresentationCommand, ResetCommand
from gui.document_state import START, DocumentState, Position
from gui.run_history import RunHistory

# What an edit made mid-training does (``NetworkDocument.mid_training_edits``).
EDIT_BUILT = "built"  # change the network as built; training restarts from it
EDIT_CONTINUE = "continue"  # continue training from the current parameters with the change
EDIT_CHOICE_NAMES = {
    EDIT_BUILT: "Change the network as built (training restarts)",
    EDIT_CONTINUE: "Continue training from here with the change",
}


class DocumentEditing:
    """Editing, undo snapshots and reset: mixed into NetworkDocument."""

    def is_mid_training(self) -> bool:
        """An edit now would not be at the start of the history."""
        return self._position.iteration > 0

    def _edit_choice(self, text: str) -> str | None:
        if not self.is_mid_training():
            return EDIT_BUILT
        if self.mid_training_edits is None:
            choice = self.ask_mid_training_edit(text)
            if choice is None:
                return None
            self.mid_training_edits = choice
        return self.mid_training_edits

    def push_edit(
        self,
        text: str,
        edit: Callable[..., Network],
        *args: Any,
        merge_key: object = None,
        **kwargs: Any,
    ) -> bool:
        """Apply ``edit(network, *args)`` as an undoable command named ``text``: to the
        network as built, or mid-training (if so chosen) to the current parameters.

        An EditError (a refused edit) leaves everything as it was and posts its reason.
        """
        built: Network | None = None
        refusal = None
        try:
            built = edit(self._built, *args, **kwargs)
        except EditError as error:
            refusal = str(error)
        except IndexError:  # an element only the run has (training continued with a change)
            refusal = "the network as built has no such element"
        if built is not None and _only_presentation_differs(self._built, built):
            # A name, a label, a position: nothing computed changes, the run goes on.
            self._push_presentation(built, text, merge_key)
            return True
        choice = self._edit_choice(text)
        if choice is None:
            return False
        continuing = choice == EDIT_CONTINUE and self.is_mid_training()
        if continuing:
            try:
                # The run's parameters, which may have a shape the network as built lacks.
                network = edit(self.network, *args, **kwargs)
            except EditError as error:
                self.message_posted.emit(f"{text}: refused: {error}.")
                return False
        elif built is None:
            self.message_posted.emit(f"{text}: refused: {refusal}.")
            return False
        else:
            network = built
        if continuing:
            text += f" (training continues from iteration {self._position.iteration + 1})"
        elif self.is_mid_training():
            text += " (the network as built; training restarts)"

        self.undo_stack.push(
            EditNetworkCommand(
                self,
                network,
                text,
                continuing,
                None if merge_key is None else (merge_key, continuing),
            )
        )
        return True

    def push_layout(self, text: str, layout: dict[str, Any], merge_key: object = None) -> None:
        """Change the diagram layout (node positions): undoable, training history kept.
        A layout no file could hold (a position dragged off to 1e7) is refused."""
        self.push_edit(text, edits.set_layout, layout, merge_key=merge_key)

    def _push_presentation(self, network: Network, text: str, merge_key: object) -> None:

        self.undo_stack.push(PresentationCommand(self, network, text, merge_key))

    def reset(self) -> None:
        """Back to the network as built at iteration 1 (undoable: Ctrl+Z brings the run back)."""
        self.player.pause()
        if (
            self._position == Position(0, START)
            and self._run.start is self._built
            and len(self._run.losses) <= 1
        ):
            self.message_posted.emit("Already at the start of the network as built.")
            return

        self.undo_stack.push(ResetCommand(self, "Reset to the network as built"))

    def reset_description(self) -> str:
        if self.path is not None and not self.modified:
            what = f"as saved in {self.path.rsplit('/', 1)[-1]}"
        elif self.modified:
            what = "as built, with your unsaved edits"
        else:
            what = "as built"
        return (
            f"Reset: back to iteration 1 of the network {what}. Undo (Ctrl+Z) brings the run back."
        )

    def snapshot(self) -> DocumentState:
        """Everything an undo must restore."""
        return DocumentState(
            built=self._built,
            run=self._run.snapshot(self._position.iteration),
            position=self._position,
            selection=self._selection,
        )

    def restore(self, state: DocumentState) -> None:
        self.player.pause()
        self._built = state.built
        self._run = state.run.copy()  # the snapshot stays as it was for the next undo/redo
        self._position = state.position
        self._selection = state.selection
        self._trace(self._position.iteration)
        self._update_modified()
        self._emit_everything()

    def apply_edit(self, network: Network, continuing: bool) -> None:
        """Continuing: the current iteration goes on with ``network`` (later history is
        dropped, the curve marks the edit). Otherwise ``network`` becomes the network as
        built and training restarts from it."""
        self.player.pause()
        if continuing:
            iteration = self._position.iteration
            _, velocity = self._run.state(iteration)
            if network.sizes != self.initial_network.sizes or network.optimizer.momentum == 0:
                velocity = None
            self._run = self._run.continued(iteration, network, velocity)
            self._position = Position(iteration, START)
        else:
            self._built = network
            self._run = RunHistory(network)
            self._position = Position(0, START)
        if self._selection is not None and not self._selection_fits(network):
            self._selection = None
        self._trace(self._position.iteration)
        self._update_modified()
        self._emit_everything()

    def apply_reset(self) -> None:
        self.apply_edit(self._built, continuing=False)
        self.message_posted.emit(self.reset_description())

    def _selection_fits(self, network: Network) -> bool:
        selection = self._selection
        assert selection is not None
        sizes = network.sizes
        if selection.layer >= len(sizes):
            return False
        if selection.kind == "bias_node":
            return True
        if selection.index >= sizes[selection.layer]:
            return False
        return selection.source is None or selection.source < sizes[selection.layer - 1]

    def apply_presentation(self, built: Network) -> None:
        """``built`` differs from the network as built only in what is shown (name,
        description, labels, layout): nothing is recomputed, the position stays."""
        self._built = built
        self._run = self._run.with_presentation(built)
        self._update_modified()
        self.network_changed.emit()


def _only_presentation_differs(old: Network, new: Network) -> bool:
    """Whether ``new`` computes exactly what ``old`` does (only names, description,
    labels or layout differ). Edits keep unchanged arrays, so identity is the test."""
    return (
        all(a is b for a, b in zip(old.weights, new.weights, strict=True))
        and all(a is b for a, b in zip(old.biases, new.biases, strict=True))
        and old.inputs is new.inputs
        and old.targets is new.targets
        and old.loss == new.loss
        and old.optimizer == new.optimizer
        and [(l.size, l.activation) for l in old.layers]
        == [(l.size, l.activation) for l in new.layers]
        and old.extra == new.extra
    )
