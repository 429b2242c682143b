"""The derivation column of a slide: the step's chain rule at the largest type that
fits, whole equations only (a note says how many more there are).

A selection the step computes nothing about (o1 at forward 1) is not derived as
"nothing": the column derives what the step computes, under a note that says so.
"""

from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import QFrame, QTextBrowser

from engine.explain import NEURON, Section
from engine.explain_format import render
from gui import constants as C
from gui.document import NetworkDocument, Selection
from gui.formatting import escape
from gui.panels.math_panel import STYLE, derivation_html, derivation_sections
from gui.themes import current_theme

MATH_FONT_PX = (24, 22, 21, 20, 19, 18)  # at 1080 lines, largest first; the last is the least


def _pixel_font(px: float) -> QFont:
    font = QFont(C.FONT_FAMILY)
    font.setPixelSize(max(6, round(px)))
    return font


def _math_style(px: int, min_px: float) -> str:
    """The math panel's style, sized for a slide: sub- and superscripts no smaller
    than ``min_px`` (Qt draws them at 2/3 of the size asked for)."""
    theme = current_theme()
    script_px = round(max(min_px, 0.75 * px) * 1.5)
    return (
        "<style>"
        f"body {{ color: {theme.ink}; font-size: {px}px; }}"
        f"a {{ text-decoration: none; color: {theme.ink}; }}"  # "inherit" breaks PDF colours
        f"h3 {{ margin: {round(px * 0.9)}px 0 {round(px * 0.35)}px 0; color: {theme.ink}; }}"
        f"p.note {{ color: {theme.muted_ink}; }}"
        f"span.eqnote {{ color: {theme.muted_ink}; }}"
        "td { padding: 1px 4px; }"
        f"sub, sup {{ font-size: {script_px}px; }}"
        "</style>"
    )


def _slide_html(body: str, px: int, min_px: float) -> str:
    """A derivation's HTML (with or without the math panel's style) sized for a slide.

    Qt applies a style sheet's ``body`` rule only from a ``<head>``, and sizes headings
    from the document's default font whatever the style says (see SlideDerivation._measure);
    the equations' notes (``<small>``) stay at the body's size, in the muted colour.
    """
    body = body.replace(STYLE, "")
    body = re.sub(r"<small\b[^>]*>", "<span class='eqnote'>", body).replace("</small>", "</span>")
    return f"<html><head>{_math_style(px, min_px)}</head><body>{body}</body></html>"


def _element_name(document: NetworkDocument, selection: Selection) -> str:
    network = document.initial_network
    if selection.kind == "neuron":
        return network.labels(selection.layer)[selection.index]
    if selection.kind == "weight" and selection.source is not None:
        return network.weight_symbol(selection.layer, selection.index, selection.source)
    if selection.kind == "bias":
        return network.bias_symbol(selection.layer, selection.index)
    return f"layer {selection.layer}"


