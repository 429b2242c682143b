"""Player: play as a timer whose every tick trains as much as fits, then redraws once."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

if TYPE_CHECKING:
    from gui.document import NetworkDocument


class Player(QObject):
    """Play: a timer whose every tick trains as much as fits, then the views redraw once."""

    TICK_MS = 16  # ~60 frames per second at most
    TRAIN_BUDGET_S = 0.006  # of every tick, for training; the rest is for drawing
    MAX_SPEED = 0  # "as fast as possible"

    def __init__(self, document: NetworkDocument) -> None:
        super().__init__(document)
        self._document = document
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self.speed = 10  # iterations per second; MAX_SPEED for as fast as possible
        self._owed = 0.0
        self._last_tick = 0.0

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def play(self) -> None:
        if self.playing:
            return
        self._owed = 1.0  # the first iteration runs at once
        self._last_tick = time.perf_counter()
        self._timer.start()
        self._document.play_state_changed.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self._timer.stop()
        self._document.play_state_changed.emit(False)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        if self.speed == self.MAX_SPEED:
            count, deadline = 10**9, now + self.TRAIN_BUDGET_S
        else:
            self._owed += self.speed * (now - self._last_tick)
            count, deadline = int(self._owed), now + self.TRAIN_BUDGET_S
            self._owed -= count
        self._last_tick = now
        if count == 0:
            return
        if not self._document.run_iterations(count, deadline):
            self.pause()
