"""The main window's actions, toolbars and menus, and how they fit small screens.

A mixin of MainWindow (gui/main_window.py): it builds on the window's document, view,
docks and file controller. The toolbars never hide an action behind ">>": on a narrow
window the stepping and undo buttons drop their words (their tooltips keep them), and
on a dark theme every icon is redrawn in the theme's text colour.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QSpinBox,
    QStyle,
    QToolBar,
    QToolButton,
    QWidget,
)

import resources
from engine.fileformat import NetworkFileError, load_network
from gui.export import PDF_PAGES
from gui.themes import Theme, appearance, current_theme, themed_icon
from gui.view_settings import EDGE_MODE_NAMES, EDGE_MODES, NODE_VALUE_NAMES, NODE_VALUES

# Speeds offered for play, in iterations per second (0: as fast as possible).
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 0)
ICON_SIZE = 18
P = QStyle.StandardPixmap


def extension_button(toolbar: QToolBar) -> QToolButton | None:
    """The ">>" button a toolbar shows when its actions do not fit."""
    return toolbar.findChild(QToolButton, "qt_toolbar_ext_button")


def hides_actions(toolbar: QToolBar) -> bool:
    """Some of the toolbar's actions are behind its ">>" button."""
    button = extension_button(toolbar)
    return button is not None and button.isVisible()


