"""Render derivations (engine.explain) as text, Markdown, LaTeX or HTML.

Every equation is shown the way the worked examples print it: the symbols,
then ``= `` the same expression with numbers, then ``= `` the result::

    net_h1 = w1·i1 + w2·i2 + b1
           = 0.15 × 0.05 + 0.2 × 0.1 + 0.35
           = 0.377500000

- ``text``: Unicode, aligned as above.
- ``markdown``: headings, and each equation as ``$$\\begin{aligned}…\\end{aligned}$$``.
- ``latex``: a complete document (article, amsmath, one ``align*`` per section)
  in plain ASCII, so ``pdflatex`` compiles it.
- ``html``: Qt's rich-text subset (``<table>``, ``<sub>``, ``<sup>``, ``<i>``,
  ``<b>``) for a QTextBrowser; every symbol and number of a diagram element is
  wrapped in ``<a href="ref:neuron:2:0">`` (``ElementRef.href``), so the GUI can
  map a hovered link to the element (``ElementRef.from_href``).

Numbers have ``digits`` significant digits, in the style of the GUI's
``format_number``: values typed short (0.15) stay short, computed ones keep
their trailing zeros.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from engine.explain import (
    ADD,
    COLSUM,
    DIAG,
    DIV,
    EXP,
    HADAMARD,
    LEAKY_RELU,
    LEAKY_RELU_PRIME,
    LN,
    MATMUL,
    MAX,
    MUL,
    NEG,
    POW,
    RELU,
    RELU_PRIME,
    SIGMOID,
    SOFTMAX,
    SUB,
    SUM,
    TANH,
    TRANSPOSE,
    Apply,
    Const,
    ElementRef,
    Equation,
    Expr,
    Matrix,
    Partial,
    Section,
    Symbol,
    Term,
    Value,
)

TEXT = "text"
MARKDOWN = "markdown"
LATEX = "latex"
HTML = "html"
FORMATS = (TEXT, MARKDOWN, LATEX, HTML)
DEFAULT_DIGITS = 9

# -- numbers -----------------------------------------------------------------------


def _significant_digits(text: str) -> int:
    mantissa = text.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa)


def format_number(value: float, digits: int = DEFAULT_DIGITS) -> str:
    """``digits`` significant digits; values typed short (0.15) stay short.

    A computed value keeps its trailing zeros (0.358916480) so columns line up the
    way the tutorials print them. The window (gui/formatting.py) uses this too.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    short = repr(float(value))
    if _significant_digits(short) <= digits and "e" not in short:
        return short
    return f"{value:#.{digits}g}"


def _split_exponent(text: str) -> tuple[str, str | None]:
    """'1.5e-05' -> ('1.5', '-5'); '0.25' -> ('0.25', None)."""
    if "e" not in text:
        return text, None
    mantissa, exponent = text.split("e")
    return mantissa, str(int(exponent))


_SUPERSCRIPTS = str.maketrans("0123456789+-()=", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾⁼")
MINUS = "−"  # U+2212, the typeset minus
_VULGAR = {("1", str(n)): f for n, f in zip(range(2, 11), "½⅓¼⅕⅙⅐⅛⅑⅒", strict=True)}

# -- the styles --------------------------------------------------------------------

P_ADD = 1.0  # a + b, a − b
P_DIV_INLINE = 1.5  # a/b written on one line: parenthesised inside products
P_MUL = 2.0  # a·b, −a
P_POW = 4.0
P_ATOM = 5.0


def _superscript(symbol: Symbol) -> str:
    """What goes up: [layer], (sample) and + for an updated value, e.g. W[2](1)+."""
    sup = ""
    if symbol.layer is not None:
        sup += f"[{symbol.layer}]"
    if symbol.sample is not None:
        sup += f"({symbol.sample})"
    if symbol.updated:
        sup += "+"
    return sup


@dataclass(frozen=True)
class _Out:
    text: str
    prec: float = P_ATOM
    leading_minus: bool = False
    magnitude: str | None = None  # a negative number without its sign


class _Style:
    """How one output format writes each part of an expression."""

    plus = " + "
    minus = " − "
    neg = "−"
    times_symbols = "·"
    times_numbers = " × "
    matmul = "·"
    hadamard = " ⊙ "

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def number(self, value: float) -> str:
        mantissa, exponent = _split_exponent(format_number(value, self.digits))
        text = mantissa if exponent is None else f"{mantissa}×10{exponent.translate(_SUPERSCRIPTS)}"
        return text.replace("-", MINUS)

    def const(self, value: float) -> str:
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)).replace("-", self.neg)
        return self.number(value)

    def matrix(self, matrix: Matrix) -> str:
        rows = [", ".join(self.number(v) for v in row) for row in matrix]
        return "[" + "; ".join(rows) + "]"

    def symbol(self, symbol: Symbol) -> str:
        text = symbol.name
        if symbol.layer is not None:
            text += f"[{symbol.layer}]"
        if symbol.sub:
            joined = len(symbol.name) == 1 and symbol.sub.isdigit()
            text += symbol.sub if joined else "_" + symbol.sub
        if symbol.sample is not None:
            text += f"({symbol.sample})".translate(_SUPERSCRIPTS)
        if symbol.updated:
            text += "⁺"
        return text

    def partial(self, partial: Partial) -> str:
        return f"∂{self.symbol(partial.of)}/∂{self.symbol(partial.wrt)}"

    def link(self, ref: ElementRef | None, text: str) -> str:
        return text

    def paren(self, text: str) -> str:
        return f"({text})"

    def frac(self, num: _Out, den: _Out) -> _Out:
        vulgar = _VULGAR.get((num.text, den.text))
        if vulgar is not None:
            return _Out(vulgar)
        n = self.paren(num.text) if num.prec < P_MUL else num.text
        d = self.paren(den.text) if den.prec <= P_MUL or den.leading_minus else den.text
        return _Out(f"{n}/{d}", P_DIV_INLINE)

    def power(self, base: str, exponent: str) -> str:
        if exponent.isdigit():
            return base + exponent.translate(_SUPERSCRIPTS)
        return f"{base}^{exponent}"

    def exp(self, arg: str) -> str:
        return f"e^({arg})"

    def function(self, op: str, args: Sequence[str]) -> str:
        names = {
            LN: "ln",
            TANH: "tanh",
            MAX: "max",
            SIGMOID: "σ",
            RELU: "relu",
            LEAKY_RELU: "leaky_relu",
            SOFTMAX: "softmax",
            RELU_PRIME: "relu′",
            LEAKY_RELU_PRIME: "leaky_relu′",
            DIAG: "diag",
            COLSUM: "colsum",
        }
        return f"{names[op]}({', '.join(args)})"

    def sum_all(self, arg: str) -> str:
        return f"Σ{arg}"

    def transpose(self, arg: str) -> str:
        return arg + "ᵀ"


