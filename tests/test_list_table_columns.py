"""The budget lines' and a rate card's stages' columns come from the field table (issue 22):
a heading follows its row's label (or its ``column`` words) and unit, a cell's message its
row's kind, and a new line or stage the rows' examples and defaults."""
from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt

from charityrisk.gui import budget_table, stages_table
from charityrisk.gui.budget_table import BudgetTable
from charityrisk.gui.list_table import column_heading, wrap_heading
from charityrisk.gui.stages_table import StagesTable
from charityrisk.model import fields as F
from charityrisk.model import validate


def _headings(table) -> list[str]:
    return [table.grid.horizontalHeaderItem(c).text() for c in range(table.grid.columnCount())]


@pytest.mark.parametrize("words, shown", [
    ("Name", "Name"),  # one word stays whole
    ("Income or cost", "Income\nor cost"),
    ("Chance it happens (%)", "Chance it\nhappens (%)"),
    ("Most likely (£)", "Most\nlikely (£)"),
    ("Growth a year (%)", "Growth\na year (%)"),  # never "Growth a / year (%)"
    ("Months after the referral", "Months after\nthe referral"),
])
def test_a_heading_is_wrapped_at_the_space_that_keeps_it_narrowest(words, shown):
    assert wrap_heading(words) == shown


def test_the_budget_headings_a_finance_lead_sees(qtbot):
    table = BudgetTable()
    qtbot.addWidget(table)
    assert _headings(table) == ["Name", "Income\nor cost", "Each\ntime", "Amount\nlow (£)", "Most\nlikely (£)",
                                "High\n(£)", "First\nmonth", "Last\nmonth", "How\noften", "Growth\na year (%)",
                                "Chance it\nhappens (%)"]


def test_the_stage_headings_a_finance_lead_sees(qtbot):
    table = StagesTable()
    qtbot.addWidget(table)
    assert _headings(table) == ["Outcome", "Price\n(£)", "Reach it\nlow (%)", "Most\nlikely (%)", "High\n(%)",
                                "Months after\nthe referral", "Monthly\npayments"]


def _relabel(monkeypatch, owner: str, name: str, **changes) -> None:
    path = f"{owner}.{name}"
    monkeypatch.setitem(F.BY_PATH, path, replace(F.BY_PATH[path], **changes))


@pytest.mark.parametrize("make, owner, name, key, changes, heading", [
    (BudgetTable, budget_table.OWNER, "probability", "probability",
     {"label": "Likelihood of the line"}, "Likelihood of\nthe line (%)"),
    (BudgetTable, budget_table.OWNER, "start_month", "start_month", {"label": "Starts in"}, "Starts\nin"),
    (BudgetTable, budget_table.OWNER, "amount", "amount.low", {"column": "Sum"}, "Sum\nlow (£)"),
    (BudgetTable, budget_table.OWNER, "every_months", "every_months", {"column": "Frequency"}, "Frequency"),
    (StagesTable, stages_table.OWNER, "price", "price", {"label": "Tariff", "unit": "%", "kind": "fraction"},
     "Tariff\n(%)"),
    (StagesTable, stages_table.OWNER, "payments", "payments", {"label": "Instalments"}, "Instalments"),
])
def test_a_heading_follows_its_row(qtbot, monkeypatch, make, owner, name, key, changes, heading):
    _relabel(monkeypatch, owner, name, **changes)
    assert column_heading(owner, key) == heading
    table = make()
    qtbot.addWidget(table)
    assert _headings(table)[table.KEYS.index(key)] == heading


def test_a_problem_is_named_by_its_rows_heading_and_said_in_its_unit(qtbot, monkeypatch):
    _relabel(monkeypatch, budget_table.OWNER, "growth_per_year", label="Rise each year")
    table = BudgetTable()
    qtbot.addWidget(table)
    table.set_lines([dict(budget_table.NEW_LINE, name="Rent", growth_per_year=3.0)])
    data = F.new_scenario()
    data["organisation"]["budget"] = table.lines()
    table.apply_problems(validate(data))
    note = table.problems_label.text()
    assert "Line 1 “Rent”, Rise each year (%): Must be between -50% and 100% (now 300%)." in note, note


def test_a_new_line_and_stage_are_the_rows_examples_and_defaults(qtbot):
    lines = BudgetTable()
    qtbot.addWidget(lines)
    lines.grid.setFocus()
    qtbot.keyClick(lines.grid, Qt.Key.Key_Insert)
    (line,) = lines.lines()
    for name, value in line.items():
        row = F.spec_of(budget_table.OWNER, name)
        assert value == (row.default if row.example is F.UNSET else row.example), name
    assert line["name"] == F.spec_of(budget_table.OWNER, "name").example
    assert "monthly_amounts" not in line and "scale" not in line  # one amount each time, no pattern
    for name in ("amount", "kind", "start_month", "end_month", "every_months", "growth_per_year", "probability"):
        assert name in line
    assert F.spec_of(budget_table.OWNER, "amount").uncertain and set(line["amount"]) == {"low", "likely", "high"}

    stages = StagesTable()
    qtbot.addWidget(stages)
    stages.add_stage()
    (stage,) = stages.stages()
    assert stage == F.example_dict(stages_table.OWNER)
