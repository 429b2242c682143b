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

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

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
from gui.document_editing import (  # noqa: F401 - re-exported: the edit choices
    EDIT_BUILT,
    EDIT_CHOICE_NAMES,
    EDIT_CONTINUE,
    DocumentEditing,
)
from gui.document_state import (  # noqa: F401 - re-exported for the views
    START,
    DocumentState,
    Position,
    Selection,
)
from gui.player import Player
from gui.run_history import RunHistory, Velocity

UNDO_LIMIT = 200  # edits kept for undo; each costs a little memory (see RunHistory.snapshot)


class NetworkDocument(DocumentEditing, QObject):
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
