"""Numbers as the tutorials print them."""

from __future__ import annotations

import math

DEFAULT_DIGITS = 9


def _significant_digits(text: str) -> int:
    mantissa = text.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa)


def format_number(value: float, digits: int = DEFAULT_DIGITS) -> str:
    """``digits`` significant digits; values typed short (0.15) stay short.

    A computed value keeps its trailing zeros (0.358916480) so columns of
    numbers line up the way the tutorials print them.
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
