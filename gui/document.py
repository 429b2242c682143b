"""NetworkDocument: the one owner of the network as built, the run and the position.

Two networks matter. The network *as built* is the user's work: what the file
holds, what Save writes and what Reset returns to; only edits change it. The
*run* (gui/run_history.py) is training from it: the parameters at every
iteration, computed on demand. An edit at the start of the history changes the
network as built; an edit made mid-training either does the same (training
restarts from it) or continues training from the current parameters with the
change, leaving the network as built alone: ``mid_training_edits`` chooses, and
asks the user once when it is None.

Stepping is navigation over the run: a position is (iteration, step) where step
-1 is the start of an iteration (nothing computed yet) and 0..S-1 index the
steps forward-1 … update.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from engine import edits
from engine.edits import EditError
from engine.network import Array, Network
from engine.steps import (
    BACKWARD,
    FORWARD,
    LOSS,
    UPDATE,
    Step,
    describe_position,
    iteration_steps,
)
from engine.trace import IterationTrace
from gui.player import Player
from gui.run_history import RunHistory, Velocity

START = -1  # step index of "start of the iteration"
UNDO_LIMIT = 200  # edits kept for undo; each costs a little memory (see RunHistory.snapshot)

# What an edit made mid-training does (``NetworkDocument.mid_training_edits``).
EDIT_BUILT = "built"  # change the network as built; training restarts from it
EDIT_CONTINUE = "continue"  # continue training from the current parameters with the change
EDIT_CHOICE_NAMES = {
    EDIT_BUILT: "Change the network as built (training restarts)",
    EDIT_CONTINUE: "Continue training from here with the change",
}


class Position(NamedTuple):
    iteration: int
    step: int  # START or an index into the iteration's steps


@dataclass(frozen=True)
class Selection:
    kind: str  # "neuron", "weight", "bias" or "bias_node"
    layer: int  # neuron: its layer; weight/bias: the layer they feed (1..L)
    index: int  # neuron: j; weight/bias: j (the neuron fed); bias_node: 0
    source: int | None = None  # weight only: i, the neuron in layer - 1


@dataclass(frozen=True, eq=False)
class DocumentState:
    """What undo restores: the network as built, the run and where the user was."""

    built: Network
    run: RunHistory
    position: Position
    selection: Selection | None


class NetworkDocument(QObject):
    network_changed = Signal()  # a different network (opened, edited or reset)
    position_changed = Signal()  # iteration or step moved
    losses_changed = Signal()
    selection_changed = Signal()
    play_state_changed = Signal(bool)
    message_posted = Signal(str)  # something the user should read (divergence)
    modified_changed = Signal(bool)  # the network as built differs from the file, or not

    def __init__(self, network: Network, path: str | None = None, example: bool = False) -> None:
        super().__init__()
        self.path = path
        self.example = example  # an untitled copy of a shipped example
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self._selection: Selection | None = None
        self._built = network
        self._saved: Network | None = network  # the network as built when last saved or opened
        self._modified = False
        self._run = RunHistory(network)
        self._position = Position(0, START)
        self.mid_training_edits: str | None = None  # EDIT_BUILT, EDIT_CONTINUE or None: ask
        # Asks which, given the edit's text; None cancels the edit. The window shows a dialog.
        self.ask_mid_training_edit: Callable[[str], str | None] = lambda text: EDIT_BUILT
        self.player = Player(self)

    def dispose(self) -> None:
        """Stop playing and drop the undo history while every object is still alive
        (the window calls this when it closes)."""
        self.player.pause()
        self.undo_stack.clear()

    # -- the network as built --------------------------------------------------------

    @property
    def built_network(self) -> Network:
        """The user's work: what Save writes and Reset returns to."""
        return self._built

    @property
    def initial_network(self) -> Network:
        """The network this run started from (its structure is what is shown): the network
        as built, or the network an edit continued training with."""
        return self._run.start

    @property
    def display_name(self) -> str:
        name = self._built.name
        return f"{name} (example)" if self.example else name

    @property
    def modified(self) -> bool:
        """The network as built is not what the file holds (or was never saved)."""
        return self._modified

    def _update_modified(self) -> None:
        modified = self._built is not self._saved
        if modified != self._modified:
            self._modified = modified
            self.modified_changed.emit(modified)

    def mark_saved(self, path: str) -> None:
        """The network as built was written to ``path``: the document now stands for it."""
        self.path = str(path)
        self.example = False
        self._saved = self._built
        self._update_modified()
        self.network_changed.emit()  # the title shows the new file name

    def mark_unsaved(self) -> None:
        """The network as built is in no file (recovered work)."""
        self._saved = None
        self._update_modified()

    def replace_network(
        self, network: Network, path: str | None = None, example: bool = False
    ) -> None:
        """Open another network: history, position and selection start over."""
        self.player.pause()
        self.path = path  # None: not saved anywhere yet
        self.example = example
        self._selection = None
        self._built = self._saved = network
        self._run = RunHistory(network)
        self._position = Position(0, START)
        self.undo_stack.clear()  # opening is not undoable; the new file starts clean
        self._update_modified()
        self._emit_everything()

    def _emit_everything(self) -> None:
        self.network_changed.emit()
        self.losses_changed.emit()
        self.selection_changed.emit()
        self.position_changed.emit()

    @property
    def network(self) -> Network:
        """Parameters before the current iteration's update."""
        return self._run.state(self._position.iteration)[0]

    def velocity_before(self) -> Velocity:
        """Momentum carried into the current iteration (None: zero), exactly as its trace
        was computed with."""
        return self._run.velocity_before(self._position.iteration)

    @property
    def uses_minibatches(self) -> bool:
        return self._run.uses_minibatches

    # -- positions -------------------------------------------------------------------

    @property
    def position(self) -> Position:
        return self._position

    @property
    def iteration(self) -> int:
        return self._position.iteration

    @property
    def first_iteration(self) -> int:
        """The earliest iteration of this run (later than 0 after an edit that continued
        training: earlier ones used the network before the edit)."""
        return self._run.first_iteration

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.trace.steps

    @property
    def step(self) -> Step | None:
        """The current step; None at the start of an iteration."""
        if self._position.step == START:
            return None
        return self.steps[self._position.step]

    @property
    def trace(self) -> IterationTrace:
        return self._trace(self._position.iteration)

    @property
    def diverged_at(self) -> int | None:
        return self._run.diverged_at

    def caption(self) -> str:
        """The position in words: 'Iteration 3 · backward 2: error signal δ of …'."""
        step = self.step
        diverged = step is not None and step.kind == UPDATE and self.trace.diverged
        return describe_position(
            self._position.iteration, step, self.initial_network.weight_layer_count, diverged
        )

    @property
    def _steps_per_iteration(self) -> int:
        return len(iteration_steps(self.initial_network.weight_layer_count))

    def global_step_number(self) -> int:
        """The step counted from the first, as export numbers its files (0 = start)."""
        return self._position.iteration * self._steps_per_iteration + self._position.step + 1

    def go_to(self, position: Position) -> None:
        if position == self._position:
            return
        self._position = position
        self._trace(position.iteration)  # computes the trace and records its loss
        self.position_changed.emit()

    def go_to_global_step(self, number: int) -> None:
        """Go to step ``number`` as numbered by export (0: the very start)."""
        per_iteration = self._steps_per_iteration
        first = self._run.first_iteration
        if number <= 0:
            self.go_to(Position(first, START))
            return
        iteration, step = divmod(number - 1, per_iteration)
        for i in range(first, iteration):
            if self._trace(i).diverged:
                self.message_posted.emit(self._divergence_message(i))
                self.go_to(Position(i, per_iteration - 1))
                return
        self.go_to(Position(max(iteration, first), step))

    def next_step(self) -> None:
        iteration, step = self._position
        if step < len(self.steps) - 1:
            self.go_to(Position(iteration, step + 1))
        elif self._refuse_after_divergence(iteration):
            return
        else:
            self.go_to(Position(iteration + 1, START))

    def previous_step(self) -> None:
        iteration, step = self._position
        if step > START:
            self.go_to(Position(iteration, step - 1))
        elif iteration > self._run.first_iteration:
            self.go_to(Position(iteration - 1, len(self.steps) - 1))
        elif iteration > 0:
            self._refuse_before_edit()

    def next_iteration(self) -> None:
        iteration = self._position.iteration
        if self._refuse_after_divergence(iteration):
            return
        self.go_to(Position(iteration + 1, START))

    def previous_iteration(self) -> None:
        iteration, step = self._position
        if step > START:
            self.go_to(Position(iteration, START))
        elif iteration > self._run.first_iteration:
            self.go_to(Position(iteration - 1, START))
        elif iteration > 0:
            self._refuse_before_edit()

    def go_home(self) -> None:
        """Back to the first iteration of this run (the history is kept)."""
        self.go_to(Position(self._run.first_iteration, START))

    def _refuse_before_edit(self) -> None:
        self.message_posted.emit(
            f"The network was edited at iteration {self._run.first_iteration + 1} and training "
            "continued; earlier iterations used the network before the edit. Reset (Ctrl+R) "
            "starts over from the network as built."
        )

    def _refuse_after_divergence(self, iteration: int) -> bool:
        if self._trace(iteration).diverged:
            self.message_posted.emit(self._divergence_message(iteration))
            return True
        return False

    def _divergence_message(self, iteration: int) -> str:
        loss = self._trace(iteration).loss
        what = f"the loss became {loss}" if not math.isfinite(loss) else "a parameter overflowed"
        return (
            f"Training diverged in iteration {iteration + 1}: {what}. "
            "Lower the learning rate and reset (Ctrl+R)."
        )

    # -- editing (commands call the apply_* methods) ---------------------------------

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
        from gui.commands import EditNetworkCommand  # commands import this module

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
        from gui.commands import PresentationCommand

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
        from gui.commands import ResetCommand

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

    # -- what is computed at the current step ----------------------------------------

    def _step_index(self, kind: str, layer: int | None = None) -> int:
        L = self.initial_network.weight_layer_count
        if kind == FORWARD:
            assert layer is not None
            return layer - 1
        if kind == LOSS:
            return L
        if kind == BACKWARD:
            assert layer is not None
            return L + 1 + (L - layer)
        return 2 * L + 1

    def shows_activation(self, layer: int) -> bool:
        """z and a of ``layer`` are computed at the current step."""
        return layer == 0 or self._position.step >= self._step_index(FORWARD, layer)

    def shows_loss(self) -> bool:
        return self._position.step >= self._step_index(LOSS)

    def shows_delta(self, layer: int) -> bool:
        """δ of ``layer`` and the gradients into it are computed."""
        return layer > 0 and self._position.step >= self._step_index(BACKWARD, layer)

    def shows_update(self) -> bool:
        return self._position.step == self._step_index(UPDATE)

    def displayed_network(self) -> Network:
        """Parameters as shown: the new ones once the update step is reached."""
        if self.shows_update():
            return self.trace.network_after
        return self.network

    def last_update(self) -> tuple[tuple[Array, ...], tuple[Array, ...]] | None:
        """Δw and Δb of the most recent update at this position, or None."""
        if self.shows_update():
            trace = self.trace
        elif self._position.iteration > self._run.first_iteration:
            trace = self._trace(self._position.iteration - 1)
        else:
            return None  # nothing updated this run's parameters yet
        L = trace.network.weight_layer_count
        pairs = [trace.updates(l) for l in range(1, L + 1)]
        return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)

    # -- selection -------------------------------------------------------------------

    @property
    def selection(self) -> Selection | None:
        return self._selection

    def select(self, selection: Selection | None) -> None:
        if selection != self._selection:
            self._selection = selection
            self.selection_changed.emit()

    # -- losses ----------------------------------------------------------------------

    @property
    def losses(self) -> Array:
        """Loss of every iteration computed so far (index = iteration)."""
        return self._run.losses.array()

    @property
    def dataset_losses(self) -> Array | None:
        """With mini-batches: the loss on the whole data set before each iteration."""
        if not self.uses_minibatches:
            return None
        return self._run.dataset_losses.array()

    @property
    def edit_marks(self) -> list[int]:
        """Iterations at which an edit continued training (for the loss curve)."""
        return list(self._run.edit_marks)

    def _trace(self, iteration: int) -> IterationTrace:
        known = len(self._run.losses)
        trace = self._run.trace(iteration)
        if len(self._run.losses) != known:
            self.losses_changed.emit()
        return trace

    # -- playing (called by Player) --------------------------------------------------

    def run_iterations(self, count: int, deadline: float | None) -> bool:
        """Run up to ``count`` iterations from the current position; show the last one's
        update step. Returns False when training diverged (play must stop)."""
        iteration, step = self._position
        first = iteration if step == START else iteration + 1
        if step != START and self._refuse_after_divergence(iteration):
            return False
        shown = self._run.train(first, count, deadline)
        self._position = Position(shown, len(self._trace(shown).steps) - 1)
        self.losses_changed.emit()
        self.position_changed.emit()
        if self._trace(shown).diverged:
            self.message_posted.emit(self._divergence_message(shown))
            return False
        return True


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
