"""The guided setup ("Start my own scenario", issue 26): three ways to the budget, the questions
a finance lead can answer, a last page listing every term (defaults marked), and no verdict
from an empty budget.  Driven as a user would: Help > Start again, clicks and typing."""
import json
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWizard,
)

from charityrisk.gui.budget_table import KEYS
from charityrisk.gui.start import ASSUMED, OWN
from charityrisk.model import load_scenario
from charityrisk.model.fields import fields_of, setup_rows, spec_of
from charityrisk.model.forecast import budget_lines, read_forecast
from charityrisk.model.scenario import BudgetLine, Uncertain
from charityrisk.report.missing import budget_missing, missing_sentence
from typing_helpers import error_text, find, retype


def click_next(qtbot, wizard):
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


@pytest.fixture
def wizard(window, prompts):
    """The guided setup, opened as a user opens it: Help > Start again, "Start my own scenario"."""
    prompts.script("ask_choice", OWN)
    window.findChild(type(window.menuBar().actions()[0]), "start_again").trigger()
    assert window.start_wizard is not None and window.start_wizard.isVisible()
    return window.start_wizard


def fill_organisation(qtbot, wizard, reserves="65k"):
    retype(qtbot, find(wizard, QLineEdit, "start.name"), "Riverside Mentoring")
    retype(qtbot, find(wizard, QAbstractSpinBox, "start.organisation.opening_reserves"), reserves)
    click_next(qtbot, wizard)
    assert wizard.currentPage() is wizard.budget


def choose(qtbot, wizard, route):
    button = find(wizard, QRadioButton, f"start.route.{route}")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))  # its circle
    assert button.isChecked()


def fill_contract(qtbot, wizard):
    assert wizard.currentPage() is wizard.contract
    for name, text in [("price_per_referral", "1,200"), ("cost_per_referral", "350"), ("fixed_monthly_cost", "0")]:
        retype(qtbot, find(wizard, QAbstractSpinBox, f"start.contract.{name}"), text)
    click_next(qtbot, wizard)
    assert wizard.currentPage() is wizard.review


def finish(qtbot, window, wizard):
    with qtbot.waitSignal(window.results_shown, timeout=30_000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    return window.scenario


# ----- three ways to the budget ------------------------------------------------------------------

def test_one_monthly_figure_each_with_a_range_when_unsure(qtbot, window, wizard, tmp_path):
    fill_organisation(qtbot, wizard)
    choose(qtbot, wizard, "figures")
    retype(qtbot, find(wizard, QAbstractSpinBox, "start.organisation.monthly_other_income.likely"), "20,000")
    retype(qtbot, find(wizard, QAbstractSpinBox, "start.organisation.monthly_other_income.low"), "15k")
    retype(qtbot, find(wizard, QAbstractSpinBox, "start.organisation.monthly_core_costs"), "£22k")
    click_next(qtbot, wizard)
    fill_contract(qtbot, wizard)
    s = finish(qtbot, window, wizard)
    # the high left blank is the most likely figure
    assert s.organisation.monthly_other_income == Uncertain(15_000, 20_000, 20_000)
    assert s.organisation.monthly_core_costs == 22_000 and s.organisation.budget == ()
    # What the setup writes is what File > Save writes for the same scenario.
    assert window.save_to(tmp_path / "riverside.json")
    assert json.loads((tmp_path / "riverside.json").read_text(encoding="utf-8")) == wizard.scenario_data()
    assert load_scenario(tmp_path / "riverside.json") == s


def test_typed_budget_lines_become_the_budget(qtbot, window, wizard):
    fill_organisation(qtbot, wizard)
    choose(qtbot, wizard, "lines")
    table = wizard.budget.table
    assert not find(wizard, QAbstractSpinBox, "start.organisation.monthly_core_costs").isVisible()
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    QApplication.focusWidget().selectAll()  # the new line's name is ready to type over
    qtbot.keyClicks(QApplication.focusWidget(), "Salaries")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.grid.state() != table.grid.State.EditingState, timeout=2000)
    table.grid.setFocus(Qt.FocusReason.MouseFocusReason)
    table.grid.setCurrentCell(0, KEYS.index("amount.likely"))
    qtbot.keyClick(table.grid, Qt.Key.Key_Return)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "18k")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.grid.state() != table.grid.State.EditingState, timeout=2000)
    assert "1 budget line" in find(wizard, QLabel, "start.lines_note").text()
    click_next(qtbot, wizard)
    fill_contract(qtbot, wizard)
    assert dict(wizard.review.text())["Budget"] == "1 line: Salaries"
    s = finish(qtbot, window, wizard)
    assert s.organisation.budget == (BudgetLine(name="Salaries", kind="cost", amount=Uncertain.fixed(18_000),
                                                start_month=1, end_month=None, every_months=1),)
    # the lines are the budget: no flat figures besides them
    assert s.organisation.monthly_other_income == Uncertain.fixed(0) and s.organisation.monthly_core_costs == 0


