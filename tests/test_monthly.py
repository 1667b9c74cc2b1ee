"""Month by month: the table a finance lead checks against their cash-flow forecast, in the
app's third tab, the CSV and the report's yearly or quarterly summary.

The deterministic scenario is the domain.md worked example (count_noise "none", fixed values)
with an audit fee of £250.25 every three months from month 1, worked out by hand:
- income 2,000 a month; costs 2,500 a month plus 250.25 in months 1, 4 and 7;
- contract receipts: fees 1,800 in months 3-6, outcome payments 1,200 in months 4 and 6;
- contract costs 1,700 in months 2-5;
- closing balances: the worked example's 2,500; 300; -100; 700; 300; 2,800; 2,300; 1,800
  less 250.25 once, twice from month 4, three times from month 7.
"""
import csv
import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from charityrisk.engine import simulate
from charityrisk.gui.monthly_panel import VALUE_ROLE
from charityrisk.gui.window import MainWindow
from charityrisk.model import Uncertain
from charityrisk.model.money import format_money
from charityrisk.model.scenario import BudgetLine
from charityrisk.report.export import (
    MONTHLY_LABELS,
    month_by_month,
    monthly_rows,
    monthly_table,
    period_summary,
    write_csv,
)
from charityrisk.report.glossary import result_tooltip
from charityrisk.report.pdf import monthly_summary_rows
from scenario_factory import make_scenario

PENNY = 0.005

HAND = {
    "Income": [2000.0] * 8,
    "Costs": [2750.25, 2500, 2500, 2750.25, 2500, 2500, 2750.25, 2500],
    "Contract receipts": [0, 0, 1800, 3000, 1800, 3000, 0, 0],
    "Contract costs": [0, 1700, 1700, 1700, 1700, 0, 0, 0],
    "Average balance": [2249.75, 49.75, -350.25, 199.50, -200.50, 2299.50, 1549.25, 1049.25],
}
HAND["1 in 20 worst balance"] = HAND["Typical balance"] = HAND["Average balance"]


@pytest.fixture(scope="module")
def exact():
    s = make_scenario()
    audit = BudgetLine(name="Audit", kind="cost", amount=Uncertain.fixed(250.25), every_months=3)
    s = dataclasses.replace(s, name="worked example with an audit fee",
                            organisation=dataclasses.replace(s.organisation, budget=(audit,)))
    return s, simulate(s, 50, 3)


def test_the_hand_arithmetic_adds_up():
    # opening reserves plus the running sum of the flows is the balance
    net = (np.array(HAND["Income"]) - HAND["Costs"] + HAND["Contract receipts"] - HAND["Contract costs"])
    np.testing.assert_allclose(3000 + np.cumsum(net), HAND["Average balance"], atol=1e-9)


def test_monthly_table_equals_hand_arithmetic_to_the_penny(exact):
    _, r = exact
    table = monthly_table(r)
    assert [row.label for row in table] == list(MONTHLY_LABELS)
    for row in table:
        np.testing.assert_allclose(row.values, HAND[row.label], rtol=0, atol=PENNY, err_msg=row.label)
        assert row.tooltip and row.tooltip.endswith(".")
    assert table[0].tooltip == result_tooltip("mean_flows_by_month.income")


def test_quarterly_summary_sums_flows_and_takes_balances_at_the_quarters_end(exact):
    _, r = exact
    kind, periods = period_summary(r)
    assert kind == "quarter"
    assert [(p.label, p.first, p.last) for p in periods] == [
        ("Quarter 1 (months 1-3)", 1, 3), ("Quarter 2 (months 4-6)", 4, 6), ("Quarter 3 (months 7-8)", 7, 8)]
    q1 = periods[0].values
    assert q1[:4] == pytest.approx((6000, 7750.25, 1800, 3400), abs=PENNY)
    assert q1[4:] == pytest.approx((-350.25,) * 3, abs=PENNY)
    assert periods[2].values == pytest.approx((4000, 5250.25, 0, 0, 1049.25, 1049.25, 1049.25), abs=PENNY)
    rows = monthly_summary_rows(r)  # the report's table: the same sums, as money
    assert rows[0][:7] == ["Quarter 1 (months 1\u20133)", "£6,000", "£7,750", "£1,800", "£3,400", "-£350", "-£350"]


