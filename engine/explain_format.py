"""Render derivations (engine.explain) as text, Markdown, LaTeX or HTML.

Every equation is shown the way the worked examples print it: the symbols,
then ``= `` the same expression with numbers, then ``= `` the result::

    net_h1 = w1·i1 + w2·i2 + b1
           = 0.15 × 0.05 + 0.2 × 0.1 + 0.35
           = 0.3775

- ``text``: Unicode, aligned as above.
- ``markdown``: headings, and each equation as ``$$\\begin{aligned}…\\end{aligned}$$``.
- ``latex``: a complete document (article, amsmath, one ``align*`` per section)
  in plain ASCII, so ``pdflatex`` compiles it.
- ``html``: Qt's rich-text subset (``<table>``, ``<sub>``, ``<sup>``, ``<i>``,
  ``<b>``) for a QTextBrowser; every symbol and number of a diagram element is
  wrapped in ``<a href="ref:neuron:2:0">`` (``ElementRef.href``), so the GUI can
  map a hovered link to the element (``ElementRef.from_href``). Matrices are
  typeset as bracketed tables; lines wrap between terms only.

Numbers have at most ``digits`` significant digits (``format_number``, which the
GUI uses too), without trailing zeros: 0.15, 0.3925, 0.75136507. How each format
writes numbers and symbols is in engine/explain_styles.py (text, LaTeX) and
engine/explain_html.py (HTML); this module puts expressions, equations and
documents together.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.explain_html import (
    _MATRIX_START,
    WORD_JOINER,
    _html_line,
    _HtmlStyle,
    _unbreakable_inside_brackets,
)
from engine.explain_refs import ElementRef
from engine.explain_styles import (
    DEFAULT_DIGITS,
    FORMATS,
    HTML,
    LATEX,
    MARKDOWN,
    P_ADD,
    P_ATOM,
    P_MUL,
    P_POW,
    TEXT,
    _LatexStyle,
    _Out,
    _Style,
    _TextStyle,
    format_number,
    latex_text,
)
from engine.explain_terms import (
    ADD,
    DIV,
    EXP,
    HADAMARD,
    MATMUL,
    MUL,
    NEG,
    POW,
    SUB,
    SUM,
    TRANSPOSE,
    Apply,
    Const,
    Equation,
    Expr,
    Matrix,
    Note,
    Partial,
    Section,
    Symbol,
    Term,
    Value,
)

__all__ = [
    "DEFAULT_DIGITS",
    "FORMATS",
    "HTML",
    "LATEX",
    "MARKDOWN",
    "TEXT",
    "WORD_JOINER",
    "format_number",
    "latex_text",
    "render",
    "render_equation",
    "render_expr",
    "render_symbol",
    "render_value",
]


def _style(fmt: str, digits: int) -> _Style:
    if digits < 1:
        raise ValueError(f"digits must be at least 1, got {digits}")
    if fmt == TEXT:
        return _TextStyle(digits)
    if fmt in (LATEX, MARKDOWN):
        return _LatexStyle(digits)
    if fmt == HTML:
        return _HtmlStyle(digits)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# -- expressions -------------------------------------------------------------------


def _transposed(matrix: Matrix) -> Matrix:
    return tuple(zip(*matrix, strict=True)) if matrix else matrix


def _render(expr: Expr, style: _Style, numbers: bool) -> _Out:
    if isinstance(expr, Const):
        return _Out(style.const(expr.value))
    if isinstance(expr, Term):
        if not numbers:
            symbol = expr.symbol
            text = style.symbol(symbol) if isinstance(symbol, Symbol) else style.partial(symbol)
            return _Out(style.link(expr.ref, text))
        return _value(expr.value, expr.ref, style)
    return _apply(expr, style, numbers)


def _value(value: Value, ref: ElementRef | None, style: _Style) -> _Out:
    if isinstance(value, tuple):
        return _Out(style.link(ref, style.matrix(value)))
    text = style.link(ref, style.number(value))
    if value < 0:
        return _Out(text, P_MUL, True, style.link(ref, style.number(-value)))
    return _Out(text)


def _apply(expr: Apply, style: _Style, numbers: bool) -> _Out:
    op = expr.op
    if op == TRANSPOSE and numbers and isinstance(expr.args[0], Term):
        # The numbers of Aᵀ are written transposed, not marked.
        value = expr.args[0].value
        if isinstance(value, tuple):
            return _value(_transposed(value), expr.args[0].ref, style)
    args = [_render(arg, style, numbers) for arg in expr.args]
    if op == ADD:
        text = _wrap_first(args[0], P_ADD, style)
        for arg in args[1:]:
            if arg.magnitude is not None:
                text += style.minus + arg.magnitude
            elif arg.prec <= P_ADD or arg.leading_minus:
                text += style.plus + style.paren(arg.text)
            else:
                text += style.plus + arg.text
        return _Out(text, P_ADD, args[0].leading_minus)
    if op == SUB:
        left = _wrap_first(args[0], P_ADD, style)
        right = args[1]
        right_text = (
            style.paren(right.text) if right.prec <= P_ADD or right.leading_minus else right.text
        )
        return _Out(left + style.minus + right_text, P_ADD, args[0].leading_minus)
    if op in (MUL, MATMUL, HADAMARD):
        partials = any(isinstance(a, Term) and isinstance(a.symbol, Partial) for a in expr.args)
        symbols_joiner = style.times_symbols
        if partials and style.times_symbols == "·":
            symbols_joiner = " · "  # fractions read better apart: ∂E/∂out · ∂out/∂net
        joiner = {
            MUL: style.times_numbers if numbers else symbols_joiner,
            MATMUL: style.matmul,
            HADAMARD: style.hadamard,
        }[op]
        parts = [_wrap_first(args[0], P_MUL, style)]
        for arg in args[1:]:
            needs = arg.prec < P_MUL or arg.leading_minus
            parts.append(style.paren(arg.text) if needs else arg.text)
        return _Out(joiner.join(parts), P_MUL, args[0].leading_minus)
    if op == NEG:
        arg = args[0]
        inner = style.paren(arg.text) if arg.prec < P_MUL or arg.leading_minus else arg.text
        return _Out(style.neg + inner, P_MUL, True)
    if op == DIV:
        return style.frac(args[0], args[1])
    if op == POW:
        base = args[0]
        base_text = (
            style.paren(base.text) if base.prec < P_ATOM or base.leading_minus else base.text
        )
        exponent = expr.args[1]
        exponent_text = style.const(exponent.value) if isinstance(exponent, Const) else args[1].text
        return _Out(style.power(base_text, exponent_text), P_POW)
    if op == EXP:
        return _Out(style.exp(args[0].text), P_POW)
    if op == SUM:
        arg = args[0]
        return _Out(style.sum_all(style.paren(arg.text) if arg.prec < P_ATOM else arg.text), P_MUL)
    if op == TRANSPOSE:
        arg = args[0]
        return _Out(style.transpose(style.paren(arg.text) if arg.prec < P_ATOM else arg.text))
    return _Out(style.function(op, [arg.text for arg in args]))


def _wrap_first(arg: _Out, prec: float, style: _Style) -> str:
    return style.paren(arg.text) if arg.prec < prec else arg.text


def render_expr(
    expr: Expr, fmt: str = TEXT, numbers: bool = False, digits: int = DEFAULT_DIGITS
) -> str:
    """One side of an equation, with symbols or with numbers (LaTeX math for markdown)."""
    return _render(expr, _style(fmt, digits), numbers).text


def render_symbol(symbol: Symbol | Partial, fmt: str = TEXT) -> str:
    style = _style(fmt, DEFAULT_DIGITS)
    return style.symbol(symbol) if isinstance(symbol, Symbol) else style.partial(symbol)


def render_value(value: Value, fmt: str = TEXT, digits: int = DEFAULT_DIGITS) -> str:
    return _value(value, None, _style(fmt, digits)).text


# -- equations and documents -------------------------------------------------------


@dataclass(frozen=True)
class _Lines:
    lhs: str
    rhs: list[str]  # symbols, numbers, result; repeats left out


def _lines(equation: Equation, style: _Style) -> _Lines:
    lhs = _render(Term(equation.lhs.symbol, 0.0, equation.lhs.ref), style, False).text
    symbols = _render(equation.rhs, style, False).text
    numbers = _render(equation.rhs, style, True).text
    result = _value(equation.result, equation.lhs.ref, style).text
    rhs = [symbols]
    # Compared without HTML links: a line that only repeats another is left out.
    if _unlinked(numbers) not in (_unlinked(symbols), _unlinked(result)):
        rhs.append(numbers)
    if _unlinked(result) != _unlinked(symbols):
        rhs.append(result)
    return _Lines(lhs, rhs)


def _unlinked(text: str) -> str:
    return re.sub(r"<a href=[^>]*>|</a>", "", text)


def _note_text(note: Note, style: _Style) -> str:
    """A note's words and symbols in ``style`` (text and HTML; LaTeX: _latex_note)."""
    out = []
    for part in note:
        if isinstance(part, str):
            out.append(html.escape(part, quote=False) if isinstance(style, _HtmlStyle) else part)
        elif isinstance(part, Partial):
            out.append(style.partial(part))
        else:
            out.append(style.symbol(part))
    return "".join(out)


