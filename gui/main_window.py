"""MainWindow: diagram in the middle, inspector on the right, loss curve below."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSpinBox,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

import resources
from engine.fileformat import NetworkFileError, load_network
from engine.network import Network
from gui.diagram.scene import DiagramScene
from gui.diagram.view import DiagramView
from gui.document import NetworkDocument, Selection
from gui.panels.inspector import InspectorPanel
from gui.panels.loss_plot import LossPlotPanel
from gui.panels.step_controls import StepCaption
from gui.view_settings import (
    EDGE_MODE_NAMES,
    EDGE_MODES,
    NODE_VALUE_NAMES,
    NODE_VALUES,
    ViewSettings,
)

# Speeds offered for play, in iterations per second (0: as fast as possible).
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 0)


class MainWindow(QMainWindow):
    def __init__(self, network: Network, path: str | None = None) -> None:
        super().__init__()
        self.document = NetworkDocument(network, path)
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
        self.resizeDocks([self.inspector_dock], [340], Qt.Orientation.Horizontal)
        self.resizeDocks([self.loss_dock], [230], Qt.Orientation.Vertical)

        self._make_actions()
        self._make_toolbars()
        self._make_menus()
        self.document.network_changed.connect(self._update_title)
        self.document.network_changed.connect(self._update_sample_range)
        self.document.play_state_changed.connect(self._on_play_state_changed)
        self.document.message_posted.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._update_title()
        self._update_sample_range()
        self.resize(1440, 900)
        self.view.setFocus()

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

    # -- actions ---------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: object,
        shortcut: QKeySequence | str | None = None,
        tip: str = "",
        icon: QStyle.StandardPixmap | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(
            f"{tip or text} ({QKeySequence(shortcut).toString()})" if shortcut else tip or text
        )
        action.triggered.connect(slot)  # type: ignore[arg-type]
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        d = self.document
        P = QStyle.StandardPixmap
        self.home_action = self._action(
            "Start", d.go_home, "Home", "Back to the start", P.SP_MediaSkipBackward
        )
        self.previous_iteration_action = self._action(
            "Iteration",
            d.previous_iteration,
            "Ctrl+Left",
            "Previous iteration",
            P.SP_MediaSeekBackward,
        )
        self.previous_step_action = self._action(
            "Step", d.previous_step, "Left", "Previous step", P.SP_ArrowBack
        )
        self.play_action = self._action(
            "Play", d.player.toggle, "Space", "Play / pause", P.SP_MediaPlay
        )
        self.next_step_action = self._action(
            "Step", d.next_step, "Right", "Next step", P.SP_ArrowForward
        )
        self.next_iteration_action = self._action(
            "Iteration", d.next_iteration, "Ctrl+Right", "Next iteration", P.SP_MediaSeekForward
        )
        self.reset_action = self._action(
            "Reset", d.reset, "Ctrl+R", "Reset to the initial parameters", P.SP_BrowserReload
        )
        self.fit_action = self._action("Fit", self.view.fit, "F", "Fit the diagram to the window")
        self.open_action = self._action(
            "Open…", self.open_file_dialog, QKeySequence.StandardKey.Open
        )
        self.quit_action = self._action("Quit", self.close, QKeySequence.StandardKey.Quit)

    def _make_toolbars(self) -> None:
        steps = QToolBar("Stepping")
        steps.setObjectName("stepping_toolbar")
        steps.setIconSize(QSize(18, 18))
        steps.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (
            self.home_action,
            self.previous_iteration_action,
            self.previous_step_action,
            self.play_action,
            self.next_step_action,
            self.next_iteration_action,
            self.reset_action,
        ):
            steps.addAction(action)
        steps.addSeparator()
        steps.addWidget(QLabel(" Speed "))
        self.speed_box = QComboBox()
        for speed in SPEEDS:
            self.speed_box.addItem("as fast as possible" if speed == 0 else f"{speed} it/s", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(self.document.player.speed))
        self.speed_box.currentIndexChanged.connect(self._on_speed_changed)
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        steps.addWidget(self.speed_box)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, steps)

        view = QToolBar("View")
        view.setObjectName("view_toolbar")
        view.addWidget(QLabel(" Nodes "))
        self.node_value_box = QComboBox()
        for key in NODE_VALUES:
            self.node_value_box.addItem(NODE_VALUE_NAMES[key], key)
        self.node_value_box.currentIndexChanged.connect(
            lambda: setattr(self.settings, "node_value", self.node_value_box.currentData())
        )
        view.addWidget(self.node_value_box)
        view.addWidget(QLabel(" Digits "))
        self.digits_box = QSpinBox()
        self.digits_box.setRange(1, 17)
        self.digits_box.setValue(self.settings.digits)
        self.digits_box.valueChanged.connect(lambda v: setattr(self.settings, "digits", v))
        view.addWidget(self.digits_box)
        view.addWidget(QLabel("  Edges "))
        self.edge_mode_box = QComboBox()
        for key in EDGE_MODES:
            self.edge_mode_box.addItem(EDGE_MODE_NAMES[key], key)
        self.edge_mode_box.currentIndexChanged.connect(
            lambda: setattr(self.settings, "edge_mode", self.edge_mode_box.currentData())
        )
        view.addWidget(self.edge_mode_box)
        self.log_scale_box = QCheckBox("log")
        self.log_scale_box.setToolTip("Logarithmic colour scale for gradients and updates")
        self.log_scale_box.toggled.connect(
            lambda on: setattr(self.settings, "edge_scale", "log" if on else "linear")
        )
        view.addWidget(self.log_scale_box)
        self.edge_values_box = QCheckBox("values on edges")
        self.edge_values_box.setChecked(self.settings.show_edge_values)
        self.edge_values_box.toggled.connect(
            lambda on: setattr(self.settings, "show_edge_values", on)
        )
        view.addWidget(self.edge_values_box)
        self.sample_label = QLabel("  Sample ")
        view.addWidget(self.sample_label)
        self.sample_box = QSpinBox()
        self.sample_box.setMinimum(1)
        self.sample_box.valueChanged.connect(lambda v: setattr(self.settings, "sample", v - 1))
        self.sample_label_action = view.addWidget(self.sample_label)
        self.sample_box_action = view.addWidget(self.sample_box)
        view.addSeparator()
        view.addAction(self.fit_action)
        for widget in (
            self.node_value_box,
            self.digits_box,
            self.edge_mode_box,
            self.log_scale_box,
            self.edge_values_box,
            self.sample_box,
        ):
            widget.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, view)

    def _make_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.open_action)
        examples = file_menu.addMenu("Examples")
        for path in resources.preset_paths():
            try:
                name = load_network(path).name
            except NetworkFileError:
                continue
            action = examples.addAction(name)
            action.triggered.connect(lambda checked=False, p=str(path): self.open_path(p))
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        run_menu = menu.addMenu("&Run")
        for action in (
            self.next_step_action,
            self.previous_step_action,
            self.next_iteration_action,
            self.previous_iteration_action,
            self.play_action,
            self.home_action,
            self.reset_action,
        ):
            run_menu.addAction(action)
        view_menu = menu.addMenu("&View")
        view_menu.addAction(self.fit_action)
        view_menu.addAction(self.inspector_dock.toggleViewAction())
        view_menu.addAction(self.loss_dock.toggleViewAction())

    # -- slots -----------------------------------------------------------------------

    def _on_speed_changed(self) -> None:
        self.document.player.speed = int(self.speed_box.currentData())

    def _on_play_state_changed(self, playing: bool) -> None:
        self.play_action.setText("Pause" if playing else "Play")
        pixmap = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_action.setIcon(self.style().standardIcon(pixmap))

    def _update_title(self) -> None:
        network = self.document.initial_network
        where = Path(self.document.path).name if self.document.path else "unsaved"
        self.setWindowTitle(f"{network.name} — {where} — Backprop Lens")

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

    def open_file_dialog(self) -> None:
        start = str(Path(self.document.path).parent) if self.document.path else ""
        path, _ = QFileDialog.getOpenFileName(
            self, "Open network", start, "Network files (*.json);;All files (*)"
        )
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> bool:
        """Open a network file; a bad file leaves the open network untouched."""
        try:
            network = load_network(path)
        except NetworkFileError as error:
            QMessageBox.warning(
                self, "Cannot open the file", f"{Path(path).name} was not opened:\n\n{error}"
            )
            return False
        self.document.replace_network(network, path)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        self.document.player.pause()
        super().closeEvent(event)
