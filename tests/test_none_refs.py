"""PySide6 6.12.0 on Python 3.11 loses a reference to ``None`` whenever a binding hands ``None``
back (an item role never set, ``item(r, c)`` with no item, a method that returns nothing) and
one to ``True`` at every ``emit()``.  A few thousand and the interpreter aborts ("none_dealloc"),
losing the user's work (charityrisk/gui/none_guard.py).

These tests drive the window as a user would, many times over, and assert that the counts of
references to ``None``, ``True`` and ``False`` do not fall: each lost one would be a step nearer
an abort.  Python 3.12 made those objects immortal: there the counts cannot fall.
"""
from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QTableWidget

from charityrisk.gui.window import MainWindow
from charityrisk.model import Uncertain
from charityrisk.model.scenario import BudgetLine

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None, True and False are immortal from Python 3.12: counts cannot fall")

WAIT = 30_000
ROUNDS = 20


def lines(n: int) -> tuple[BudgetLine, ...]:
    return tuple(BudgetLine(name=f"Line {i + 1}", kind="income" if i % 3 == 0 else "cost",
                            amount=Uncertain(900.0 + i, 1000.0 + i, 1200.0 + i))
                 for i in range(n))


def counts() -> list[int]:
    gc.collect()  # what is only waiting to be collected still holds its references
    return [sys.getrefcount(obj) for obj in (None, True, False)]


def lost_since(before: list[int]) -> dict[str, int]:
    """References lost to each of None, True and False since ``before`` (only those that fell)."""
    return {name: b - a for name, b, a in zip(("None", "True", "False"), before, counts()) if b > a}


@pytest.fixture
def window(qtbot, example, tmp_path, prompts):
    scenario = replace(example, organisation=replace(example.organisation, budget=lines(200)),
                       settings=replace(example.settings, paths=200))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, prompts=prompts)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.results_shown, timeout=WAIT):
        w.load(scenario, None)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.runner.shutdown()


def test_a_200_line_budget_edited_inserted_deleted_undone_and_redone_loses_no_reference(qtbot, window):
    grid = window.form.budget.grid
    before = counts()
    for i in range(ROUNDS):
        grid.setFocus(Qt.FocusReason.MouseFocusReason)
        grid.setCurrentCell(i, 2)
        qtbot.keyClick(grid, Qt.Key.Key_Delete)  # a line removed (the budget holds 200 at most)
        window.settle_now()
        qtbot.keyClick(grid, Qt.Key.Key_Insert)  # a new line at the end, its name ready to type
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        window.settle_now()
        window.undo_stack.undo()
        window.undo_stack.undo()
        window.undo_stack.redo()
        window.undo_stack.redo()
    budget = window.scenario.organisation.budget
    assert len(budget) == 200 and sum(b.name.startswith("New line") for b in budget) == ROUNDS
    assert [b.name for b in budget[:3]] == ["Line 2", "Line 4", "Line 6"]  # every other one went
    assert not lost_since(before), f"references lost in {ROUNDS} rounds: {lost_since(before)}"


def test_every_panel_table_and_choice_reads_back_without_losing_a_reference(qtbot, window):
    """Each panel's own tables (Month by month, the budget, the variants) and every choice box,
    read the way the app reads them, fifty times over."""
    for index in range(window.tabs.count()):  # each panel fills its tables when first shown
        window.tabs.setCurrentIndex(index)
        qtbot.wait(10)
    tables = window.findChildren(QTableWidget)
    combos = window.findChildren(QComboBox)
    assert window.monthly_panel.table in tables and window.form.budget.grid in tables and combos
    before = counts()
    for _ in range(50):
        for table in tables:
            table.selectAll()
        assert window.monthly_panel.table.selected_text()
        window.form.budget._show_marks()
        for combo in combos:
            combo.setCurrentIndex(0)
            combo.currentData()
    assert not lost_since(before), f"references lost: {lost_since(before)}"


def _child(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=60)


# Loses more references to None than there are (what 6.12.0 does over a long session), then
# uses None: without the guard the interpreter aborts.
LOSE_EVERY_REFERENCE = """
    import ctypes, sys
    lose = sys.getrefcount(None) + 1000
    {setup}
    for _ in range(lose):
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(None))
    x = [None] * 10
    del x
    import gc; gc.collect()
    print("still running")
"""


def test_the_guard_keeps_the_app_alive_where_the_binding_loses_every_reference():
    guarded = _child(LOSE_EVERY_REFERENCE.format(setup="import charityrisk.gui"))
    assert guarded.returncode == 0, guarded.stderr
    assert "still running" in guarded.stdout


def test_without_the_guard_losing_every_reference_aborts():
    """What the guard prevents (so the test above can fail): the same child, without it."""
    unguarded = _child(LOSE_EVERY_REFERENCE.format(setup=""))
    assert unguarded.returncode != 0 and "still running" not in unguarded.stdout
