"""Ctrl+C as a request to stop: ``trace`` and ``train`` finish the iteration under way,
report it and exit 0 instead of dying with a traceback."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def sigint_sets(flag: list[bool]) -> Iterator[None]:
    """Within the block, Ctrl+C sets ``flag[0]`` instead of raising KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def _stop(signum: int, frame: Any) -> None:
        flag[0] = True

    previous_handler = signal.signal(signal.SIGINT, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_handler)
