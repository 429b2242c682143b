"""Files: New, Open, Save, Save As, recent files, unsaved-changes prompts, autosave
and recovery after a crash.

Where settings and autosaves live: QSettings (INI) and the app data folder;
BACKPROP_LENS_CONFIG_DIR moves both (tests use it to stay isolated).
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from engine import edits
from engine.fileformat import NetworkFileError, load_network, save_network
from engine.losses import LossSpec
from engine.network import Layer, Network, OptimizerSpec

if TYPE_CHECKING:
    from gui.document import NetworkDocument

CONFIG_DIR_VARIABLE = "BACKPROP_LENS_CONFIG_DIR"
AUTOSAVE_INTERVAL_MS = 30_000
AUTOSAVE_KEY = "backprop-lens.autosave"  # an unknown top-level key: kept by the format
MAX_RECENT = 8
FILE_FILTER = "Network files (*.json);;All files (*)"


def configure_storage() -> None:
    """Settings as INI files; in BACKPROP_LENS_CONFIG_DIR when it is set."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    folder = os.environ.get(CONFIG_DIR_VARIABLE)
    if folder:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)


def autosave_dir() -> Path:
    folder = os.environ.get(CONFIG_DIR_VARIABLE)
    base = (
        Path(folder)
        if folder
        else Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    )
    return base / "autosave"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def parse_sizes(text: str) -> list[int]:
    """'2-3-1' (or '2 3 1', '2,3,1') as layer sizes; ValueError with the reason."""
    parts = [p for p in text.replace(",", "-").replace(" ", "-").split("-") if p]
    if len(parts) < 2:
        raise ValueError("give at least an input and an output size, e.g. 2-3-1")
    sizes = [int(p) for p in parts]
    if any(s < 1 for s in sizes):
        raise ValueError("every layer needs at least one neuron")
    if any(s > edits.MAX_NEURONS_PER_LAYER for s in sizes):
        raise ValueError(f"at most {edits.MAX_NEURONS_PER_LAYER} neurons per layer")
    if len(sizes) > edits.MAX_LAYERS:
        raise ValueError(f"at most {edits.MAX_LAYERS} layers")
    return sizes


def new_network(sizes: list[int], seed: int = 0) -> Network:
    """A fresh sigmoid network with Xavier weights (seed 0), one row of zero data."""
    layers = [Layer(sizes[0], None)] + [Layer(s, "sigmoid") for s in sizes[1:]]
    network = Network.create(
        name="Untitled " + "-".join(str(s) for s in sizes),
        layers=layers,
        weights=[[[0.0] * sizes[l] for _ in range(sizes[l + 1])] for l in range(len(sizes) - 1)],
        biases=[[0.0] * s for s in sizes[1:]],
        loss=LossSpec(),
        optimizer=OptimizerSpec(),
        inputs=[[0.0] * sizes[0]],
        targets=[[0.0] * sizes[-1]],
    )
    return edits.randomise(network, "xavier", seed)


