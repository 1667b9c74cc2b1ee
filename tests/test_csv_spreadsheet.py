"""The CSV export opened by a real spreadsheet: LibreOffice Calc, headless, converts it to .xlsx
and openpyxl reads back what a user would see in the cells.

Excel is not available on a test machine; LibreOffice reads CSV the same way in the ways that
matter here (a byte-order mark for UTF-8, numbers recognised from plain digits, a leading "="
turned into a formula).  scripts/setup installs it (libreoffice-calc-nogui); without it these
tests skip, saying so.
"""
from __future__ import annotations

import dataclasses
import datetime
import os
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from charityrisk.engine import simulate
from charityrisk.model import load_scenario
from charityrisk.report.export import write_csv
from charityrisk.resources import example_scenario_path
from scenario_factory import contract, make_scenario

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                "run scripts/setup")

DAY = datetime.date(2025, 3, 5)


def open_in_calc(csv_path, tmp_path) -> list[list]:
    """The CSV as LibreOffice Calc reads it: every row's cell values (None for empty)."""
    out = tmp_path / "xlsx"
    home = tmp_path / "home"  # its own profile, so parallel runs never share one
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    # Comma-separated, double quotes, UTF-8 (76), from row 1: what a user picks in Calc's Text
    # Import dialog.  Without it a headless conversion reads the file as Windows-1252 and
    # ignores the byte-order mark (which Excel honours), so "£" would arrive as "Â£".
    done = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{home}/lo", "--headless",
                           "--norestore", "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx",
                           "--outdir", str(out), str(csv_path)],
                          check=False, capture_output=True, text=True, timeout=180, env=env)
    converted = out / (csv_path.stem + ".xlsx")
    assert done.returncode == 0 and converted.exists(), done.stderr + done.stdout
    sheet = load_workbook(converted, data_only=False).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.fixture(scope="module")
def calc_rows(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("calc")
    example = load_scenario(example_scenario_path())
    names = ["=1+1 Café £ partnership", "+44 helpline", "-5% contract", "@risk"]
    contracts = [contract(name=name) for name in names]
    scenario = dataclasses.replace(make_scenario(contracts=contracts, horizon_months=12),
                                   name="=SUM(A1:A9) Ünïcode £ trust", settings=example.settings)
    results = simulate(scenario, 400, 3)
    path = tmp_path / "figures.csv"
    write_csv(scenario, results, path, day=DAY)
    return open_in_calc(path, tmp_path), scenario, results


def _row(rows, first):
    return next(row for row in rows if row and row[0] == first)


def test_numbers_arrive_as_numbers(calc_rows):
    rows, _, results = calc_rows
    chance = _row(rows, f"Chance of running out within {results.horizon_months} months")
    assert isinstance(chance[1], (int, float)) and not isinstance(chance[1], bool)
    assert chance[1] == pytest.approx(100 * results.p_run_out, abs=1e-4)
    capital = _row(rows, "Extra working capital for 95% safety")
    assert isinstance(capital[1], (int, float))
    assert capital[1] == pytest.approx(results.working_capital_needed_95, abs=0.005)
    # The balance table (the month-by-month flows table also starts with "Month").
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Month"
                  and "Balance, median (typical) (£)" in row)
    table = rows[header + 1: header + 1 + results.horizon_months]
    assert [row[0] for row in table] == list(range(1, results.horizon_months + 1))
    for row in table:
        assert all(isinstance(v, (int, float)) for v in row[1:7]), row  # no text numbers
    assert [row[3] for row in table] == pytest.approx(list(results.balance_percentiles["50"]), abs=0.005)


def test_pound_signs_and_names_arrive_intact(calc_rows):
    rows, _, results = calc_rows
    header = next(row for row in rows if row and row[0] == "Month")
    assert any("(£)" in str(cell) for cell in header)  # the unit in the header, not the cells
    assert "Ünïcode £ trust" in _row(rows, "Scenario")[1]
    assert any(row[0] == "Chance of running out within 12 months" for row in rows if row)
    margins = [row[0] for row in rows if row and str(row[0]).startswith("Contract margin")]
    for name in results.contract_names:
        assert any(name in str(label) for label in margins), name


def test_no_name_becomes_a_formula(calc_rows):
    rows, _, _ = calc_rows
    for row in rows:
        for cell in row:
            assert not (isinstance(cell, str) and cell.startswith("=")), f"a formula: {cell!r}"
    # Kept, as text, behind the quote that stops Excel and Calc running it.
    assert _row(rows, "Scenario")[1] == "'=SUM(A1:A9) Ünïcode £ trust"


def test_dates_and_versions_are_not_mangled(calc_rows):
    rows, _, _ = calc_rows
    produced = _row(rows, "Produced")[1]
    # A date cell or ISO text are both right; a number or a day/month swap is not.
    if isinstance(produced, datetime.datetime):
        assert produced.date() == DAY
    else:
        assert produced == DAY.isoformat()
    from charityrisk import APP_NAME, __version__

    assert str(_row(rows, f"{APP_NAME} version")[1]) == __version__

