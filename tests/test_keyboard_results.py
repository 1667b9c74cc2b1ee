"""Issue 13, accessibility: the results and decisions tabs from the keyboard alone.  Tab
reaches every part, the focused part shows a ring (it looks different when focused), and a
comparison can be run and its table read without the mouse."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget


@pytest.fixture
def window(answered_window):
    w = answered_window(1400, 900)
    w.activateWindow()
    return w


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def tab_through(qtbot, window, start: QWidget, steps: int = 25) -> list[QWidget]:
    """The widgets Tab visits inside the results tabs, from ``start``, until it leaves them."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: focused() is start, timeout=2000)
    visited: list[QWidget] = []
    for _ in range(steps):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        widget = focused()
        if widget is None or not window.tabs.isAncestorOf(widget) or widget in visited:
            break
        visited.append(widget)
    return visited


def shows_focus(qtbot, widget: QWidget, away: QWidget) -> bool:
    """Does the widget look different with the keyboard focus than without it?"""
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=2000)
    with_focus = widget.grab().toImage()
    away.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: not widget.hasFocus(), timeout=2000)
    return widget.grab().toImage() != with_focus


def test_results_tab_every_part_by_tab_with_a_focus_ring(qtbot, window):
    panel = window.results_panel
    charts = panel.findChild(QWidget, "charts_scroll")
    visited = tab_through(qtbot, window, window.tabs.tabBar())
    for part in (panel.headline, panel.table, charts):
        assert part in visited, [w.objectName() for w in visited]
    assert visited.index(panel.headline) < visited.index(panel.table) < visited.index(charts)  # reading order
    for part in (panel.headline, panel.table, charts):
        assert shows_focus(qtbot, part, window.tabs.tabBar()), part.objectName()
    # Tabbing into the key figures picks a cell, so arrow keys read them one by one.
    panel.table.setFocus(Qt.FocusReason.TabFocusReason)
    assert panel.table.currentItem() is not None
    first = panel.table.currentItem().text()
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    assert panel.table.currentItem().text() != first


def test_headline_copied_from_the_keyboard(qtbot, window):
    head = window.results_panel.headline
    head.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(head, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert head.selectedText().replace("\u2029", "\n") == head.text()


def test_decisions_tab_run_a_comparison_from_the_keyboard(qtbot, window):
    bar = window.tabs.tabBar()
    bar.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(bar, Qt.Key.Key_Right)  # the tab bar's own keys switch tabs
    assert window.tabs.currentIndex() == 1
    panel = window.decisions_panel
    visited = tab_through(qtbot, window, bar)
    wanted = [panel.contract_choice, panel.safe_button, panel.compare_button, panel.programmes_button,
              panel.compare_files_button, panel.preset_guesses, panel.views.tabBar()]
    assert [w for w in visited if w in wanted] == wanted
    for part in wanted[1:]:
        assert shows_focus(qtbot, part, bar), part.objectName()
    assert shows_focus(qtbot, bar, panel.safe_button)  # the style draws none: focus_ring does

    panel.preset_guesses.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(panel.preset_guesses, Qt.Key.Key_Space)
    assert panel.preset_guesses.isChecked()
    qtbot.keyClick(panel.preset_guesses, Qt.Key.Key_Space)
    assert not panel.preset_guesses.isChecked()
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)  # back to "Compare with my files..."
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    assert focused() is panel.compare_button
    with qtbot.waitSignal(panel.comparison_shown, timeout=60_000):
        qtbot.keyClick(panel.compare_button, Qt.Key.Key_Space)
    assert panel.views.currentIndex() == 1  # the comparison is showing
    visited = tab_through(qtbot, window, panel.views.tabBar())
    assert panel.table in visited
    panel.table.setFocus(Qt.FocusReason.TabFocusReason)
    assert panel.table.currentItem() is not None and panel.table.currentItem().text()
    assert shows_focus(qtbot, panel.table, bar)
