"""Light and dark themes, and the text scale (1 normally, larger when presenting).

Every paint reads ``current_theme()`` and ``text_scale()``; views subscribe to
``appearance().theme_changed`` / ``text_scale_changed`` and repaint. Colours are
strings Qt parses: ``#RRGGBB``, or ``#AARRGGBB`` where a colour is translucent.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

# Text on a colour-map fill (a node's label) reads by the fill, not by the theme.
INK_ON_LIGHT_FILL = "#0b0d12"
INK_ON_DARK_FILL = "#ffffff"

# Presenting, text is 1.5 times larger on a 1080-line screen, and as large a share of
# the screen's height on others: a projector shows 768 or 2160 lines the same size.
PRESENTATION_TEXT_SCALE = 1.5
PRESENTATION_REFERENCE_HEIGHT = 1080


def presentation_text_scale(screen_height: int) -> float:
    """The text scale when presenting on a screen ``screen_height`` logical pixels high."""
    return max(1.0, PRESENTATION_TEXT_SCALE * screen_height / PRESENTATION_REFERENCE_HEIGHT)


@dataclass(frozen=True)
class Theme:
    name: str  # the key stored in QSettings ("light", "dark")
    title: str  # what the View ▸ Theme menu shows
    dark: bool
    # The diagram.
    background: str
    ink: str
    muted_ink: str
    neutral_edge: str  # edges with nothing to show yet, pill and legend outlines
    node_outline: str
    node_empty_fill: str  # a neuron whose value is not computed yet
    bias_fill: str
    bias_outline: str
    selection: str
    hover_glow: str  # the element whose term is under the mouse in the math panel
    active_band: str  # behind the layer computed at this step
    active_band_outline: str
    label_background: str  # value pills on nodes and edges
    legend_background: str
    # pyqtgraph colour maps, colour-blind safe (Kovesi 2015), both on the blue-yellow
    # axis that protan and deutan viewers see; small values fade into the background.
    diverging_map: str  # signed values: weights, activations, deltas
    sequential_map: str  # magnitudes
    # The loss plot.
    loss_curve: str
    dataset_curve: str
    edit_mark: str
    # The caption's warning banner (divergence).
    banner_background: str
    banner_ink: str
    banner_border: str
    # Qt widgets (a dark QPalette under Fusion); None: the style's own palette.
    window: str | None = None
    window_text: str | None = None
    base: str | None = None
    alternate_base: str | None = None
    button: str | None = None
    highlight: str | None = None
    disabled_text: str | None = None
    link: str | None = None
    # Outlines of check boxes and radio buttons: Fusion draws them a shade darker than
    # the window, which vanishes on a dark one.
    control_outline: str | None = None


LIGHT = Theme(
    name="light",
    title="Light",
    dark=False,
    background="#ffffff",
    ink="#1f2430",
    muted_ink="#6b7280",
    neutral_edge="#c3c8d0",
    node_outline="#3b4252",
    node_empty_fill="#f4f5f7",
    bias_fill="#fff6d5",
    bias_outline="#b08800",
    selection="#e4572e",
    hover_glow="#ffd54a",
    active_band="#e8f0fe",
    active_band_outline="#a8c3f5",
    label_background="#ddffffff",
    legend_background="#ebffffff",
    diverging_map="CET-CBD1",  # blue - light grey - yellow
    sequential_map="CET-L12",  # light grey (small) to blue (large)
    loss_curve="#1f5fa8",
    dataset_curve="#d2691e",
    edit_mark="#9aa0a6",
    banner_background="#fdecea",
    banner_ink="#8a1c1c",
    banner_border="#f5c2c0",
)

# Not black: a projector turns pure black into a grey haze and white text glares on it.
DARK = Theme(
    name="dark",
    title="Dark",
    dark=True,
    background="#16191f",
    ink="#eceff4",
    muted_ink="#a9b1be",
    neutral_edge="#4b5261",
    node_outline="#c9d1dc",
    node_empty_fill="#262b34",
    bias_fill="#3b3218",
    bias_outline="#e3b341",
    selection="#ff7b54",
    hover_glow="#e0b000",
    active_band="#1c2840",
    active_band_outline="#4f79c7",
    label_background="#e61f232b",
    legend_background="#eb1f232b",
    diverging_map="CET-D6",  # blue - dark grey - yellow
    sequential_map="CET-L6",  # dark blue (small) to light cyan (large)
    loss_curve="#79b0ff",
    dataset_curve="#f5a25d",
    edit_mark="#8b93a1",
    banner_background="#4a1d1d",
    banner_ink="#ffd9d4",
    banner_border="#8c3a35",
    window="#20242b",
    window_text="#e6e9ef",
    base="#16191f",
    alternate_base="#1e222a",
    button="#2a2f38",
    highlight="#3f6fbf",
    disabled_text="#7d8593",
    link="#8ab4f8",
    control_outline="#9aa3b2",
)

THEMES = {theme.name: theme for theme in (LIGHT, DARK)}


class Appearance(QObject):
    """Announces theme and text-scale changes to every view that paints."""

    theme_changed = Signal(object)  # the new Theme
    text_scale_changed = Signal(float)


_appearance: Appearance | None = None
_theme: Theme = LIGHT
_text_scale = 1.0
_light_style: str | None = None  # the application's style before the first dark theme


def appearance() -> Appearance:
    global _appearance
    if _appearance is None:
        _appearance = Appearance()
    return _appearance


def current_theme() -> Theme:
    return _theme


def set_theme(theme: Theme | str) -> Theme:
    """Make ``theme`` (or its name) current: Qt's palette follows, views repaint."""
    global _theme
    chosen = THEMES[theme] if isinstance(theme, str) else theme
    if chosen == _theme:
        return chosen
    _theme = chosen
    apply_palette(chosen)
    appearance().theme_changed.emit(chosen)
    return chosen


