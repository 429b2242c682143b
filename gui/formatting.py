"""Numbers as the tutorials print them (one style for the window, exports and explain)."""

from __future__ import annotations

from engine.explain_format import DEFAULT_DIGITS, format_number

__all__ = ["DEFAULT_DIGITS", "format_number"]
