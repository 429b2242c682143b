"""MathPanel: the chain rule with the numbers filled in, for the selection at this step.

The derivation comes from engine.explain (structured terms) rendered to HTML by
engine.explain_format; every term that belongs to a diagram element is a link,
so hovering it highlights that element on the diagram.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QMouseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.explain import NEURON, VECTOR, ElementRef, Section, explain_step
from engine.explain_format import render
from gui import constants as C
from gui.document import NetworkDocument, Selection
from gui.themes import Theme
from gui.view_settings import ViewSettings

NOTATION_NAMES = {
    NEURON: "per neuron (net, out, E)",
    VECTOR: "vectorised (Z[l], A[l], W[l])",
}
# Without a selection the whole step is derived; beyond this many edges that is
# thousands of equations, so the panel asks for a selection instead.
MAX_EDGES_WITHOUT_SELECTION = 64
# Layout only: the colours and type sizes follow the theme and the text scale, so they
# live in the panel's default style sheet (theme_style_sheet) and its font.
STYLE = (
    "<style>"
    "a { text-decoration: none; }"
    "h3 { margin: 10px 0 4px 0; }"
    "td { padding: 1px 4px; }"
    "</style>"
)


def theme_style_sheet(theme: Theme, scale: float = 1.0) -> str:
    """For QTextDocument.setDefaultStyleSheet: a <style> in the text would override it."""
    return (
        f"h3 {{ font-size: {round(C.MATH_HEADING_PIXEL_SIZE * scale)}px; color: {theme.ink}; }}"
        f"a {{ color: {theme.ink}; }}"  # terms are links (hover highlights), not blue
        f"p.note {{ color: {theme.muted_ink}; }}"
    )


def element_ref(selection: Selection | None) -> ElementRef | None:
    """The explain engine's name for what is selected on the diagram."""
    if selection is None:
        return None
    if selection.kind == "neuron":
        return ElementRef.neuron(selection.layer, selection.index)
    if selection.kind == "weight":
        assert selection.source is not None
        return ElementRef.weight(selection.layer, selection.index, selection.source)
    if selection.kind == "bias":
        return ElementRef.bias(selection.layer, selection.index)
    return ElementRef.bias_vector(selection.layer)


def derivation_sections(
    document: NetworkDocument, selection: Selection | None, notation: str = NEURON
) -> list[Section] | None:
    """The derivation at the current step, or None when there is no step yet or the
    network is too large to derive a whole step without a selection."""
    step = document.step
    if step is None:
        return None
    ref = element_ref(selection)
    if ref is None and document.initial_network.edge_count > MAX_EDGES_WITHOUT_SELECTION:
        return None
    return explain_step(
        document.trace,
        step.key,
        ref,
        notation,
        previous_velocity=document.velocity_before(),
    )


def derivation_html(
    document: NetworkDocument, selection: Selection | None, notation: str = NEURON, digits: int = 9
) -> str:
    """The derivation for the current step as rich text (what the panel shows)."""
    if document.step is None:
        return STYLE + (
            f"<p class='note'>Iteration {document.iteration + 1} has not started: press → "
            "and the chain rule of each step appears here, with the numbers filled in.</p>"
        )
    sections = derivation_sections(document, selection, notation)
    if sections is None:
        return STYLE + (
            "<p class='note'>This network is large: click a neuron, an edge or a bias "
            "to see its derivation at this step.</p>"
        )
    if not sections:
        what = "this element" if selection is None else html.escape(_describe(document, selection))
        return STYLE + f"<p class='note'>Nothing about {what} is computed at this step.</p>"
    return STYLE + render(sections, "html", digits)


def derivation_text(
    document: NetworkDocument, selection: Selection | None, notation: str, fmt: str, digits: int
) -> str:
    """The same derivation as LaTeX or Markdown, for the clipboard ('' if there is none)."""
    sections = derivation_sections(document, selection, notation)
    if not sections:
        return ""
    return render(sections, fmt, digits)


def _describe(document: NetworkDocument, selection: Selection) -> str:
    network = document.initial_network
    if selection.kind == "neuron":
        return network.labels(selection.layer)[selection.index]
    if selection.kind == "weight":
        assert selection.source is not None
        return network.weight_symbol(selection.layer, selection.index, selection.source)
    if selection.kind == "bias":
        return network.bias_symbol(selection.layer, selection.index)
    return f"the biases of layer {selection.layer}"


class MathPanel(QWidget):
    term_hovered = Signal(object)  # an ElementRef under the mouse, or None

    def __init__(
        self, document: NetworkDocument, settings: ViewSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.settings = settings
        self.notation_box = QComboBox()
        for key, name in NOTATION_NAMES.items():
            self.notation_box.addItem(name, key)
        self.notation_box.currentIndexChanged.connect(self.refresh)
        self.copy_latex_button = QPushButton("Copy LaTeX")
        self.copy_latex_button.clicked.connect(lambda: self.copy("latex"))
        self.copy_markdown_button = QPushButton("Copy Markdown")
        self.copy_markdown_button.clicked.connect(lambda: self.copy("markdown"))
        header = QHBoxLayout()
        header.addWidget(QLabel("Notation"))
        header.addWidget(self.notation_box, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_latex_button)
        buttons.addWidget(self.copy_markdown_button)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setMouseTracking(True)
        self.browser.viewport().setMouseTracking(True)
        self.browser.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        self._hovered: ElementRef | None = None
        document.position_changed.connect(self.refresh)
        document.selection_changed.connect(self.refresh)
        document.network_changed.connect(self.refresh)
        settings.changed.connect(self.refresh)
        self.refresh()

    @property
    def notation(self) -> str:
        return str(self.notation_box.currentData())

    def refresh(self) -> None:
        if not self.isVisible() and self.browser.toPlainText():
            self._stale = True  # a hidden panel is refreshed when it is shown
            return
        self._stale = False
        text = derivation_html(
            self.document, self.document.selection, self.notation, self.settings.digits
        )
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(text)
        self.browser.verticalScrollBar().setValue(scroll)

    def showEvent(self, event: object) -> None:  # type: ignore[override]
        if getattr(self, "_stale", False):
            self.refresh()
        super().showEvent(event)  # type: ignore[arg-type]

    def text(self) -> str:
        return self.browser.toPlainText()

    def copy(self, fmt: str) -> str:
        """Copy the derivation as LaTeX or Markdown; returns what was copied."""
        text = derivation_text(
            self.document, self.document.selection, self.notation, fmt, self.settings.digits
        )
        if text:
            QGuiApplication.clipboard().setText(text)
            self.document.message_posted.emit(f"Copied the derivation as {fmt.capitalize()}.")
        return text

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            self.hover_at(event.position().toPoint())
        elif event.type() == QEvent.Type.Leave:
            self._set_hovered(None)
        return super().eventFilter(watched, event)

    def hover_at(self, point: object) -> ElementRef | None:
        """The element of the term at ``point`` (viewport coordinates), highlighted."""
        ref = ElementRef.from_href(self.browser.anchorAt(point))  # type: ignore[arg-type]
        self._set_hovered(ref)
        return ref

    def _set_hovered(self, ref: ElementRef | None) -> None:
        if ref != self._hovered:
            self._hovered = ref
            self.browser.viewport().setCursor(
                Qt.CursorShape.PointingHandCursor if ref else Qt.CursorShape.IBeamCursor
            )
            self.term_hovered.emit(ref)
