"""Colour scales of the diagram: which map, over which range, and the pens they bin into.

A scale is fixed for a whole iteration (the range of everything the iteration computes,
not of what the current step shows), so a value keeps its colour from step to step.
Quantities that cannot be negative (sigmoid outputs, |∂E/∂w|) get a sequential map;
signed ones a diverging map centred on 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from gui import constants as C

LOG_RANGE = 1e-6  # a log scale spans at most six decades below its top


@dataclass(frozen=True)
class ColourScale:
    """What a legend shows: a colour map over [low, high]."""

    title: str
    colours: tuple[QColor, ...]
    low: float
    high: float
    log: bool = False
    empty_reason: str = ""  # why nothing is coloured (not computed yet, not finite)
    note: str = ""  # one more line under the bar (e.g. what dark grey edges are)
    short_note: str = ""  # the same in fewer words, for a narrow legend
    not_finite: int = 0  # values shown that are NaN or infinite

    @property
    def signed(self) -> bool:
        return self.low < 0 < self.high


@dataclass(frozen=True)
class Range:
    """A colour range: [low, high], signed (diverging, low = −high) or not (sequential)."""

    low: float
    high: float
    signed: bool
    not_finite: bool = False  # every value was NaN or infinite


def colour_map(
    name: str, fade_into: QColor | None = None, floor: float = 0.0
) -> tuple[QColor, ...]:
    """COLOUR_BINS colours of the pyqtgraph map ``name``; with ``fade_into``, ordered so
    small magnitudes fade into that background and large ones stand out. ``floor``: the
    share of the faded end left out, so that the smallest values still show."""
    cmap = pg.colormap.get(name)
    colours = tuple(cmap.mapToQColor(np.linspace(0.0, 1.0, C.COLOUR_BINS)))
    if fade_into is not None:
        if abs(colours[0].lightness() - fade_into.lightness()) > abs(
            colours[-1].lightness() - fade_into.lightness()
        ):
            colours = colours[::-1]
    if floor > 0:
        positions = np.linspace(0.0, 1.0, C.COLOUR_BINS)
        reverse = colours[0] != cmap.mapToQColor(np.array([0.0]))[0]
        kept = floor + (1 - floor) * positions
        colours = tuple(cmap.mapToQColor(1 - kept if reverse else kept))
    return colours


def _finite(arrays: Iterable[NDArray[np.float64] | None]) -> tuple[list[NDArray[np.float64]], bool]:
    """The finite values of ``arrays`` (flattened), and whether any value was given."""
    given = [np.asarray(a, dtype=np.float64).reshape(-1) for a in arrays if a is not None]
    given = [a for a in given if a.size]
    return [a[np.isfinite(a)] for a in given], bool(given)


def symmetric_range(arrays: Iterable[NDArray[np.float64] | None]) -> Range:
    """[−m, m] for signed values, m the largest finite magnitude."""
    finite, given = _finite(arrays)
    high = max((float(np.abs(a).max()) for a in finite if a.size), default=0.0)
    return Range(-high, high, True, given and not any(a.size for a in finite))


def magnitude_range(arrays: Iterable[NDArray[np.float64] | None], log: bool) -> Range:
    """[0, max |v|], or on a log scale [smallest |v| > 0 (at most six decades down), max]."""
    finite, given = _finite(arrays)
    magnitudes = [np.abs(a) for a in finite if a.size]
    high = max((float(a.max()) for a in magnitudes), default=0.0)
    low = 0.0
    if log and high > 0:
        positive = [a[a > 0] for a in magnitudes]
        smallest = min((float(a.min()) for a in positive if a.size), default=high)
        low = max(smallest, high * LOG_RANGE)
    return Range(low, high, False, given and not magnitudes)


def activation_range(arrays: Iterable[NDArray[np.float64] | None]) -> Range:
    """Activations: [0, 1] when every value lies there (sigmoid, softmax: the same scale
    in every iteration), [0, max] when none is negative, else symmetric."""
    finite, given = _finite(arrays)
    values = [a for a in finite if a.size]
    if not values:
        return Range(0.0, 0.0, False, given)
    low = min(float(a.min()) for a in values)
    high = max(float(a.max()) for a in values)
    if low >= 0 and high <= 1:
        return Range(0.0, 1.0, False)
    if low >= 0:
        return Range(0.0, high, False)
    return symmetric_range(values)


def bins(values: NDArray[np.float64], scale: Range, log: bool = False) -> NDArray[np.intp]:
    """The colour bin (0 … COLOUR_BINS − 1) of each value on ``scale``; a signed scale
    bins the value, a sequential one its magnitude. Non-finite values take the top bin."""
    top = C.COLOUR_BINS - 1
    low, high = scale.low, scale.high
    with np.errstate(all="ignore"):
        if high <= 0:
            position = np.full(values.shape, 0.5 if scale.signed else 0.0)
        elif scale.signed:
            position = (values / high + 1) / 2
        elif log:
            magnitude = np.maximum(np.abs(values), low)
            position = (
                np.log(magnitude / low) / np.log(high / low)
                if high > low > 0
                else np.ones_like(values)
            )
        else:
            position = (np.abs(values) - low) / (high - low) if high > low else np.abs(values)
        position = np.where(np.isfinite(position), position, 1.0)
    return np.clip(np.rint(position * top), 0, top).astype(np.intp)


def pens(
    colours: tuple[QColor, ...], signed: bool, dashed: bool, widest: float = C.EDGE_WIDTH_MAX
) -> list[QPen]:
    """One pen per colour bin, wider for larger magnitudes."""
    result = []
    top = len(colours) - 1
    for k, colour in enumerate(colours):
        strength = abs(2 * k / top - 1) if signed else k / top
        width = C.EDGE_WIDTH_MIN + (widest - C.EDGE_WIDTH_MIN) * strength
        pen = QPen(colour, width * (0.7 if dashed else 1.0))
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        result.append(pen)
    return result


def count_not_finite(arrays: Iterable[NDArray[np.float64] | None]) -> int:
    return sum(
        int(np.count_nonzero(~np.isfinite(np.asarray(a, dtype=np.float64))))
        for a in arrays
        if a is not None
    )
