"""The dark theme as a lecturer switches to it: the toolbar's arrows and the check boxes'
outlines stand out from the background (WCAG's 3:1 for graphics)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QStyle, QStyleOptionButton, QWidget

from gui.themes import DARK, LIGHT, contrast_ratio, set_theme

GRAPHICS_CONTRAST = 3.0  # WCAG 2.1, 1.4.11 non-text contrast


@pytest.fixture
def dark(window):  # type: ignore[no-untyped-def]
    set_theme(DARK)  # chosen in View ▸ Theme while the window is open
    yield window
    set_theme(LIGHT)


def colours(image: QImage, rect: QRect) -> list[str]:
    return [
        image.pixelColor(x, y).name()
        for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1))
        for x in range(max(0, rect.left()), min(image.width(), rect.right() + 1))
    ]


def strongest_contrast(widget: QWidget, rect: QRect | None = None) -> float:
    """The highest contrast between what is drawn in ``rect`` of ``widget`` and the
    background (the colour of its corner pixel)."""
    image = widget.grab().toImage()
    background = image.pixelColor(0, 0).name()
    area = rect if rect is not None else image.rect()
    return max(contrast_ratio(c, background) for c in colours(image, area))


@pytest.mark.parametrize(
    "action",
    [
        "home_action",
        "previous_iteration_action",
        "previous_step_action",
        "play_action",
        "next_step_action",
        "next_iteration_action",
    ],
)
def test_toolbar_arrows_stand_out_on_the_dark_theme(dark, action):  # type: ignore[no-untyped-def]
    window = dark
    button = window.stepping_toolbar.widgetForAction(getattr(window, action))
    size = window.stepping_toolbar.iconSize()
    icon_area = QRect(0, 0, size.width() + 8, button.height())  # the icon, left of the words
    image = button.grab().toImage()
    background = image.pixelColor(0, 0).name()
    drawn = sorted(
        ratio
        for ratio in (contrast_ratio(c, background) for c in colours(image, icon_area))
        if ratio > 1.1
    )
    assert drawn, "no icon drawn"
    assert drawn[len(drawn) // 2] >= GRAPHICS_CONTRAST  # the arrow itself, not a stray pixel


def test_check_box_outlines_stand_out_on_the_dark_theme(dark):  # type: ignore[no-untyped-def]
    window = dark
    for box in (window.log_scale_box, window.edge_values_box):
        assert not box.isChecked() or box is window.edge_values_box
        option = QStyleOptionButton()
        option.initFrom(box)
        indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
        edge = QRect(indicator.left(), indicator.top(), indicator.width(), 2)  # its top
        assert strongest_contrast(box, edge) >= GRAPHICS_CONTRAST, box.text()


def test_icons_follow_the_theme_back_to_light(dark):  # type: ignore[no-untyped-def]
    window = dark
    tinted = window.next_step_action.icon().pixmap(18, 18).toImage()
    set_theme(LIGHT)
    plain = window.next_step_action.icon().pixmap(18, 18).toImage()
    assert tinted != plain  # the style's own icon again
    lightest = max(
        (QColor(tinted.pixelColor(x, y)).lightness() for x in range(18) for y in range(18)),
        default=0,
    )
    assert lightest > 200  # the dark theme's arrows were light
