"""Presentation mode (F5) and the light and dark themes, driven as a lecturer does."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QDockWidget, QToolBar
from test_diagram_layout import drawn_texts, settle

from gui.diagram import legends
from gui.diagram.items import contrasting_ink
from gui.diagram.scene import _colours
from gui.document import Selection
from gui.presentation import PresentationMode
from gui.themes import (
    DARK,
    LIGHT,
    THEMES,
    contrast_ratio,
    current_theme,
    over,
    relative_luminance,
    set_text_scale,
    set_theme,
    text_scale,
)

THEMES_BOTH = pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])

# Viénot, Brettel & Mollon (1999), "Digital video colourmaps for checking the legibility
# of displays by dichromats", on linear RGB.
PROTANOPIA = np.array([[0.11238, 0.88762, 0.0], [0.11238, 0.88762, 0.0], [0.00401, -0.00401, 1.0]])
DEUTERANOPIA = np.array(
    [[0.29275, 0.70725, 0.0], [0.29275, 0.70725, 0.0], [-0.02234, 0.02234, 1.0]]
)


@pytest.fixture(autouse=True)
def light_theme_afterwards():  # type: ignore[no-untyped-def]
    """The theme and text scale are application-wide: every test leaves them as found."""
    yield
    set_theme(LIGHT)
    set_text_scale(1.0)


@pytest.fixture
def presenting(window):  # type: ignore[no-untyped-def]
    """The window; MainWindow installs presentation mode itself."""
    assert isinstance(window.presentation, PresentationMode)
    return window


def press(qtbot, window, key, times=1):  # type: ignore[no-untyped-def]
    for _ in range(times):
        qtbot.keyClick(window.view, key)


def full_screen(window) -> bool:  # type: ignore[no-untyped-def]
    return bool(window.windowState() & Qt.WindowState.WindowFullScreen)


def chrome(window) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """Which toolbars, docks and bars are showing, by name."""
    shown = {"menu bar": window.menuBar().isVisible(), "status bar": window.statusBar().isVisible()}
    for kind in (QToolBar, QDockWidget):
        for child in window.findChildren(kind, options=Qt.FindChildOption.FindDirectChildrenOnly):
            shown[child.objectName()] = child.isVisible()
    return shown


def theme_action(window, title: str):  # type: ignore[no-untyped-def]
    """View ▸ Theme ▸ ``title``, found as a user finds it: through the menu bar."""
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    theme = next(a.menu() for a in view.actions() if a.text() == "Theme")
    return next(a for a in theme.actions() if a.text() == title)


# -- presentation mode -----------------------------------------------------------------


def test_f5_goes_full_screen_hides_the_chrome_and_enlarges_the_text(qtbot, presenting):  # type: ignore[no-untyped-def]
    window = presenting
    caption_points = window.caption.label.font().pointSizeF()
    title = window.scene.loss_text._font.pixelSize()
    press(qtbot, window, Qt.Key.Key_F5)
    assert full_screen(window)
    assert window.presentation.presenting
    hidden = {name for name, shown in chrome(window).items() if not shown}
    assert {"menu bar", "status bar", "stepping_toolbar", "edit_toolbar", "view_toolbar"} <= hidden
    # The Maths dock too: it was a tab behind the inspector.
    assert {"inspector_dock", "loss_dock", "maths_dock", "network_dock", "data_dock"} <= hidden
    assert window.view.isVisible() and window.caption.isVisible()
    assert window.caption.label.font().pointSizeF() >= 1.1 * caption_points
    assert window.scene.loss_text._font.pixelSize() > title


def test_maths_dock_stays_and_grows_when_it_was_showing(qtbot, presenting):  # type: ignore[no-untyped-def]
    window = presenting
    window.math_dock.raise_()
    qtbot.waitUntil(lambda: not window.math_dock.visibleRegion().isEmpty())
    maths_pixels = window.math_panel.browser.font().pixelSize()
    press(qtbot, window, Qt.Key.Key_F5)
    assert window.math_dock.isVisible()
    assert not window.inspector_dock.isVisible()
    assert window.math_panel.browser.font().pixelSize() > maths_pixels


def test_arrows_clicker_keys_and_space_step_and_play(qtbot, presenting):  # type: ignore[no-untyped-def]
    window = presenting
    document = window.document
    press(qtbot, window, Qt.Key.Key_F5)
    press(qtbot, window, Qt.Key.Key_Right)
    assert "forward 1" in window.caption.text()
    press(qtbot, window, Qt.Key.Key_PageDown)  # what a clicker's "next" sends
    assert "forward 2" in window.caption.text()
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert "loss" in window.caption.text()
    press(qtbot, window, Qt.Key.Key_PageUp)
    assert "forward 2" in window.caption.text()
    press(qtbot, window, Qt.Key.Key_Left)
    assert "forward 1" in window.caption.text()
    press(qtbot, window, Qt.Key.Key_Space)
    assert document.player.playing
    press(qtbot, window, Qt.Key.Key_Space)
    assert not document.player.playing


def test_escape_puts_the_window_back_exactly(qtbot, presenting):  # type: ignore[no-untyped-def]
    window = presenting
    window.loss_dock.hide()  # a layout of the user's own
    before_chrome, before_geometry = chrome(window), window.geometry()
    caption_font = window.caption.label.font().pointSizeF()
    maths_font = window.math_panel.browser.font().pixelSize()
    press(qtbot, window, Qt.Key.Key_F5)
    assert full_screen(window)
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not full_screen(window) and not window.presentation.presenting
    qtbot.waitUntil(lambda: window.geometry() == before_geometry)
    assert chrome(window) == before_chrome
    assert window.caption.label.font().pointSizeF() == caption_font
    assert window.math_panel.browser.font().pixelSize() == maths_font
    assert text_scale() == 1.0
    # Out of presentation mode the clicker's PageDown still steps (the window's own key).
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert "forward 1" in window.caption.text()


def test_f5_again_leaves_and_the_theme_chosen_while_presenting_stays(qtbot, presenting):  # type: ignore[no-untyped-def]
    window = presenting
    press(qtbot, window, Qt.Key.Key_F5)
    theme_action(window, "Dark").trigger()
    press(qtbot, window, Qt.Key.Key_F5)
    assert not full_screen(window)
    assert window.menuBar().isVisible()
    assert current_theme() is DARK


def test_escape_first_cancels_a_value_being_typed(qtbot, presenting):  # type: ignore[no-untyped-def]
    window = presenting
    press(qtbot, window, Qt.Key.Key_F5)
    editor = window.view.start_inline_edit(Selection("weight", 1, 0, 0), QPointF(0, 0))
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert window.view.inline_editor is None
    assert full_screen(window)
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not full_screen(window)


def test_closing_while_presenting_remembers_the_normal_layout(qtbot, presenting):  # type: ignore[no-untyped-def]
    window = presenting
    press(qtbot, window, Qt.Key.Key_F5)
    window.close()
    assert not window.presentation.presenting
    assert not window.findChild(QToolBar, "stepping_toolbar").isHidden()
    assert not window.inspector_dock.isHidden()


PROJECTORS = [(1024, 768), (1920, 1080)]  # a 4:3 projector, a full-HD one
MATHS_CHROME = ("notation_box", "copy_latex_button", "copy_markdown_button")


def present_at(qtbot, window, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """F5, then the screen's size (the offscreen screen is 800×800: the window is sized
    as a projector's full screen would size it)."""
    press(qtbot, window, Qt.Key.Key_F5)
    QApplication.processEvents()
    settle(qtbot, window, size)


