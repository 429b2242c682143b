"""Bounded memory: a long run, its undo snapshots and its checkpoints stay within budget,
and what is recomputed equals what the engine computes."""

from __future__ import annotations

import numpy as np

import resources
from engine import edits
from engine.fileformat import load_network
from engine.trace import trace_iteration
from gui.files import new_network
from gui.loss_history import CHUNK, LossHistory
from gui.run_history import CHECKPOINT_BUDGET, RunHistory


def test_loss_history_copies_share_data_until_written():  # type: ignore[no-untyped-def]
    history = LossHistory()
    values = np.arange(3 * CHUNK + 5, dtype=float)
    history.extend(values)
    snapshot = history.copy()
    history.truncate(CHUNK + 3)
    history.extend(np.array([-1.0, -2.0]))
    assert np.array_equal(snapshot.array(), values)  # the snapshot is as it was
    assert np.array_equal(history.array(), np.concatenate([values[: CHUNK + 3], [-1.0, -2.0]]))
    # Only the chunk written into was copied; the first is still shared.
    assert history._chunks[0] is snapshot._chunks[0]
    assert history._chunks[1] is not snapshot._chunks[1]


def test_loss_history_truncate_to_nothing_then_grow():  # type: ignore[no-untyped-def]
    history = LossHistory()
    history.extend(np.ones(10))
    history.truncate(0)
    assert len(history) == 0 and history.array().shape == (0,)
    history.extend(np.array([2.0]))
    assert history.array().tolist() == [2.0]


def test_checkpoints_of_a_wide_net_stay_within_the_budget():  # type: ignore[no-untyped-def]
    network = new_network([128, 128, 128, 128], seed=1)
    run = RunHistory(network)
    parameters = sum(w.size for w in network.weights) + sum(b.size for b in network.biases)
    shown = 0
    for _ in range(600):  # one "frame" of play each: two iterations
        shown = run.train(shown, 2, None)
    assert shown == 600
    assert run.checkpoint_count() * parameters * 8 <= CHECKPOINT_BUDGET
    # Stepping back far recomputes from a sparse checkpoint, exactly as the engine does.
    state, _ = run.state(7)
    expected = network
    for index in range(7):
        expected = trace_iteration(expected, index).network_after
    for mine, theirs in zip(state.weights, expected.weights, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)


def test_an_undo_snapshot_of_a_long_run_shares_its_losses():  # type: ignore[no-untyped-def]
    run = RunHistory(load_network(resources.preset_path("xor-2-4-1.json")))
    shown = run.train(0, 200_000, None)
    run.trace(shown)
    snapshots = [run.snapshot(shown) for _ in range(20)]
    copies = [s.copy() for s in snapshots]
    extra = sum(
        sum(c.nbytes for c in s.losses._chunks if all(c is not r for r in run.losses._chunks))
        for s in snapshots + copies
    )
    assert extra == 0
    assert all(s.checkpoint_count() <= 2 * 20 + 2 for s in snapshots)


def test_an_edit_that_continues_training_keeps_the_earlier_losses():  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path())
    run = RunHistory(network)
    for index in range(5):
        run.trace(index)
    changed = edits.set_weight(run.state(3)[0], 1, 0, 0, 0.3)
    after = run.continued(3, changed, None)
    assert len(after.losses) == 3 and after.edit_marks == (3,)
    after.trace(3)
    assert after.losses.array()[3] == trace_iteration(changed, 3).loss
    assert len(run.losses) == 5  # the run before the edit is untouched (undo needs it)
