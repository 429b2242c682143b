"""NetworkDocument: the one owner of the network, its history and the position.

Stepping is navigation over traces. A position is (iteration, step) where
step -1 is the start of an iteration (nothing computed yet) and 0..S-1 index
the steps forward-1 … update. Traces are computed on demand from checkpoints
(the parameters and momentum before an iteration) and cached; iterations
played in bulk are recomputed from the nearest checkpoint with the same
Trainer arithmetic, so stepping back shows exactly what was shown before.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from engine.edits import EditError
from engine.network import Array, Network
from engine.steps import BACKWARD, FORWARD, LOSS, UPDATE, Step, describe_step, iteration_steps
from engine.trace import IterationTrace, dataset_loss, trace_iteration
from engine.training import Trainer

START = -1  # step index of "start of the iteration"
TRACE_CACHE_SIZE = 32
MAX_CHECKPOINTS = 4000


class Position(NamedTuple):
    iteration: int
    step: int  # START or an index into the iteration's steps


@dataclass(frozen=True, eq=False)
class DocumentState:
    """What undo restores: the network, its history and where the user was."""

    initial: Network
    first_iteration: int
    checkpoints: dict[int, tuple[Network, tuple[Array, ...] | None]]
    position: Position
    losses: Array
    dataset_losses: Array
    edit_marks: tuple[int, ...]
    diverged_at: int | None
    selection: Selection | None


@dataclass(frozen=True)
class Selection:
    kind: str  # "neuron", "weight", "bias" or "bias_node"
    layer: int  # neuron: its layer; weight/bias: the layer they feed (1..L)
    index: int  # neuron: j; weight/bias: j (the neuron fed); bias_node: 0
    source: int | None = None  # weight only: i, the neuron in layer - 1


Velocity = tuple[Array, ...] | None


class NetworkDocument(QObject):
    network_changed = Signal()  # a different network (opened, edited or reset)
    position_changed = Signal()  # iteration or step moved
    losses_changed = Signal()
    selection_changed = Signal()
    play_state_changed = Signal(bool)
    message_posted = Signal(str)  # something the user should read (divergence)

    def __init__(self, network: Network, path: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.undo_stack = QUndoStack(self)
        self._selection: Selection | None = None
        self._set_network(network)
        self.player = Player(self)

    # -- the network ---------------------------------------------------------------

    def _set_network(self, network: Network) -> None:
        self._initial = network
        self._first_iteration = 0  # iterations before it belong to the network before an edit
        self._checkpoints: dict[int, tuple[Network, Velocity]] = {0: (network, None)}
        self._traces: OrderedDict[int, IterationTrace] = OrderedDict()
        self._position = Position(0, START)
        self._losses = np.empty(256)
        self._dataset_losses = np.empty(256)
        self._loss_count = 0
        self._diverged_at: int | None = None
        self._edit_marks: list[int] = []

    def dispose(self) -> None:
        """Stop playing and drop the undo history while every object is still alive
        (the window calls this when it closes)."""
        self.player.pause()
        self.undo_stack.clear()

    @property
    def initial_network(self) -> Network:
        """The network as opened or last edited: iteration 0's parameters."""
        return self._initial

    def replace_network(self, network: Network, path: str | None = None) -> None:
        """Open another network: history, position and selection start over."""
        self.player.pause()
        self.path = path  # None: not saved anywhere yet
        self._selection = None
        self._set_network(network)
        self.undo_stack.clear()  # opening is not undoable; the new file starts clean
        self.network_changed.emit()
        self.losses_changed.emit()
        self.selection_changed.emit()
        self.position_changed.emit()

    @property
    def network(self) -> Network:
        """Parameters before the current iteration's update."""
        return self._state(self._position.iteration)[0]

    def velocity_before(self) -> Velocity:
        """Momentum carried into the current iteration (None: zero)."""
        return self._state(self._position.iteration)[1]

    @property
    def uses_minibatches(self) -> bool:
        return self._initial.optimizer.batch_size is not None

    # -- positions -------------------------------------------------------------------

    @property
    def position(self) -> Position:
        return self._position

    @property
    def iteration(self) -> int:
        return self._position.iteration

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
        return self._diverged_at

    def caption(self) -> str:
        """The position in words: 'Iteration 3 · backward 2: error signal δ of …'."""
        number = self._position.iteration + 1
        step = self.step
        if step is None:
            if self._position.iteration == 0:
                what = "start: inputs and initial parameters; press → to compute"
            else:
                what = f"start: parameters after {self._position.iteration} updates"
            return f"Iteration {number} · {what}"
        text = f"Iteration {number} · {describe_step(step, self._initial.weight_layer_count)}"
        if step.kind == UPDATE and self.trace.diverged:
            text += " — diverged: some values are no longer finite"
        return text

    @property
    def _steps_per_iteration(self) -> int:
        return len(iteration_steps(self._initial.weight_layer_count))

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
        if number <= 0:
            self.go_to(Position(self._first_iteration, START))
            return
        iteration, step = divmod(number - 1, per_iteration)
        for i in range(self._first_iteration, iteration):
            if self._trace(i).diverged:
                self.message_posted.emit(self._divergence_message(i))
                self.go_to(Position(i, per_iteration - 1))
                return
        self.go_to(Position(iteration, step))

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
        elif iteration > self._first_iteration:
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
        elif iteration > self._first_iteration:
            self.go_to(Position(iteration - 1, START))
        elif iteration > 0:
            self._refuse_before_edit()

    def go_home(self) -> None:
        """Back to the first iteration of this network (the history is kept)."""
        self.go_to(Position(self._first_iteration, START))

    def _refuse_before_edit(self) -> None:
        self.message_posted.emit(
            f"The network was edited at iteration {self._first_iteration + 1}; earlier "
            "iterations used the network before the edit. Reset (Ctrl+R) starts over from "
            "iteration 1 with the edited network."
        )

    def reset(self) -> None:
        """Back to the parameters as opened or last edited; the training history is dropped."""
        self.player.pause()
        self._set_network(self._checkpoints[self._first_iteration][0])
        self.losses_changed.emit()
        self.position_changed.emit()

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

    # -- editing (commands call these) ------------------------------------------------

    def push_edit(
        self,
        text: str,
        edit: Callable[..., Network],
        *args: Any,
        merge_key: object = None,
        **kwargs: Any,
    ) -> bool:
        """Apply ``edit(current network, *args)`` as an undoable command named ``text``.

        An EditError (a refused edit) leaves everything as it was and posts its reason.
        """
        try:
            network = edit(self.network, *args, **kwargs)
        except EditError as error:
            self.message_posted.emit(f"{text}: refused: {error}.")
            return False
        from gui.commands import EditNetworkCommand  # commands import this module

        self.undo_stack.push(EditNetworkCommand(self, network, text, merge_key))
        return True

    def push_layout(self, text: str, layout: dict[str, Any], merge_key: object = None) -> None:
        """Change the diagram layout (node positions): undoable, training history kept."""
        from gui.commands import LayoutCommand

        self.undo_stack.push(LayoutCommand(self, layout, text, merge_key))

    def snapshot(self) -> DocumentState:
        """Everything an undo must restore, exactly."""
        return DocumentState(
            initial=self._initial,
            first_iteration=self._first_iteration,
            checkpoints=dict(self._checkpoints),
            position=self._position,
            losses=self.losses.copy(),
            dataset_losses=self._dataset_losses[: self._loss_count].copy(),
            edit_marks=tuple(self._edit_marks),
            diverged_at=self._diverged_at,
            selection=self._selection,
        )

    def restore(self, state: DocumentState) -> None:
        self.player.pause()
        self._initial = state.initial
        self._first_iteration = state.first_iteration
        self._checkpoints = dict(state.checkpoints)
        self._traces = OrderedDict()
        self._position = state.position
        count = state.losses.shape[0]
        self._losses = np.resize(state.losses, max(256, count))
        self._dataset_losses = np.resize(state.dataset_losses, max(256, count))
        self._loss_count = count
        self._edit_marks = list(state.edit_marks)
        self._diverged_at = state.diverged_at
        self._selection = state.selection
        self._trace(self._position.iteration)
        self.network_changed.emit()
        self.losses_changed.emit()
        self.selection_changed.emit()
        self.position_changed.emit()

    def apply_edit(self, network: Network) -> None:
        """The network at the current iteration becomes ``network``; that iteration
        restarts at its first step, later history is dropped, the curve marks the edit."""
        self.player.pause()
        iteration = self._position.iteration
        _, velocity = self._state(iteration)
        same_shape = network.sizes == self._initial.sizes
        if not same_shape or network.optimizer.momentum == 0:
            velocity = None
        self._initial = network
        self._first_iteration = iteration
        self._checkpoints = {iteration: (network, velocity)}
        self._traces = OrderedDict()
        self._loss_count = min(self._loss_count, iteration)
        self._edit_marks = [m for m in self._edit_marks if m < iteration]
        if iteration > 0:
            self._edit_marks.append(iteration)
        if self._diverged_at is not None and self._diverged_at >= iteration:
            self._diverged_at = None
        self._position = Position(iteration, START)
        if not same_shape:
            self._selection = None
        self._trace(iteration)
        self.network_changed.emit()
        self.losses_changed.emit()
        self.selection_changed.emit()
        self.position_changed.emit()

    def apply_layout(self, layout: dict[str, Any]) -> None:
        """Only the layout changes: nothing is recomputed, the position stays."""
        self._initial = self._initial.replace(layout=layout)
        self._checkpoints = {
            k: (n.replace(layout=layout), v) for k, (n, v) in self._checkpoints.items()
        }
        self._traces = OrderedDict()
        self._trace(self._position.iteration)
        self.network_changed.emit()

    # -- what is computed at the current step ----------------------------------------

    def _step_index(self, kind: str, layer: int | None = None) -> int:
        L = self._initial.weight_layer_count
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
        elif self._position.iteration > 0:
            trace = self._trace(self._position.iteration - 1)
        else:
            return None
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
        return self._losses[: self._loss_count]

    @property
    def dataset_losses(self) -> Array | None:
        """With mini-batches: the loss on the whole data set before each iteration."""
        if not self.uses_minibatches:
            return None
        return self._dataset_losses[: self._loss_count]

    @property
    def edit_marks(self) -> list[int]:
        """Iterations at which the network was edited (for the loss curve)."""
        return list(self._edit_marks)

    def _append_losses(self, batch_losses: Array, whole: Array | None) -> None:
        needed = self._loss_count + batch_losses.shape[0]
        if needed > self._losses.shape[0]:
            capacity = max(needed, 2 * self._losses.shape[0])
            self._losses = np.resize(self._losses, capacity)
            self._dataset_losses = np.resize(self._dataset_losses, capacity)
        self._losses[self._loss_count : needed] = batch_losses
        if whole is not None:
            self._dataset_losses[self._loss_count : needed] = whole
        self._loss_count = needed

    # -- checkpoints and traces ------------------------------------------------------

    def _state(self, iteration: int) -> tuple[Network, Velocity]:
        """Parameters and momentum before ``iteration``."""
        state = self._checkpoints.get(iteration)
        if state is not None:
            return state
        previous = self._traces.get(iteration - 1)
        if previous is not None:
            state = (previous.network_after, previous.velocity)
        else:
            start = max(k for k in self._checkpoints if k < iteration)
            network, velocity = self._checkpoints[start]
            trainer = Trainer(network, start_iteration=start, velocity=velocity)
            trainer.run(iteration - start)
            state = (trainer.network(), trainer.velocity())
        self._store_checkpoint(iteration, state)
        return state

    def _store_checkpoint(self, iteration: int, state: tuple[Network, Velocity]) -> None:
        self._checkpoints[iteration] = state
        if len(self._checkpoints) > MAX_CHECKPOINTS:
            # Thin out the older half; missing iterations are recomputed exactly.
            keys = sorted(self._checkpoints)
            for key in keys[1 : len(keys) // 2 : 2]:
                del self._checkpoints[key]

    def _trace(self, iteration: int) -> IterationTrace:
        trace = self._traces.get(iteration)
        if trace is not None:
            self._traces.move_to_end(iteration)
            return trace
        network, velocity = self._state(iteration)
        trace = trace_iteration(network, iteration, velocity)
        self._traces[iteration] = trace
        if len(self._traces) > TRACE_CACHE_SIZE:
            self._traces.popitem(last=False)
        if iteration == self._loss_count:
            whole = np.array([dataset_loss(network)]) if self.uses_minibatches else None
            self._append_losses(np.array([trace.loss]), whole)
            self.losses_changed.emit()
        if trace.diverged and (self._diverged_at is None or iteration < self._diverged_at):
            self._diverged_at = iteration
        return trace

    # -- playing (called by Player) --------------------------------------------------

    def run_iterations(self, count: int, deadline: float | None) -> bool:
        """Run up to ``count`` iterations from the current position; show the last one's
        update step. Returns False when training diverged (play must stop)."""
        iteration, step = self._position
        first = iteration if step == START else iteration + 1
        if step != START and self._refuse_after_divergence(iteration):
            return False
        if count > 1:
            network, velocity = self._state(first)
            trainer = Trainer(
                network,
                start_iteration=first,
                velocity=velocity,
                track_dataset_loss=self.uses_minibatches,
            )
            trainer.run(count - 1, deadline=deadline)
            ran = trainer.losses.shape[0]
            if trainer.diverged_at is not None:
                ran -= 1  # the diverging iteration is shown by its trace below
            new_losses = first + ran - self._loss_count
            if new_losses > 0:
                whole = trainer.dataset_losses
                self._append_losses(
                    trainer.losses[ran - new_losses : ran],
                    None if whole is None else whole[ran - new_losses : ran],
                )
            first += ran
            self._store_checkpoint(first, (trainer.network(), trainer.velocity()))
        self._position = Position(first, len(self._trace(first).steps) - 1)
        self.losses_changed.emit()
        self.position_changed.emit()
        if self._trace(first).diverged:
            self.message_posted.emit(self._divergence_message(first))
            return False
        return True


class Player(QObject):
    """Play: a timer whose every tick trains as much as fits, then the views redraw once."""

    TICK_MS = 16  # ~60 frames per second at most
    TRAIN_BUDGET_S = 0.006  # of every tick, for training; the rest is for drawing
    MAX_SPEED = 0  # "as fast as possible"

    def __init__(self, document: NetworkDocument) -> None:
        super().__init__(document)
        self._document = document
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self.speed = 10  # iterations per second; MAX_SPEED for as fast as possible
        self._owed = 0.0
        self._last_tick = 0.0

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def play(self) -> None:
        if self.playing:
            return
        self._owed = 1.0  # the first iteration runs at once
        self._last_tick = time.perf_counter()
        self._timer.start()
        self._document.play_state_changed.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self._timer.stop()
        self._document.play_state_changed.emit(False)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        if self.speed == self.MAX_SPEED:
            count, deadline = 10**9, now + self.TRAIN_BUDGET_S
        else:
            self._owed += self.speed * (now - self._last_tick)
            count, deadline = int(self._owed), now + self.TRAIN_BUDGET_S
            self._owed -= count
        self._last_tick = now
        if count == 0:
            return
        if not self._document.run_iterations(count, deadline):
            self.pause()