class WindowChrome:
    """Actions, toolbars and menus of MainWindow (a mixin: ``self`` is the window)."""

    # -- actions ---------------------------------------------------------------------

    def _action(
        self: Any,
        text: str,
        slot: object,
        shortcut: QKeySequence | str | None = None,
        tip: str = "",
        icon: QStyle.StandardPixmap | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            self._icons[action] = icon
            action.setIcon(themed_icon(self.style().standardIcon(icon), current_theme()))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(
            f"{tip or text} ({QKeySequence(shortcut).toString()})" if shortcut else tip or text
        )
        action.triggered.connect(slot)  # type: ignore[arg-type]
        self.addAction(action)
        return action

    def _make_actions(self: Any) -> None:
        d = self.document
        self._icons: dict[QAction, QStyle.StandardPixmap] = {}
        self.home_action = self._action(
            "Start", d.go_home, "Home", "Back to the start", P.SP_MediaSkipBackward
        )
        self.previous_iteration_action = self._action(
            "Iteration", d.previous_iteration, "Ctrl+Left", "Previous iteration",
            P.SP_MediaSeekBackward,
        )  # fmt: skip
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
        # Presentation clickers send PageDown / PageUp. Presentation mode has its own
        # actions for them; these are disabled while it presents (one owner per key).
        self.page_next_action = self._action("Next step", d.next_step, "PgDown")
        self.page_previous_action = self._action("Previous step", d.previous_step, "PgUp")
        self.reset_action = self._action(
            "Reset", d.reset, "Ctrl+R", "Back to the network as built (undoable)",
            P.SP_BrowserReload,
        )  # fmt: skip
        self.fit_action = self._action("Fit", self.view.fit, "F", "Fit the diagram to the window")
        self.new_action = self._action("New…", self.new_network, QKeySequence.StandardKey.New)
        self.open_action = self._action("Open…", self.open_file, QKeySequence.StandardKey.Open)
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
        self.redo_action = stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self._icons[self.undo_action] = P.SP_ArrowLeft
        self._icons[self.redo_action] = P.SP_ArrowRight
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

    def _on_presenting_changed(self: Any, presenting: bool) -> None:
        for action in (self.page_next_action, self.page_previous_action):
            action.setEnabled(not presenting)
        # The name and description line is editing chrome too: small type, not for a hall.
        self.caption.about.setVisible(not presenting)

    # -- toolbars --------------------------------------------------------------------

    def _toolbar(self: Any, title: str) -> QToolBar:
        toolbar = QToolBar(title)
        toolbar.setObjectName(f"{title.lower()}_toolbar")
        toolbar.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return toolbar

    def _make_toolbars(self: Any) -> None:
        steps = self.stepping_toolbar = self._toolbar("Stepping")
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

        stack = self.document.undo_stack
        edit = self.edit_toolbar = self._toolbar("Edit")
        # Short buttons: the menu's actions carry the full "Undo Change w5 to 0.42".
        self.undo_button_action = edit.addAction("Undo", stack.undo)
        self.redo_button_action = edit.addAction("Redo", stack.redo)
        self._icons[self.undo_button_action] = P.SP_ArrowLeft
        self._icons[self.redo_button_action] = P.SP_ArrowRight
        stack.canUndoChanged.connect(self.undo_button_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_button_action.setEnabled)
        stack.undoTextChanged.connect(self._on_undo_text_changed)
        stack.redoTextChanged.connect(self._on_redo_text_changed)
        self.undo_button_action.setEnabled(False)
        self.redo_button_action.setEnabled(False)
        self._on_undo_text_changed("")
        self._on_redo_text_changed("")
        edit.addSeparator()
        edit.addActions(self.structure_actions)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, edit)
        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)

        view = self.view_toolbar = self._toolbar("View")
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
        self.sample_box = QSpinBox()
        self.sample_box.setMinimum(1)
        self.sample_box.setToolTip("The sample of the batch the diagram shows")
        self.sample_box.valueChanged.connect(lambda v: setattr(self.settings, "sample", v - 1))
        self.sample_label_action = view.addWidget(self.sample_label)
        self.sample_box_action = view.addWidget(self.sample_box)
        view.addSeparator()
        view.addAction(self.fit_action)
        widget: QWidget
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
        self.toolbars = (steps, edit, view)
        self._on_theme_changed(current_theme())
        appearance().theme_changed.connect(self._on_theme_changed)

    def _on_theme_changed(self: Any, theme: Theme) -> None:
        for action, pixmap in self._icons.items():
            action.setIcon(themed_icon(self.style().standardIcon(pixmap), theme, ICON_SIZE))
        self._on_play_state_changed(self.document.player.playing)

    def fit_toolbars(self: Any) -> None:
        """Words beside the icons where the first row has room for them, icons alone
        (the words in their tooltips) where it has not, and the Edit toolbar on a row of
        its own on a very narrow window: nothing goes behind ">>"."""
        room = self.width() - 8
        first_row = (self.stepping_toolbar, self.edit_toolbar)
        for style in (
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon,
            Qt.ToolButtonStyle.ToolButtonIconOnly,
        ):
            for toolbar in first_row:
                toolbar.setToolButtonStyle(style)
            if sum(toolbar.sizeHint().width() for toolbar in first_row) <= room:
                self._edit_on_own_row(False)
                return
        self._edit_on_own_row(True)

    def _edit_on_own_row(self: Any, own_row: bool) -> None:
        if own_row == getattr(self, "_edit_row_break", False):
            return
        self._edit_row_break = own_row
        if own_row:
            self.insertToolBarBreak(self.edit_toolbar)
        else:
            self.removeToolBarBreak(self.edit_toolbar)

    def _settings_combo(
        self: Any, keys: tuple[str, ...], names: dict[str, str], attribute: str
    ) -> QComboBox:
        """A combo box that sets one view setting."""
        box = QComboBox()
        for key in keys:
            box.addItem(names[key], key)
        box.currentIndexChanged.connect(
            lambda: setattr(self.settings, attribute, box.currentData())
        )
        return box

    # -- menus -----------------------------------------------------------------------

    def _make_menus(self: Any) -> None:
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
        for dock in (
            self.inspector_dock,
            self.loss_dock,
            self.math_dock,
            self.network_dock,
            self.data_dock,
            self.history_dock,
        ):
            view_menu.addAction(dock.toggleViewAction())

    def _rebuild_recent_menu(self: Any) -> None:
        self.recent_menu.clear()
        recent = self.files.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(html.escape(path))  # a file name may look like markup
            action.triggered.connect(lambda checked=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(recent))

    # -- slots -----------------------------------------------------------------------

    def _on_undo_text_changed(self: Any, text: str) -> None:
        # Tool tips are rich text when they look like it; the text may quote a file's labels.
        text = html.escape(text)
        self.undo_button_action.setToolTip(f"Undo {text} (Ctrl+Z)" if text else "Nothing to undo")

    def _on_redo_text_changed(self: Any, text: str) -> None:
        text = html.escape(text)
        self.redo_button_action.setToolTip(
            f"Redo {text} (Ctrl+Shift+Z)" if text else "Nothing to redo"
        )

    def _on_speed_changed(self: Any) -> None:
        self.document.player.speed = int(self.speed_box.currentData())

    def _on_play_state_changed(self: Any, playing: bool) -> None:
        self.play_action.setText("Pause" if playing else "Play")
        pixmap = P.SP_MediaPause if playing else P.SP_MediaPlay
        self._icons[self.play_action] = pixmap
        icon = self.style().standardIcon(pixmap)
        self.play_action.setIcon(themed_icon(icon, current_theme(), ICON_SIZE))
