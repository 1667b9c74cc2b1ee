"""The window's opening size on the screen it opens on (issue 13), not a fixed 1440 x 900.

Its own module so the window can size itself without importing ``gui.main``, which imports
the window.
"""
from __future__ import annotations

SCREEN_SHARE = 0.9  # of the screen's free area the window opens at
MIN_SIZE = (1100, 700)  # on a screen with less room than this, the window takes all there is


def window_size(available_width: int, available_height: int) -> tuple[int, int]:
    """The window's opening size on a screen with that much free room: 90% of it, at least
    MIN_SIZE, but never more than the screen (a 1024 x 768 projector gets all of its width)."""
    def one(room: int, least: int) -> int:
        return min(room, max(least, int(room * SCREEN_SHARE)))
    return one(available_width, MIN_SIZE[0]), one(available_height, MIN_SIZE[1])


def fit_to_screen(window, screen=None) -> None:
    """Size and centre ``window`` on the screen it is on (or ``screen``)."""
    from PySide6.QtGui import QGuiApplication

    screen = screen or window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    free = screen.availableGeometry()
    width, height = window_size(free.width(), free.height())
    window.resize(width, height)
    window.move(free.x() + (free.width() - width) // 2, free.y() + (free.height() - height) // 2)
