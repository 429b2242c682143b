"""CrashGuard: an exception that escapes a Qt virtual or slot is logged, shown once, survived.

PySide6 hands an exception raised in a Python override (paint, itemChange, resizeEvent,
an event filter, a slot) to ``sys.excepthook`` and returns a default value to C++. For
some virtuals that value is garbage (an invalid QVariant from itemChange, a NULL from
boundingRect) and the process dies soon after, so the overrides themselves catch their
exceptions (``guarded``) and hand them on with ``report_exception``; whatever still
escapes reaches the hook installed here. The hook writes the traceback to stderr and to
``errors.log`` in the config folder, shows one non-modal message per session (later ones
go to the status bar, at most every few seconds) and lets the event loop go on.

In tests ``report_exception`` reaches pytest-qt's hook instead, so a caught exception
still fails the test that caused it.
"""

from __future__ import annotations

import datetime
import functools
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

LOG_NAME = "errors.log"
LOG_MAX_BYTES = 1_000_000  # then the log moves to errors.log.1: a paint loop cannot fill a disk
FULL_TRACEBACKS_PER_KIND = 3  # a paint fails every frame: later repeats are only counted
NOTICE_INTERVAL_S = 10.0  # status-bar notices, after the one message box
STATUS_TIMEOUT_MS = 15_000

F = TypeVar("F", bound=Callable[..., Any])


def default_log_path() -> Path:
    """errors.log beside the autosave folder: the config folder (BACKPROP_LENS_CONFIG_DIR)."""
    from gui.files import autosave_dir

    return autosave_dir().parent / LOG_NAME


class CrashGuard(QObject):
    """The ``sys.excepthook`` of the window: log, tell the user once, keep running."""

    reported = Signal(str)  # one line: "ValueError: ..." for every exception reported

    def __init__(self, log_path: Path | None = None) -> None:
        super().__init__()
        self._log_path = log_path
        self.count = 0
        self.kinds: Counter[tuple[str, str, int]] = Counter()
        self.last_summary = ""
        self.window: QWidget | None = None  # where the message goes; else the active window
        self.message_box: QMessageBox | None = None
        self._previous_hook: Callable[..., Any] | None = None
        self._last_notice = -float("inf")
        self._notice_pending = False

    @property
    def log_path(self) -> Path:
        return self._log_path if self._log_path is not None else default_log_path()

    # -- the hook --------------------------------------------------------------------

    @property
    def installed(self) -> bool:
        return sys.excepthook == self.handle

    def install(self) -> None:
        if not self.installed:
            self._previous_hook = sys.excepthook
            sys.excepthook = self.handle

    def uninstall(self) -> None:
        if self.installed:
            sys.excepthook = self._previous_hook or sys.__excepthook__
            self._previous_hook = None

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """The hook itself: never raises, whatever the exception or the state of the app."""
        if issubclass(exc_type, (KeyboardInterrupt, SystemExit)):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            self._record(exc_type, exc, tb)
        except Exception:  # the guard must never be what crashes
            pass

    def _record(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        frames = traceback.extract_tb(tb)
        last = frames[-1] if frames else None
        kind = (exc_type.__name__, last.filename if last else "", (last.lineno or 0) if last else 0)
        self.kinds[kind] += 1
        self.count += 1
        seen = self.kinds[kind]
        self.last_summary = _summary(exc_type, exc)
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        if seen <= FULL_TRACEBACKS_PER_KIND:
            text = f"[{stamp}] Backprop Lens caught an internal error; it keeps running.\n"
            text += "".join(traceback.format_exception(exc_type, exc, tb))
        elif seen in (10, 100) or seen % 1000 == 0:
            where = f"{Path(kind[1]).name}:{kind[2]}"
            text = f"[{stamp}] {self.last_summary} at {where} again ({seen} times)\n"
        else:
            text = ""
        if text:
            self._write(text)
        self.reported.emit(self.last_summary)
        if not self._notice_pending:
            # Later, from the event loop: never open a window inside a paint or a drag.
            self._notice_pending = True
            QTimer.singleShot(0, self._notify)

    def _write(self, text: str) -> None:
        if sys.stderr is not None:
            try:
                sys.stderr.write(text)
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
        try:
            path = self.log_path
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() and path.stat().st_size > LOG_MAX_BYTES:
                path.replace(path.with_name(path.name + ".1"))
            with path.open("a", encoding="utf-8", errors="backslashreplace") as log:
                log.write(text)
        except OSError:
            pass  # no log is better than a second error while reporting the first

    # -- telling the user ------------------------------------------------------------

    def _notify(self) -> None:
        self._notice_pending = False
        try:
            self._show_notice()
        except Exception:
            pass

    def _show_notice(self) -> None:
        window = self.window if _alive(self.window) else QApplication.activeWindow()
        now = time.monotonic()
        if isinstance(window, QMainWindow) and now - self._last_notice >= NOTICE_INTERVAL_S:
            self._last_notice = now
            errors = "1 internal error" if self.count == 1 else f"{self.count} internal errors"
            window.statusBar().showMessage(
                f"{errors} caught ({self.last_summary}); details in {self.log_path}",
                STATUS_TIMEOUT_MS,
            )
        if self.message_box is not None or window is None:
            return
        box = QMessageBox(window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Internal error")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the error may quote a file's text
        box.setText("Backprop Lens caught an internal error and keeps running.")
        box.setInformativeText(
            f"{self.last_summary}\n\nSave your work to be safe. The details are in "
            f"{self.log_path}; this message is shown once."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setModal(False)  # the user carries on working (and saving) behind it
        box.show()
        self.message_box = box


def _alive(widget: QWidget | None) -> bool:
    if widget is None:
        return False
    try:
        widget.objectName()
    except RuntimeError:  # its C++ object was deleted
        return False
    return True


def _summary(exc_type: type[BaseException], exc: BaseException) -> str:
    message = str(exc).splitlines()[0] if str(exc) else ""
    if len(message) > 200:
        message = message[:200] + "…"
    return f"{exc_type.__name__}: {message}" if message else exc_type.__name__


_guard: CrashGuard | None = None


def install_crash_guard(window: QWidget | None = None) -> CrashGuard:
    """The application's guard, made once, installed as ``sys.excepthook``."""
    global _guard
    if _guard is None:
        _guard = CrashGuard()
    _guard.install()
    if window is not None:
        _guard.window = window
    return _guard


def crash_guard() -> CrashGuard | None:
    return _guard


def report_exception() -> None:
    """Call in an ``except`` block: hand the exception being handled to ``sys.excepthook``
    (the guard in the app, pytest-qt's capture in tests) instead of letting it reach Qt."""
    exc_type, exc, tb = sys.exc_info()
    if exc_type is None or exc is None:
        return
    try:
        sys.excepthook(exc_type, exc, tb)
    except Exception:  # reporting must not raise into the caller
        pass


def guarded(fallback: Any = None) -> Callable[[F], F]:
    """Wrap a Qt override so no exception reaches C++: report it and return ``fallback``
    (called with the override's arguments when it is callable, e.g. itemChange's value)."""

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except Exception:
                report_exception()
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        return wrapper  # type: ignore[return-value]

    return wrap
