"""Where labels go: edge labels that never overlap, layer titles that never run together.

Edge labels sit on their edges (their centre on the line), each at a fraction of the way
from source to target. They are placed one by one, the most constrained first: each
takes the free spot nearest its preferred fraction (staggered by source, so the labels
of crossing edges do not stack in one column); a label with no free spot is not drawn,
so the selected neuron's or edge's labels go first, then those of the edges this step
computes, then the faded ones.

Pure NumPy on rectangles in scene coordinates (x0, y0, x1, y1): no Qt here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from engine.network import Network

Array = NDArray[np.float64]

CANDIDATES = np.linspace(0.08, 0.92, 43)  # fractions along an edge a label may sit at


@dataclass
class LabelSet:
    """The labels of one edge item: its lines (n, 4) and label sizes (n, 2)."""

    lines: Array
    sizes: Array
    preferred: Array  # (n,) fraction each label would rather sit at
    priority: NDArray[np.intp]  # (n,) lower is placed first (the selection's, then lit edges)


def preferred_fractions(n_targets: int, n_sources: int, bias: bool) -> Array:
    """Where each label would rather sit: every edge of a layer pair at a different
    distance (source by source, target by target within a source) from 0.2 to 0.75 of
    the way, so labels of edges that fan out or cross are never in one column."""
    count = n_targets * n_sources
    if bias:
        return np.full(count, 0.62)
    if count == 1:
        return np.full(1, 0.4)
    targets, sources = np.divmod(np.arange(count), n_sources)
    rank = sources * n_targets + targets  # source-major: one source's labels together
    return 0.2 + 0.55 * rank / (count - 1)


def _overlaps(boxes: Array, others: Array, gap: float) -> NDArray[np.bool_]:
    """(len(boxes),): whether each box comes within ``gap`` of any of ``others``."""
    if others.size == 0:
        return np.zeros(len(boxes), dtype=bool)
    b, o = boxes[:, None, :], others[None, :, :]
    apart = (
        (b[..., 2] + gap <= o[..., 0])
        | (o[..., 2] + gap <= b[..., 0])
        | (b[..., 3] + gap <= o[..., 1])
        | (o[..., 3] + gap <= b[..., 1])
    )
    return np.asarray(~apart.all(axis=1))


def _boxes(line: Array, size: Array, t: Array) -> Array:
    centres = line[:2] * (1 - t)[:, None] + line[2:] * t[:, None]
    half = size / 2
    return np.hstack([centres - half, centres + half])


def place_labels(sets: Sequence[LabelSet], obstacles: Array, gap: float) -> list[Array]:
    """For every set, the fraction each label sits at along its edge (NaN: no room).

    Greedy placement is tried with a few preferences (the sets' own, then every label
    at the same fraction); the one that places the most labels, by priority, wins."""
    obstacles = np.asarray(obstacles, dtype=np.float64).reshape(-1, 4)
    free = [
        [
            CANDIDATES[~_overlaps(_boxes(s.lines[k], s.sizes[k], CANDIDATES), obstacles, gap)]
            for k in range(len(s.lines))
        ]
        for s in sets
    ]
    best: tuple[tuple[float, ...], list[Array]] | None = None
    for profile in (None, 0.3, 0.5, 0.7, 0.2):
        preferred = [
            s.preferred if profile is None else np.full(len(s.lines), profile) for s in sets
        ]
        result = _greedy(sets, free, preferred, gap)
        placed = [np.isfinite(r) for r in result]
        counts = tuple(
            -sum(
                int(np.count_nonzero(p & (s.priority == rank)))
                for s, p in zip(sets, placed, strict=True)
            )
            for rank in range(3)
        )
        moved = sum(
            float(np.nansum(np.abs(r - s.preferred))) for s, r in zip(sets, result, strict=True)
        )
        score = (*counts, moved)
        if best is None or score < best[0]:
            best = (score, result)
        if all(p.all() for p in placed) and profile is None:
            break  # every label at (or near) where it would rather be
    assert best is not None
    return best[1]


def _greedy(
    sets: Sequence[LabelSet], free: list[list[Array]], preferred: list[Array], gap: float
) -> list[Array]:
    jobs = [(s, k) for s, labels in enumerate(sets) for k in range(len(labels.lines))]
    # By priority, then the most constrained (fewest free spots) first.
    jobs.sort(key=lambda job: (sets[job[0]].priority[job[1]], len(free[job[0]][job[1]]), job))
    result = [np.full(len(labels.lines), np.nan) for labels in sets]
    placed = np.zeros((0, 4))
    for s, k in jobs:
        spots = free[s][k]
        if not spots.size:
            continue
        labels = sets[s]
        spots = spots[np.argsort(np.abs(spots - preferred[s][k]), kind="stable")]
        boxes = _boxes(labels.lines[k], labels.sizes[k], spots)
        clear = np.flatnonzero(~_overlaps(boxes, placed, gap))
        if clear.size:
            result[s][k] = spots[clear[0]]
            placed = np.vstack([placed, boxes[clear[0]]])
    return result


# -- layer titles ------------------------------------------------------------------------


# Activations as the formulas write them, for the narrowest titles.
ACTIVATION_SYMBOLS = {
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "LReLU",
    "linear": "lin",
    "softmax": "smax",
}


def title_variants(name: str, short: str, activation: str | None) -> list[list[str]]:
    """A layer's title from the longest to the shortest: 'Hidden 1 · sigmoid', then on
    two lines, then 'H1' over 'sigmoid', then 'H1' over 'σ', then 'H1'."""
    if activation is None:  # the input layer: shortened only when all others are
        return [[name]] * 4 + [[short]]
    symbol = ACTIVATION_SYMBOLS.get(activation, activation)
    return [
        [f"{name} · {activation}"],
        [name, activation],
        [short, activation],
        [short, symbol],
        [short],
    ]


def layer_title_variants(network: Network, l: int) -> list[list[str]]:
    """Layer ``l``'s title and its shorter forms: 'Hidden 1 · sigmoid' … 'H1'."""
    L = network.weight_layer_count
    if l == 0:
        return title_variants("Input", "In", None)
    activation = str(network.layers[l].activation)
    if l == L:
        return title_variants("Output", "Out", activation)
    if L == 2:
        return title_variants("Hidden", "H", activation)
    return title_variants(f"Hidden {l}", f"H{l}", activation)


def choose_titles(
    xs: Sequence[float],
    variants: Sequence[list[list[str]]],
    width: Callable[[list[str]], float],
    gap: float,
) -> list[int]:
    """For titles centred at pixel columns ``xs``, the variant of each (an index into
    its ``variants``) so that no two come within ``gap`` pixels: every title at the same
    level of shortening (they read alike), the longest level at which none collide, or
    else the shortest."""
    order = np.argsort(xs)
    levels = max((len(v) for v in variants), default=1)
    chosen = [0] * len(xs)
    for level in range(levels):
        chosen = [min(level, len(v) - 1) for v in variants]
        widths = [width(v[k]) for v, k in zip(variants, chosen, strict=True)]
        if all(
            xs[b] - xs[a] >= (widths[a] + widths[b]) / 2 + gap
            for a, b in zip(order[:-1], order[1:], strict=True)
        ):
            break
    return chosen
