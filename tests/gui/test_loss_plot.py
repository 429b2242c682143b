"""The loss curve driven as a user does: log scale, resizing, docks, presentation mode,
a run that diverged. Nothing may raise (an exception inside a resize ends the process)."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt

import resources
from engine.fileformat import load_network
from gui.document import Position
from gui.themes import LIGHT, set_text_scale, set_theme


def diverging_network():  # type: ignore[no-untyped-def]
    """Linear layers and a huge learning rate: the loss grows to inf in a few iterations."""
    network = load_network(resources.preset_path())
    linear = tuple(
        replace(layer, activation="linear") if layer.activation else layer
        for layer in network.layers
    )
    return network.replace(
        layers=linear, optimizer=replace(network.optimizer, learning_rate=1000.0)
    )


def play_until_stopped(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.speed_box.setCurrentIndex(window.speed_box.findData(0))  # as fast as possible
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.document.player.playing, timeout=10000)


def click_log_scale(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    box = window.loss_plot.log_y
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())


def view_menu_action(window, title: str):  # type: ignore[no-untyped-def]
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    return next(a for a in view.actions() if a.text() == title)


def drawn_losses(window) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The finite points of the curve as drawn, as losses (undoing the log axis)."""
    x, y = window.loss_plot.curve_data()
    y = y[np.isfinite(y)]
    return 10**y if window.loss_plot.log_y.isChecked() else y


def curve_in_view(window) -> bool:  # type: ignore[no-untyped-def]
    """Some of the drawn curve lies inside the plot's visible y range."""
    _, y = window.loss_plot.curve_data()
    y = y[np.isfinite(y)]
    (_, _), (bottom, top) = window.loss_plot.plot.getPlotItem().vb.viewRange()
    return bool(np.any((y >= bottom) & (y <= top)))


def test_log_scale_then_resize_toggle_docks_and_present_after_divergence(qtbot, open_window):  # type: ignore[no-untyped-def]
    window = open_window(diverging_network())
    play_until_stopped(qtbot, window)
    document = window.document
    assert document.diverged_at is not None
    losses = document.losses
    assert not np.isfinite(losses[-1])  # the diverged iteration's loss is inf
    finite = losses[np.isfinite(losses) & (losses > 0)]
    assert finite.shape[0] >= 2

    click_log_scale(qtbot, window)
    assert window.loss_plot.log_y.isChecked()
    # Every finite loss is drawn, on a log axis, and the view shows the curve.
    assert np.allclose(np.sort(drawn_losses(window)), np.sort(finite), rtol=1e-9)
    assert curve_in_view(window)

    window.resize(1000, 700)  # crashed here (SIGSEGV inside resizeEvent)
    qtbot.wait(20)
    window.resize(1400, 900)
    loss_dock = view_menu_action(window, "Loss")
    loss_dock.trigger()  # hide the Loss dock, then show it again
    qtbot.wait(20)
    assert not window.loss_dock.isVisible()
    loss_dock.trigger()
    qtbot.waitUntil(window.loss_dock.isVisible)
    view_menu_action(window, "Inspector").trigger()
    view_menu_action(window, "Inspector").trigger()
    try:
        qtbot.keyClick(window.view, Qt.Key.Key_F5)  # presentation mode, then leave it
        qtbot.wait(20)
        qtbot.keyClick(window.view, Qt.Key.Key_Escape)
        qtbot.wait(20)
    finally:
        set_theme(LIGHT)
        set_text_scale(1.0)
    assert not window.presentation.presenting
    assert np.allclose(np.sort(drawn_losses(window)), np.sort(finite), rtol=1e-9)
    assert curve_in_view(window)

    click_log_scale(qtbot, window)  # back to linear: still drawn, still in view
    assert not window.loss_plot.log_y.isChecked()
    window.resize(1100, 800)
    qtbot.wait(20)
    assert drawn_losses(window).shape[0] == finite.shape[0]
    assert curve_in_view(window)


def test_log_scale_before_any_loss_and_back(qtbot, window):  # type: ignore[no-untyped-def]
    click_log_scale(qtbot, window)
    window.resize(900, 600)
    qtbot.wait(20)
    for _ in range(3):
        qtbot.keyClick(window.view, Qt.Key.Key_Right)  # forward 1, forward 2, loss
    loss = window.document.losses[0]
    assert np.allclose(drawn_losses(window), [loss])
    assert curve_in_view(window)
    click_log_scale(qtbot, window)
    window.resize(1400, 900)
    qtbot.wait(20)
    assert np.allclose(drawn_losses(window), [loss])


def test_zero_and_huge_losses_are_left_out_on_a_log_axis(qtbot, window):  # type: ignore[no-untyped-def]
    """A log axis cannot draw 0 (or less); pyqtgraph's range overflows past ~1e308."""
    panel = window.loss_plot
    values = np.array([0.5, 0.0, -1.0, 1e305, np.inf, np.nan, 1e-3])
    click_log_scale(qtbot, window)
    assert np.array_equal(np.isfinite(panel._plottable(values)), [1, 0, 0, 0, 0, 0, 1])
    click_log_scale(qtbot, window)
    assert np.array_equal(np.isfinite(panel._plottable(values)), [1, 1, 1, 0, 0, 0, 1])