def check_readable_and_inside(window, least: float) -> list[str]:  # type: ignore[no-untyped-def]
    """Every text the diagram draws is at least ``least`` pixels high and inside the
    view; returns what is drawn."""
    viewport = QRectF(window.view.viewport().rect())
    texts = drawn_texts(window)
    for what, pixels, box in texts:
        assert pixels >= least, (what, pixels, least)
        assert viewport.contains(box), (what, box, viewport)
    legend = legends.text_font().pixelSize(), legends.title_font().pixelSize()
    assert min(legend) >= least, legend
    width = window.view._legend_width()
    grow = text_scale()
    y = viewport.height() - (legends.LEGEND_HEIGHT + 4) * grow
    for x in (legends.MARGIN, viewport.width() - width - legends.MARGIN):
        assert viewport.contains(legends.legend_box(QPointF(x, y), width, grow))
    return [what for what, _, _ in texts]


@pytest.mark.parametrize("size", PROJECTORS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_presenting_every_text_is_readable_from_the_back_and_uncut(qtbot, presenting, size):  # type: ignore[no-untyped-def]
    window = presenting
    present_at(qtbot, window, size)
    least = 0.025 * size[1]  # the smallest text: 2.5% of the screen's height
    for _ in range(len(window.document.steps) + 1):
        drawn = check_readable_and_inside(window, least)
        if "loss" in window.caption.text():  # "E_o2 = 0.0236" on screen, clear of the edge
            assert any(text.startswith("target 0.99 / E_o2 = ") for text in drawn)
        # What the step shows is drawn, not dropped: every neuron's name, the edges' numbers.
        assert {"i1", "i2", "h1", "h2", "o1", "o2", "+1"} <= set(drawn)
        for edges in window.scene.edge_layers.values():
            if not edges.dimmed and edges.all_label_texts():
                assert len(edges.label_texts()) == len(edges.all_label_texts())
        press(qtbot, window, Qt.Key.Key_Right)


def test_presenting_uses_the_height_of_a_4_3_screen(qtbot, presenting):  # type: ignore[no-untyped-def]
    window = presenting
    present_at(qtbot, window, (1024, 768))
    viewport = window.view.viewport().rect()
    drawn = QRectF()
    for _, _, box in drawn_texts(window):
        drawn = drawn.united(box)
    room = viewport.height() - legends.LEGEND_ROOM * text_scale()
    assert drawn.height() >= 0.7 * room  # no large empty bands
    assert drawn.width() >= 0.7 * viewport.width()


def test_presenting_with_the_maths_hides_its_chrome_and_brings_it_back(qtbot, presenting):  # type: ignore[no-untyped-def]
    window = presenting
    window.math_dock.raise_()
    qtbot.waitUntil(lambda: not window.math_dock.visibleRegion().isEmpty())
    present_at(qtbot, window, (1024, 768))
    assert window.math_dock.isVisible()
    for name in MATHS_CHROME:
        assert not getattr(window.math_panel, name).isVisible(), name
    check_readable_and_inside(window, 0.025 * 768)
    press(qtbot, window, Qt.Key.Key_Escape)
    for name in MATHS_CHROME:
        assert getattr(window.math_panel, name).isVisible(), name
    assert window.view.min_text_px == 0 and window.scene.min_text_px == 0


def test_install_returns_the_controller_and_adds_f5_to_the_view_menu(presenting):  # type: ignore[no-untyped-def]
    mode = presenting.presentation
    assert isinstance(mode, PresentationMode)
    assert mode.toggle_action.shortcut().toString() == "F5"
    view = next(a.menu() for a in presenting.menuBar().actions() if a.text() == "&View")
    assert mode.toggle_action in view.actions()


# -- themes ----------------------------------------------------------------------------


def test_dark_theme_recolours_diagram_caption_loss_plot_and_maths(qtbot, presenting):  # type: ignore[no-untyped-def]
    window = presenting
    empty_output = window.scene.neurons[2][0]  # not computed at the start
    assert window.scene.backgroundBrush().color() == QColor(LIGHT.background)
    light_label = contrasting_ink(empty_output.fill)
    theme_action(window, "Dark").trigger()
    assert theme_action(window, "Dark").isChecked()
    assert window.scene.backgroundBrush().color() == QColor(DARK.background)
    assert empty_output.fill == QColor(DARK.node_empty_fill)
    assert contrasting_ink(empty_output.fill) != light_label  # light text on a dark node
    assert window.scene.loss_text.colour() == QColor(DARK.ink)
    assert window.loss_plot.plot.backgroundBrush().color() == QColor(DARK.background)
    assert window.loss_plot.batch_curve.opts["pen"].color() == QColor(DARK.loss_curve)
    assert DARK.ink in window.caption.label.styleSheet()
    assert DARK.ink in window.math_panel.browser.document().defaultStyleSheet()
    assert QApplication.palette().window().color() == QColor(DARK.window)
    # What the audience sees: the diagram's background on screen.
    image = window.view.viewport().grab().toImage()
    assert image.pixelColor(4, 4) == QColor(DARK.background)
    theme_action(window, "Light").trigger()
    assert window.scene.backgroundBrush().color() == QColor(LIGHT.background)
    assert window.loss_plot.plot.backgroundBrush().color() == QColor(LIGHT.background)
    assert LIGHT.ink in window.caption.label.styleSheet()


def test_theme_choice_is_remembered_for_the_next_window(open_window, presenting):  # type: ignore[no-untyped-def]
    theme_action(presenting, "Dark").trigger()
    assert QSettings().value("view/theme") == "dark"
    set_theme(LIGHT)  # as at the next start
    second = open_window()  # reads the saved theme as it installs presentation mode
    assert current_theme() is DARK
    assert theme_action(second, "Dark").isChecked()


def test_dark_presentation_screenshot_renders(qtbot, presenting, tmp_path):  # type: ignore[no-untyped-def]
    window = presenting
    theme_action(window, "Dark").trigger()
    press(qtbot, window, Qt.Key.Key_Right, times=2)
    press(qtbot, window, Qt.Key.Key_F5)
    pixmap = window.grab()
    assert not pixmap.isNull()
    assert pixmap.save(str(tmp_path / "dark-presentation.png"))
    image = window.view.viewport().grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 7) for y in (4,)}
    assert QColor(DARK.background).name() in colours


