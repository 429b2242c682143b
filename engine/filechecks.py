"""Checks of parsed JSON values that the network file keeps as written, and the
text of values echoed in error messages.

The layout and unknown top-level keys are kept on load and written back on
save, so everything in them must be writable again: finite numbers (Python's
json reads ``1e999`` as inf), text without lone UTF-16 surrogates (``"\\ud800"``
is valid JSON but not UTF-8) and no deeper nesting than MAX_KEPT_DEPTH.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_KEPT_DEPTH = 64
MAX_ECHO = 200  # characters of an offending value quoted in a message
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_:\-]{1,60}")


def cut(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` shortened to ``limit`` characters, the cut marked with …."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(text: str) -> str:
    """A string as JSON writes it, cut, with non-ASCII letters kept readable and lone
    surrogates and invisible characters escaped, so any terminal prints what it is."""
    quoted = json.dumps(cut(text), ensure_ascii=False)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in quoted)


def describe(value: Any) -> str:
    """A value as a message shows it: short, printable, never thousands of characters."""
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        digits = len(str(abs(value)))
        return repr(value) if digits <= 20 else f"a {digits}-digit integer"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def key_path(path: str, key: str) -> str:
    """``path.key``, or ``path["key"]`` for a key that is not a plain word."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{quote(key)}]"


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be written as UTF-8, or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = text[error.start].encode("utf-8", "backslashreplace").decode("ascii")
        return f"not valid text: a lone UTF-16 surrogate ({bad}) at character {error.start + 1}"
    return None


def kept_value_problem(value: Any, path: str) -> tuple[str, str] | None:
    """(key path, problem) of the first part of ``value`` that could not be saved
    again, or None. Walks without recursion: the nesting may be deep."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth >= MAX_KEPT_DEPTH:
                return where, f"nested more than {MAX_KEPT_DEPTH} levels deep"
            children: list[tuple[Any, str, int]] = []
            if isinstance(item, dict):
                for key, child in item.items():
                    child_path = key_path(where, key)
                    problem = text_problem(key)
                    if problem is not None:
                        return child_path, "the key is " + problem
                    children.append((child, child_path, depth + 1))
            else:
                children = [(child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item)]
            stack.extend(reversed(children))  # first problem in file order
        elif isinstance(item, str):
            problem = text_problem(item)
            if problem is not None:
                return where, problem
        elif isinstance(item, float) and not math.isfinite(item):
            return where, f"expected a finite number, got {item!r}"
    return None


def shorten_path(path: str, limit: int = MAX_ECHO) -> str:
    """A key path kept readable: its start and end around a …."""
    if len(path) <= limit:
        return path
    head = limit // 3
    return path[:head] + "…" + path[-(limit - head - 1) :]