class FileController(QObject):
    """The File menu's behaviour. Dialogs go through ask_* methods tests can replace."""

    recent_changed = Signal()
    modified_changed = Signal(bool)

    def __init__(self, parent: QWidget, document: NetworkDocument) -> None:
        super().__init__(parent)
        self._window = parent
        self.document = document
        self._recovered_unsaved = False
        document.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._timer = QTimer(self)
        self._timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self._timer.timeout.connect(self.autosave_now)
        self._timer.start()

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        # A bound slot of this QObject is disconnected when it is destroyed; the value
        # comes with the signal because the stack may be half-destroyed at exit.
        self.modified_changed.emit(self._recovered_unsaved or not clean)

    # -- dialogs (replaced in tests) -------------------------------------------------

    def ask_unsaved(self) -> str:
        """'save', 'discard' or 'cancel'."""
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save the changes to “{self.document.initial_network.name}”?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return "save"
        if answer == QMessageBox.StandardButton.Discard:
            return "discard"
        return "cancel"

    def ask_open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self._window, "Open network", self._folder(), FILE_FILTER
        )
        return path

    def ask_save_path(self) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self._window, "Save network", self._folder(), FILE_FILTER
        )
        if path and not Path(path).suffix:
            path += ".json"
        return path

    def ask_sizes(self) -> str | None:
        text, ok = QInputDialog.getText(
            self._window, "New network", "Layer sizes, input to output (e.g. 2-3-1):", text="2-2-1"
        )
        return text if ok else None

    def ask_recover(self, description: str) -> bool:
        answer = QMessageBox.question(
            self._window,
            "Recover unsaved work?",
            "Backprop Lens ended unexpectedly while a network had unsaved changes:\n\n"
            f"{description}\n\nRecover it?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self._window, title, text)

    def _folder(self) -> str:
        return str(Path(self.document.path).parent) if self.document.path else ""

    # -- state -----------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        return self._recovered_unsaved or not self.document.undo_stack.isClean()

    def _set_saved(self) -> None:
        self._recovered_unsaved = False
        self.document.undo_stack.setClean()
        self.modified_changed.emit(False)

    def maybe_save(self) -> bool:
        """Before the document is replaced or closed: True when it is safe to go on."""
        if not self.modified:
            return True
        answer = self.ask_unsaved()
        if answer == "save":
            return self.save()
        return answer == "discard"

    # -- commands --------------------------------------------------------------------

    def new(self) -> bool:
        if not self.maybe_save():
            return False
        text = self.ask_sizes()
        if text is None:
            return False
        try:
            sizes = parse_sizes(text)
        except ValueError as error:
            self.show_error("Cannot create the network", f"“{text}”: {error}.")
            return False
        self.document.replace_network(new_network(sizes), None)
        self._recovered_unsaved = False
        self.modified_changed.emit(False)
        return True

    def open(self) -> bool:
        if not self.maybe_save():
            return False
        path = self.ask_open_path()
        return bool(path) and self.open_path(path, ask=False)

    def open_path(self, path: str, ask: bool = True) -> bool:
        """Open a file; a bad or unreadable file leaves the open network untouched."""
        if ask and not self.maybe_save():
            return False
        try:
            network = load_network(path)
        except NetworkFileError as error:
            self.show_error("Cannot open the file", f"{Path(path).name} was not opened:\n\n{error}")
            return False
        self.document.replace_network(network, str(path))
        self._recovered_unsaved = False
        self.modified_changed.emit(False)
        self.add_recent(str(path))
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._write(self.document.path)

    def save_as(self) -> bool:
        path = self.ask_save_path()
        return bool(path) and self._write(path)

    def _write(self, path: str) -> bool:
        network = self.document.network
        try:
            save_network(network, path)  # atomic: a failed save leaves the old file intact
        except (OSError, NetworkFileError) as error:
            self.show_error("Cannot save", f"{path} was not written:\n\n{error}")
            return False
        self.document.path = str(path)
        self._set_saved()
        self.add_recent(str(path))
        self.remove_autosave()
        self.document.network_changed.emit()  # the title shows the new file name
        return True

    # -- recent files ----------------------------------------------------------------

    def recent_files(self) -> list[str]:
        value = QSettings().value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or []]

    def add_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        QSettings().setValue("recent_files", files[:MAX_RECENT])
        self.recent_changed.emit()

    # -- autosave --------------------------------------------------------------------

    def autosave_path(self) -> Path:
        return autosave_dir() / f"autosave-{os.getpid()}.json"

    def autosave_now(self) -> None:
        """Write the unsaved document where a crash cannot take it; nothing when saved."""
        if not self.modified:
            self.remove_autosave()
            return
        network = self.document.network
        extra = dict(network.extra)
        extra[AUTOSAVE_KEY] = {
            "original_path": self.document.path,
            "time": datetime.datetime.now().isoformat(timespec="seconds"),
            "pid": os.getpid(),
        }
        try:
            self.autosave_path().parent.mkdir(parents=True, exist_ok=True)
            save_network(network.replace(extra=extra), self.autosave_path())
        except (OSError, NetworkFileError):
            pass  # autosave is a safety net: failing quietly never costs the user their work

    def remove_autosave(self) -> None:
        try:
            self.autosave_path().unlink()
        except FileNotFoundError:
            pass

    def crashed_autosaves(self) -> list[Path]:
        """Autosaves left by sessions that are no longer running."""
        found = []
        for path in sorted(autosave_dir().glob("autosave-*.json")):
            try:
                pid = int(path.stem.split("-", 1)[1])
            except ValueError:
                continue
            if pid != os.getpid() and not _process_alive(pid):
                found.append(path)
        return found

    def offer_recovery(self) -> bool:
        """At start: offer each crashed session's unsaved network; True if one was recovered."""
        for path in self.crashed_autosaves():
            try:
                network = load_network(path)
                info = json.loads(path.read_text(encoding="utf-8")).get(AUTOSAVE_KEY, {})
            except (NetworkFileError, OSError, ValueError):
                path.unlink(missing_ok=True)
                continue
            original = info.get("original_path") if isinstance(info, dict) else None
            where = original or "never saved"
            description = f"“{network.name}” ({where}), autosaved {info.get('time', '')}"
            recover = self.ask_recover(description)
            path.unlink(missing_ok=True)
            if recover:
                extra = {k: v for k, v in network.extra.items() if k != AUTOSAVE_KEY}
                self._recovered_unsaved = True
                self.document.replace_network(network.replace(extra=extra), original)
                self.modified_changed.emit(True)
                return True
        return False
