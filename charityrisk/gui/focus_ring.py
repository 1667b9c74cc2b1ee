"""A visible focus ring for widgets the style leaves without one.

Fusion (the app's style on Linux and offscreen) draws no focus on a tab bar: a keyboard user
who tabs onto the results tabs cannot see where they are (issue 13, accessibility).  The ring
is a child drawn over the widget (the current tab, for a tab bar) while it has the focus; it
takes no clicks.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QTabBar, QWidget

FOCUS_COLOUR = "#0b5cad"  # dark blue: 7:1 against white and the tabs' greys
WIDTH = 2


class _Ring(QWidget):
    def __init__(self, target: QWidget):
        super().__init__(target)
        self.setObjectName("focus_ring")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(QPen(QColor(FOCUS_COLOUR), WIDTH))
        painter.drawRect(self.rect().adjusted(1, 1, -1, -1))


class _Follow(QObject):
    """Shows the ring while its widget has the focus, over the part that has it."""

    def __init__(self, target: QWidget):
        super().__init__(target)
        self.target = target
        self.ring = _Ring(target)
        target.installEventFilter(self)
        if isinstance(target, QTabBar):
            target.currentChanged.connect(lambda _: self._place())

    def _place(self) -> None:
        target = self.target
        area = target.rect()
        if isinstance(target, QTabBar):
            area = target.tabRect(target.currentIndex()) if target.currentIndex() >= 0 else QRect()
        self.ring.setGeometry(area)
        self.ring.setVisible(target.hasFocus() and area.isValid())
        self.ring.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut, QEvent.Type.Resize,
                            QEvent.Type.LayoutRequest, QEvent.Type.Show):
            self._place()
        return False


def add_focus_ring(widget: QWidget) -> None:
    """Draw a ring over ``widget`` (its current tab, for a tab bar) while it has the focus."""
    if widget.findChild(_Ring, "focus_ring", Qt.FindChildOption.FindDirectChildrenOnly) is None:
        _Follow(widget)
