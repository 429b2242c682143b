"""RunHistory: one training run as the window shows it: checkpoints, traces, losses.

No Qt: the document (gui/document.py) owns one and turns its changes into signals.
A run starts from a network at ``first_iteration`` (0, or the iteration where an
edit continued training). Traces are computed on demand from checkpoints (the
parameters and momentum before an iteration) and cached; iterations played in
bulk are recomputed from the nearest checkpoint with the same Trainer
arithmetic, so stepping back shows what was shown before.

Memory is bounded whatever the run's length: checkpoints by CHECKPOINT_BUDGET
bytes (thinned, sparser further back), traces by TRACE_BUDGET bytes, and the
losses are shared between a run and its undo snapshots (LossHistory).
"""

from __future__ import annotations

import dataclasses
import math
from collections import OrderedDict
from typing import Any

import numpy as np

from engine.network import Array, Network
from engine.trace import IterationTrace, dataset_loss, trace_iteration
from engine.training import Trainer
from gui.loss_history import LossHistory

Velocity = tuple[Array, ...] | None
State = tuple[Network, Velocity]

CHECKPOINT_BUDGET = 128 * 2**20  # bytes of parameters and momentum kept for stepping back
MAX_CHECKPOINTS = 4000
MIN_CHECKPOINTS = 16
TRACE_BUDGET = 64 * 2**20  # bytes of cached traces (a trace of 10,000 rows is megabytes)
MAX_TRACES = 32
CHECKPOINT_OVERHEAD = 2048  # bytes a Network value costs beyond its parameter arrays


def _state_bytes(network: Network) -> int:
    parameters = sum(w.size for w in network.weights) + sum(b.size for b in network.biases)
    copies = 2 if network.optimizer.momentum > 0 else 1
    return 8 * parameters * copies + CHECKPOINT_OVERHEAD


def _trace_bytes(trace: IterationTrace) -> int:
    arrays: list[Any] = [*trace.z, *trace.a, *trace.grad_a, *trace.delta]
    arrays += [trace.loss_terms, trace.sample_losses, trace.targets, trace.rows]
    return sum(a.nbytes for a in arrays if a is not None) + _state_bytes(trace.network)