class _TextStyle(_Style):
    pass


_LATEX_GREEK = {
    "δ": r"\delta",
    "η": r"\eta",
    "μ": r"\mu",
    "σ": r"\sigma",
    "ℓ": r"\ell",
    "Σ": r"\Sigma",
    "∂": r"\partial",
}
_LATEX_TEXT = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "−": "$-$",
    "×": r"$\times$",
    "·": r"$\cdot$",
    "⊙": r"$\odot$",
    "→": r"$\to$",
    "′": "$'$",
    "½": r"$\frac{1}{2}$",
    "÷": r"$\div$",
    "≥": r"$\geq$",
    "≤": r"$\leq$",
    "ᵀ": r"$^{\mathsf{T}}$",
    "⁺": "$^{+}$",
    "—": "---",
    "–": "--",
    "…": r"\dots{}",
    "“": "``",
    "”": "''",
    "‘": "`",
    "’": "'",
    **{k: f"${v}$" for k, v in _LATEX_GREEK.items()},
    **{sup: f"$^{{{plain}}}$" for plain, sup in zip("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾", strict=True)},
}


def latex_text(text: str) -> str:
    """Plain text for LaTeX text mode: specials escaped, pure ASCII out.

    Known symbols become commands (δ -> $\\delta$); accented letters lose their
    accents; any other non-ASCII character becomes '?', so pdflatex never stops
    on an unknown Unicode character.
    """
    out = []
    for char in text:
        if char in _LATEX_TEXT:
            out.append(_LATEX_TEXT[char])
        elif ord(char) < 128:
            out.append(char)
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            ascii_part = "".join(c for c in decomposed if ord(c) < 128)
            out.append("".join(_LATEX_TEXT.get(c, c) for c in ascii_part) or "?")
    return "".join(out)