def _latex_note(note: Note, style: _Style) -> str:
    """A note in math mode: words in \\text{}, symbols as symbols, ∂a/∂b inline."""
    out = []
    for part in note:
        if isinstance(part, str):
            out.append(rf"\text{{{latex_text(part)}}}")
        elif isinstance(part, Partial):
            out.append(rf"\partial {style.symbol(part.of)}/\partial {style.symbol(part.wrt)}")
        else:
            out.append(style.symbol(part))
    return "".join(out)


def _text_equation(equation: Equation, style: _Style) -> str:
    lines = _lines(equation, style)
    pad = " " * (len(lines.lhs) + 1)
    out = [f"{lines.lhs} = {lines.rhs[0]}"] + [f"{pad}= {line}" for line in lines.rhs[1:]]
    if equation.note:
        out.append(f"{pad}  ({_note_text(equation.note_parts, style)})")
    return "\n".join(out)


def _latex_lines(equation: Equation, style: _Style, note_separator: str = " &&") -> str:
    lines = _lines(equation, style)
    rows = [f"{lines.lhs} &= {lines.rhs[0]}"] + [f"&= {line}" for line in lines.rhs[1:]]
    if equation.note:
        rows[-1] += note_separator + _latex_note(equation.note_parts, style)
    return " \\\\\n".join(rows)


