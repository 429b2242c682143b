"""Numbers as the tutorials print them (one style for the window, exports and explain),
and text from files made safe for Qt's rich text."""

from __future__ import annotations

import html
import re

from engine.explain_format import DEFAULT_DIGITS, format_number

__all__ = ["DEFAULT_DIGITS", "elide", "elide_words", "escape", "format_number", "tooltip_text"]

# Longer labels and names are cut where a panel shows them inline: a 10,000-character
# label made every step lay out pages of text.
MAX_SHOWN_CHARS = 60


def escape(text: str) -> str:
    """File text (names, labels, descriptions) for insertion into HTML: shown literally,
    never interpreted (an <img src=…> in a label must not make Qt open a file)."""
    return html.escape(text, quote=False)


def tooltip_text(text: str) -> str:
    """``text`` as a tooltip shows it, literally. Qt renders a tooltip as HTML whenever it
    looks like HTML (a tag, an entity), so such text is escaped inside a <p>."""
    from PySide6.QtGui import Qt  # here: this module is also used where Qt is never loaded

    if not Qt.mightBeRichText(text):
        return text
    return f"<p style='white-space:pre-wrap'>{escape(text)}</p>"


def elide(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """At most ``limit`` characters: the start, then '…'."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def elide_words(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text`` with every word longer than ``limit`` cut (see elide): a message quoting a
    10,000-character label would otherwise widen the window to fit it on one line."""
    return re.sub(rf"\S{{{limit + 1},}}", lambda match: elide(match.group(), limit), text)
