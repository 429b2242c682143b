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

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

import resources
from engine import edits
from engine.fileformat import NetworkFileError, load_network, save_network
from engine.losses import LossSpec
from engine.network import Layer, Network, OptimizerSpec
from engine.steps import plural

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
    if not all(p.isdigit() and p.isascii() for p in parts):
        bad = next(p for p in parts if not (p.isdigit() and p.isascii()))
        raise ValueError(f"“{bad[:20]}” is not a whole number of neurons; write e.g. 2-3-1")
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


def _printable_path(path: str | None) -> str | None:
    if path is None:
        return None
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class FileController(QObject):
    """The File menu's behaviour. Dialogs go through ask_* methods tests can replace.

    What is saved is always the network as built (``document.built_network``);
    "Save Trained Network As…" writes the parameters at the current position to
    another file. The shipped examples are never written: they open as untitled
    copies.
    """

    recent_changed = Signal()
    modified_changed = Signal(bool)
    status_posted = Signal(str)  # a line for the status bar ("Saved … to …")

    def __init__(self, parent: QWidget, document: NetworkDocument) -> None:
        super().__init__(parent)
        self._window = parent
        self.document = document
        # A crashed session's autosave we recovered from: kept until this work is safe
        # (saved, or autosaved by this session).
        self._recovered_from: Path | None = None
        document.modified_changed.connect(self.modified_changed)
        self._timer = QTimer(self)
        self._timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self._timer.timeout.connect(self.autosave_now)
        self._timer.start()

    # -- dialogs (replaced in tests) -------------------------------------------------

    def ask_unsaved(self) -> str:
        """'save', 'discard' or 'cancel'."""
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the name comes from a file
        box.setText(f"Save the changes to “{self.document.display_name}”?")
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

    def ask_save_path(self, title: str = "Save network") -> str:
        path, _ = QFileDialog.getSaveFileName(self._window, title, self._folder(), FILE_FILTER)
        if path and not Path(path).suffix:
            path += ".json"
        return path

    def ask_sizes(self) -> str | None:
        text, ok = QInputDialog.getText(
            self._window, "New network", "Layer sizes, input to output (e.g. 2-3-1):", text="2-2-1"
        )
        return text if ok else None

    def ask_recover(self, description: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Recover unsaved work?",
            "Backprop Lens ended unexpectedly while a network had unsaved changes:\n\n"
            f"{description}\n\nRecover it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self._window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the description holds a file's text
        return box.exec() == QMessageBox.StandardButton.Yes

    def show_error(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self._window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # messages quote file names and contents
        box.exec()

    def _folder(self) -> str:
        return str(Path(self.document.path).parent) if self.document.path else ""

    # -- state -----------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        return self.document.modified

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
        return True

    def open(self) -> bool:
        if not self.maybe_save():
            return False
        path = self.ask_open_path()
        return bool(path) and self.open_path(path, ask=False)

    def open_path(self, path: str, ask: bool = True) -> bool:
        """Open a file; a bad or unreadable file leaves the open network untouched.
        A shipped example opens as an untitled copy."""
        if ask and not self.maybe_save():
            return False
        try:
            network = load_network(path)
        except NetworkFileError as error:
            self.show_error("Cannot open the file", f"{Path(path).name} was not opened:\n\n{error}")
            return False
        if resources.is_preset(path):
            self.document.replace_network(network, None, example=True)
            self.status_posted.emit(
                f"Opened the example “{network.name}” as an untitled copy: Save asks where."
            )
            return True
        self.document.replace_network(network, str(path))
        self.add_recent(str(path))
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._write(self.document.path)

    def save_as(self) -> bool:
        path = self.ask_save_path()
        return bool(path) and self._write(path)

    def save_trained_as(self) -> bool:
        """Write the parameters at the current position (not the network as built) to a
        new file; the document stays what it was."""
        document = self.document
        updates = document.iteration + (1 if document.shows_update() else 0)
        path = self.ask_save_path("Save trained network as")
        if not path:
            return False
        trained = document.displayed_network()
        trained = trained.replace(name=f"{trained.name} (trained, {plural(updates, 'update')})")
        if not self._save_file(trained, path):
            return False
        self.add_recent(str(path))
        self.status_posted.emit(
            f"Saved the trained network ({plural(updates, 'update')}) to {path}; "
            "the network as built is unchanged."
        )
        return True

    def _save_file(self, network: Network, path: str) -> bool:
        """Write ``network`` to ``path``, or say why not; the shipped examples are refused."""
        if resources.is_preset(path):
            self.show_error(
                "Cannot save",
                f"{path} is one of the examples shipped with Backprop Lens, which stay as "
                "they are. Choose another file.",
            )
            return False
        try:
            save_network(network, path)  # atomic: a failed save leaves the old file intact
        except (OSError, ValueError, RecursionError, NetworkFileError) as error:
            self.show_error("Cannot save", f"{path} was not written:\n\n{error}")
            return False
        return True

    def _write(self, path: str) -> bool:
        if not self._save_file(self.document.built_network, path):
            return False
        self.document.mark_saved(str(path))
        self.add_recent(str(path))
        self.remove_autosave()
        self.status_posted.emit(f"Saved “{self.document.built_network.name}” to {path}")
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

    def autosave_now(self) -> bool:
        """Write the unsaved network as built where a crash cannot take it; nothing when
        saved. True when the work is safe on disk."""
        if not self.modified:
            self.remove_autosave()
            return True
        network = self.document.built_network
        extra = dict(network.extra)
        extra[AUTOSAVE_KEY] = {
            # A file name that is not valid UTF-8 holds lone surrogates no JSON file can.
            "original_path": _printable_path(self.document.path),
            "time": datetime.datetime.now().isoformat(timespec="seconds"),
            "pid": os.getpid(),
        }
        try:
            self.autosave_path().parent.mkdir(parents=True, exist_ok=True)
            save_network(network.replace(extra=extra), self.autosave_path())
        except (OSError, ValueError, RecursionError, NetworkFileError):
            return False  # a safety net: failing quietly never costs the user their work
        self._forget_recovered_autosave()
        return True

    def remove_autosave(self) -> None:
        try:
            self.autosave_path().unlink()
        except FileNotFoundError:
            pass
        self._forget_recovered_autosave()

    def _forget_recovered_autosave(self) -> None:
        if self._recovered_from is not None:
            self._recovered_from.unlink(missing_ok=True)
            self._recovered_from = None

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
        """At start: offer each crashed session's unsaved network; True if one was recovered.

        A recovered autosave stays on disk until this session has saved or autosaved the
        work, so a second crash loses nothing. One that cannot be read is set aside
        (renamed ``….unreadable``) with a message, never offered again, never deleted.
        """
        for path in self.crashed_autosaves():
            try:
                network = load_network(path)
                document = json.loads(path.read_text(encoding="utf-8-sig"))
            except (NetworkFileError, OSError, ValueError) as error:
                self._set_aside(path, str(error))
                continue
            info = document.get(AUTOSAVE_KEY) if isinstance(document, dict) else None
            info = info if isinstance(info, dict) else {}
            original = info.get("original_path")
            original = original if isinstance(original, str) and original else None
            when = info.get("time")
            when = f", autosaved {when}" if isinstance(when, str) else ""
            description = f"“{network.name}” ({original or 'never saved'}){when}"
            if not self.ask_recover(description):
                path.unlink(missing_ok=True)  # the user chose to discard it
                continue
            extra = {k: v for k, v in network.extra.items() if k != AUTOSAVE_KEY}
            self.document.replace_network(network.replace(extra=extra), original)
            self.document.mark_unsaved()
            self._recovered_from = path
            self.autosave_now()  # once this session holds the work on disk, the old copy goes
            return True
        return False

    def _set_aside(self, path: Path, reason: str) -> None:
        aside = path.with_name(path.name + ".unreadable")
        try:
            os.replace(path, aside)
        except OSError:
            return
        self.status_posted.emit(
            f"An autosave could not be read and was set aside as {aside}: {reason}"
        )