def test_a_budget_line_to_correct_keeps_the_page_with_its_cell_marked(qtbot, wizard):
    fill_organisation(qtbot, wizard)
    choose(qtbot, wizard, "lines")
    table = wizard.budget.table
    table.set_lines([{"name": "Rent", "kind": "cost", "amount": 900, "start_month": 12, "end_month": 3}])
    click_next(qtbot, wizard)
    assert wizard.currentPage() is wizard.budget
    assert "budget lines need fixing" in find(wizard.budget, QLabel, "start.error").text()
    assert [key for _, key in table.problem_cells()] == ["end_month"]


def test_an_imported_forecast_becomes_the_budget_as_file_import_makes_it(qtbot, window, wizard, prompts,
                                                                        monkeypatch, tmp_path):
    csv = tmp_path / "forecast.csv"
    csv.write_text("Forecast,April 2026,May 2026,June 2026\nBalance b/f,50000,,\nINCOME,,,\n"
                   "Grants,20000,20000,20000\nCOSTS,,,\nSalaries,(18000),(18000),(18000)\n",
                   encoding="utf-8")
    forecast = read_forecast(csv)
    prompts.script("ask_open_path", csv)
    prompts.script("ask_yes_no", True)  # its opening balance becomes the free reserves
    # The app's own preview (reading the file, then Import) stands in for the dialog.
    monkeypatch.setattr("charityrisk.gui.import_dialog.preview_forecast", lambda parent, path: forecast)
    fill_organisation(qtbot, wizard, reserves="1")
    choose(qtbot, wizard, "import")
    click_next(qtbot, wizard)  # nothing imported yet: the page says so and stays
    assert wizard.currentPage() is wizard.budget
    assert "Import your forecast first" in find(wizard.budget, QLabel, "start.error").text()
    qtbot.mouseClick(find(wizard, QPushButton, "start.import"), Qt.MouseButton.LeftButton)
    assert "2 cost lines" not in find(wizard, QLabel, "start.imported").text()
    assert "1 income and 1 cost lines" in find(wizard, QLabel, "start.imported").text()
    click_next(qtbot, wizard)
    fill_contract(qtbot, wizard)
    assert dict(wizard.review.text())["Budget"] == "2 lines imported from forecast.csv: Grants, Salaries"
    s = finish(qtbot, window, wizard)
    org = s.organisation
    assert org.budget == budget_lines(forecast) and org.opening_reserves == 50_000
    assert s.first_month == "2026-04"  # month 1 is the sheet's first month, as File > Import makes it
    assert org.monthly_core_costs == 0


# ----- what it asks, from the field table --------------------------------------------------------

def test_the_rows_bounds_are_the_setups(qtbot, wizard):
    """An overdraft cannot be below £0 (its row's lower bound), a reserves policy minimum can
    (an overdrawn floor): the same typing is refused in one and taken in the other."""
    overdraft = find(wizard, QAbstractSpinBox, "start.organisation.overdraft_facility")
    floor = find(wizard, QAbstractSpinBox, "start.organisation.reserves_floor")
    retype(qtbot, find(wizard, QAbstractSpinBox, "start.organisation.opening_reserves"), "65k")
    retype(qtbot, overdraft, "-5,000")
    retype(qtbot, floor, "-5,000")
    click_next(qtbot, wizard)
    assert wizard.currentPage() is wizard.org
    assert "cannot be negative" in error_text(wizard, "start.organisation.overdraft_facility")
    assert error_text(wizard, "start.organisation.reserves_floor") == ""
    assert "Overdraft facility" in find(wizard.org, QLabel, "start.error").text()
    retype(qtbot, overdraft, "10k")
    click_next(qtbot, wizard)
    assert wizard.currentPage() is wizard.budget
    assert wizard.organisation_values()["organisation.reserves_floor"] == -5_000


def test_captions_and_tips_are_the_tables(wizard):
    """The results wait counts from the end of a group, as the model does (the setup's own tip
    once said from the referral)."""
    lag = spec_of("contracts[]", "outcome_lag_months")
    spin = find(wizard, QAbstractSpinBox, "start.contract.outcome_lag_months")
    assert "end of a group" in spin.toolTip()
    assert find(wizard, QLabel, "label:start.contract.outcome_lag_months").text() == lag.label


def _captions_in_order(page):
    """The captions of a page's inputs, top to bottom, as a user reads them."""
    labels = [w for w in page.findChildren(QLabel) if w.objectName().startswith("label:start.")]
    return [w.text() for w in sorted(labels, key=lambda w: w.mapTo(page, QPoint(0, 0)).y())]


@pytest.mark.parametrize("page, name", [("org", "organisation"), ("contract", "contract"),
                                        ("budget", "figures")])