def test_a_hidden_loss_dock_catches_up_when_shown(qtbot, window):  # type: ignore[no-untyped-def]
    view_menu_action(window, "Loss").trigger()  # the user closes the Loss dock
    for _ in range(7):  # a whole iteration and the start of the next
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.loss_plot._refresher.stale  # nothing drawn while it cannot be seen
    view_menu_action(window, "Loss").trigger()
    qtbot.waitUntil(lambda: not window.loss_plot._refresher.stale)
    x, _ = window.loss_plot.batch_curve.getData()
    assert x is not None and list(x) == [1.0]


def go_to_loss_step(window, iteration: int) -> None:  # type: ignore[no-untyped-def]
    """Where the user stands after stepping to the loss step of ``iteration`` (1-based)."""
    document = window.document
    document.go_to(
        Position(
            iteration - 1, document.steps.index(next(s for s in document.steps if s.kind == "loss"))
        )
    )
    window.loss_plot.curve_data()  # drawn as the user sees it


def shown_ticks(axis) -> list[str]:  # type: ignore[no-untyped-def]
    """The tick labels an axis draws over its current range."""
    low, high = axis.range
    levels = axis.tickValues(low, high, axis.geometry().width())
    return [
        text
        for spacing, values in levels
        for text in axis.tickStrings(values, axis.autoSIPrefixScale, spacing)
    ]


def test_the_iteration_axis_never_shows_half_iterations(qtbot, window):  # type: ignore[no-untyped-def]
    go_to_loss_step(window, 3)
    panel = window.loss_plot
    item = panel.plot.getPlotItem()
    axis = item.getAxis("bottom")
    for low, high in ((0.5, 10.5), (0.8, 3.2), (1.9, 2.1), (0, 2000)):
        item.setXRange(low, high, padding=0)  # the user zooms the plot
        qtbot.wait(1)
        ticks = shown_ticks(axis)
        assert all(re.fullmatch(r"\d+", tick) for tick in ticks), (low, high, ticks)
    item.setXRange(0.8, 3.2, padding=0)
    assert shown_ticks(axis) == ["1", "2", "3"]


def test_stepping_back_shows_the_same_axes(qtbot, window):  # type: ignore[no-untyped-def]
    """The y range comes from every loss computed so far, not from the visible part of
    the curve: the loss step of iteration 3 looks the same on the way forward and back."""
    panel = window.loss_plot
    view_box = panel.plot.getPlotItem().vb
    for log in (False, True):
        if log:
            click_log_scale(qtbot, window)
        go_to_loss_step(window, 12)  # twelve iterations computed
        go_to_loss_step(window, 3)
        before = view_box.viewRange()
        go_to_loss_step(window, 9)
        go_to_loss_step(window, 3)  # back again
        assert view_box.viewRange() == before
        go_to_loss_step(window, 12)
        assert view_box.viewRange()[1] == before[1]
        losses = window.document.losses[:12]
        low, high = view_box.viewRange()[1]
        shown = np.log10(losses) if log else losses
        assert low <= shown.min() and shown.max() <= high  # every computed loss in range


def test_a_new_run_is_shown_whatever_the_user_zoomed(qtbot, window):  # type: ignore[no-untyped-def]
    click_log_scale(qtbot, window)
    go_to_loss_step(window, 5)
    item = window.loss_plot.plot.getPlotItem()
    item.setYRange(40, 50, padding=0)  # zoomed far from the curve
    window.document.reset()  # Reset: a new run from the network as built
    go_to_loss_step(window, 3)
    assert curve_in_view(window)


def test_a_per_sample_curve_says_so(qtbot, open_window):  # type: ignore[no-untyped-def]
    """Batch size 1 of six rows: each iteration's loss is one sample's."""
    window = open_window(load_network(resources.preset_path("vectorised-sgd-3-4-1.json")))
    go_to_loss_step(window, 4)
    panel = window.loss_plot
    assert panel.legend.isVisible()
    labels = [label.text for _, label in panel.legend.items]
    assert labels == [
        "loss of one sample (the next row each iteration)",
        "whole data set (6 rows)",
    ]
    assert panel.readout_for(2).startswith("iteration 2: loss of sample 2 ")
    assert "whole data set" in panel.readout_for(2)


def test_a_mini_batch_curve_says_how_many_rows(qtbot, open_window):  # type: ignore[no-untyped-def]
    network = load_network(resources.preset_path("vectorised-sgd-3-4-1.json"))
    network = network.replace(optimizer=replace(network.optimizer, batch_size=4))
    window = open_window(network)
    go_to_loss_step(window, 2)
    labels = [label.text for _, label in window.loss_plot.legend.items]
    assert labels[0] == "mini-batch loss (4 of 6 rows)"
    assert window.loss_plot.readout_for(2).startswith("iteration 2: mini-batch loss (rows 5…2)")


def test_a_long_run_is_drawn_from_its_envelope_keeping_every_peak():  # type: ignore[no-untyped-def]
    from gui.panels.loss_plot import MAX_PLOTTED_POINTS, peak_envelope

    rng = np.random.default_rng(3)
    values = np.exp(-np.linspace(0, 8, 1_000_000)) + rng.random(1_000_000) * 1e-3
    values[123_456] = 5.0  # one spike must stay visible
    values[700_000:700_300] = np.nan  # a diverged stretch stays a gap
    x, y = peak_envelope(values)
    assert x.shape == y.shape and x.shape[0] <= MAX_PLOTTED_POINTS
    assert np.nanmax(y) == 5.0 and np.nanmin(y) == np.nanmin(values)
    assert x[0] == 1 and x[-1] == 1_000_000
    assert np.all(np.diff(x) >= 0)
    short = np.array([0.3, 0.2, 0.1])
    assert peak_envelope(short)[1] is short  # a short run is drawn as it is
