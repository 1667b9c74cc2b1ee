"""A scenario with no budget (issue 26): the results panel gives no verdict and no key figures
beside "Your budget is missing", and the form's line under the budget says it is missing, not
that it "brings in what it spends".  Typing a budget brings both back."""
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QLabel, QWidget

from charityrisk.model import Uncertain
from charityrisk.report.missing import budget_missing, missing_charts, missing_hint, missing_sentence
from typing_helpers import find


def without_budget(s):
    org = replace(s.organisation, budget=(), monthly_other_income=Uncertain.fixed(0), monthly_core_costs=0)
    return replace(s, organisation=org)


def test_no_key_figures_and_the_hint_says_the_budget_is_missing(qtbot, window, example):
    figures = find(window, QWidget, "key_figures")
    hint = find(window, QLabel, "hint:organisation.budget")
    assert figures.isVisible() and "Your budget is missing" not in hint.text()  # the example has a budget
    empty = without_budget(example)
    assert budget_missing(empty)
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        window.load(empty, None)
    assert find(window, QLabel, "headline").text() == missing_sentence()
    assert not figures.isVisible()  # no "1 in 20 futures" beside "no verdict"
    charts = window.results_panel.canvas
    shown = [t.get_text() for ax in charts.figure.axes for t in ax.texts if ax.get_visible()]
    assert shown == [missing_charts()]  # no charts of the contract's money alone
    assert not any(ax.lines or ax.collections for ax in charts.figure.axes)
    assert charts.accessibleDescription() == missing_charts()
    assert hint.text() == missing_hint()
    assert "brings in what it spends" not in hint.text()
    assert "Core costs" in hint.text() or "core costs" in hint.text().lower()  # names what to fill in

    # The finance lead types the core costs: a budget, so a verdict, the figures and the sum.
    costs = find(window, QAbstractSpinBox, "organisation.monthly_core_costs")
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        costs.setFocus(Qt.FocusReason.MouseFocusReason)
        qtbot.keyClick(costs, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(costs, "20000")
        qtbot.keyClick(costs, Qt.Key.Key_Return)
    assert find(window, QLabel, "headline").text() != missing_sentence()
    assert figures.isVisible() and figures.rowCount() > 0
    assert any(ax.lines for ax in charts.figure.axes)  # the charts are back
    assert hint.text().startswith("About ") and "months of reserves" in hint.text()
