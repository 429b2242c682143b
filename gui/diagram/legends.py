"""The colour legends under the diagram: what the colours (and numbers) show at this step.

Sizes are pixels at text scale 1; presentation mode and slides scale them with the text.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QPen

from gui import constants as C
from gui.diagram.colour_scales import ColourScale
from gui.formatting import format_number
from gui.themes import current_theme, scaled

LEGEND_WIDTH = 230.0
LEGEND_BAR_HEIGHT = 12.0
TITLE_HEIGHT = 20.0
LINE_HEIGHT = 17.0  # the numbers under the bar, the note under them
# Title, bar, numbers and a note, with padding: always room for the note, so the
# diagram does not move when a step has one and the next has none.
LEGEND_HEIGHT = 8 + TITLE_HEIGHT + LEGEND_BAR_HEIGHT + 2 * LINE_HEIGHT + 8
LEGEND_ROOM = LEGEND_HEIGHT + 14  # below the diagram, when fitting
MARGIN = 18.0  # from the view's edges
GAP = 40.0  # between the two legends


def title_font() -> QFont:
    font = QFont(C.FONT_FAMILY)
    font.setPixelSize(scaled(C.LEGEND_TITLE_PIXEL_SIZE))
    font.setBold(True)
    return font


def text_font() -> QFont:
    font = QFont(C.FONT_FAMILY)
    font.setPixelSize(scaled(C.LEGEND_TEXT_PIXEL_SIZE))
    return font


def needed_width(scale: ColourScale) -> float:
    """Pixels the legend's longest text takes across."""
    title, small = QFontMetricsF(title_font()), QFontMetricsF(text_font())
    return max(
        title.horizontalAdvance(scale.title),
        small.horizontalAdvance(scale.empty_reason or "all zero"),
        small.horizontalAdvance(note_text(scale)),
    )


def note_text(scale: ColourScale, short: bool = False) -> str:
    note = scale.short_note if short and scale.short_note else scale.note
    parts = [note] if note else []
    if scale.not_finite and not scale.empty_reason:
        parts.append(f"{scale.not_finite:,} not finite")
    return " · ".join(parts)


def short_title(title: str) -> str:
    """'Edges: last update |Δw| (log)' as 'Edges: |Δw| (log)', for a narrow legend."""
    head, _, rest = title.partition(": ")
    log = rest.endswith(" (log)")
    words = rest.removesuffix(" (log)").split()
    if not words:
        return title
    return f"{head}: {words[-1]}" + (" (log)" if log else "")


def legend_box(origin: QPointF, width: float, grow: float) -> QRectF:
    return QRectF(origin.x() - 10, origin.y() - 8 * grow, width + 20, LEGEND_HEIGHT * grow)


def draw_legend(
    painter: QPainter, scale: ColourScale, origin: QPointF, width: float, grow: float
) -> None:
    """The legend with its top-left text corner at ``origin``, ``width`` pixels wide."""
    theme = current_theme()
    small = text_font()
    metrics = QFontMetricsF(small)
    painter.setPen(QPen(QColor(theme.neutral_edge), 1))
    painter.setBrush(QColor(theme.legend_background))
    painter.drawRoundedRect(legend_box(origin, width, grow), 6, 6)
    painter.setFont(title_font())
    painter.setPen(QColor(theme.ink))
    elide = Qt.TextElideMode.ElideRight
    title_metrics = QFontMetricsF(title_font())
    title = scale.title
    if title_metrics.horizontalAdvance(title) > width:
        title = short_title(title)
    title = title_metrics.elidedText(title, elide, width)
    painter.drawText(
        QRectF(origin.x(), origin.y() - 4 * grow, width, TITLE_HEIGHT * grow),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        title,
    )
    bar = QRectF(origin.x(), origin.y() + 18 * grow, width, LEGEND_BAR_HEIGHT * grow)
    painter.setFont(small)
    painter.setPen(QColor(theme.muted_ink))
    note = note_text(scale)
    note_y = bar.bottom() + LINE_HEIGHT * grow + 2
    if metrics.horizontalAdvance(note) > width:
        note = note_text(scale, short=True)
    if note:
        note = metrics.elidedText(note, elide, width)
        painter.drawText(QPointF(bar.left(), note_y + metrics.ascent()), note)
    if scale.empty_reason or scale.high == scale.low == 0:
        reason = scale.empty_reason or "all zero"
        reason = metrics.elidedText(reason, elide, width)
        painter.drawText(QPointF(bar.left(), bar.top() + metrics.ascent()), reason)
        return
    gradient = QLinearGradient(bar.topLeft(), bar.topRight())
    count = len(scale.colours)
    for k, colour in enumerate(scale.colours):
        gradient.setColorAt(k / (count - 1), colour)
    painter.setPen(QPen(QColor(theme.neutral_edge), 1))
    painter.setBrush(gradient)
    painter.drawRect(bar)
    painter.setPen(QColor(theme.muted_ink))
    labels_y = bar.bottom() + 2 + metrics.ascent()
    low, high = format_number(scale.low, 3), format_number(scale.high, 3)
    painter.drawText(QPointF(bar.left(), labels_y), low)
    painter.drawText(QPointF(bar.right() - metrics.horizontalAdvance(high), labels_y), high)
    if scale.low < 0 < scale.high:
        painter.drawText(
            QPointF(bar.center().x() - metrics.horizontalAdvance("0") / 2, labels_y), "0"
        )