def text_scale() -> float:
    return _text_scale


def set_text_scale(scale: float) -> None:
    global _text_scale
    if scale != _text_scale:
        _text_scale = scale
        appearance().text_scale_changed.emit(scale)


def scaled(pixels: float) -> int:
    """A font or box size in pixels at the current text scale."""
    return max(1, round(pixels * _text_scale))


def apply_palette(theme: Theme) -> None:
    """Qt widgets in the theme's colours: Fusion with a dark palette, or the original style."""
    global _light_style
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _light_style is None:
        _light_style = app.style().name()
    if not theme.dark:
        app.setStyle(_light_style)
        standard = app.style().standardPalette()
        app.setPalette(standard)
        for name in ("QCheckBox", "QRadioButton"):
            app.setPalette(standard, name)
        return
    app.setStyle("Fusion")  # the native styles of Windows and macOS ignore most of a palette
    app.setPalette(palette(theme))
    if theme.control_outline is not None:
        # Fusion outlines an indicator in the Window colour darkened by 140%: a Window of
        # 1.4 × the outline colour gives that outline (nothing else of a check box is
        # painted in Window: its background is its parent's).
        outlined = palette(theme)
        outlined.setColor(QPalette.ColorRole.Window, QColor(theme.control_outline).lighter(140))
        for name in ("QCheckBox", "QRadioButton"):
            app.setPalette(outlined, name)


def palette(theme: Theme) -> QPalette:
    R, G = QPalette.ColorRole, QPalette.ColorGroup
    roles = {
        R.Window: theme.window,
        R.WindowText: theme.window_text,
        R.Base: theme.base,
        R.AlternateBase: theme.alternate_base,
        R.ToolTipBase: theme.button,
        R.ToolTipText: theme.window_text,
        R.PlaceholderText: theme.disabled_text,
        R.Text: theme.window_text,
        R.Button: theme.button,
        R.ButtonText: theme.window_text,
        R.BrightText: theme.selection,
        R.Highlight: theme.highlight,
        R.HighlightedText: "#ffffff",
        R.Link: theme.link,
        R.Light: theme.alternate_base,
        R.Midlight: theme.button,
        R.Mid: theme.neutral_edge,
        R.Dark: theme.base,
        R.Shadow: "#000000",
    }
    result = QPalette()
    for role, colour in roles.items():
        if colour is not None:
            result.setColor(role, QColor(colour))
    for role in (R.WindowText, R.Text, R.ButtonText):
        if theme.disabled_text is not None:
            result.setColor(G.Disabled, role, QColor(theme.disabled_text))
    return result


def over(colour: str, background: str) -> QColor:
    """``colour`` as it looks over ``background`` (alpha composited)."""
    top, bottom = QColor(colour), QColor(background)
    alpha = top.alphaF()
    return QColor.fromRgbF(
        *(
            alpha * t + (1 - alpha) * b
            for t, b in (
                (top.redF(), bottom.redF()),
                (top.greenF(), bottom.greenF()),
                (top.blueF(), bottom.blueF()),
            )
        )
    )


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio (1 to 21); a translucent foreground is composited first."""
    lighter, darker = sorted(
        (
            relative_luminance(over(foreground, background)),
            relative_luminance(QColor(background)),
        ),
        reverse=True,
    )
    return (lighter + 0.05) / (darker + 0.05)


def _tinted(pixmap: QPixmap, colour: str) -> QPixmap:
    """``pixmap``'s shape, every visible pixel in ``colour``."""
    out = QPixmap(pixmap.size())
    out.setDevicePixelRatio(pixmap.devicePixelRatio())
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.drawPixmap(0, 0, pixmap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(out.rect(), QColor(colour))
    painter.end()
    return out


def themed_icon(icon: QIcon, theme: Theme, size: int = 18) -> QIcon:
    """A toolbar icon that reads on the theme: the style's own icon on light; on dark,
    its shape in the theme's text colour (Fusion's dark-grey arrows vanish there), and
    in the disabled-text colour when its action is disabled."""
    if not theme.dark or theme.window_text is None:
        return icon
    disabled = theme.disabled_text or theme.window_text
    result = QIcon()
    for pixels in (size, 2 * size):
        pixmap = icon.pixmap(pixels, pixels)
        if pixmap.isNull():
            continue
        result.addPixmap(_tinted(pixmap, theme.window_text), QIcon.Mode.Normal)
        result.addPixmap(_tinted(pixmap, theme.window_text), QIcon.Mode.Active)
        result.addPixmap(_tinted(pixmap, disabled), QIcon.Mode.Disabled)
    return result
