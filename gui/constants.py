"""Colours, sizes and Z values of the user interface, in one place."""

from __future__ import annotations

# Diagram geometry (scene units; the view scales to fit).
LAYER_SPACING = 380.0
NEURON_SPACING = 120.0
NEURON_RADIUS = 34.0
SMALL_NEURON_RADIUS = 12.0  # layers too tall for full-size neurons
FULL_SIZE_MAX_NEURONS = 10
BIAS_NODE_RADIUS = 16.0
LAYER_TITLE_GAP = 62.0
EDGE_LABEL_POSITION = 0.33  # labels sit this far along an edge from its source
EDGE_LABEL_MAX_EDGES = 64  # more edges than this per layer pair: no labels
EDGE_PICK_TOLERANCE_PX = 6.0
ANTIALIAS_MAX_EDGES = 4000  # antialiasing many thousands of lines costs too much
COLOUR_BINS = 48  # < 256: bins sort as uint8
DIMMED_OPACITY = 0.22  # edges and labels of layers this step does not compute
EDGE_WIDTH_MIN = 1.0
EDGE_WIDTH_MAX = 6.0

# Z values: edges below nodes, labels above edges, highlight bands at the back.
Z_LAYER_BAND = -10.0
Z_EDGES = 0.0
Z_BIAS_EDGES = 1.0
Z_NODES = 10.0
Z_TITLES = 20.0

# Colours.
BACKGROUND = "#ffffff"
INK = "#1f2430"
MUTED_INK = "#6b7280"
NEUTRAL_EDGE = "#c3c8d0"
NODE_OUTLINE = "#3b4252"
NODE_EMPTY_FILL = "#f4f5f7"
BIAS_FILL = "#fff6d5"
BIAS_OUTLINE = "#b08800"
SELECTION = "#e4572e"
HOVER_GLOW = "#ffd54a"  # the element whose term is under the mouse in the math panel
ACTIVE_BAND = "#e8f0fe"
ACTIVE_BAND_OUTLINE = "#a8c3f5"
LABEL_BACKGROUND = "#ffffffdd"

# pyqtgraph colour maps, colour-blind safe (Kovesi 2015): a "CB" diverging map and a
# single-hue sequential one.
DIVERGING_MAP = "CET-CBD1"  # signed values: weights, activations, deltas
SEQUENTIAL_MAP = "CET-L12"  # magnitudes: light grey (small) to blue (large)

FONT_FAMILY = "DejaVu Sans"
CAPTION_POINT_SIZE = 15
