"""MathPanel: the chain rule with the numbers filled in, for the selection at this step.

The derivation comes from engine.explain (structured terms) rendered to HTML by
engine.explain_format; every term that belongs to a diagram element is a link,
so hovering it highlights that element on the diagram.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QMouseEvent, QTextOption
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
from engine.explain_format import WORD_JOINER, render
from engine.steps import UPDATE
from engine.trace import IterationTrace
from gui import constants as C
from gui.document import NetworkDocument, Selection
from gui.formatting import elide, escape
from gui.themes import Theme
from gui.view_settings import ViewSettings
from gui.widgets import RefreshWhenShown

log = logging.getLogger(__name__)

NOTATION_NAMES = {
    NEURON: "per neuron (net, out, E)",
    VECTOR: "vectorised (Z[l], A[l], W[l])",
}
# Without a selection the whole step is derived; beyond this many edges that is
# thousands of equations, so the panel asks for a selection instead.
MAX_EDGES_WITHOUT_SELECTION = 64
# Every step but the update is derived sample by sample: a larger batch would be pages
# of equations (seconds to build and lay out) nobody reads; the inspector summarises it.
MAX_DERIVED_SAMPLES = 64
# The panel lays out at most this many equations (laying out rich text costs about 1 ms
# an equation); the rest is counted in a note, and Copy LaTeX/Markdown gives it all.
MAX_SHOWN_EQUATIONS = 120
SHOWN_LABEL_CHARS = 24  # labels are subscripts in every equation
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
        f"small.note {{ color: {theme.muted_ink}; }}"
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


@contextmanager
def quiet_numbers() -> Iterator[None]:
    """A diverged iteration holds inf and nan: its numbers are shown as they are, without
    NumPy's RuntimeWarnings on stderr."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def short_labels(trace: IterationTrace, limit: int = SHOWN_LABEL_CHARS) -> IterationTrace:
    """The same trace with its labels cut to ``limit`` characters, for display only (the
    numbers are untouched): a 10,000-character label, a subscript in every equation,
    made laying out one step's derivation take a second."""
    network = trace.network
    labels = [network.labels(l) for l in range(len(network.layers))]
    if all(len(label) <= limit for layer in labels for label in layer):
        return trace
    layers = tuple(
        dataclasses.replace(layer, labels=tuple(elide(label, limit) for label in labels[l]))
        for l, layer in enumerate(network.layers)
    )
    return dataclasses.replace(trace, network=network.replace(layers=layers))


def _derive(
    document: NetworkDocument,
    selection: Selection | None,
    notation: str,
    shorten_labels: bool = False,
) -> list[Section] | str:
    """The derivation at the current step, or why there is none (plain text). Never
    raises: what cannot be derived is said in a short note."""
    try:
        with quiet_numbers():
            return _derive_step(document, selection, notation, shorten_labels)
    except Exception as error:  # the panel says so; it never takes the window down
        log.warning("no derivation at %s", document.position, exc_info=True)
        return f"The derivation of this step cannot be shown ({elide(str(error), 200)})."


def _derive_step(
    document: NetworkDocument, selection: Selection | None, notation: str, shorten_labels: bool
) -> list[Section] | str:
    step = document.step
    if step is None:
        return (
            f"Iteration {document.iteration + 1} has not started: press → "
            "and the chain rule of each step appears here, with the numbers filled in."
        )
    ref = element_ref(selection)
    if ref is None and document.initial_network.edge_count > MAX_EDGES_WITHOUT_SELECTION:
        return (
            "This network is large: click a neuron, an edge or a bias "
            "to see its derivation at this step."
        )
    trace = document.trace
    if trace.batch_size > MAX_DERIVED_SAMPLES and step.kind != UPDATE:
        return (
            f"This iteration's batch has {trace.batch_size:,} samples: the chain rule is "
            f"written out sample by sample for batches of up to {MAX_DERIVED_SAMPLES}. "
            "The Inspector shows the numbers of the selection; a smaller batch size "
            "(Network panel) shows the derivation here."
        )
    return explain_step(
        short_labels(trace) if shorten_labels else trace,
        step.key,
        ref,
        notation,
        previous_velocity=document.velocity_before(),
    )


def derivation_sections(
    document: NetworkDocument,
    selection: Selection | None,
    notation: str = NEURON,
    shorten_labels: bool = True,
) -> list[Section] | None:
    """The derivation at the current step, or None when there is none to show (no step
    yet, a network or batch too large to derive without a selection, an error).
    ``shorten_labels``: long labels cut, as the panel shows them (see short_labels)."""
    derived = _derive(document, selection, notation, shorten_labels)
    return None if isinstance(derived, str) else derived