def test_yearly_summary_beyond_two_years():
    r = simulate(make_scenario(horizon_months=30, contracts=[]), 20, 1)
    kind, periods = period_summary(r)
    assert kind == "year"
    assert [p.label for p in periods] == ["Year 1 (months 1-12)", "Year 2 (months 13-24)",
                                          "Year 3 (months 25-30)"]
    assert periods[2].values[0] == pytest.approx(6 * 2000) and periods[2].values[1] == pytest.approx(6 * 2500)
    assert periods[2].values[4] == pytest.approx(3000 - 30 * 500)


def test_csv_carries_the_month_by_month_table_as_numbers(exact, tmp_path):
    s, r = exact
    path = tmp_path / "figures.csv"
    write_csv(s, r, path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    # version 3: the average balance without the contract follows the average balance
    labels = list(MONTHLY_LABELS)
    labels.insert(labels.index("Average balance") + 1, "Average balance without the contract")
    start = rows.index(["Month"] + [f"{label} (£)" for label in labels])
    assert rows[start - 1][0].startswith("Month by month")
    table = rows[start + 1:start + 9]
    assert [int(row[0]) for row in table] == list(range(1, 9))
    for column, label in enumerate(labels, start=1):
        expected = HAND.get(label, r.baseline.mean_balance_by_month)
        assert [float(row[column]) for row in table] == pytest.approx(expected, abs=PENNY), label
    assert rows[start + 9] == []  # the section ends before the balance table
    assert monthly_rows(r)[1:] == [[float(c) if i else int(c) for i, c in enumerate(row)] for row in table]


def test_csv_puts_the_figures_without_the_contract_beside_the_others(exact, tmp_path):
    s, r = exact
    path = tmp_path / "figures.csv"
    write_csv(s, r, path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert ["Measure", "Value", "Without the contract", "Unit"] in rows
    chance = next(row for row in rows if row and row[0].startswith("Chance of running out within"))
    assert float(chance[1]) == pytest.approx(100 * r.p_run_out)
    assert float(chance[2]) == pytest.approx(100 * r.baseline.p_run_out)
    worst = ["Month", "Balance, 5th percentile (1 in 20 worst) (£)"]
    balance = next(i for i, row in enumerate(rows) if row[:2] == worst)
    assert rows[balance][-2:] == ["Balance without the contract, median (typical) (£)",
                                  "Chance of having run out by this month without the contract (%)"]
    # on its own: 3,000 + 2,000 - 2,750.25 in month 1, then 500 less a month and 250.25 less in
    # months 4 and 7: it runs out in month 5 (-0.50)
    alone = [float(row[-2]) for row in rows[balance + 1:balance + 9]]
    assert alone == pytest.approx(list(r.baseline.balance_percentiles["50"]), abs=PENNY)
    assert alone[0] == pytest.approx(2249.75, abs=PENNY) and alone[4] == pytest.approx(-0.5, abs=PENNY)


def test_report_summarises_the_flows_and_says_what_the_contract_adds(exact, tmp_path):
    from pypdf import PdfReader

    from charityrisk.report.pdf import write_report
    from charityrisk.report.text import contract_risk

    s, r = exact
    path = tmp_path / "report.pdf"
    write_report(s, path, results=r)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())
    assert contract_risk(r) in text
    assert "Quarter by quarter" in text
    assert "Quarter 1 (months 1\u20133)" in text and "£7,750" in text


# --- the app's tab -------------------------------------------------------------------------------

@pytest.fixture
def window(qtbot, tmp_path, prompts):
    w = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), prompts=prompts)
    qtbot.addWidget(w)
    yield w
    w.runner.shutdown()


def open_tab(qtbot, window):
    tabs = window.tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Month by month")
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton, pos=tabs.tabBar().tabRect(index).center())
    page = tabs.currentWidget()  # each results tab scrolls on a small screen
    assert page is window.monthly_panel or page.widget() is window.monthly_panel
    return window.monthly_panel


