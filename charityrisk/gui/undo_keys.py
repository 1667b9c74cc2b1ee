"""Ctrl+Z and Ctrl+Shift+Z (or Ctrl+Y) in any field undo the app's last step, as Edit > Undo.

A line edit, a spin box or the notes box would otherwise take the key for its own undo of the
letters typed, so the same key did two different things depending on where the cursor was
(issue 26).  Here the key first takes what is being typed as an edit (the step it would have
become after the typing pause), then undoes or redoes on the window's one undo stack.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

_TYPING = (QLineEdit, QAbstractSpinBox, QPlainTextEdit, QTextEdit)


class UndoKeys(QObject):
    """An application-wide filter for the undo keys in the fields of one window."""

    def __init__(self, window: QWidget, stack: QUndoStack, settle: Callable[[], None]):
        super().__init__(window)
        self._window, self._stack, self._settle = window, stack, settle
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) or not isinstance(event, QKeyEvent):
            return False
        undo = event.matches(QKeySequence.StandardKey.Undo)
        redo = event.matches(QKeySequence.StandardKey.Redo)
        if not (undo or redo) or not self._in_a_field(watched):
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # ours, not the menu's shortcut: the key press follows, and is handled below
            return True
        self._commit_cell_editor(watched)
        self._settle()
        (self._stack.undo if undo else self._stack.redo)()
        return True

    def _in_a_field(self, watched: QObject) -> bool:
        return (isinstance(watched, _TYPING) and isinstance(watched, QWidget)
                and watched.window() is self._window)

    @staticmethod
    def _commit_cell_editor(watched: QObject) -> None:
        """A cell being typed in a table keeps its text until the editor closes: close it first,
        so the cell is part of the step that is undone (as Enter would)."""
        parent = watched.parent()
        while parent is not None and not isinstance(parent, QAbstractItemView):
            parent = parent.parent()
        if isinstance(parent, QAbstractItemView) and parent.state() == QAbstractItemView.State.EditingState:
            parent.setFocus()  # the delegate commits on losing focus
