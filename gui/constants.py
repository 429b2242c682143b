"""Sizes, fonts and Z values of the user interface, in one place (colours: gui.themes)."""

from __future__ import annotations

from gui.themes import LIGHT

# Diagram geometry (scene units; the view scales to fit).
LAYER_SPACING = 380.0
NEURON_SPACING = 120.0
NEURON_RADIUS = 34.0
SMALL_NEURON_RADIUS = 12.0  # layers too tall for full-size neurons
FULL_SIZE_MAX_NEURONS = 10
BIAS_NODE_RADIUS = 16.0
LAYER_TITLE_GAP = 62.0
EDGE_LABEL_POSITION = 0.33  # labels sit this far along an edge from its source (at first)
EDGE_LABEL_MAX_EDGES = 24  # more edges than this per layer pair: no labels
EDGE_LABEL_GAP = 3.0  # scene units kept free around every edge label
MAX_LAYER_STRETCH = 3.0  # layers move up to this much farther apart to fill a wide view
MAX_ROW_STRETCH = 3.5  # presenting: neurons up to this much farther apart to fill the height
MIN_READABLE_TEXT_PX = 8.0  # texts smaller than this on screen are not drawn
COMFORT_TEXT_PX = 10.0  # values and edge labels grow to this on screen where they can
PRESENTING_DIGITS = 4  # significant digits on the diagram when presenting
EDGE_PICK_TOLERANCE_PX = 6.0
ANTIALIAS_MAX_EDGES = 4000  # antialiasing many thousands of lines costs too much
COLOUR_BINS = 48  # < 256: bins sort as uint8
EDGE_COLOUR_FLOOR = 0.22  # of a sequential map left out at its faded end, for edges
DIMMED_OPACITY = 0.22  # edges and labels of layers this step does not compute
EDGE_WIDTH_MIN = 1.0
EDGE_WIDTH_MAX = 6.0
CARRIER_EDGE_WIDTH = 3.0  # the weights that carry δ back at a backward step

# Z values: edges below nodes, labels above edges, highlight bands at the back.
Z_LAYER_BAND = -10.0
Z_EDGES = 0.0
Z_BIAS_EDGES = 1.0
Z_NODES = 10.0
Z_TITLES = 20.0

# Colours come from gui.themes (current_theme()); these names are the light theme's,
# kept for code that has not moved to the theme yet. Paint with current_theme().
BACKGROUND = LIGHT.background
INK = LIGHT.ink
MUTED_INK = LIGHT.muted_ink
NEUTRAL_EDGE = LIGHT.neutral_edge
NODE_OUTLINE = LIGHT.node_outline
NODE_EMPTY_FILL = LIGHT.node_empty_fill
BIAS_FILL = LIGHT.bias_fill
BIAS_OUTLINE = LIGHT.bias_outline
SELECTION = LIGHT.selection
HOVER_GLOW = LIGHT.hover_glow
ACTIVE_BAND = LIGHT.active_band
ACTIVE_BAND_OUTLINE = LIGHT.active_band_outline
LABEL_BACKGROUND = LIGHT.label_background
DIVERGING_MAP = LIGHT.diverging_map
SEQUENTIAL_MAP = LIGHT.sequential_map

FONT_FAMILY = "DejaVu Sans"
CAPTION_POINT_SIZE = 15
MATH_PIXEL_SIZE = 14
MATH_HEADING_PIXEL_SIZE = 15
LAYER_TITLE_PIXEL_SIZE = 15
LOSS_TEXT_PIXEL_SIZE = 15
WARNING_TEXT_PIXEL_SIZE = 14
TARGET_TEXT_PIXEL_SIZE = 13
EDGE_LABEL_PIXEL_SIZE = 13
LEGEND_TITLE_PIXEL_SIZE = 13
LEGEND_TEXT_PIXEL_SIZE = 12
