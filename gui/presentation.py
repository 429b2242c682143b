"""Presentation mode (F5) and the View ▸ Theme choice.

Presenting: full screen, the text larger (1.5 times on a 1080-line screen, the same share
of the height on others: gui.themes.presentation_text_scale), the editing chrome (menu bar,
toolbars, status bar, docks) hidden. The Maths dock stays if it was showing: the
lecturer opened it to show the chain rule, and it grows with the rest of the text.
Stepping keys work as always (→ ← Space) and so do the PageDown / PageUp that
presentation clickers send; Esc leaves and puts the window back as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar

from gui import constants as C
from gui.crash_guard import guarded
from gui.panels.math_panel import theme_style_sheet
from gui.themes import (
    THEMES,
    Theme,
    appearance,
    current_theme,
    presentation_text_scale,
    set_text_scale,
    set_theme,
    text_scale,
)

THEME_SETTING = "view/theme"


@dataclass(frozen=True)
class SavedWindow:
    """What leaving presentation mode restores."""

    geometry: QByteArray
    normal_rect: QRect  # restoreGeometry alone shrinks a window larger than the screen
    state: QByteArray  # docks and toolbars
    window_state: Qt.WindowState
    menu_bar_visible: bool
    status_bar_visible: bool
    text_scale: float


class PresentationMode(QObject):
    presenting_changed = Signal(bool)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.saved: SavedWindow | None = None
        self.theme_menu: ThemeMenu | None = None
        Key = Qt.Key
        self.toggle_action = self._action(
            "Presentation Mode", Key.Key_F5, self._on_toggle_triggered
        )
        self.toggle_action.setCheckable(True)
        self.toggle_action.setToolTip("Full screen, large type, no editing chrome (F5; Esc leaves)")
        # Only while presenting: elsewhere Esc closes editors and PageDown scrolls tables.
        self.leave_action = self._action("Leave Presentation Mode", Key.Key_Escape, self._on_escape)
        self.clicker_next_action = self._action(
            "Next step", Key.Key_PageDown, lambda: window.next_step_action.trigger()
        )
        self.clicker_previous_action = self._action(
            "Previous step", Key.Key_PageUp, lambda: window.previous_step_action.trigger()
        )
        self._presenting_actions = (
            self.leave_action,
            self.clicker_next_action,
            self.clicker_previous_action,
        )
        for action in self._presenting_actions:
            action.setEnabled(False)
        window.installEventFilter(self)  # closing while presenting saves the normal layout

    def _action(self, text: str, shortcut: Qt.Key, slot: object) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)  # type: ignore[arg-type]
        self.window.addAction(action)
        return action

    @property
    def presenting(self) -> bool:
        return self.saved is not None

    def toggle(self) -> None:
        if self.presenting:
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        if self.presenting:
            return
        window = self.window
        self.saved = SavedWindow(
            geometry=window.saveGeometry(),
            normal_rect=window.geometry(),
            state=window.saveState(),
            window_state=window.windowState(),
            menu_bar_visible=not window.menuBar().isHidden(),
            status_bar_visible=not window.statusBar().isHidden(),
            text_scale=text_scale(),
        )
        maths = getattr(window, "math_dock", None)
        # A dock in a tab behind another is "visible" to Qt; what shows has a region.
        showing = maths is not None and maths.isVisible() and not maths.visibleRegion().isEmpty()
        keep = maths if showing else None
        for toolbar in self._children(QToolBar):
            toolbar.hide()
        for dock in self._children(QDockWidget):
            if dock is not keep:
                dock.hide()
        window.menuBar().hide()
        window.statusBar().hide()
        screen = window.screen().geometry()  # the window may not be full screen yet
        set_text_scale(presentation_text_scale(screen.height()))
        window.showFullScreen()
        if keep is not None:
            # The derivation in large type needs about two fifths of the screen.
            window.resizeDocks([keep], [screen.width() * 2 // 5], Qt.Orientation.Horizontal)
        self._set_presenting(True)
        window.view.setFocus()  # type: ignore[attr-defined]

    def leave(self) -> None:
        saved = self.saved
        if saved is None:
            return
        window = self.window
        set_text_scale(saved.text_scale)
        window.setWindowState(saved.window_state)
        window.restoreState(saved.state)
        window.restoreGeometry(saved.geometry)
        S = Qt.WindowState
        if not saved.window_state & (S.WindowMaximized | S.WindowFullScreen | S.WindowMinimized):
            window.setGeometry(saved.normal_rect)
        window.menuBar().setVisible(saved.menu_bar_visible)
        window.statusBar().setVisible(saved.status_bar_visible)
        self.saved = None
        self._set_presenting(False)

    def _set_presenting(self, presenting: bool) -> None:
        self.toggle_action.setChecked(presenting)
        for action in self._presenting_actions:
            action.setEnabled(presenting)
        self.presenting_changed.emit(presenting)

    def _children(self, kind: type) -> list:  # type: ignore[type-arg]
        return self.window.findChildren(kind, options=Qt.FindChildOption.FindDirectChildrenOnly)

    def _on_toggle_triggered(self, checked: bool) -> None:
        if checked:
            self.enter()
        else:
            self.leave()

    def _on_escape(self) -> None:
        view = getattr(self.window, "view", None)
        if view is not None and view.inline_editor is not None:
            view.close_inline_edit()  # Esc first cancels a value being typed
        else:
            self.leave()

    @guarded(fallback=False)  # an event filter that raises takes the process down
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.leave()
        return super().eventFilter(watched, event)


class ThemeMenu(QObject):
    """View ▸ Theme: Light / Dark, remembered in QSettings."""

    def __init__(self, window: QMainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.remember = getattr(window, "_remember", True)  # False: QSettings untouched
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions: dict[str, QAction] = {}
        for name, theme in THEMES.items():
            action = menu.addAction(theme.title)
            action.setCheckable(True)
            action.setData(name)
            self.group.addAction(action)
            self.actions[name] = action
        self.group.triggered.connect(self._on_action_triggered)
        appearance().theme_changed.connect(self._on_theme_changed)
        appearance().text_scale_changed.connect(self._style_math_panel)
        if self.remember:
            stored = QSettings().value(THEME_SETTING)
            if stored in THEMES:
                set_theme(str(stored))
        self._on_theme_changed(current_theme())

    def _on_action_triggered(self, action: QAction) -> None:
        name = str(action.data())
        set_theme(name)
        if self.remember:
            QSettings().setValue(THEME_SETTING, name)

    def _on_theme_changed(self, theme: Theme) -> None:
        self.actions[theme.name].setChecked(True)
        self._style_math_panel()

    def _style_math_panel(self) -> None:
        """The Maths panel's heading and note colours and its type size (its HTML's own
        <style> is layout only)."""
        panel = getattr(self.window, "math_panel", None)
        if panel is None:
            return
        scale = text_scale()
        panel.browser.document().setDefaultStyleSheet(theme_style_sheet(current_theme(), scale))
        font = QFont(panel.browser.font())
        font.setPixelSize(round(C.MATH_PIXEL_SIZE * scale))
        panel.browser.setFont(font)
        panel.refresh()


def view_menu(window: QMainWindow) -> QMenu:
    """The window's View menu (made if there is none)."""
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == "View":
            return menu
    return window.menuBar().addMenu("&View")


def install_presentation_mode(window: QMainWindow) -> PresentationMode:
    """Add presentation mode (F5) and View ▸ Theme to ``window``; apply the saved theme."""
    menu = view_menu(window)
    menu.addSeparator()
    theme_menu = ThemeMenu(window, menu.addMenu("Theme"))
    mode = PresentationMode(window)
    mode.theme_menu = theme_menu
    menu.addAction(mode.toggle_action)
    return mode
