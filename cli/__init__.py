"""The ``backprop-lens`` command (docs/network-file.md, "Command line").

One module per subcommand, each with ``add_arguments(parser)`` and ``run(args) -> int``,
registered in ``COMMANDS``; without a subcommand the window opens (cli/window.py).
Shared argument types, ``UsageError`` and the exit statuses are cli/arguments.py.

Importing this package imports no Qt: ``trace``, ``train`` and ``explain`` never need
it, and the window and ``export`` import it only when they run.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from types import ModuleType

from cli import window
from cli.arguments import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    Parser,
    UsageError,
)

__version__ = "0.1.0"  # the one place: pyproject.toml reads it

# The subcommands, in the order --help names them: a first argument naming one runs it,
# anything else is the window's. Each module imports nothing of Qt at module level.
COMMANDS: dict[str, ModuleType] = {
    "trace": import_module("cli.trace"),
    "train": import_module("cli.train"),
    "export": import_module("cli.export"),
    "explain": import_module("cli.explain"),
}
SUBCOMMANDS = tuple(COMMANDS)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of ``command``, or of the window's form when None."""
    if command is not None:
        parser = Parser(prog=f"backprop-lens {command}")
        COMMANDS[command].add_arguments(parser)
        return parser
    parser = Parser(
        prog="backprop-lens",
        description="Open the Backprop Lens window, or run one of: " + ", ".join(SUBCOMMANDS),
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="print the version"
    )
    window.add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments and arguments[0] in COMMANDS:
            command = arguments[0]
            args = build_parser(command).parse_args(arguments[1:])
            return int(COMMANDS[command].run(args))
        return window.run(build_parser().parse_args(arguments))
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth a traceback. What
        # is still buffered would fail again at exit, with a message: drop it.
        _discard_stdout()
        return 0
    except MemoryError:
        print("error: not enough memory for this network and data", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: one line, not a traceback
        if os.environ.get("BACKPROP_LENS_DEBUG"):
            raise
        text = str(error).splitlines()[0][:200] if str(error) else ""
        print(
            f"error: internal error: {type(error).__name__}: {text} "
            "(BACKPROP_LENS_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


def _discard_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (a test's capture): nothing is flushed at exit


__all__ = [
    "COMMANDS",
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL_ERROR",
    "EXIT_INTERRUPTED",
    "SUBCOMMANDS",
    "UsageError",
    "build_parser",
    "main",
]