def test_tab_shows_the_engines_numbers_for_the_example(qtbot, window, example):
    with qtbot.waitSignal(window.results_shown, timeout=60_000):
        window.load(example, None)
    window.show()
    panel = open_tab(qtbot, window)
    expected = simulate(example, example.settings.paths, example.settings.seed)
    table = panel.table
    assert table.columnCount() == example.horizon_months == 36
    assert table.horizontalHeaderItem(0).text() == "Month 1"
    for r, row in enumerate(month_by_month(expected)):
        header = table.verticalHeaderItem(r)
        assert header.text() == row.label and header.toolTip() == row.tooltip
        for m in range(36):
            item = table.item(r, m)
            assert item.data(VALUE_ROLE) == row.values[m]
            assert item.text() == format_money(round(float(row.values[m])))  # whole pounds
    # the December appeal (month 9) shows in the income row: more than the month before
    assert table.item(0, 8).data(VALUE_ROLE) > table.item(0, 7).data(VALUE_ROLE) + 8000
    assert f"{example.settings.paths:,} simulated futures" in panel.intro.text()


def test_tab_scrolls_sideways_at_1024_wide_rather_than_squashing(qtbot, window, example):
    window.resize(1024, 768)
    with qtbot.waitSignal(window.results_shown, timeout=60_000):
        window.load(example, None)
    window.show()
    panel = open_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.table.horizontalScrollBar().maximum() > 0, timeout=5_000)
    metrics = panel.table.fontMetrics()
    widest = max(metrics.horizontalAdvance(panel.table.item(r, 0).text()) for r in range(len(MONTHLY_LABELS)))
    assert panel.table.columnWidth(0) >= widest  # every figure readable in full


def test_deterministic_scenario_in_the_tab_in_whole_pounds_copied_to_the_penny(qtbot, window, exact):
    s, r = exact
    s = dataclasses.replace(s, settings=dataclasses.replace(s.settings, paths=100))
    with qtbot.waitSignal(window.results_shown, timeout=60_000):
        window.load(s, None)
    panel = open_tab(qtbot, window)
    labels = [panel.table.verticalHeaderItem(i).text() for i in range(panel.table.rowCount())]
    for label, values in HAND.items():
        for month, value in enumerate(values, start=1):
            assert panel.cell_text(label, month) == format_money(round(value)), (label, month)
            item = panel.table.item(labels.index(label), month - 1)
            assert abs(item.data(VALUE_ROLE) - value) < PENNY  # what Ctrl+C copies
    assert panel.cell_text("Average balance", 4) == "£200"
    assert panel.cell_text("Costs", 1) == "£2,750"
    assert panel.cell_text("Average balance", 3) == "-£350"
    # version 3: the organisation without the contract, on the same futures, under the average
    assert labels[labels.index("Average balance") + 1] == "Average balance without the contract"
    assert panel.cell_text("Average balance without the contract", 8) == format_money(
        round(float(r.baseline.mean_balance_by_month[7])))


def test_copy_gives_plain_numbers_for_a_spreadsheet(qtbot, window, exact):
    from PySide6.QtWidgets import QApplication, QTableWidgetSelectionRange

    s, _ = exact
    with qtbot.waitSignal(window.results_shown, timeout=60_000):
        window.load(dataclasses.replace(s, settings=dataclasses.replace(s.settings, paths=100)), None)
    panel = open_tab(qtbot, window)
    table = panel.table
    table.setFocus()
    table.clearSelection()
    table.setRangeSelected(QTableWidgetSelectionRange(1, 0, 4, 1), True)  # rows 2-5, months 1-2
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "2750.25\t2500.00\n0.00\t0.00\n0.00\t1700.00\n2249.75\t49.75"


def test_results_for_an_older_form_are_marked_in_the_tab(qtbot, window, example):
    with qtbot.waitSignal(window.results_shown, timeout=60_000):
        window.load(example, None)
    panel = window.monthly_panel
    window.state.update(note="Updating for your change...")
    assert panel.status.text() == "Updating for your change..."
    assert not panel.status.isHidden()


def test_tab_names_months_by_the_calendar_once_the_first_month_is_set(qtbot, window, exact):
    s, _ = exact
    s = dataclasses.replace(s, first_month="2027-11", settings=dataclasses.replace(s.settings, paths=100))
    with qtbot.waitSignal(window.results_shown, timeout=60_000):
        window.load(s, None)
    panel = open_tab(qtbot, window)
    panel.fill()
    assert [panel.table.horizontalHeaderItem(m).text() for m in range(3)] == ["Nov 2027", "Dec 2027", "Jan 2028"]
    assert panel.summary.horizontalHeaderItem(0).text() == "Quarter 1 (Nov 2027 - Jan 2028)"