def test_each_page_asks_the_rows_the_table_gives_it_in_the_tables_order(qtbot, wizard, page, name):
    """The setup's questions are the field table's ``setup`` column (issue 22): no key list of
    its own.  Asked rows, and only they, are on the page, in the column's order."""
    rows = setup_rows(name)
    assert len(rows) >= 2
    shown = getattr(wizard, page)
    if name == "figures":
        choose(qtbot, wizard, "figures")
    wizard.show()
    assert _captions_in_order(shown) == [row.label for row in rows]
    assert [row.setup.order for row in rows] == sorted(row.setup.order for row in rows)


# ----- the last page: every term, defaults marked ------------------------------------------------

def test_the_last_page_lists_every_contract_term_with_the_defaults_marked(qtbot, wizard):
    fill_organisation(qtbot, wizard)
    retype(qtbot, find(wizard, QAbstractSpinBox, "start.organisation.monthly_other_income.likely"), "20k")
    retype(qtbot, find(wizard, QAbstractSpinBox, "start.organisation.monthly_core_costs"), "20k")
    click_next(qtbot, wizard)
    fill_contract(qtbot, wizard)
    shown = wizard.review.text()
    values = dict(shown)
    rate_card = {"fee_per_referral", "pooled_target_success_rate"}
    terms = [r for r in fields_of("contracts[]") if r.in_form and r.name != "name" and r.name not in rate_card]
    for row in terms:
        assert row.label in values, row.label
    marked = {label for label, value in shown if value.endswith(f"({ASSUMED})")}
    # what the setup did not ask is marked, with the value it takes
    assert values["Success rate"] == f"35% to 55%, most likely 45% ({ASSUMED})"
    assert values["Fee paid after"] == f"1 month ({ASSUMED})"
    assert values["Chance of paying late"] == f"0% ({ASSUMED})"
    assert values["Chance of no referrals at all"] == f"0% ({ASSUMED})"
    # what it asked is not
    assert values["Price per referral"] == "£1,200"
    assert {"Price per referral", "Share paid on results", "Results paid after", "Free reserves today",
            "Trustees' risk appetite", "Overdraft facility"}.isdisjoint(marked)
    assert {"Target success rate", "Results measured every", "Late by"} <= marked


# ----- no verdict from an empty budget -----------------------------------------------------------

def test_finish_with_an_empty_budget_says_it_is_missing_not_a_verdict(qtbot, window, wizard):
    fill_organisation(qtbot, wizard, reserves="200k")
    choose(qtbot, wizard, "lines")  # and no line typed
    click_next(qtbot, wizard)
    fill_contract(qtbot, wizard)
    assert dict(wizard.review.text())["Budget"] == "None: no budget lines"
    finish(qtbot, window, wizard)
    headline = find(window, QLabel, "headline")
    assert headline.text() == missing_sentence()
    assert "Within" not in headline.text() and "appetite of" not in headline.text()
    assert headline.property("level") == "stale"  # grey, not green
    assert not find(window, QLabel, "decision_notes").isVisible()


def test_the_missing_budget_rule(example):
    """Missing only when there is nothing of the charity's own: no line, and every guess of
    other income and the core costs £0."""
    org = example.organisation
    assert org.budget  # the example has lines
    empty = replace(example, organisation=replace(org, budget=(), monthly_other_income=Uncertain.fixed(0),
                                                  monthly_core_costs=0))
    assert budget_missing(empty)
    assert not budget_missing(example)
    for changed in (dict(monthly_core_costs=1.0), dict(monthly_other_income=Uncertain(0, 0, 500)),
                    dict(budget=org.budget[:1])):
        assert not budget_missing(replace(empty, organisation=replace(empty.organisation, **changed))), changed


def test_a_guess_is_marked_where_it_is_wrong(qtbot, wizard):
    fill_organisation(qtbot, wizard)
    choose(qtbot, wizard, "figures")
    retype(qtbot, find(wizard, QAbstractSpinBox, "start.organisation.monthly_core_costs"), "20k")
    click_next(qtbot, wizard)  # nothing typed: the most likely figure is asked for, not all three
    assert wizard.currentPage() is wizard.budget
    said = error_text(wizard, "start.organisation.monthly_other_income")
    assert said.startswith("Most likely: required") and "Low" not in said and "High" not in said
    likely = find(wizard, QAbstractSpinBox, "start.organisation.monthly_other_income.likely")
    assert QApplication.focusWidget() is likely
    retype(qtbot, likely, "20k")
    retype(qtbot, find(wizard, QAbstractSpinBox, "start.organisation.monthly_other_income.low"), "30k")
    click_next(qtbot, wizard)  # the model's own check of a guess's order, beside the field
    assert wizard.currentPage() is wizard.budget
    assert "Low must not be more than most likely" in error_text(wizard, "start.organisation.monthly_other_income")
