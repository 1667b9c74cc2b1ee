"""Help > "How to read the results": the glossary opens, reads, and closes from the keyboard."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from charityrisk.gui.help_dialog import HelpDialog, show_help
from charityrisk.report.glossary import TERMS


@pytest.fixture
def dialog(qtbot):
    d = HelpDialog()
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_every_term_and_its_explanation_is_there(dialog):
    text = dialog.text.toPlainText()
    for t in TERMS:
        assert t.term in text and t.paragraph in text and t.tooltip in text
    assert [dialog.terms.item(i).text() for i in range(dialog.terms.count())] == [t.term for t in TERMS]
    assert dialog.windowTitle() == "How to read the results"


def test_escape_closes_it(qtbot, dialog):
    qtbot.keyClick(dialog.terms, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_the_close_button_closes_it(qtbot, dialog):
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_tab_reaches_the_close_button_and_space_presses_it(qtbot, dialog):
    dialog.activateWindow()
    dialog.terms.setFocus()
    for _ in range(3):  # terms list -> explanations -> Close
        if dialog.close_button.hasFocus():
            break
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.close_button.hasFocus()
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_Space)
    assert not dialog.isVisible()


def _visible_heading(dialog) -> str:
    """The text at the top of the explanations' visible area."""
    cursor = dialog.text.cursorForPosition(dialog.text.viewport().rect().topLeft())
    cursor.select(cursor.SelectionType.BlockUnderCursor)
    return cursor.selectedText().strip()


def test_arrow_keys_move_through_the_terms_and_the_explanation_follows(qtbot):
    d = HelpDialog()
    qtbot.addWidget(d)
    d.resize(700, 300)  # short, so the explanations must scroll
    d.show()
    qtbot.waitExposed(d)
    d.terms.setFocus()
    assert d.terms.currentRow() == 0
    assert _visible_heading(d) == TERMS[0].term
    for _ in range(5):
        qtbot.keyClick(d.terms, Qt.Key.Key_Down)
    assert d.terms.currentItem().text() == TERMS[5].term
    assert _visible_heading(d) == TERMS[5].term
    qtbot.keyClick(d.terms, Qt.Key.Key_Home)
    assert _visible_heading(d) == TERMS[0].term


def test_it_can_open_at_one_term(qtbot):
    d = show_help(None, "seed")
    qtbot.addWidget(d)
    qtbot.waitExposed(d)
    assert d.terms.currentItem().text() == "Seed"
    assert _visible_heading(d) == "Seed"
    with pytest.raises(KeyError):
        d.show_term("nonsense")
