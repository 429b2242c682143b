"""Where the neurons go: evenly spaced columns, stretched to the view's shape, or where
the file's layout put them (saved positions the diagram can use)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import numpy as np
from numpy.typing import NDArray

from gui import constants as C

# Saved positions farther out than this are typos or fuzz, not a drag (the layers are
# LAYER_SPACING = 380 apart): Qt's float geometry degrades and the fit shows nothing.
MAX_SAVED_COORDINATE = 1e6

Point = tuple[float, float]


@dataclass(frozen=True)
class Stretch:
    """How much farther apart than usual the layers (x) and the neurons (y) are."""

    x: float = 1.0
    y: float = 1.0


def usable_positions(
    layout: object, sizes: tuple[int, ...]
) -> tuple[dict[tuple[int, int], Point], list[str]]:
    """The saved positions (layout.positions, "layer:index": [x, y]) the diagram can use,
    and the keys of those it ignores: unknown neurons, non-numbers, non-finite or huge
    coordinates, wrong shapes. Those neurons keep their automatic place."""
    saved = layout.get("positions") if isinstance(layout, Mapping) else None
    if not isinstance(saved, Mapping):
        return {}, []
    usable: dict[tuple[int, int], Point] = {}
    ignored: list[str] = []
    for key, point in saved.items():
        where = _neuron_key(key, sizes)
        xy = _point(point)
        if where is None or xy is None:
            ignored.append(str(key)[:40])
        else:
            usable[where] = xy
    return usable, ignored


def _neuron_key(key: object, sizes: tuple[int, ...]) -> tuple[int, int] | None:
    parts = str(key).split(":") if isinstance(key, str) and len(key) <= 40 else []
    if len(parts) != 2 or not all(p.strip().isdecimal() for p in parts):
        return None
    layer, index = int(parts[0]), int(parts[1])
    if layer < len(sizes) and index < sizes[layer]:
        return layer, index
    return None


def _point(point: object) -> Point | None:
    if not isinstance(point, (list, tuple)) or len(point) != 2:
        return None
    coordinates = []
    for value in point:
        if isinstance(value, bool) or not isinstance(value, Real):
            return None
        try:
            number = float(value)
        except (OverflowError, ValueError):  # a 400-digit integer
            return None
        if not math.isfinite(number) or abs(number) > MAX_SAVED_COORDINATE:
            return None
        coordinates.append(number)
    return coordinates[0], coordinates[1]


def column_spacing(size: int, stretch: Stretch, sizes: tuple[int, ...]) -> float:
    """Vertical distance between neighbours in a layer of ``size`` neurons: the usual
    spacing, or (a tall layer) the column of the tallest full-size layer shared out."""
    if size <= C.FULL_SIZE_MAX_NEURONS:
        return C.NEURON_SPACING * stretch.y
    return column_height(sizes, stretch) / (size - 1)


def column_height(sizes: tuple[int, ...], stretch: Stretch) -> float:
    rows = max(min(max(sizes), C.FULL_SIZE_MAX_NEURONS), 2) - 1
    return C.NEURON_SPACING * stretch.y * rows


def neuron_radius(size: int, spacing: float) -> float:
    if size <= C.FULL_SIZE_MAX_NEURONS:
        return C.NEURON_RADIUS
    return max(1.0, min(C.SMALL_NEURON_RADIUS, spacing * 0.4))


def layer_x(layer: int, stretch: Stretch) -> float:
    return layer * C.LAYER_SPACING * stretch.x


def automatic_positions(sizes: tuple[int, ...], stretch: Stretch) -> list[NDArray[np.float64]]:
    """Per layer, (size, 2) neuron centres: columns layer_x apart, centred on y = 0."""
    positions = []
    for l, size in enumerate(sizes):
        spacing = column_spacing(size, stretch, sizes)
        ys = (np.arange(size) - (size - 1) / 2) * spacing
        xs = np.full(size, layer_x(l, stretch))
        positions.append(np.column_stack([xs, ys]))
    return positions
