"""Open the scenario that macOS hands the app: double-click, "Open With", a drop on the Dock.

macOS does not put that file on the command line: it sends a ``QFileOpenEvent`` to the
application, at start-up (often before the window exists) or while the app is running.
``FileOpenHandler`` is installed on the ``QApplication`` as soon as it is made, keeps the paths
that arrive before a window can take them, and hands them over once ``attach`` is called.
Other platforms never send the event, so installing it there costs nothing.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent

# The extensions the app registers with Windows and macOS (JSON inside, like .json files).
SCENARIO_SUFFIXES = (".charityrisk", ".json")


class FileOpenHandler(QObject):
    """Event filter on the application: file-open events become calls to ``open_file``."""

    def __init__(self, app: QObject):
        super().__init__(app)
        self._open: Callable[[str], object] | None = None
        self.pending: list[str] = []
        app.installEventFilter(self)

    def attach(self, open_file: Callable[[str], object], owner: QObject | None = None) -> None:
        """From now on open files with ``open_file(path)``; first the ones already received.

        With ``owner`` (the window), the handler goes when the window goes: Qt drops a deleted
        object from the application's event filters, so no event reaches a closed window."""
        if owner is not None:
            self.setParent(owner)
        self._open = open_file
        waiting, self.pending = self.pending, []
        for path in waiting:
            open_file(path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.FileOpen or not isinstance(event, QFileOpenEvent):
            return False
        path = event.file() or event.url().toLocalFile()
        if not path:
            return False  # a URL that is not a local file: nothing this app can open
        if self._open is None:
            self.pending.append(path)
        else:
            self._open(path)
        return True



def install(app: QObject) -> FileOpenHandler:
    """Call right after the QApplication is made, so no early event is missed."""
    return FileOpenHandler(app)