# -- contrast and colour maps ----------------------------------------------------------


def test_contrast_ratio_matches_wcag_reference_values():  # type: ignore[no-untyped-def]
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's "fails"


@THEMES_BOTH
def test_text_reads_at_least_4_5_to_1_on_its_background(theme):  # type: ignore[no-untyped-def]
    pill = over(theme.label_background, theme.background).name()
    legend = over(theme.legend_background, theme.background).name()
    pairs = {
        "ink on background": (theme.ink, theme.background),
        "muted ink on background": (theme.muted_ink, theme.background),
        "value on its pill": (theme.ink, pill),
        "legend numbers": (theme.muted_ink, legend),
        "+1 on the bias node": (theme.ink, theme.bias_fill),
        "ink on the active band": (theme.ink, theme.active_band),
        "warning banner": (theme.banner_ink, theme.banner_background),
    }
    if theme.window is not None:
        pairs["caption on the window"] = (theme.ink, theme.window)
        pairs["widget text"] = (theme.window_text, theme.window)
    low = {name: round(contrast_ratio(*pair), 2) for name, pair in pairs.items()}
    assert all(ratio >= 4.5 for ratio in low.values()), low


@THEMES_BOTH
def test_node_labels_read_on_every_fill_of_the_colour_map(theme):  # type: ignore[no-untyped-def]
    fills = [*_colours(theme.diverging_map), QColor(theme.node_empty_fill), QColor(theme.selection)]
    worst = min(contrast_ratio(contrasting_ink(fill).name(), fill.name()) for fill in fills)
    assert worst >= 4.5


