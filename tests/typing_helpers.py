"""Finding a window's widgets by name and typing into them as a user does, shared by the GUI
tests of the form, the guided setup and the missing budget."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def find(parent, cls, name):
    """The child of ``parent`` of type ``cls`` named ``name``; fails the test if there is none."""
    widget = parent.findChild(cls, name)
    assert widget is not None, name
    return widget


def retype(qtbot, widget, text, leave=True):
    """Select what the box holds, delete it and type ``text``; Tab out of it unless ``leave``
    is False."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)
    if leave:
        qtbot.keyClick(widget, Qt.Key.Key_Tab)


def error_text(parent, key):
    """The message under input ``key``, or "" while it is hidden."""
    label = find(parent, QLabel, f"error:{key}")
    return label.text() if label.isVisible() else ""
