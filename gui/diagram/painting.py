"""Helpers the diagram's items share: fonts, faded pens, ink on a fill, guard fallbacks."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QPainterPath, QPen

from gui import constants as C
from gui.themes import INK_ON_DARK_FILL, INK_ON_LIGHT_FILL, contrast_ratio, current_theme


def empty_rect(*_: object) -> QRectF:
    return QRectF()


def empty_path(*_: object) -> QPainterPath:
    return QPainterPath()


def proposed_value(item: object, change: object, value: object) -> object:
    return value  # what Qt proposed: accepting it is always valid


def faded(pen: QPen, opacity: float = C.DIMMED_OPACITY) -> QPen:
    """The pen as it looks at ``opacity`` over the theme's background, but opaque:
    Qt draws translucent lines through its slow blending path (10x slower at 100k)."""
    colour, background = pen.color(), QColor(current_theme().background)
    mixed = QPen(pen)
    mixed.setColor(
        QColor.fromRgbF(
            *(
                b + opacity * (c - b)
                for c, b in (
                    (colour.redF(), background.redF()),
                    (colour.greenF(), background.greenF()),
                    (colour.blueF(), background.blueF()),
                )
            )
        )
    )
    return mixed


def contrasting_ink(fill: QColor) -> QColor:
    """Near-black or white text, whichever has the higher contrast (WCAG) on ``fill``."""
    behind = fill.name()
    if contrast_ratio(INK_ON_LIGHT_FILL, behind) >= contrast_ratio(INK_ON_DARK_FILL, behind):
        return QColor(INK_ON_LIGHT_FILL)
    return QColor(INK_ON_DARK_FILL)


def font(pixel_size: float, bold: bool = False) -> QFont:
    font = QFont(C.FONT_FAMILY)
    font.setPixelSize(max(1, round(pixel_size)))
    font.setBold(bold)
    return font