def _simulated(colours: list[QColor], matrix: np.ndarray) -> np.ndarray:
    srgb = np.array([[c.redF(), c.greenF(), c.blueF()] for c in colours])
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    return linear @ matrix.T


@THEMES_BOTH
def test_signed_colours_stay_apart_for_red_green_colour_blind_viewers(theme):  # type: ignore[no-untyped-def]
    colours = list(_colours(theme.diverging_map))
    n = len(colours)
    for matrix in (PROTANOPIA, DEUTERANOPIA):
        seen = _simulated(colours, matrix)
        # -v and +v (from a third of the range up) must not look alike.
        for k in range(n // 6, n // 2):
            negative, positive = seen[n // 2 - 1 - k], seen[n // 2 + k]
            assert np.abs(negative - positive).max() > 0.1, (theme.name, k)


@THEMES_BOTH
def test_magnitudes_fade_into_the_background_and_grow_monotonically(theme):  # type: ignore[no-untyped-def]
    background = QColor(theme.background)
    ramp = _colours(theme.sequential_map, fade_into=background)
    luminance = np.array([relative_luminance(c) for c in ramp])
    steps = np.diff(luminance)
    assert np.all(steps > 0) or np.all(steps < 0)  # one direction: readable in grey too
    behind = relative_luminance(background)
    assert abs(luminance[0] - behind) < abs(luminance[-1] - behind)


def test_every_theme_is_in_the_menu(presenting):  # type: ignore[no-untyped-def]
    for theme in THEMES.values():
        assert theme_action(presenting, theme.title).isCheckable()