def _markdown_equation(equation: Equation, style: _Style) -> str:
    lines = _latex_lines(equation, style, " \\quad")
    return "$$\n\\begin{aligned}\n" + lines + "\n\\end{aligned}\n$$"


def _html_rows(equation: Equation, style: _Style) -> str:
    lines = _lines(equation, style)
    rows = []
    for index, line in enumerate(lines.rhs):
        lhs = lines.lhs if index == 0 else ""
        shown = _html_line(line, bold=index == len(lines.rhs) - 1 and index > 0)
        # "=" level with a matrix's middle, or with the first line of a wrapped line.
        align = "middle" if _MATRIX_START in line else "top"
        rows.append(
            # The left side is one term: never wrapped (Qt sizes a column by where it may
            # break, and would squeeze ∂out/∂net under the "=").
            f'<tr><td align="right" valign="{align}" style="white-space:nowrap">{lhs}</td>'
            f'<td valign="{align}">&nbsp;=&nbsp;</td><td valign="{align}">{shown}</td></tr>'
        )
    if equation.note:
        note = _unbreakable_inside_brackets(_note_text(equation.note_parts, style))
        rows.append(f'<tr><td></td><td></td><td><small class="note">{note}</small></td></tr>')
    return "\n".join(rows)


def render_equation(equation: Equation, fmt: str = TEXT, digits: int = DEFAULT_DIGITS) -> str:
    """One equation: aligned lines (text), an aligned block (markdown, latex), a table (html)."""
    style = _style(fmt, digits)
    if fmt == TEXT:
        return _text_equation(equation, style)
    if fmt == MARKDOWN:
        return _markdown_equation(equation, style)
    if fmt == LATEX:
        return "\\begin{align*}\n" + _latex_lines(equation, style) + "\n\\end{align*}"
    return f'<table cellspacing="0" cellpadding="1">\n{_html_rows(equation, style)}\n</table>'


_SPACER = '<tr><td colspan="3">&nbsp;</td></tr>'


def render(
    sections: Sequence[Section],
    fmt: str = TEXT,
    digits: int = DEFAULT_DIGITS,
    title: str | None = None,
) -> str:
    """Sections as one document; ``latex`` is a complete, compilable document."""
    style = _style(fmt, digits)
    if fmt == TEXT:
        parts = [] if title is None else [title, "=" * len(title), ""]
        for section in sections:
            parts += [section.title, "-" * len(section.title)]
            if section.note:
                parts.append(f"({section.note})")
            for equation in section.equations:
                parts += ["", _text_equation(equation, style)]
            parts.append("")
        return "\n".join(parts)
    if fmt == MARKDOWN:
        parts = [] if title is None else [f"# {title}", ""]
        for section in sections:
            parts += [f"## {section.title}", ""]
            if section.note:
                parts += [f"*{section.note}*", ""]
            for equation in section.equations:
                parts += [_markdown_equation(equation, style), ""]
        return "\n".join(parts)
    if fmt == LATEX:
        parts = [
            r"\documentclass{article}",
            r"\usepackage{amsmath}",
            r"\usepackage[margin=2cm]{geometry}",
            r"\allowdisplaybreaks",
            r"\begin{document}",
        ]
        if title is not None:
            parts += [rf"\section*{{{latex_text(title)}}}"]
        for section in sections:
            parts.append(rf"\subsection*{{{latex_text(section.title)}}}")
            if section.note:
                parts.append(rf"\emph{{{latex_text(section.note)}}}")
            if section.equations:
                body = " \\\\[1ex]\n".join(_latex_lines(eq, style) for eq in section.equations)
                parts += [r"\begin{align*}", body, r"\end{align*}"]
        parts += [r"\end{document}", ""]
        return "\n".join(parts)
    parts = [] if title is None else [f"<h2>{html.escape(title)}</h2>"]
    for section in sections:
        parts.append(f"<h3>{html.escape(section.title)}</h3>")
        if section.note:
            parts.append(f"<p><i>{html.escape(section.note)}</i></p>")
        rows = f"\n{_SPACER}\n".join(_html_rows(eq, style) for eq in section.equations)
        parts.append(f'<table cellspacing="0" cellpadding="1">\n{rows}\n</table>')
    return "\n".join(parts)
