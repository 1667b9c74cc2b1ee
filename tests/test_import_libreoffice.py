"""The forecast import on workbooks as a spreadsheet program saves them: built here with openpyxl
(formulas for totals, balances and month headings), then recalculated and saved by LibreOffice
Calc, headless, as Excel would have saved them.  All are converted in one soffice call, once per
test session."""
from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import subprocess

import pytest

openpyxl = pytest.importorskip("openpyxl")

from charityrisk.cli import main  # noqa: E402
from charityrisk.model.forecast import ForecastError, expand_line, read_forecast  # noqa: E402

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                "run scripts/setup")
COLS = "BCDEFGHIJKLM"


def _save(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cell in ws[1]:  # month headings made by formulas show as dates, as a user formats them
            if isinstance(cell.value, str) and cell.value.startswith("=EDATE"):
                cell.number_format = "mmm-yy"
    book.save(path)


def ncvo():
    """April start; month headings a date then =EDATE(previous, 1); opening balance = last
    month's closing; totals, net and closing as formulas."""
    header = ["", dt.datetime(2026, 4, 1)] + [f"=EDATE({c}1,1)" for c in COLS[:-1]]
    return [("Cash flow", [
        header,
        ["Opening balance", 25000] + [f"={p}13" for p in COLS[:-1]],
        ["Receipts"],
        ["Local authority grant"] + [4000] * 6 + [None] * 6,
        ["Christmas appeal"] + [None] * 8 + [6000, None, None, None],
        ["Shop takings"] + [120, 340, 90, 410, 230, 150, 600, 80, 95, 310, 220, 700.55],
        ["Total receipts"] + [f"=SUM({c}4:{c}6)" for c in COLS],
        ["Payments"],
        ["Rent"] + [None, None, 2400] * 4,
        ["Staff"] + [5000] * 12,
        ["Total payments"] + [f"=SUM({c}9:{c}10)" for c in COLS],
        ["Net cash flow"] + [f"={c}7-{c}11" for c in COLS],
        ["Closing balance"] + [f"={c}2+{c}12" for c in COLS],
    ])]


def hotel():
    """Receipts heading in the month row; "Receipts" and "Spending" sum rows without the word
    total; gross profit and a cumulative row as formulas."""
    return [("Hotel", [
        ["Cash Receipts"] + [f"{m} 2027" for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                                    "Sep", "Oct", "Nov", "Dec")],
        ["Room sales"] + [12000, 11000, 14000, 15000, 16000, 18000, 21000, 22000, 17000, 15000, 13000, 15706],
        ["Bar"] + [1500] * 12,
        ["Receipts"] + [f"=SUM({c}2:{c}3)" for c in COLS],
        ["Spending"],
        ["Wages"] + [6000] * 12,
        ["Food"] + [2500] * 12,
        ["Spending"] + [f"=SUM({c}6:{c}7)" for c in COLS],
        ["Gross Profit"] + [f"={c}4-{c}8" for c in COLS],
        ["Cumulative"] + ["=B9"] + [f"={p}10+{c}9" for p, c in itertools.pairwise(COLS)],
    ])]


def bank():
    """A bank's start-up template: letter column, (£), a pre-start column whose closing
    balance is month 1's opening."""
    return [("Cash flow", [
        ["", "Cash flow forecast (£)", "Pre-Start", "Month 1", "Month 2", "Month 3"],
        ["", "Cash at start", 0, "=C13", "=D13", "=E13"],
        ["A", "Money in (£)"],
        ["", "Loan", 10000, None, None, None],
        ["", "Sales", None, 1500, 2000, 2500],
        ["", "Total money in", "=SUM(C4:C5)", "=SUM(D4:D5)", "=SUM(E4:E5)", "=SUM(F4:F5)"],
        ["B", "Money out (£)"],
        ["", "Equipment", 3000, None, None, None],
        ["", "Wages", None, 2000, 2500, 2500],
        ["", "Total money out", "=SUM(C8:C9)", "=SUM(D8:D9)", "=SUM(E8:E9)", "=SUM(F8:F9)"],
        ["", "Net cash flow (A-B)", "=C6-C10", "=D6-D10", "=E6-E10", "=F6-F10"],
        [],
        ["", "Closing balance", "=C2+C11", "=D2+D11", "=E2+E11", "=F2+F11"],
    ])]


def plan():
    """A three-year plan: sheets Year 1, 2, 3 of Month 1..12, later years grown by formula."""
    months = [""] + [f"Month {m}" for m in range(1, 13)]
    year1 = [months, ["Income"], ["Sales"] + [9000] * 12, ["Expenditure"], ["Staff"] + [5000] * 12,
             ["Total expenditure"] + [f"=SUM({c}5:{c}5)" for c in COLS],
             ["Actual Profit"] + [f"={c}3-{c}6" for c in COLS]]
    later = []
    for y in (2, 3):
        rows = [months, ["Income"], ["Sales"] + [f"='Year {y - 1}'!{c}3*1.03" for c in COLS],
                ["Expenditure"], ["Staff"] + [f"='Year {y - 1}'!{c}5" for c in COLS],
                ["Total expenditure"] + [f"=SUM({c}5:{c}5)" for c in COLS],
                ["Actual Profit"] + [f"={c}3-{c}6" for c in COLS]]
        later.append((f"Year {y}", rows))
    return [("Year 1", year1)] + later


