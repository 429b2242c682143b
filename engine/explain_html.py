"""The HTML style of the derivations (Qt's rich-text subset, for the Maths panel).

Matrices are small tables with bracket borders; a line that holds one becomes a row of
cells. Lines wrap between terms, never inside one: spaces inside brackets are
non-breaking, an operator keeps to the term after it, a fraction's slash is joined.
"""

from __future__ import annotations

import html
import re

from engine.explain_refs import ElementRef
from engine.explain_styles import MINUS, _Out, _split_exponent, _Style, _superscript, format_number
from engine.explain_terms import Matrix, Partial, Symbol

# An HTML matrix is a small table between these marks; a line holding one becomes a row
# of cells (Qt's rich text cannot put a table inside a line of text).
_MATRIX_START, _MATRIX_END = "\x02", "\x03"
_MATRIX_SPLIT = re.compile(f"({_MATRIX_START}.*?{_MATRIX_END})", re.DOTALL)
_ENTRY = re.compile(r'(<td align="right" class="entry"[^>]*>)(.*?)(</td>)')
# Keeps "∂E/∂out" on one line: Qt may break a line after a slash.
WORD_JOINER = "\u2060"


def _bracket_cell(side: str, top: bool, bottom: bool) -> str:
    """One row's piece of a matrix bracket: a border on the ``side``, closed at the ends."""
    style = f"border-{side}: 1px solid;"
    if top:
        style += "border-top: 1px solid;"
    if bottom:
        style += "border-bottom: 1px solid;"
    return f'<td width="3" style="{style}"></td>'


class _HtmlStyle(_Style):
    def matrix(self, matrix: Matrix) -> str:
        rows = []
        last = len(matrix) - 1
        for k, row in enumerate(matrix):
            cells = "".join(
                f'<td align="right" class="entry" style="padding: 0px 3px">{self.number(v)}</td>'
                for v in row
            )
            rows.append(
                f"<tr>{_bracket_cell('left', k == 0, k == last)}{cells}"
                f"{_bracket_cell('right', k == 0, k == last)}</tr>"
            )
        table = f'<table cellspacing="0" cellpadding="0">{"".join(rows)}</table>'
        return f"{_MATRIX_START}{table}{_MATRIX_END}"

    def partial(self, partial: Partial) -> str:
        return f"∂{self.symbol(partial.of)}/{WORD_JOINER}∂{self.symbol(partial.wrt)}"

    def frac(self, num: _Out, den: _Out) -> _Out:
        out = super().frac(num, den)
        return _Out(out.text.replace("/", "/" + WORD_JOINER), out.prec)

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
        if text.startswith(_MATRIX_START):  # each entry of a matrix is a link
            return _ENTRY.sub(lambda m: f'{m[1]}<a href="{ref.href}">{m[2]}</a>{m[3]}', text)
        return f'<a href="{ref.href}">{text}</a>'

    def power(self, base: str, exponent: str) -> str:
        return f"{base}<sup>{exponent}</sup>"

    def exp(self, arg: str) -> str:
        return f"e<sup>{arg}</sup>"

    def transpose(self, arg: str) -> str:
        return f"{arg}<sup>T</sup>"


def _unbreakable_inside_brackets(text: str) -> str:
    """HTML with every space inside (…) made non-breaking: a line may wrap between the
    terms of a sum or a product, never inside a term such as (1 − 0.593269992)."""
    out = []
    depth = 0
    in_tag = False
    for char in text:
        if in_tag:
            in_tag = char != ">"
        elif char == "<":
            in_tag = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == " " and depth > 0:
            out.append("&nbsp;")
            continue
        out.append(char)
    # An operator stays with the term after it: a wrapped line starts "+ 0.35".
    return _OPERATOR.sub(r" \1&nbsp;", "".join(out))


_OPERATOR = re.compile(r" ([+−×·⊙]) ")


def _html_line(text: str, bold: bool = False) -> str:
    """One line of an equation for a table cell. A line with matrices becomes a row of
    cells (text, matrix, text, …), which scrolls sideways rather than wrap."""
    if _MATRIX_START not in text:
        text = _unbreakable_inside_brackets(text)
        return f"<b>{text}</b>" if bold else text
    cells = []
    for piece in _MATRIX_SPLIT.split(text):
        if piece.startswith(_MATRIX_START):
            table = piece.strip(_MATRIX_START + _MATRIX_END)
            if bold:
                table = _ENTRY.sub(lambda m: f"{m[1]}<b>{m[2]}</b>{m[3]}", table)
            cells.append(f'<td valign="middle">{table}</td>')
        elif piece:
            words = piece.replace(" ", "&nbsp;")
            cells.append(f'<td valign="middle">{f"<b>{words}</b>" if bold else words}</td>')
    return f'<table cellspacing="0" cellpadding="0"><tr>{"".join(cells)}</tr></table>'