class SlideDerivation(QTextBrowser):
    """The chain rule of the document's current step, sized for a slide ``text_unit``
    times 1080 lines high, no text under ``min_px``."""

    def __init__(
        self, width: int, text_unit: float, min_px: float, padding: int, notation: str = NEURON
    ) -> None:
        super().__init__()
        self.text_unit = text_unit
        self.min_px = min_px
        self.notation = notation
        self.font_px = round(MATH_FONT_PX[-1] * text_unit)
        self.truncated = 0  # equations left out for want of room (a note says so)
        self.fallback = False  # the selection has nothing at this step: the step shown
        self._document: NetworkDocument | None = None
        self._selection: Selection | None = None
        theme = current_theme()
        self.setObjectName("slide_math")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFont(_pixel_font(self.font_px))
        self.setStyleSheet(
            f"QTextBrowser {{ background: {theme.background}; border: none;"
            f"border-left: 1px solid {theme.neutral_edge}; padding-left: {padding}px; }}"
        )
        self.setFixedWidth(width)

    def _derived_selection(self) -> Selection | None:
        """What the derivation is of: the selection, or (when this step computes nothing
        about it) the whole step."""
        selection, document = self._selection, self._document
        self.fallback = False
        if selection is None or document is None:
            return None
        sections = derivation_sections(document, selection, self.notation)
        if sections is not None and not sections:
            self.fallback = True
            return None
        return selection

    def _fallback_note(self) -> str:
        if not self.fallback or self._selection is None or self._document is None:
            return ""
        name = escape(_element_name(self._document, self._selection))
        return (
            f"<p class='note'>Nothing about {name} is computed at this step; "
            "what the step computes:</p>"
        )

    def fill(self, document: NetworkDocument, selection: Selection | None, digits: int) -> None:
        """The derivation at the largest font that fits; if even the smallest does not,
        as many whole equations as fit and a note saying how many are left out."""
        self._document, self._selection = document, selection
        selection = self._derived_selection()
        html = self._fallback_note() + derivation_html(document, selection, self.notation, digits)
        sizes = [round(px * self.text_unit) for px in MATH_FONT_PX]
        self.truncated = 0
        # The smallest size first: a long derivation is laid out in full only once.
        px, text = sizes[-1], _slide_html(html, sizes[-1], self.min_px)
        fits, height = self._measure(text, px)
        if fits:  # the largest size that fits
            for size in sizes[:-1]:
                if self._measure(_slide_html(html, size, self.min_px), size)[0]:
                    px, text = size, _slide_html(html, size, self.min_px)
                    break
        else:
            text = self._truncate(selection, digits, px, height)
        self.font_px = px
        self.document().setDefaultFont(_pixel_font(px))  # headings are sized from it
        self.setHtml(text)

    def _truncate(
        self, selection: Selection | None, digits: int, px: int, full_height: float
    ) -> str:
        """As many whole equations as fit at ``px`` with the note (at worst the note)."""
        document = self._document
        assert document is not None
        sections = list(derivation_sections(document, selection, self.notation) or [])
        total = sum(len(section.equations) for section in sections)
        if total == 0:  # a note only, too long for the slide: shown as it is
            return _slide_html(
                derivation_html(document, selection, self.notation, digits),
                px,
                self.min_px,
            )

        def fits(shown: int) -> bool:
            html = self._truncated_html(sections, shown, total, px, digits, selection)
            return shown == 0 or self._measure(html, px)[0]

        # Equations are about the same height: start from the proportional guess,
        # gallop to a bracket, then bisect (usually two or three layouts in all).
        room = self.viewport().height() - 4 * px
        guess = max(0, min(total - 1, int(total * room / max(full_height, 1.0))))
        if fits(guess):
            low, step = guess, 1
            while low + step <= total - 1 and fits(low + step):
                low, step = low + step, step * 2
            high = min(total - 1, low + step - 1)
        else:
            high, step = guess - 1, 1
            while not fits(max(0, high + 1 - step)):
                high, step = high + 1 - step - 1, step * 2
            low = max(0, high + 1 - step)
        while low < high:
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        self.truncated = total - low
        return self._truncated_html(sections, low, total, px, digits, selection)

    def _truncated_html(
        self,
        sections: list[Section],
        shown: int,
        total: int,
        px: int,
        digits: int,
        selection: Selection | None,
    ) -> str:
        kept = []
        left = shown
        for section in sections:
            if left <= 0:
                break
            equations = section.equations[:left]
            left -= len(equations)
            kept.append(replace(section, equations=equations))
        hidden = total - shown
        advice = []
        if selection is None and not self.fallback:
            advice.append("select a neuron, weight or bias to derive just that element")
        if self.notation == NEURON:
            advice.append("the vectorised notation is shorter")
        hint = f": {'; '.join(advice)}" if advice else ""
        note = (
            f"<p class='note'>… {hidden} more equation{'s' if hidden != 1 else ''} "
            f"not shown{hint}.</p>"
        )
        body = render(kept, "html", digits) if kept else ""
        return _slide_html(self._fallback_note() + body + note, px, self.min_px)

    def _measure(self, html: str, px: int) -> tuple[bool, float]:
        """Whether ``html`` at ``px`` fits the browser without clipping, and its height
        (laid out on a scratch document: relaying out the browser's own costs twice
        as much)."""
        viewport = self.viewport()
        scratch = QTextDocument()
        scratch.setDocumentMargin(self.document().documentMargin())
        scratch.setDefaultFont(_pixel_font(px))
        scratch.setTextWidth(viewport.width())
        scratch.setHtml(html)
        height = scratch.size().height()
        fits = height <= viewport.height() and scratch.idealWidth() <= viewport.width()
        return fits, height