def wrong_total():
    """A total whose formula leaves out a row: the sheet's own arithmetic differs."""
    return [("Forecast", [
        ["", "Jan 2026", "Feb 2026", "Mar 2026"],
        ["Income"],
        ["Grant", 1000, 1000, 1000],
        ["Fees", 0, 250, 0],
        ["Donations", 30, 30, 30],
        ["Total income", "=SUM(B3:B4)", "=SUM(C3:C4)", "=SUM(D3:D4)"],
    ])]


BOOKS = {"ncvo": ncvo, "hotel": hotel, "bank": bank, "plan": plan, "wrong_total": wrong_total}


@pytest.fixture(scope="session")
def saved_by_calc(tmp_path_factory):
    """Each workbook as openpyxl wrote it (formulas, no results) and as Calc saved it."""
    root = tmp_path_factory.mktemp("calc_import")
    raw = root / "raw"
    raw.mkdir()
    for name, make in BOOKS.items():
        _save(raw / f"{name}.xlsx", make())
    home = root / "home"  # its own profile, so parallel runs never share one
    home.mkdir()
    out = root / "calc"
    done = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{home}/lo", "--headless", "--norestore",
                           "--convert-to", "xlsx", "--outdir", str(out)]
                          + [str(raw / f"{name}.xlsx") for name in BOOKS],
                          check=False, capture_output=True, text=True, timeout=240,
                          env={**os.environ, "HOME": str(home)})
    paths = {name: out / f"{name}.xlsx" for name in BOOKS}
    assert done.returncode == 0 and all(p.exists() for p in paths.values()), done.stderr + done.stdout
    return raw, paths


def test_unsaved_formulas_ask_for_a_spreadsheet_program_first(saved_by_calc):
    raw, _ = saved_by_calc
    with pytest.raises(ForecastError) as caught:
        read_forecast(raw / "ncvo.xlsx")
    assert "never saved" in caught.value.reason


def test_ncvo_layout_after_calc(saved_by_calc):
    f = read_forecast(saved_by_calc[1]["ncvo"])
    assert f.first_month == "2026-04" and f.months == 12 and f.month_labels[-1] == "March 2027"
    assert f.opening_balance == 25000
    assert [r.label for r in f.rows] == ["Local authority grant", "Christmas appeal", "Shop takings", "Rent", "Staff"]
    shop = next(r for r in f.rows if r.label == "Shop takings")
    assert shop.amounts[-1] == 700.55
    assert {c.label for c in f.checks} == {"Total receipts", "Total payments", "Net cash flow"}
    assert not f.differences


def test_hotel_after_calc_keeps_receipts_and_counts_no_total_as_a_cost(saved_by_calc):
    f = read_forecast(saved_by_calc[1]["hotel"])
    assert sorted(r.label for r in f.rows) == ["Bar", "Food", "Room sales", "Wages"]
    assert round(sum(f.sheet_totals("income"))) == 189706 + 18000
    assert round(sum(f.sheet_totals("cost"))) == 12 * 8500
    assert not f.differences and {c.label for c in f.checks} == {"Receipts", "Spending"}


def test_bank_template_after_calc(saved_by_calc):
    f = read_forecast(saved_by_calc[1]["bank"])
    assert f.opening_balance == 7000 and not f.opening_conflict
    assert [r.label for r in f.rows] == ["Sales", "Wages"]
    assert not f.differences and len(f.checks) == 3


def test_three_year_plan_after_calc_is_one_forecast(saved_by_calc):
    f = read_forecast(saved_by_calc[1]["plan"])
    assert f.sheets == ["Year 1", "Year 2", "Year 3"] and f.months == 36
    assert "Actual Profit" not in [r.label for r in f.rows]
    # the sheet's own 3% a year, kept to the penny (not a fitted growth rate); year 3 repeats
    sales = [line for line in f.lines if line["name"] == "Sales"]
    assert all(line["growth_per_year"] == 0 for line in sales)
    got = [sum(m) for m in zip(*(expand_line(line, 60) for line in sales))]
    year = [9000, 9270, 9548.1]
    assert got == pytest.approx([year[min(m // 12, 2)] for m in range(60)], abs=0.005)
    assert not f.differences


def test_a_total_that_leaves_out_a_row_is_reported(saved_by_calc, tmp_path, capsys):
    f = read_forecast(saved_by_calc[1]["wrong_total"])
    (check,) = f.differences
    assert check.row == 6 and check.differences == [0, 1, 2]
    out = tmp_path / "s.json"
    assert main(["import", str(saved_by_calc[1]["wrong_total"]), "-o", str(out)]) == 0
    assert "'Total income' says £1,000.00 in January 2026" in capsys.readouterr().out
