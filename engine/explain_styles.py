"""How each output format writes numbers, symbols and operators (explain_format's styles).

``format_number`` is the one number style of the window, the exports and ``explain``:
at most ``digits`` significant digits, never padded with zeros. The HTML style lives
in engine/explain_html.py.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from engine.explain_refs import ElementRef
from engine.explain_terms import (
    COLSUM,
    DIAG,
    LEAKY_RELU,
    LEAKY_RELU_PRIME,
    LN,
    MAX,
    RELU,
    RELU_PRIME,
    SIGMOID,
    SOFTMAX,
    TANH,
    Matrix,
    Partial,
    Symbol,
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
    return len(mantissa.rstrip("0")) or 1


def format_number(value: float, digits: int = DEFAULT_DIGITS) -> str:
    """At most ``digits`` significant digits, never padded with zeros: 0.3925, not
    0.392500000; 1, not 1.0; 0.75136507 as the tutorials print it.

    A value typed short (0.1) stays short even at 17 digits (not 0.10000000000000001).
    The window (gui/formatting.py), the exports and ``explain`` all use this.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    shown = min(digits, _significant_digits(repr(float(value))))
    whole_digits = math.floor(math.log10(abs(value))) + 1
    if shown < whole_digits <= digits:
        shown = whole_digits  # 100, not 1e+02
    return f"{value:.{shown}g}"


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
            RELU: "ReLU",
            LEAKY_RELU: "Leaky ReLU",
            SOFTMAX: "softmax",
            RELU_PRIME: "ReLU′",
            LEAKY_RELU_PRIME: "Leaky ReLU′",
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
            RELU: r"\operatorname{ReLU}",
            LEAKY_RELU: r"\operatorname{Leaky\,ReLU}",
            SOFTMAX: r"\operatorname{softmax}",
            RELU_PRIME: r"\operatorname{ReLU}'",
            LEAKY_RELU_PRIME: r"\operatorname{Leaky\,ReLU}'",
            DIAG: r"\operatorname{diag}",
            COLSUM: r"\operatorname{colsum}",
        }
        return f"{names[op]}\\left({', '.join(args)}\\right)"

    def sum_all(self, arg: str) -> str:
        return rf"\textstyle\sum {arg}"

    def transpose(self, arg: str) -> str:
        return f"{{{arg}}}^{{\\mathsf{{T}}}}"
