"""MainWindow: diagram in the middle, inspector on the right, loss curve below."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QProgressDialog,
    QSpinBox,
    QStyle,
    QToolBar,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

import resources
from engine import edits
from engine.fileformat import NetworkFileError, load_network
from engine.network import Network
from gui.diagram.scene import DiagramScene
from gui.diagram.view import DiagramView
from gui.document import NetworkDocument, Selection
from gui.edit_choice import MidTrainingEditChoice
from gui.export import (
    PDF_PAGES,
    SlideOptions,
    copy_image,
    export_current_step,
    export_iteration,
    options_from_window,
    progress_dialog_callback,
)
from gui.files import FileController
from gui.panels.data_table import DataTablePanel
from gui.panels.inspector import InspectorPanel
from gui.panels.loss_plot import LossPlotPanel
from gui.panels.math_panel import MathPanel
from gui.panels.network_panel import NetworkPanel
from gui.panels.step_controls import StepCaption
from gui.presentation import install_presentation_mode
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
    def __init__(self, network: Network, path: str | None = None, remember: bool = True) -> None:
        super().__init__()
        self._remember = remember  # False: neither read nor write QSettings
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
        self.resizeDocks([self.inspector_dock], [360], Qt.Orientation.Horizontal)
        self.resizeDocks([self.loss_dock], [230], Qt.Orientation.Vertical)

        self.files = FileController(self, self.document)
        self.edit_choice = MidTrainingEditChoice(self, self.document, remember)
        self.network_panel = NetworkPanel(self.document)
        self.data_table = DataTablePanel(self.document)
        self.math_panel = MathPanel(self.document, self.settings)
        self.math_panel.term_hovered.connect(self.scene.set_hover)
        self.undo_view = QUndoView(self.document.undo_stack)
        self.undo_view.setEmptyLabel("Opened")
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
            panel.setMinimumWidth(380)  # the panels' forms need it; the diagram takes the rest
        self.inspector_dock.raise_()

        self._make_actions()
        self._make_toolbars()
        self._make_menus()
        self.files.modified_changed.connect(self.setWindowModified)
        self.files.recent_changed.connect(self._rebuild_recent_menu)
        self.document.network_changed.connect(self._update_title)
        self.document.network_changed.connect(self._update_sample_range)
        self.document.play_state_changed.connect(self._on_play_state_changed)
        self.document.message_posted.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.files.status_posted.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._update_title()
        self._update_sample_range()
        self.resize(1440, 900)
        if remember:
            self.restore_settings()
        self.view.setFocus()
        self.presentation = install_presentation_mode(self)

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
            "Reset",
            d.reset,
            "Ctrl+R",
            "Back to the network as built (undoable)",
            P.SP_BrowserReload,
        )
        self.fit_action = self._action("Fit", self.view.fit, "F", "Fit the diagram to the window")
        self.new_action = self._action("New…", self.files.new, QKeySequence.StandardKey.New)
        self.open_action = self._action("Open…", self.files.open, QKeySequence.StandardKey.Open)
        self.save_action = self._action("Save", self.files.save, QKeySequence.StandardKey.Save)
        self.save_as_action = self._action("Save As…", self.files.save_as, "Ctrl+Shift+S")
        self.save_trained_action = self._action(
            "Save Trained Network As…",
            self.files.save_trained_as,
            tip="Write the parameters at this step to a new file (the network as built stays)",
        )
        self.quit_action = self._action("Quit", self.close, QKeySequence.StandardKey.Quit)
        self.export_png_action = self._action(
            "Current step as PNG (2×)…", lambda: self.export_step("png"), "Ctrl+E"
        )
        self.export_svg_action = self._action(
            "Current step as SVG…", lambda: self.export_step("svg")
        )
        self.export_pdf_action = self._action(
            "Current step as PDF…", lambda: self.export_step("pdf")
        )
        self.export_images_action = self._action(
            "Whole iteration as numbered PNGs…", lambda: self.export_whole_iteration("png")
        )
        self.export_pages_action = self._action(
            "Whole iteration as one PDF…", lambda: self.export_whole_iteration(PDF_PAGES)
        )
        self.with_math_action = QAction("Include the derivation", self, checkable=True)
        self.with_loss_action = QAction("Include the loss curve", self, checkable=True)
        self.copy_image_action = self._action(
            "Copy image of this step", self.copy_step_image, "Ctrl+Shift+C"
        )
        self.copy_latex_action = self._action(
            "Copy derivation as LaTeX", lambda: self.math_panel.copy("latex")
        )
        self.copy_markdown_action = self._action(
            "Copy derivation as Markdown", lambda: self.math_panel.copy("markdown")
        )
        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.undo_action.setIcon(self.style().standardIcon(P.SP_ArrowLeft))
        self.redo_action = stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.redo_action.setIcon(self.style().standardIcon(P.SP_ArrowRight))
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        self.add_neuron_action = self._action(
            "+ Neuron", self.add_neuron, tip="Add a neuron to the selected neuron's layer"
        )
        self.remove_neuron_action = self._action(
            "− Neuron", self.remove_neuron, "Del", "Remove the selected neuron"
        )
        self.add_layer_action = self._action(
            "+ Layer", self.add_layer, tip="Add a hidden layer after the selected neuron's layer"
        )
        self.remove_layer_action = self._action(
            "− Layer", self.remove_layer, tip="Remove the selected neuron's hidden layer"
        )
        self.auto_layout_action = self._action(
            "Auto-layout", self.scene.auto_layout, tip="Tidy the diagram: evenly spaced layers"
        )
        self.structure_actions = [
            self.add_neuron_action,
            self.remove_neuron_action,
            self.add_layer_action,
            self.remove_layer_action,
            self.auto_layout_action,
        ]

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

        stack_undo, stack_redo = self.document.undo_stack.undo, self.document.undo_stack.redo
        edit = QToolBar("Edit")
        edit.setObjectName("edit_toolbar")
        edit.setIconSize(QSize(18, 18))
        edit.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # Short buttons: the menu's actions carry the full "Undo Change w5 to 0.42".
        self.undo_button_action = edit.addAction(self.undo_action.icon(), "Undo", stack_undo)
        self.redo_button_action = edit.addAction(self.redo_action.icon(), "Redo", stack_redo)
        stack = self.document.undo_stack
        stack.canUndoChanged.connect(self.undo_button_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_button_action.setEnabled)
        stack.undoTextChanged.connect(self._on_undo_text_changed)
        stack.redoTextChanged.connect(self._on_redo_text_changed)
        self.undo_button_action.setEnabled(False)
        self.redo_button_action.setEnabled(False)
        edit.addSeparator()
        edit.addActions(self.structure_actions)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, edit)
        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)

        view = QToolBar("View")
        view.setObjectName("view_toolbar")
        view.addWidget(QLabel(" Nodes "))
        self.node_value_box = self._settings_combo(NODE_VALUES, NODE_VALUE_NAMES, "node_value")
        view.addWidget(self.node_value_box)
        view.addWidget(QLabel(" Digits "))
        self.digits_box = QSpinBox()
        self.digits_box.setRange(1, 17)
        self.digits_box.setValue(self.settings.digits)
        self.digits_box.valueChanged.connect(lambda v: setattr(self.settings, "digits", v))
        view.addWidget(self.digits_box)
        view.addWidget(QLabel("  Edges "))
        self.edge_mode_box = self._settings_combo(EDGE_MODES, EDGE_MODE_NAMES, "edge_mode")
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

    def _settings_combo(
        self, keys: tuple[str, ...], names: dict[str, str], attribute: str
    ) -> QComboBox:
        """A combo box that sets one view setting."""
        box = QComboBox()
        for key in keys:
            box.addItem(names[key], key)
        box.currentIndexChanged.connect(
            lambda: setattr(self.settings, attribute, box.currentData())
        )
        return box

    def _make_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open Recent")
        self._rebuild_recent_menu()
        examples = file_menu.addMenu("Examples")
        for path in resources.preset_paths():
            try:
                name = load_network(path).name
            except NetworkFileError:
                continue
            action = examples.addAction(name)
            action.triggered.connect(lambda checked=False, p=str(path): self.open_path(p))
        file_menu.addSeparator()
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_as_action)
        file_menu.addAction(self.save_trained_action)
        export_menu = file_menu.addMenu("Export")
        export_menu.addActions(
            [self.export_png_action, self.export_svg_action, self.export_pdf_action]
        )
        export_menu.addSeparator()
        export_menu.addActions([self.export_images_action, self.export_pages_action])
        export_menu.addSeparator()
        export_menu.addActions([self.with_math_action, self.with_loss_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menu.addMenu("&Edit")
        for action in (self.undo_action, self.redo_action):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addActions(
            [self.copy_image_action, self.copy_latex_action, self.copy_markdown_action]
        )
        edit_menu.addSeparator()
        edit_menu.addActions(self.structure_actions)
        edit_menu.addSeparator()
        edit_menu.addMenu(self.edit_choice.menu)
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
        view_menu.addAction(self.math_dock.toggleViewAction())
        view_menu.addAction(self.network_dock.toggleViewAction())
        view_menu.addAction(self.data_dock.toggleViewAction())
        view_menu.addAction(self.history_dock.toggleViewAction())

    # -- slots -----------------------------------------------------------------------

    def _on_undo_text_changed(self, text: str) -> None:
        # Tool tips are rich text when they look like it; the text may quote a file's labels.
        text = html.escape(text)
        self.undo_button_action.setToolTip(f"Undo {text} (Ctrl+Z)" if text else "Nothing to undo")

    def _on_redo_text_changed(self, text: str) -> None:
        text = html.escape(text)
        self.redo_button_action.setToolTip(
            f"Redo {text} (Ctrl+Shift+Z)" if text else "Nothing to redo"
        )

    def _on_speed_changed(self) -> None:
        self.document.player.speed = int(self.speed_box.currentData())

    def _on_play_state_changed(self, playing: bool) -> None:
        self.play_action.setText("Pause" if playing else "Play")
        pixmap = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_action.setIcon(self.style().standardIcon(pixmap))

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

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.files.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(html.escape(path))  # a file name may look like markup
            action.triggered.connect(lambda checked=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(recent))

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

    # -- export ----------------------------------------------------------------------

    def slide_options(self) -> SlideOptions:
        return options_from_window(
            self,
            with_math=self.with_math_action.isChecked(),
            with_loss=self.with_loss_action.isChecked(),
        )

    def ask_export_path(self, title: str, file_filter: str, folder: bool = False) -> str:
        """Where to export (replaced in tests)."""
        if folder:
            return QFileDialog.getExistingDirectory(self, title)
        path, _ = QFileDialog.getSaveFileName(self, title, "", file_filter)
        return path

    def export_step(self, fmt: str) -> Path | None:
        """The current step as a slide picture (PNG at 2×, SVG or PDF)."""
        step = self.document.global_step_number()
        name = f"{step:03d}-{self.document.step.key if self.document.step else 'start'}.{fmt}"
        path = self.ask_export_path(f"Export {name}", f"{fmt.upper()} (*.{fmt})")
        if not path:
            return None
        try:
            written = export_current_step(
                self.document, self.settings, Path(path), fmt, self.slide_options()
            )
        except OSError as error:
            self.files.show_error("Cannot export", str(error))
            return None
        self.statusBar().showMessage(f"Exported {written}", 6000)
        return written

    def export_whole_iteration(self, fmt: str) -> list[Path]:
        """Every step of this iteration: numbered PNGs in a folder, or one PDF."""
        as_pages = fmt == PDF_PAGES
        target = self.ask_export_path(
            "Export the iteration" + (" as one PDF" if as_pages else " into a folder"),
            "PDF (*.pdf)",
            folder=not as_pages,
        )
        if not target:
            return []
        steps = len(self.document.steps)
        dialog = QProgressDialog("Exporting the steps…", "Stop", 0, steps, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        try:
            written = export_iteration(
                self.document,
                self.settings,
                Path(target),
                fmt,
                self.slide_options(),
                progress_dialog_callback(dialog),
            )
        except OSError as error:
            self.files.show_error("Cannot export", str(error))
            return []
        finally:
            dialog.close()
        self.statusBar().showMessage(f"Exported {len(written)} step(s) to {target}", 6000)
        return written

    def copy_step_image(self) -> None:
        copy_image(self.document, self.settings, self.slide_options())
        self.statusBar().showMessage("Copied the picture of this step", 4000)

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

    def open_path(self, path: str) -> bool:
        """Open a network file (asking about unsaved changes); a bad file changes nothing."""
        return self.files.open_path(path)

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
