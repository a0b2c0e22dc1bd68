"""The main window's size on any screen.

First start (or a remembered size that does not fit the screen it opens on):
maximised on a screen smaller than 1440×900 (a laptop with a taskbar), else
a window of most of the available area, centred. A remembered geometry is used
only when it lies within the current screen's available area, so that the
保存 button is never below the taskbar.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: Below this available size the window starts maximised.
MAXIMISE_BELOW = (1440, 900)
#: Share of the available area a first window takes on a larger screen.
SHARE = 0.85
GEOMETRY_KEY = "window/geometry"
#: Pixels a window frame may reach beyond the available area (shadows, borders).
FRAME_SLACK = 16


def available_area(widget: QWidget) -> QRect:
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def first_geometry(available: QRect) -> tuple[QRect, bool]:
    """(the window's rectangle, whether to maximise) for a first start on ``available``."""
    maximise = available.width() < MAXIMISE_BELOW[0] or available.height() < MAXIMISE_BELOW[1]
    if maximise:
        return QRect(available), True
    return _centred(available), False


def _centred(available: QRect) -> QRect:
    rect = QRect(0, 0, int(available.width() * SHARE), int(available.height() * SHARE))
    rect.moveCenter(available.center())
    return rect


def fits(rect: QRect, available: QRect) -> bool:
    """Whether a window rectangle lies within the available area (with a little slack)."""
    return available.adjusted(-FRAME_SLACK, -FRAME_SLACK, FRAME_SLACK, FRAME_SLACK).contains(rect)


def place(window: QWidget, settings: QSettings) -> bool:
    """Size the window before it is shown; True when the remembered geometry was used."""
    available = available_area(window)
    saved = settings.value(GEOMETRY_KEY)
    if isinstance(saved, QByteArray | bytes) and window.restoreGeometry(QByteArray(saved)):
        area = available_area(window)  # the screen the remembered geometry is on
        if window.windowState() & Qt.WindowState.WindowMaximized:
            if not fits(window.normalGeometry(), area):
                # Its normal size came from a larger screen: one that fits here.
                window.setWindowState(Qt.WindowState.WindowNoState)
                window.setGeometry(_centred(area))
                window.setWindowState(Qt.WindowState.WindowMaximized)
            return True
        if fits(window.geometry(), area):
            return True
        window.setWindowState(Qt.WindowState.WindowNoState)
    rect, maximise = first_geometry(available)
    window.setGeometry(rect)
    if maximise:
        window.setWindowState(Qt.WindowState.WindowMaximized)
    return False


def remember(window: QWidget, settings: QSettings) -> None:
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
