"""What every subcommand shares: the error type, the exit statuses, the parser that
reports a bad argument in one line, the argument types and reading the network file.

Imports nothing of Qt and nothing of ``gui``: ``trace`` and ``train`` run without them.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from engine.fileformat import NetworkFileError, load_network
from engine.network import Network

EXIT_BAD_INPUT = 2  # a bad file, bad arguments, or not enough memory for the file
EXIT_INTERNAL_ERROR = 1  # a bug: one line, the traceback only with BACKPROP_LENS_DEBUG=1
EXIT_INTERRUPTED = 130  # Ctrl+C outside trace and train (which stop cleanly and report it)


class UsageError(Exception):
    """Bad arguments or a bad file: one ``error: …`` line, exit status 2."""


class Parser(argparse.ArgumentParser):
    # argparse prints the usage and exits; the spec wants one line and no usage.
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _whole_number(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ {minimum}, got {value}")
    return value


def positive(text: str) -> int:
    """A whole number ≥ 1."""
    return _whole_number(text, 1)


def non_negative(text: str) -> int:
    """A whole number ≥ 0."""
    return _whole_number(text, 0)


def size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` in pixels, each side 16 … 10000."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    if not (16 <= width <= 10_000 and 16 <= height <= 10_000):
        raise argparse.ArgumentTypeError(f"size out of range 16..10000: {text}")
    return width, height


def scale(text: str) -> float:
    """A number 0.25 … 8."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.25 <= value <= 8:
        raise argparse.ArgumentTypeError(f"scale out of range 0.25..8: {text}")
    return value


def load_file(path: str) -> Network:
    """The network in ``path``; a bad file is a UsageError naming it."""
    try:
        return load_network(path)
    except NetworkFileError as error:
        raise UsageError(f"{path}: {error}") from None
