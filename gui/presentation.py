"""Presentation mode (F5) and the View ▸ Theme choice.

Presenting: full screen, every text scaled with the screen (readable from the back of a
lecture hall: the smallest text on the diagram at least MIN_TEXT_SHARE of the screen's
height, on a 4:3 projector at 768 lines as on a 1080 one), the diagram spread over the
screen, the editing chrome (menu bar, toolbars, status bar, docks) hidden. The Maths dock
stays if it was showing (the lecturer opened it to show the chain rule), without its own
chrome (notation box, copy buttons), and grows with the rest of the text.
Stepping keys work as always (→ ← Space) and so do the PageDown / PageUp that
presentation clickers send; Esc leaves and puts the window back as it was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QToolBar, QWidget

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
MIN_TEXT_SHARE = 0.025  # of the screen's height: the smallest text when presenting
# The smallest text the window draws at text scale 1 (legend numbers): it and every
# larger one scale up together.
SMALLEST_TEXT_PX = min(
    C.LEGEND_TEXT_PIXEL_SIZE,
    C.LEGEND_TITLE_PIXEL_SIZE,
    C.TARGET_TEXT_PIXEL_SIZE,
    C.LAYER_TITLE_PIXEL_SIZE,
    C.LOSS_TEXT_PIXEL_SIZE,
    C.WARNING_TEXT_PIXEL_SIZE,
)
MATHS_CHROME = ("notation_box", "copy_latex_button", "copy_markdown_button")


def presenting_text_scale(height: int) -> float:
    """The text scale when presenting on a screen ``height`` pixels high: the smallest
    text at MIN_TEXT_SHARE of the height (and never below gui.themes' own choice)."""
    smallest = math.ceil(MIN_TEXT_SHARE * height)  # whole pixels, never rounded below
    return max(presentation_text_scale(height), smallest / SMALLEST_TEXT_PX)


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
    maths_chrome: tuple[tuple[QWidget, bool], ...]  # widget, was it showing
    kept_dock: QDockWidget | None = None  # shown while presenting, without its title bar


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
            maths_chrome=self._maths_chrome(),
        )
        maths = getattr(window, "math_dock", None)
        # A dock in a tab behind another is "visible" to Qt; what shows has a region.
        showing = maths is not None and maths.isVisible() and not maths.visibleRegion().isEmpty()
        keep = maths if showing else None
        if keep is not None:
            self.saved = replace(self.saved, kept_dock=keep)
            keep.setTitleBarWidget(QWidget())  # no "Maths" bar with float and close buttons
        for toolbar in self._children(QToolBar):
            toolbar.hide()
        for dock in self._children(QDockWidget):
            if dock is not keep:
                dock.hide()
        window.menuBar().hide()
        window.statusBar().hide()
        for widget, _ in self.saved.maths_chrome:
            widget.hide()
        screen = window.screen().geometry()  # the window may not be full screen yet
        self._scale_to(screen.height())
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
        self.saved = None  # first: the resizes below are not a presenting screen's
        set_text_scale(saved.text_scale)
        view = getattr(window, "view", None)
        if view is not None:
            view.set_presenting(0.0)
        for widget, showing in saved.maths_chrome:
            widget.setVisible(showing)
        if saved.kept_dock is not None:
            saved.kept_dock.setTitleBarWidget(None)
        window.setWindowState(saved.window_state)
        window.restoreState(saved.state)
        window.restoreGeometry(saved.geometry)
        S = Qt.WindowState
        if not saved.window_state & (S.WindowMaximized | S.WindowFullScreen | S.WindowMinimized):
            window.setGeometry(saved.normal_rect)
        window.menuBar().setVisible(saved.menu_bar_visible)
        window.statusBar().setVisible(saved.status_bar_visible)
        self._set_presenting(False)

    def _maths_chrome(self) -> tuple[tuple[QWidget, bool], ...]:
        """The Maths panel's notation box and copy buttons: editing tools, not slides."""
        panel = getattr(self.window, "math_panel", None)
        widgets = [getattr(panel, name, None) for name in MATHS_CHROME]
        if isinstance(panel, QWidget):  # the notation box's label
            widgets += [w for w in panel.findChildren(QLabel) if w.text() == "Notation"]
        return tuple((w, not w.isHidden()) for w in widgets if isinstance(w, QWidget))

    def _scale_to(self, height: int) -> None:
        """Every text for a screen ``height`` pixels high: the text scale, and the
        diagram's texts sized in scene units (they grow with the zoom) at least
        MIN_TEXT_SHARE of it on screen."""
        if height <= 0:
            return
        set_text_scale(presenting_text_scale(height))
        kept = self.saved.kept_dock if self.saved is not None else None
        if kept is not None:
            # The derivation in large type needs about two fifths of the screen (more of
            # a 4:3 one).
            window = self.window
            share = 0.45 if window.width() < 1.5 * window.height() else 0.4
            width = int(window.width() * share)
            self.window.resizeDocks([kept], [width], Qt.Orientation.Horizontal)
        view = getattr(self.window, "view", None)
        if view is not None:
            view.set_presenting(MIN_TEXT_SHARE * height)

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
        elif watched is self.window and event.type() == QEvent.Type.Resize and self.presenting:
            # Full screen on another screen (or the projector's resolution changed).
            self._scale_to(self.window.height())
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
