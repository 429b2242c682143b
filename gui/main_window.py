"""MainWindow: diagram in the middle, inspector on the right, loss curve below.

The actions, toolbars and menus are built by WindowChrome (gui/window_chrome.py);
the stepping keys work from any widget but a text field being edited (gui/keys.py).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QTabBar,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

import resources
from engine import edits
from engine.network import Network
from gui.diagram.scene import DiagramScene
from gui.diagram.view import DiagramView
from gui.document import NetworkDocument, Selection
from gui.edit_choice import MidTrainingEditChoice
from gui.export import PDF_PAGES
from gui.files import FileController
from gui.formatting import elide
from gui.keys import SteppingKeys
from gui.panels.data_table import DataTablePanel
from gui.panels.inspector import InspectorPanel
from gui.panels.loss_plot import LossPlotPanel
from gui.panels.math_panel import MathPanel
from gui.panels.network_panel import NetworkPanel
from gui.panels.step_controls import StepCaption
from gui.presentation import install_presentation_mode
from gui.view_settings import ViewSettings
from gui.window_chrome import SPEEDS, WindowChrome
from gui.window_export import WindowExport

__all__ = ["PDF_PAGES", "SPEEDS", "MainWindow"]

# The first window (nothing remembered): this size, or the screen's available area if
# that is smaller (a 1366×768 laptop), less room for the window's frame.
DEFAULT_SIZE = (1440, 900)
FRAME_ROOM = (8, 40)
# Side panels and loss curve: a share of the window within these bounds, so the diagram
# keeps most of the space on a small screen.
PANEL_WIDTH = (0.26, 300, 400)  # share of the width, least, most
LOSS_HEIGHT = (0.2, 150, 230)  # share of the height, least, most
# A window less tall than this (a 768-line screen) puts the loss curve under the side
# panels, so the diagram keeps the whole height.
LOSS_BELOW_PANELS_UNDER = 860
PANEL_MIN_WIDTH = 290  # the panels' forms stay usable down to this
DATA_PANEL_SHARE = 0.45  # the Data tab widens its dock to its columns, up to this share


def _share(total: int, bounds: tuple[float, int, int]) -> int:
    share, least, most = bounds
    return int(max(least, min(most, share * total)))


def first_window_geometry(available: QRect) -> QRect:
    """The first window's geometry on a screen whose free area is ``available``:
    DEFAULT_SIZE where it fits, else the free area less the frame; centred."""
    width = min(DEFAULT_SIZE[0], available.width() - FRAME_ROOM[0])
    height = min(DEFAULT_SIZE[1], available.height() - FRAME_ROOM[1])
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    rect.moveTop(max(rect.top(), available.top() + FRAME_ROOM[1] - FRAME_ROOM[0]))
    return rect


class MainWindow(WindowChrome, WindowExport, QMainWindow):
    def __init__(self, network: Network, path: str | None = None, remember: bool = True) -> None:
        super().__init__()
        self._remember = remember  # False: neither read nor write QSettings
        remembered = remember and QSettings().value("window/geometry") is not None
        if not remembered:
            self.setGeometry(first_window_geometry(self._available_geometry()))
        # A shipped example is never the file behind the document: it opens as a copy.
        example = path is not None and resources.is_preset(path)
        self.document = NetworkDocument(network, None if example else path, example)
        self.settings = ViewSettings()
        self.scene = DiagramScene(self.document, self.settings)
        self.view = DiagramView(self.scene)
        self.caption = StepCaption(self.document)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(central)

        self.inspector = InspectorPanel(self.document, self.settings)
        self.loss_plot = LossPlotPanel(self.document)
        self.inspector_dock = self._dock(
            "Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.loss_dock = self._dock("Loss", self.loss_plot, Qt.DockWidgetArea.BottomDockWidgetArea)

        self.files = FileController(self, self.document)
        self.edit_choice = MidTrainingEditChoice(self, self.document, remember)
        self.network_panel = NetworkPanel(self.document)
        self.data_table = DataTablePanel(self.document)
        self.math_panel = MathPanel(self.document, self.settings)
        self.math_panel.term_hovered.connect(self.scene.set_hover)
        self.undo_view = QUndoView(self.document.undo_stack)
        self._origin: Network | None = None  # the network the History starts from
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.math_dock = self._dock("Maths", self.math_panel, right)
        self.network_dock = self._dock("Network", self.network_panel, right)
        self.data_dock = self._dock("Data", self.data_table, right)
        self.history_dock = self._dock("History", self.undo_view, right)
        for dock in (self.math_dock, self.network_dock, self.data_dock, self.history_dock):
            self.tabifyDockWidget(self.inspector_dock, dock)
        for panel in (
            self.inspector,
            self.math_panel,
            self.network_panel,
            self.data_table,
            self.undo_view,
        ):
            panel.setMinimumWidth(PANEL_MIN_WIDTH)
        self.inspector_dock.raise_()

        self._make_actions()
        self._make_toolbars()
        self._make_menus()
        self.files.modified_changed.connect(self.setWindowModified)
        self.files.recent_changed.connect(self._rebuild_recent_menu)
        self.document.network_changed.connect(self._update_title)
        self.document.network_changed.connect(self._update_sample_range)
        self.document.network_changed.connect(self._on_network_changed_for_history)
        self.document.play_state_changed.connect(self._on_play_state_changed)
        self.document.message_posted.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.files.status_posted.connect(lambda text: self.statusBar().showMessage(text, 8000))
        # Confirmations pass by in the status bar; the caption's banner is for warnings.
        self.math_panel.status_posted.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.caption.about_clicked.connect(self.show_about)
        self.data_dock.visibilityChanged.connect(self._on_data_dock_visibility_changed)
        self._update_title()
        self._update_sample_range()
        self._settle_history_origin()
        # The docks are arranged for the window's size when it is first shown, unless
        # the user's own arrangement is restored.
        self._docks_arranged = False
        if remember:
            self.restore_settings()
            self._docks_arranged = QSettings().value("window/state") is not None
        self.fit_toolbars()
        self.view.setFocus()
        self.keys = SteppingKeys(self, self.view)
        self.presentation = install_presentation_mode(self)
        self.presentation.presenting_changed.connect(self._on_presenting_changed)

    def _available_geometry(self) -> QRect:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def _whole_tab_titles(self) -> None:
        """Dock tabs show their whole titles ("Insp…" told nobody anything): the side
        panels are at least as wide as their tabs."""
        for bar in self.findChildren(QTabBar):
            if isinstance(bar.parent(), QMainWindow):
                bar.setElideMode(Qt.TextElideMode.ElideNone)
                bar.setUsesScrollButtons(False)

    def arrange_docks(self) -> None:
        """Side panels and loss curve for the window's size: on a short window (a
        768-line screen) the loss curve goes under the side panels, so the diagram keeps
        the whole height; each takes a bounded share of the window."""
        self._docks_arranged = True
        if self.height() < LOSS_BELOW_PANELS_UNDER and not self.loss_dock.isFloating():
            self.addDockWidget(
                Qt.DockWidgetArea.RightDockWidgetArea, self.loss_dock, Qt.Orientation.Vertical
            )
        self._whole_tab_titles()
        self.resizeDocks(
            [self.inspector_dock], [_share(self.width(), PANEL_WIDTH)], Qt.Orientation.Horizontal
        )
        if self.dockWidgetArea(self.loss_dock) == Qt.DockWidgetArea.BottomDockWidgetArea:
            self.resizeDocks(
                [self.loss_dock], [_share(self.height(), LOSS_HEIGHT)], Qt.Orientation.Vertical
            )
        else:  # under the side panels: about a third of their column
            self.resizeDocks(
                [self.inspector_dock, self.loss_dock],
                [2 * self.height() // 3, self.height() // 3],
                Qt.Orientation.Vertical,
            )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_toolbars()

    def showEvent(self, event: QShowEvent) -> None:
        if not self._docks_arranged:
            self.arrange_docks()
        super().showEvent(event)
        self._whole_tab_titles()
        self.fit_toolbars()

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title.lower()}_dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    # -- files and the History's first line ------------------------------------------

    def new_network(self) -> bool:
        """File ▸ New: asks for the layer sizes."""
        done = self.files.new()
        self._settle_history_origin()
        return done

    def open_file(self) -> bool:
        """File ▸ Open: asks for the file."""
        done = self.files.open()
        self._settle_history_origin()
        return done

    def open_path(self, path: str) -> bool:
        """Open a network file (asking about unsaved changes); a bad file changes nothing."""
        done = self.files.open_path(path)
        self._settle_history_origin()
        return done

    def history_origin(self) -> str:
        """What the History's first line says the network came from."""
        document = self.document
        name = elide(document.built_network.name, 40)
        if document.example:
            return f"Example “{name}”"
        if document.modified:
            return f"Recovered “{name}”"  # unsaved work brought back after a crash
        if document.path:
            return f"Opened {elide(Path(document.path).name, 60)}"
        return "New network"

    def _on_network_changed_for_history(self) -> None:
        """Another network as built with an empty History is a new document, or the first
        edit of one (its command is not on the stack while it runs): settled once the
        event loop turns, when the stack says which."""
        if (
            self.document.undo_stack.count() == 0
            and self.document.built_network is not self._origin
        ):
            QTimer.singleShot(0, self, self._settle_history_origin)

    def _settle_history_origin(self) -> None:
        document = self.document
        if document.undo_stack.count() or document.built_network is self._origin:
            return
        self._origin = document.built_network
        self.undo_view.setEmptyLabel(self.history_origin())

    def show_about(self) -> None:
        """The Network panel, its name and description ready to edit."""
        self.network_dock.show()
        self.network_dock.raise_()
        self.network_panel.edit_about()

    def _on_data_dock_visibility_changed(self, visible: bool) -> None:
        """The Data tab shown: its dock widens to show every column, if the window has
        room (the other panels share the dock, so it never narrows on its own)."""
        if not visible or self.data_dock.isFloating():
            return
        wanted = self.data_table.preferred_width() + 8
        room = int(self.width() * DATA_PANEL_SHARE)
        if self.data_dock.width() < min(wanted, room):
            self.resizeDocks([self.data_dock], [min(wanted, room)], Qt.Orientation.Horizontal)

    def _update_title(self) -> None:
        document = self.document
        # [*] is where Qt shows the unsaved-changes mark.
        if document.path:
            title = f"{document.display_name} — {Path(document.path).name}[*]"
        elif document.example:
            title = f"{document.display_name}[*]"
        else:
            title = f"{document.display_name} — not saved yet[*]"
        self.setWindowTitle(f"{title} — Backprop Lens")
        self.setWindowModified(self.files.modified)

    # -- structure edits on the selection -------------------------------------------

    def _selected_layer(self) -> int | None:
        selection = self.document.selection
        if selection is None or selection.kind not in ("neuron", "bias_node"):
            return None
        return selection.layer

    def _layer_role(self, layer: int) -> str:
        L = self.document.initial_network.weight_layer_count
        return (
            "the input layer"
            if layer == 0
            else "the output layer"
            if layer == L
            else f"hidden layer {layer}"
        )

    def add_neuron(self) -> None:
        layer = self._selected_layer()
        if layer is None:
            self.document.message_posted.emit("Select a neuron first: the new one joins its layer.")
            return
        self.document.push_edit(
            f"Add a neuron to {self._layer_role(layer)}", edits.add_neuron, layer
        )

    def remove_neuron(self) -> None:
        selection = self.document.selection
        if selection is None or selection.kind != "neuron":
            self.document.message_posted.emit("Select the neuron to remove first.")
            return
        label = self.document.initial_network.labels(selection.layer)[selection.index]
        self.document.push_edit(
            f"Remove neuron {label}", edits.remove_neuron, selection.layer, selection.index
        )

    def add_layer(self) -> None:
        layer = self._selected_layer()
        L = self.document.initial_network.weight_layer_count
        after = L - 1 if layer is None or layer >= L else layer
        self.document.push_edit("Add a hidden layer", edits.add_hidden_layer, after)

    def remove_layer(self) -> None:
        layer = self._selected_layer()
        L = self.document.initial_network.weight_layer_count
        if layer is None or not 0 < layer < L:
            self.document.message_posted.emit("Select a neuron of the hidden layer to remove.")
            return
        self.document.push_edit(
            f"Remove {self._layer_role(layer)}", edits.remove_hidden_layer, layer
        )

    # -- settings --------------------------------------------------------------------

    def restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        for box, key in (
            (self.edge_mode_box, "view/edge_mode"),
            (self.node_value_box, "view/node_value"),
        ):
            index = box.findData(settings.value(key))
            if index >= 0:
                box.setCurrentIndex(index)
        digits = settings.value("view/digits")
        if digits is not None:
            self.digits_box.setValue(int(digits))
        self.log_scale_box.setChecked(settings.value("view/edge_scale") == "log")

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("view/edge_mode", self.settings.edge_mode)
        settings.setValue("view/node_value", self.settings.node_value)
        settings.setValue("view/digits", self.settings.digits)
        settings.setValue("view/edge_scale", self.settings.edge_scale)

    def _update_sample_range(self) -> None:
        batch = self.document.trace.batch_size
        self.sample_box.setMaximum(batch)
        self.sample_box.setSuffix(f" of {batch}")
        self.sample_label_action.setVisible(batch > 1)
        self.sample_box_action.setVisible(batch > 1)

    def select_neuron(self, label: str) -> bool:
        """Select the neuron labelled ``label``; False if there is none."""
        network = self.document.initial_network
        for layer in range(len(network.layers)):
            if label in network.labels(layer):
                self.document.select(Selection("neuron", layer, network.labels(layer).index(label)))
                return True
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        self.document.player.pause()
        if not self.files.maybe_save():
            event.ignore()
            return
        if self._remember:
            self.save_settings()
        self.files.remove_autosave()
        self.document.dispose()
        super().closeEvent(event)
