"""Ctrl+Z in any field is the app's undo, the same step as Edit > Undo (issue 26): what is being
typed is taken as an edit first, then undone; Ctrl+Shift+Z redoes it."""
from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def spin(window, key: str) -> QAbstractSpinBox:
    return window.form.findChild(QAbstractSpinBox, key)


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    editor = widget.lineEdit() if isinstance(widget, QAbstractSpinBox) else widget
    editor.selectAll()
    qtbot.keyClicks(editor, text)


def test_ctrl_z_while_typing_takes_the_typing_then_undoes_it(qtbot, window):
    reserves = spin(window, "organisation.opening_reserves")
    before = window.scenario.organisation.opening_reserves
    depth = window.undo_stack.index()
    type_into(qtbot, reserves, "91234")
    qtbot.keyClick(reserves.lineEdit(), Qt.Key.Key_Z, CTRL)
    # The typing became a step and was undone at once: the scenario and the field are back.
    assert window.scenario.organisation.opening_reserves == before
    assert reserves.value() == before
    assert window.undo_stack.index() == depth and window.undo_stack.canRedo()
    qtbot.keyClick(reserves.lineEdit(), Qt.Key.Key_Z, CTRL | SHIFT)
    assert window.scenario.organisation.opening_reserves == 91234
    assert reserves.value() == 91234


def test_ctrl_z_in_another_field_undoes_the_last_step_as_the_menu_does(qtbot, window):
    reserves = spin(window, "organisation.opening_reserves")
    before = window.scenario.organisation.opening_reserves
    type_into(qtbot, reserves, "80000")
    window.settle_now()
    assert window.scenario.organisation.opening_reserves == 80000
    name = window.form.findChild(QLineEdit, "name")
    name.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClick(name, Qt.Key.Key_Z, CTRL)  # nothing typed here: the reserves edit is undone
    assert window.scenario.organisation.opening_reserves == before


def test_ctrl_z_in_the_notes_box_undoes_the_notes_as_one_step(qtbot, window):
    notes = window.form.findChild(QPlainTextEdit)
    assert notes is not None
    before = window.scenario.notes
    notes.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.keyClicks(notes, "Board asked for this on 3 March")
    window.settle_now()  # the notes are a step of their own now
    assert window.scenario.notes.endswith("3 March")
    qtbot.keyClick(notes, Qt.Key.Key_Z, CTRL)  # the app's step undone, not the box's letters
    assert window.scenario.notes == before and window.undo_stack.canRedo()
    assert notes.toPlainText() == (before or "")