def _note(text: str) -> str:
    return STYLE + f"<p class='note'>{escape(text)}</p>"


def bounded_sections(
    sections: Sequence[Section], limit: int, sample: int = 0
) -> tuple[list[Section], int]:
    """At most ``limit`` equations, in their order: first those of the whole batch, then
    the shown ``sample``'s, then the other samples' in turn. Returns the sections kept
    and how many equations were left out."""

    def rank(k: int) -> tuple[int, int]:
        samples = {equation.sample for equation in sections[k].equations}
        return (0 if samples <= {None} else 1 if sample in samples else 2, k)

    kept: dict[int, Section] = {}
    budget = limit
    for k in sorted(range(len(sections)), key=rank):
        if budget <= 0:
            break
        equations = sections[k].equations[:budget]
        kept[k] = dataclasses.replace(sections[k], equations=equations)
        budget -= len(equations)
    total = sum(len(section.equations) for section in sections)
    return [kept[k] for k in sorted(kept)], total - (limit - budget)


def derivation_html(
    document: NetworkDocument,
    selection: Selection | None,
    notation: str = NEURON,
    digits: int = 9,
    limit: int | None = None,
    sample: int = 0,
) -> str:
    """The derivation for the current step as rich text (what the panel shows); with
    ``limit``, at most that many equations (see bounded_sections) and a note."""
    derived = _derive(document, selection, notation, shorten_labels=True)
    if isinstance(derived, str):
        return _note(derived)
    if not derived:
        what = "this element" if selection is None else elide(_describe(document, selection))
        return _note(f"Nothing about {what} is computed at this step.")
    left_out = 0
    if limit is not None:
        derived, left_out = bounded_sections(derived, limit, sample)
    note = ""
    if left_out:
        more = "1 more equation" if left_out == 1 else f"{left_out:,} more equations"
        note = (
            f"<p class='note'>{more} of this step are not shown: click an element on the "
            "diagram to see only its own, or Copy LaTeX / Markdown for all of them.</p>"
        )
    try:
        with quiet_numbers():
            return STYLE + render(derived, "html", digits) + note
    except Exception as error:
        log.warning("the derivation could not be rendered", exc_info=True)
        return _note(f"The derivation of this step cannot be shown ({elide(str(error), 200)}).")


def derivation_text(
    document: NetworkDocument, selection: Selection | None, notation: str, fmt: str, digits: int
) -> str:
    """The same derivation as LaTeX or Markdown, for the clipboard ('' if there is none);
    the labels in full."""
    sections = derivation_sections(document, selection, notation, shorten_labels=False)
    if not sections:
        return ""
    try:
        with quiet_numbers():
            return render(sections, fmt, digits)
    except Exception:
        log.warning("the derivation could not be rendered as %s", fmt, exc_info=True)
        return ""


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
    status_posted = Signal(str)  # a passing confirmation ("Copied …") for the status bar

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
        # Lines wrap between terms (explain_format keeps each term whole), never inside a
        # number; what cannot wrap (a row of matrices) scrolls sideways.
        self.browser.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.browser.setMouseTracking(True)
        self.browser.viewport().setMouseTracking(True)
        self.browser.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        self._hovered: ElementRef | None = None
        # Derived only while the panel can be seen (not behind another dock's tab).
        self._refresher = RefreshWhenShown(self, self._refresh_now)
        document.position_changed.connect(self.refresh)
        document.selection_changed.connect(self.refresh)
        document.network_changed.connect(self.refresh)
        settings.changed.connect(self.refresh)
        self.refresh()

    @property
    def notation(self) -> str:
        return str(self.notation_box.currentData())

    def refresh(self) -> None:
        self._refresher.request()

    def _refresh_now(self) -> None:
        text = derivation_html(
            self.document,
            self.document.selection,
            self.notation,
            self.settings.digits,
            limit=MAX_SHOWN_EQUATIONS,
            sample=self.settings.sample,
        )
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(text)
        self.browser.verticalScrollBar().setValue(scroll)

    def text(self) -> str:
        """What the panel shows, as plain text (its non-breaking spaces as spaces)."""
        self._refresher.ensure()
        return self.browser.toPlainText().replace("\xa0", " ").replace(WORD_JOINER, "")

    def copy(self, fmt: str) -> str:
        """Copy the derivation as LaTeX or Markdown; returns what was copied."""
        text = derivation_text(
            self.document, self.document.selection, self.notation, fmt, self.settings.digits
        )
        if text:
            QGuiApplication.clipboard().setText(text)
            name = "LaTeX" if fmt == "latex" else fmt.capitalize()
            self.status_posted.emit(f"Copied the derivation as {name}.")
        else:
            self.status_posted.emit("Nothing to copy: no derivation is shown at this step.")
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