class RunHistory:
    """Training from ``start`` at ``first_iteration``; earlier losses belong to runs before."""

    def __init__(self, start: Network, first_iteration: int = 0, velocity: Velocity = None):
        self.start = start
        self.first_iteration = first_iteration
        self._checkpoints: dict[int, State] = {first_iteration: (start, velocity)}
        self._max_checkpoints = max(
            MIN_CHECKPOINTS, min(MAX_CHECKPOINTS, CHECKPOINT_BUDGET // _state_bytes(start))
        )
        self._traces: OrderedDict[int, tuple[IterationTrace, Velocity]] = OrderedDict()
        self._trace_bytes = 0
        self.losses = LossHistory()
        self.dataset_losses = LossHistory()  # filled only with mini-batches
        self.edit_marks: tuple[int, ...] = ()
        self.diverged_at: int | None = None

    @property
    def uses_minibatches(self) -> bool:
        return self.start.optimizer.batch_size is not None

    # -- copies --------------------------------------------------------------------

    def copy(self) -> RunHistory:
        """A copy sharing every value; changes to either leave the other as it was."""
        return self._copy(dict(self._checkpoints), dict(self._traces))

    def snapshot(self, near: int) -> RunHistory:
        """A copy for undo: checkpoints spaced more sparsely the further they are from
        iteration ``near`` and only that iteration's trace, so that a snapshot does not
        keep a whole run's memory budget alive."""
        checkpoints = _thinned(self._checkpoints, near, self.first_iteration)
        return self._copy(checkpoints, {k: v for k, v in self._traces.items() if k == near})

    def _copy(
        self, checkpoints: dict[int, State], kept: dict[int, tuple[IterationTrace, Velocity]]
    ) -> RunHistory:
        other = RunHistory.__new__(RunHistory)
        other.__dict__.update(self.__dict__)
        other._checkpoints = checkpoints
        other._traces = OrderedDict(kept)
        other._trace_bytes = sum(_trace_bytes(t) for t, _ in kept.values())
        other.losses = self.losses.copy()
        other.dataset_losses = self.dataset_losses.copy()
        return other

    def continued(self, iteration: int, network: Network, velocity: Velocity) -> RunHistory:
        """A run that goes on from ``iteration`` with ``network`` (an edit that continues
        training): the losses before it stay, the curve marks the edit."""
        run = RunHistory(network, iteration, velocity)
        run.losses = self.losses.copy()
        run.losses.truncate(iteration)
        run.dataset_losses = self.dataset_losses.copy()
        run.dataset_losses.truncate(iteration)
        missing = len(run.losses) - len(run.dataset_losses)
        if run.uses_minibatches and missing > 0:  # mini-batches since this edit: none before
            run.dataset_losses.extend(np.full(missing, np.nan))
        marks = tuple(m for m in self.edit_marks if m < iteration)
        run.edit_marks = marks + ((iteration,) if iteration > 0 else ())
        if self.diverged_at is not None and self.diverged_at < iteration:
            run.diverged_at = self.diverged_at
        return run

    def with_presentation(self, network: Network) -> RunHistory:
        """The same run with ``network``'s name, description, labels and layout (what
        is shown, never what is computed): nothing is recomputed. A run that continued
        with a different structure keeps its own labels."""
        same_shape = network.sizes == self.start.sizes
        fields: dict[str, Any] = {
            "name": network.name,
            "description": network.description,
            "layout": network.layout,
        }

        def shown_as(old: Network) -> Network:
            changes = dict(fields)
            if same_shape:  # the labels live in the layers, with what is computed
                changes["layers"] = tuple(
                    dataclasses.replace(mine, labels=theirs.labels)
                    for mine, theirs in zip(old.layers, network.layers, strict=True)
                )
            return old.replace(**changes)

        other = self.copy()
        other.start = shown_as(self.start)
        other._checkpoints = {k: (shown_as(n), v) for k, (n, v) in self._checkpoints.items()}
        return other

    # -- states and traces ---------------------------------------------------------

    def state(self, iteration: int) -> State:
        """Parameters and momentum before ``iteration``."""
        if iteration < self.first_iteration:
            raise ValueError(f"iteration {iteration} is before this run's start")
        state = self._checkpoints.get(iteration)
        if state is not None:
            return state
        cached = self._traces.get(iteration)
        if cached is not None:
            return cached[0].network, cached[1]
        previous = self._traces.get(iteration - 1)
        if previous is not None:
            state = (previous[0].network_after, previous[0].velocity)
        else:
            start = max(k for k in self._checkpoints if k < iteration)
            network, velocity = self._checkpoints[start]
            trainer = self._trainer(network, start, velocity)
            trainer.run(iteration - start)
            self._record(start, trainer, trainer.losses.shape[0])
            state = (trainer.network(), trainer.velocity())
        self._store(iteration, state)
        return state

    def trace(self, iteration: int) -> IterationTrace:
        cached = self._traces.get(iteration)
        if cached is not None:
            self._traces.move_to_end(iteration)
            return cached[0]
        network, velocity = self.state(iteration)
        trace = trace_iteration(network, iteration, velocity)
        self._traces[iteration] = (trace, velocity)
        self._trace_bytes += _trace_bytes(trace)
        while len(self._traces) > 1 and (
            len(self._traces) > MAX_TRACES or self._trace_bytes > TRACE_BUDGET
        ):
            old, _ = self._traces.popitem(last=False)[1]
            self._trace_bytes -= _trace_bytes(old)
        if iteration == len(self.losses):
            self.losses.extend(np.array([trace.loss]))
            if self.uses_minibatches:
                self.dataset_losses.extend(np.array([dataset_loss(network)]))
        if trace.diverged and (self.diverged_at is None or iteration < self.diverged_at):
            self.diverged_at = iteration
        return trace

    def velocity_before(self, iteration: int) -> Velocity:
        """The momentum the trace of ``iteration`` was computed with."""
        cached = self._traces.get(iteration)
        return cached[1] if cached is not None else self.state(iteration)[1]

    def train(self, first: int, count: int, deadline: float | None) -> int:
        """Run iterations ``first`` … ``first + count - 2`` in bulk, then return the
        iteration to show (its trace is computed by whoever shows it): the one after
        the last that ran, or the diverging one."""
        if count <= 1:
            return first
        network, velocity = self.state(first)
        trainer = self._trainer(network, first, velocity)
        trainer.run(count - 1, deadline=deadline)
        ran = trainer.losses.shape[0]
        if trainer.diverged_at is not None:
            ran -= 1  # the diverging iteration is shown by its trace
        self._record(first, trainer, ran)
        if ran > 0:
            self._store(first + ran, (trainer.network(), trainer.velocity()))
        return first + ran

    def _trainer(self, network: Network, start: int, velocity: Velocity) -> Trainer:
        return Trainer(
            network,
            start_iteration=start,
            velocity=velocity,
            track_dataset_loss=self.uses_minibatches,
        )

    def _record(self, first: int, trainer: Trainer, ran: int) -> None:
        """Keep the losses of iterations ``first`` … ``first + ran - 1`` not yet known."""
        new = first + ran - len(self.losses)
        if new <= 0 or new > ran:
            return  # known already, or a gap before them (nothing to align with)
        self.losses.extend(trainer.losses[ran - new : ran])
        whole = trainer.dataset_losses
        if whole is not None:
            self.dataset_losses.extend(whole[ran - new : ran])

    def _store(self, iteration: int, state: State) -> None:
        self._checkpoints[iteration] = state
        if len(self._checkpoints) > self._max_checkpoints:
            # Thin out the older half; the run's start is kept, the rest is recomputed.
            keys = sorted(self._checkpoints)
            for key in keys[1 : len(keys) // 2 : 2]:
                del self._checkpoints[key]

    def checkpoint_count(self) -> int:
        return len(self._checkpoints)


def _thinned(checkpoints: dict[int, State], near: int, first: int) -> dict[int, State]:
    """The run's start, and per power-of-two distance from ``near`` the closest one."""
    kept: dict[int, State] = {first: checkpoints[first]}
    best: dict[tuple[bool, int], int] = {}
    for key in checkpoints:
        distance = abs(key - near)
        band = (key < near, int(math.log2(distance + 1)))
        if band not in best or distance < abs(best[band] - near):
            best[band] = key
    for key in best.values():
        kept[key] = checkpoints[key]
    return kept