class _LatexStyle(_Style):
    plus = " + "
    minus = " - "
    neg = "-"
    times_symbols = r" \cdot "
    times_numbers = r" \times "
    matmul = r" \cdot "
    hadamard = r" \odot "

    def number(self, value: float) -> str:
        if math.isnan(value):
            return r"\text{NaN}"
        if math.isinf(value):
            return r"\infty" if value > 0 else r"-\infty"
        mantissa, exponent = _split_exponent(format_number(value, self.digits))
        return mantissa if exponent is None else f"{mantissa} \\times 10^{{{exponent}}}"

    def matrix(self, matrix: Matrix) -> str:
        rows = [" & ".join(self.number(v) for v in row) for row in matrix]
        return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"

    @staticmethod
    def _name(name: str) -> str:
        if name in _LATEX_GREEK:
            return _LATEX_GREEK[name]
        if len(name) == 1 and name.isascii() and name.isalpha():
            return name
        if name.isascii() and name.isalnum():
            return rf"\mathit{{{name}}}"
        return rf"\text{{{latex_text(name)}}}"

    @staticmethod
    def _sub(sub: str) -> str:
        if sub.isascii() and sub.isalnum():
            return sub if sub.isdigit() else rf"\mathrm{{{sub}}}"
        return rf"\text{{{latex_text(sub)}}}"

    def symbol(self, symbol: Symbol) -> str:
        text = self._name(symbol.name)
        sup = _superscript(symbol)
        if sup:
            text += f"^{{{sup}}}"
        if symbol.sub:
            text += f"_{{{self._sub(symbol.sub)}}}"
        return "{" + text + "}"

    def partial(self, partial: Partial) -> str:
        of, wrt = self.symbol(partial.of), self.symbol(partial.wrt)
        return rf"\frac{{\partial {of}}}{{\partial {wrt}}}"

    def paren(self, text: str) -> str:
        return rf"\left({text}\right)"

    def frac(self, num: _Out, den: _Out) -> _Out:
        return _Out(rf"\frac{{{num.text}}}{{{den.text}}}", P_ATOM)

    def power(self, base: str, exponent: str) -> str:
        return f"{{{base}}}^{{{exponent}}}"

    def exp(self, arg: str) -> str:
        return f"e^{{{arg}}}"

    def function(self, op: str, args: Sequence[str]) -> str:
        names = {
            LN: r"\ln",
            TANH: r"\tanh",
            MAX: r"\max",
            SIGMOID: r"\sigma",
            RELU: r"\operatorname{relu}",
            LEAKY_RELU: r"\operatorname{leaky\_relu}",
            SOFTMAX: r"\operatorname{softmax}",
            RELU_PRIME: r"\operatorname{relu}'",
            LEAKY_RELU_PRIME: r"\operatorname{leaky\_relu}'",
            DIAG: r"\operatorname{diag}",
            COLSUM: r"\operatorname{colsum}",
        }
        return f"{names[op]}\\left({', '.join(args)}\\right)"

    def sum_all(self, arg: str) -> str:
        return rf"\textstyle\sum {arg}"

    def transpose(self, arg: str) -> str:
        return f"{{{arg}}}^{{\\mathsf{{T}}}}"


class _HtmlStyle(_Style):
    def number(self, value: float) -> str:
        mantissa, exponent = _split_exponent(format_number(value, self.digits))
        mantissa = mantissa.replace("-", MINUS)
        if exponent is None:
            return mantissa
        return f"{mantissa}×10<sup>{exponent.replace('-', MINUS)}</sup>"

    def symbol(self, symbol: Symbol) -> str:
        name = html.escape(symbol.name)
        text = name if len(symbol.name) == 1 and not symbol.name.isascii() else f"<i>{name}</i>"
        sup = _superscript(symbol)
        if sup:
            text += f"<sup>{sup}</sup>"
        if symbol.sub:
            text += f"<sub>{html.escape(symbol.sub)}</sub>"
        return text

    def link(self, ref: ElementRef | None, text: str) -> str:
        if ref is None:
            return text
        return f'<a href="{ref.href}">{text}</a>'

    def power(self, base: str, exponent: str) -> str:
        return f"{base}<sup>{exponent}</sup>"

    def exp(self, arg: str) -> str:
        return f"e<sup>{arg}</sup>"

    def transpose(self, arg: str) -> str:
        return f"{arg}<sup>T</sup>"


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


def _text_equation(equation: Equation, style: _Style) -> str:
    lines = _lines(equation, style)
    pad = " " * (len(lines.lhs) + 1)
    out = [f"{lines.lhs} = {lines.rhs[0]}"] + [f"{pad}= {line}" for line in lines.rhs[1:]]
    if equation.note:
        out.append(f"{pad}  ({equation.note})")
    return "\n".join(out)


def _latex_lines(equation: Equation, style: _Style) -> str:
    lines = _lines(equation, style)
    rows = [f"{lines.lhs} &= {lines.rhs[0]}"] + [f"&= {line}" for line in lines.rhs[1:]]
    if equation.note:
        rows[-1] += rf" &&\text{{{latex_text(equation.note)}}}"
    return " \\\\\n".join(rows)


def _markdown_equation(equation: Equation, style: _Style) -> str:
    block = "$$\n\\begin{aligned}\n" + _latex_lines(equation, style) + "\n\\end{aligned}\n$$"
    return block.replace(" &&\\text{", " \\quad\\text{")


def _html_rows(equation: Equation, style: _Style) -> str:
    lines = _lines(equation, style)
    rows = []
    for index, line in enumerate(lines.rhs):
        lhs = lines.lhs if index == 0 else ""
        shown = f"<b>{line}</b>" if index == len(lines.rhs) - 1 and index > 0 else line
        rows.append(f'<tr><td align="right">{lhs}</td><td>&nbsp;=&nbsp;</td><td>{shown}</td></tr>')
    if equation.note:
        note = html.escape(equation.note)
        rows.append(f"<tr><td></td><td></td><td><small><i>{note}</i></small></td></tr>")
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
