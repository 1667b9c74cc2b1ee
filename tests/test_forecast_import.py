"""Importing a charity's month-by-month cash-flow forecast (.xlsx, .csv) into budget lines."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

openpyxl = pytest.importorskip("openpyxl")

from charityrisk.cli import main  # noqa: E402
from charityrisk.model.forecast import (  # noqa: E402
    ForecastError,
    apply_forecast,
    classify,
    expand_line,
    parse_amount,
    parse_month,
    read_forecast,
    sheet_month,
)

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _xlsx(path, rows, title="Forecast", extra_sheets=()):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name, more in extra_sheets:
        other = book.create_sheet(name)
        for row in more:
            other.append(row)
    book.save(path)
    return path


def calendar_forecast(tmp_path):
    """Jan-Dec as Excel dates, income and expenditure sections, totals as (uncalculated) formulas."""
    header = ["Cash flow 2026"] + [dt.datetime(2026, m, 1) for m in range(1, 13)] + ["Total"]
    sums = [f"=SUM({c}4:{c}6)" for c in "BCDEFGHIJKLM"]
    rows = [
        ["Small Charity: cash-flow forecast"],
        header,
        ["Income"],
        ["Core grant"] + [2000] * 12 + ["=SUM(B4:M4)"],
        ["Donations"] + [100, 250, None, None, 300, None, None, None, None, None, None, None],
        ["Quarterly contract"] + [None, None, 1500] * 4,
        ["Total income"] + sums,
        [],
        ["Expenditure"],
        ["Salaries"] + [3000] * 12,
        ["Insurance"] + [None, None, None, 1200] + [None] * 8,
        ["Total expenditure"] + [f"=SUM({c}10:{c}11)" for c in "BCDEFGHIJKLM"],
        ["Net cash flow"] + [f"={c}7-{c}12" for c in "BCDEFGHIJKLM"],
    ]
    return _xlsx(tmp_path / "calendar.xlsx", rows)


def april_forecast(tmp_path):
    """NCVO-style: April start as "Apr-26" text, opening balance, receipts and payments, closing."""
    labels = ["Apr-26", "May-26", "Jun-26", "Jul-26", "Aug-26", "Sep-26", "Oct-26", "Nov-26",
              "Dec-26", "Jan-27", "Feb-27", "Mar-27"]
    rows = [
        ["Cash-flow forecast 2026/27"],
        [],
        ["", *labels],
        ["Opening balance", 25000] + [f"={c}20" for c in "BCDEFGHIJKL"],
        ["Receipts"],
        ["Local authority grant"] + [4000] * 6 + [None] * 6,
        ["Christmas appeal"] + [None] * 8 + [6000, None, None, None],
        ["Trust grant (annual)"] + [12000] + [None] * 11,
        ["Total receipts"] + ["=SUM(B6:B8)"] * 12,
        ["Payments"],
        ["Rent"] + [None, None, 2400] * 4,
        ["Staff"] + [5000] * 12,
        ["Total payments"] + ["=SUM(B11:B12)"] * 12,
        ["Closing balance"] + ["=B4+B9-B13"] * 12,
    ]
    return _xlsx(tmp_path / "april.xlsx", rows, title="Cash flow")


CSV_TEXT = (
    "Forecast,April 2026,May 2026,June 2026,July 2026,August 2026,September 2026\r\n"
    "Balance b/f,\"£12,500.00\",,,,,\r\n"
    "INCOME,,,,,,\r\n"
    "Fees,\"£1,250.00\",\"£1,250.00\",\"£1,250.00\",\"£1,250.00\",\"£1,250.00\",\"£1,250.00\"\r\n"
    "Events,-,\"£2,000\",-,-,\"£3,500\",-\r\n"
    "Total income,\"£1,250.00\",\"£3,250.00\",\"£1,250.00\",\"£1,250.00\",\"£4,750.00\",\"£1,250.00\"\r\n"
    "COSTS,,,,,,\r\n"
    "Rent,(800),(800),(800),(800),(800),(800)\r\n"
    "Printer,,,\"£1,999.99\",,,\r\n"
    "Net cash flow,450,\"2,450\",(1549.99),450,\"3,950\",450\r\n"
)


def csv_forecast(tmp_path, text=CSV_TEXT, encoding="utf-8-sig", name="export.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def by_name(forecast):
    return {line["name"]: line for line in forecast.lines}


def months_of(forecast, name, months):
    """The imported lines called ``name``, month by month over ``months`` months."""
    out = [0.0] * months
    for line in forecast.lines:
        if line["name"] == name:
            out = [a + b for a, b in zip(out, expand_line(line, months))]
    return out


def kept(forecast, name, sheet, after=24):
    """The lines called ``name`` give the sheet's months (blanks as 0) and then its last 12 months
    repeating (or, under 12 months, the sheet again), to the half penny."""
    amounts = [a or 0 for a in sheet]
    months = len(amounts) + after
    want = [sheet_month(amounts, m) for m in range(1, months + 1)]
    return months_of(forecast, name, months) == pytest.approx(want, abs=0.005)


# --- the three layouts ---------------------------------------------------------------------

def test_calendar_layout_with_totals(tmp_path):
    f = read_forecast(calendar_forecast(tmp_path))
    assert f.sheet == "Forecast" and f.months == 12
    assert f.first_calendar_month == 1 and f.first_year == 2026
    assert f.month_labels[0] == "January 2026" and f.horizon_months == 12
    assert f.opening_balance is None
    lines = by_name(f)
    assert lines["Core grant"] == {"name": "Core grant", "kind": "income", "amount": 2000, "start_month": 1,
                                   "every_months": 1, "growth_per_year": 0, "probability": 1}
    assert lines["Salaries"]["kind"] == "cost" and lines["Salaries"]["amount"] == 3000
    # rows whose months differ are kept month by month (version 3), a year that repeats
    quarterly = lines["Quarterly contract"]
    assert quarterly["monthly_amounts"] == [0, 0, 1500] * 4 and quarterly["start_month"] == 1
    assert "end_month" not in quarterly and "amount" not in quarterly  # carries on after the sheet
    assert kept(f, "Quarterly contract", [None, None, 1500] * 4)
    yearly = lines["Insurance"]
    assert yearly["kind"] == "cost" and kept(f, "Insurance", [None, None, None, 1200] + [None] * 8)
    donations = lines["Donations"]  # irregular: one line, exact in every month
    assert donations["kind"] == "income" and donations["growth_per_year"] == 0
    assert kept(f, "Donations", [100, 250, None, None, 300] + [None] * 7)
    # totals skipped, named in the notes; nothing called total imported
    assert not any("total" in line["name"].lower() or "net" in line["name"].lower() for line in f.lines)
    assert any("Row 7 'Total income' skipped" in note for note in f.notes)
    assert any("Row 13 'Net cash flow' skipped" in note for note in f.notes)
    assert len(f.lines) == len(f.sources) == 5
    assert [s.row for s in f.sources if s.label == "Donations"] == [5]
    assert f.first_month == "2026-01"


def test_april_layout_with_opening_balance(tmp_path):
    f = read_forecast(april_forecast(tmp_path))
    assert f.sheet == "Cash flow"
    assert (f.first_calendar_month, f.first_year) == (4, 2026)
    assert f.month_labels[-1] == "March 2027"
    assert f.opening_balance == 25000
    lines = by_name(f)
    # a whole year kept month by month: each row's year repeats after March 2027
    assert kept(f, "Local authority grant", [4000] * 6 + [None] * 6)
    assert kept(f, "Christmas appeal", [None] * 8 + [6000, None, None, None])
    assert kept(f, "Trust grant (annual)", [12000] + [None] * 11)
    assert lines["Rent"]["kind"] == "cost" and kept(f, "Rent", [None, None, 2400] * 4)
    assert f.first_month == "2026-04"
    assert lines["Staff"]["kind"] == "cost"
    assert set(lines) == {"Local authority grant", "Christmas appeal", "Trust grant (annual)", "Rent", "Staff"}
    assert any("opening reserves" in note for note in f.notes)
    assert any("'Closing balance' skipped" in note for note in f.notes)


def test_csv_export_with_pound_signs_separators_and_brackets(tmp_path):
    f = read_forecast(csv_forecast(tmp_path))
    assert f.sheet == "export.csv" and f.months == 6 and f.first_calendar_month == 4
    assert f.opening_balance == 12500
    lines = by_name(f)
    assert lines["Fees"]["amount"] == 1250 and lines["Fees"]["every_months"] == 1
    rent = lines["Rent"]  # costs written in brackets are costs, not refunds
    assert (rent["kind"], rent["amount"], rent["every_months"]) == ("cost", 800, 1)
    # six months kept as they are; after the sheet they repeat as they are (said in the notes)
    assert kept(f, "Printer", [None, None, 1999.99, None, None, None])
    assert kept(f, "Events", [None, 2000, None, None, 3500, None])
    assert f.horizon_months == 12
    assert any("covers 6 months" in note for note in f.notes)
    (note,) = [note for note in f.notes if "repeat as they are" in note]  # one note, naming the rows
    assert note.startswith("Rows kept month by month ('Events', 'Printer'): the sheet has 6 months")


def test_csv_semicolons_in_windows_encoding(tmp_path):
    text = CSV_TEXT.replace(",", ";").replace("£1;250.00", "£1.250,00")  # placeholder, fixed below
    text = ("Line;Month 1;Month 2;Month 3\r\n"
            "Receipts;;;\r\n"
            "Donations;£1000;£1000;£1000\r\n"
            "Payments;;;\r\n"
            "Café rent;£500;£500;£500\r\n")
    f = read_forecast(csv_forecast(tmp_path, text, encoding="cp1252"))
    assert f.first_calendar_month is None and f.month_labels == ["Month 1", "Month 2", "Month 3"]
    assert by_name(f)["Café rent"] == {"name": "Café rent", "kind": "cost", "amount": 500, "start_month": 1,
                                       "every_months": 1, "growth_per_year": 0, "probability": 1}
    assert by_name(f)["Donations"]["amount"] == 1000


def test_yearly_row_seen_twice_in_a_two_year_forecast(tmp_path):
    header = [""] + [f"{MONTHS[m % 12]} {2026 + m // 12}" for m in range(24)]
    appeal = [None] * 24
    appeal[11] = appeal[23] = 5000
    one_off = [None] * 24
    one_off[3] = 7000
    rows = [header, ["Income"], ["December appeal"] + appeal, ["Expenditure"], ["New van"] + one_off]
    f = read_forecast(_xlsx(tmp_path / "two.xlsx", rows))
    assert kept(f, "December appeal", appeal)  # every December, after the sheet too
    assert kept(f, "New van", one_off)  # in the first year only: not in the repeated year
    van = [line for line in f.lines if line["name"] == "New van"]
    assert [(v["start_month"], v.get("end_month"), v["kind"]) for v in van] == [(1, 12, "cost")]
    assert f.horizon_months == 24


def test_many_irregular_amounts_become_one_line_exact_in_every_month(tmp_path):
    values = [120, 340, 90, 410, 230, 150, 600, 80, 95.5, 310, 220, 700.01]
    rows = [[""] + MONTHS, ["Income"], ["Shop takings"] + values]
    f = read_forecast(_xlsx(tmp_path / "shop.xlsx", rows))
    assert len(f.lines) == 1
    line = f.lines[0]  # no longer a steady average: the sheet's own months, no growth
    assert line["monthly_amounts"] == values and line["start_month"] == 1 and "end_month" not in line
    assert line["growth_per_year"] == 0 and line["every_months"] == 1
    assert f.sources[0].how == "month by month, as the sheet"
    assert kept(f, "Shop takings", values)
    assert not any("varies from month to month" in note for note in f.notes)


# --- bad sheets ----------------------------------------------------------------------------

def test_bad_cell_names_sheet_row_and_column(tmp_path):
    rows = [[""] + MONTHS, ["Income"], ["Grant"] + [1000] * 12, ["Fees", 10, 10, "abc"] + [10] * 9]
    with pytest.raises(ForecastError) as caught:
        read_forecast(_xlsx(tmp_path / "bad.xlsx", rows))
    error = caught.value
    assert (error.sheet, error.row, error.column) == ("Forecast", 4, "D")
    assert "'abc' is not an amount of money" in error.reason
    assert error.message.startswith("sheet 'Forecast', row 4, column D: ")


def test_bad_cell_in_csv(tmp_path):
    text = "Item,Jan,Feb\nIncome,,\nGrant,100,1OO\n"
    with pytest.raises(ForecastError) as caught:
        read_forecast(csv_forecast(tmp_path, text, encoding="utf-8"))
    assert (caught.value.row, caught.value.column) == (3, "C")


def test_formula_without_a_saved_value_in_a_line_asks_to_save_in_excel(tmp_path):
    rows = [[""] + MONTHS, ["Income"], ["Grant"] + [1000] * 11 + ["=L3*1.1"]]
    with pytest.raises(ForecastError) as caught:
        read_forecast(_xlsx(tmp_path / "formula.xlsx", rows))
    assert (caught.value.row, caught.value.column) == (3, "M")
    assert "never saved" in caught.value.reason and "save it" in caught.value.reason


def test_no_month_headings(tmp_path):
    with pytest.raises(ForecastError) as caught:
        read_forecast(_xlsx(tmp_path / "list.xlsx", [["Name", "Amount"], ["Grant", 100]], title="Budget"))
    assert caught.value.sheet == "Budget" and "month headings" in caught.value.reason


def test_the_sheet_with_months_is_found_when_another_is_active(tmp_path):
    path = _xlsx(tmp_path / "two_sheets.xlsx", [["Notes about this workbook"]], title="Read me",
                 extra_sheets=[("Cash flow", [[""] + MONTHS, ["Income"], ["Grant"] + [500] * 12])])
    f = read_forecast(path)
    assert f.sheet == "Cash flow" and by_name(f)["Grant"]["amount"] == 500


# --- cells and rows ------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("£1,234.50", 1234.5), ("1,234", 1234), ("(800)", -800), ("(£1,000.00)", -1000), ("-", 0),
    ("", 0), (None, 0), ("–", 0), ("-250", -250), ("£-250", -250), ("1 234", 1234), (42, 42),
    (" £ 12 ", 12), ("250-", -250),
])
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["abc", "1,23", "12.3.4", "£", "1e5", True, "nan"])
def test_parse_amount_refuses(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("text, expected", [
    ("Apr", ("calendar", None, 4)), ("April 2026", ("calendar", 2026, 4)), ("Apr-26", ("calendar", 2026, 4)),
    ("Sept", ("calendar", None, 9)), ("2026-04", ("calendar", 2026, 4)), ("01/04/2026", ("calendar", 2026, 4)),
    ("Month 1", ("index", None, 1)), ("M12", ("index", None, 12)), (dt.date(2027, 3, 1), ("calendar", 2027, 3)),
    ("Total", None), ("Notes", None), (2026, None),
])
def test_parse_month(text, expected):
    assert parse_month(text) == expected


def _expand(pieces, n):
    """The domain.md rule: a payment in month m is amount x (1 + growth) ^ floor((m - start) / 12)."""
    months = [0.0] * n
    for p in pieces:
        last = n if p.end is None else p.end
        for m in range(p.start, last + 1, p.every):
            months[m - 1] += p.amount * (1 + p.growth) ** ((m - p.start) // 12)
    return months


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0, 0, 0, 100, 250.5, 1000]), min_size=2, max_size=36))
def test_pieces_reproduce_the_row_exactly_when_not_averaged(values):
    pieces = classify(values, max_one_offs=len(values))
    assert all(p.how != "average of a varying row" for p in pieces)
    assert _expand(pieces, len(values)) == pytest.approx(values, abs=0.51)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 11), st.integers(13, 36), st.integers(100, 9000), st.sampled_from([0.02, 0.03, -0.1, 0.25]))
def test_a_row_that_steps_up_each_year_is_one_line_with_growth(start, n, amount, growth):
    values = [0] * start + [round(amount * (1 + growth) ** ((m - start) // 12)) for m in range(start, n)]
    if len(set(values[start:])) < 2:
        return  # under a year of it: a steady row, tested elsewhere
    pieces = classify(values)
    assert len(pieces) == 1 and pieces[0].start == start + 1 and pieces[0].every == 1
    assert pieces[0].growth == pytest.approx(growth, abs=0.006)
    assert _expand(pieces, n) == pytest.approx(values, abs=1.01, rel=0.001)


def test_growth_in_a_three_year_forecast(tmp_path):
    header = [""] + [f"Month {m}" for m in range(1, 37)]
    salaries = [3000] * 12 + [3090] * 12 + [3182.70] * 12
    f = read_forecast(_xlsx(tmp_path / "three.xlsx", [header, ["Costs"], ["Salaries"] + salaries]))
    # the sheet's own pay rises, kept to the penny (no fitted growth rate); year 3 repeats
    base = {"name": "Salaries", "kind": "cost", "every_months": 1, "growth_per_year": 0, "probability": 1}
    assert f.lines == [{**base, "monthly_amounts": salaries[:24], "start_month": 1, "end_month": 24},
                       {**base, "monthly_amounts": salaries[24:], "start_month": 25}]
    assert kept(f, "Salaries", salaries)
    assert f.horizon_months == 36
    assert f.first_month is None  # "Month 1" headings say no calendar month


def test_apply_forecast_replaces_the_budget_and_keeps_contracts(tmp_path, example):
    f = read_forecast(april_forecast(tmp_path))
    s = apply_forecast(example, f)
    assert s.contracts == example.contracts
    assert s.organisation.opening_reserves == 25000
    assert s.organisation.monthly_core_costs == 0 and s.organisation.monthly_other_income.high == 0
    assert [b.name for b in s.organisation.budget] == [line["name"] for line in f.lines]
    staff = next(b for b in s.organisation.budget if b.name == "Staff")
    assert staff.kind == "cost" and staff.amount.likely == 5000 and staff.end_month is None
    assert s.horizon_months >= example.horizon_months


# --- the command ---------------------------------------------------------------------------

def test_command_writes_a_version_3_scenario_and_leaves_the_forecast_alone(tmp_path, capsys):
    forecast = april_forecast(tmp_path)
    os.utime(forecast, (1_700_000_000, 1_700_000_000))
    before = (forecast.read_bytes(), forecast.stat().st_mtime_ns)
    out = tmp_path / "scenario.json"
    assert main(["import", str(forecast), "-o", str(out)]) == 0
    assert (forecast.read_bytes(), forecast.stat().st_mtime_ns) == before
    data = json.loads(out.read_text("utf-8"))
    assert data["format"] == "charityrisk-scenario" and data["version"] == 3  # the app writes version 3
    assert data["contracts"] == [] and data["horizon_months"] == 12 and data["name"] == "april"
    org = data["organisation"]
    assert org["opening_reserves"] == 25000 and org["monthly_core_costs"] == 0
    assert org["budget"] == read_forecast(forecast).lines
    assert data["first_month"] == "2026-04"
    printed = capsys.readouterr().out
    assert "2 cost lines" in printed and "£25,000.00" in printed and str(out) in printed


def test_command_output_loads_as_a_scenario(tmp_path):
    from charityrisk.model import fileformat, load_scenario

    if fileformat.FORMAT_VERSION < 2:
        pytest.skip("this branch's reader is still version 1")
    out = tmp_path / "s.json"
    assert main(["import", str(calendar_forecast(tmp_path)), "-o", str(out)]) == 0
    s = load_scenario(out)
    assert len(s.organisation.budget) == 5 and s.contracts == ()
    assert s.first_month == "2026-01"


def test_command_bad_cell_is_one_line_naming_sheet_row_column(tmp_path, capsys):
    rows = [[""] + MONTHS, ["Expenditure"], ["Rent", 10, 10, 10, 10, "abc"] + [10] * 7]
    path = _xlsx(tmp_path / "bad.xlsx", rows)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    out = tmp_path / "out.json"
    assert main(["import", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "sheet 'Forecast', row 3, column F" in err and "'abc'" in err
    assert not out.exists()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_command_refuses_to_write_over_the_forecast(tmp_path, capsys):
    path = csv_forecast(tmp_path)
    before = path.read_bytes()
    assert main(["import", str(path), "-o", str(path)]) == 2
    assert path.read_bytes() == before
    assert "the forecast itself" in capsys.readouterr().err


def test_command_missing_file(tmp_path, capsys):
    assert main(["import", str(tmp_path / "nope.xlsx"), "-o", str(tmp_path / "s.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_section_totals_are_checked_against_the_imported_lines(tmp_path):
    f = read_forecast(csv_forecast(tmp_path))  # its Total income row agrees with the lines
    assert not any(note.startswith("Check:") for note in f.notes)
    # a row outside any heading is skipped, so the total no longer agrees: say so
    text = CSV_TEXT.replace("INCOME,,,,,,\r\nFees,", "Fees,").replace("\r\nEvents", "\r\nINCOME,,,,,,\r\nEvents")
    f = read_forecast(csv_forecast(tmp_path, text, name="moved.csv"))
    assert any("'Fees' is not under an Income or Expenditure heading" in n for n in f.notes)
    check = [note for note in f.notes if note.startswith("Check:")]
    assert check == ["Check: row 6 'Total income' says £1,250.00 in April 2026, but the imported "
                     "income lines add up to £0.00 there (and 5 other months).",
                     "Check: row 10 'Net cash flow' says £450.00 in April 2026, but the imported "
                     "income less cost lines add up to £800.00 there (and 5 other months)."]
    assert [(c.row, c.differences) for c in f.differences] == [(6, [0, 1, 2, 3, 4, 5]), (10, [0, 1, 2, 3, 4, 5])]


_cells = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from(["Income", "Costs", "Total", "Opening balance", "Apr", "May", "Jun",
                                    "Month 1", "Month 2", "-", "(12)", "£1,000", "abc", "", "=A1"]),
                   st.text(max_size=8))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_cells, max_size=8), max_size=12))
def test_any_grid_reads_or_gives_a_placed_error(grid):
    from charityrisk.model.forecast import read_grid

    try:
        f = read_grid("Sheet1", grid)
    except ForecastError as error:
        assert error.sheet == "Sheet1" and error.message.startswith("sheet 'Sheet1'")
        return
    assert len(f.lines) == len(f.sources)
    for line in f.lines:
        assert ("amount" in line) != ("monthly_amounts" in line)  # one or the other (version 3)
        amounts = line.get("monthly_amounts") or [line["amount"]]
        assert line["kind"] in ("income", "cost") and all(0 <= a <= 1e10 for a in amounts)
        assert 1 <= line["start_month"] <= line.get("end_month", line["start_month"])
        assert 1 <= line["every_months"] <= 12
    for kind in ("income", "cost"):  # every month of the sheet kept, to the half penny
        assert f.imported_totals(kind) == pytest.approx(f.sheet_totals(kind), abs=0.005)


def test_month_headings_as_unsaved_formulas_ask_to_save_in_excel(tmp_path):
    header = ["", dt.datetime(2026, 4, 1)] + [f"=EDATE({c}1,1)" for c in "BCDEFGHIJK"]
    path = _xlsx(tmp_path / "edate.xlsx", [header, ["Income"], ["Grant"] + [100] * 12])
    with pytest.raises(ForecastError) as caught:
        read_forecast(path)
    assert "month headings" in caught.value.reason and "never saved" in caught.value.reason


def test_command_sheet_option(tmp_path, capsys):
    path = _xlsx(tmp_path / "book.xlsx", [[""] + MONTHS, ["Income"], ["Grant"] + [100] * 12], title="2026",
                 extra_sheets=[("2027", [[""] + MONTHS, ["Income"], ["Grant"] + [200] * 12])])
    out = tmp_path / "s.json"
    assert main(["import", str(path), "-o", str(out), "--sheet", "2027"]) == 0
    assert json.loads(out.read_text("utf-8"))["organisation"]["budget"][0]["amount"] == 200
    assert main(["import", str(path), "-o", str(tmp_path / "t.json"), "--sheet", "2028"]) == 2
    assert "sheet '2028': the workbook has no such sheet (it has 2026, 2027)" in capsys.readouterr().err


# --- end to end: the sheet, month by month, through the simulation --------------------------

@pytest.mark.parametrize("months", [12, 18, 24])
def test_the_simulated_budget_equals_the_sheet_month_by_month_and_then_repeats(tmp_path, months):
    """A workbook whose rows vary by month, imported by the command, loaded and simulated with
    no uncertainty: mean income and costs are the sheet's in each of its months, then each row's
    last 12 months again (a sheet of 18 months repeats October to September)."""
    from dataclasses import replace

    from charityrisk.engine import simulate
    from charityrisk.model import load_scenario

    first = dt.date(2026, 4, 1)  # April to March, as many charities' years run
    header = ["Cash flow"] + [f"{MONTHS[(3 + m) % 12]} {2026 + (3 + m) // 12}" for m in range(months)]
    calendar = [(3 + m) % 12 + 1 for m in range(months)]
    donations = [2500.55 if c == 12 else 310.10 + 10 * c for c in calendar]  # December's appeal
    rent = [1800 if m % 3 == 0 else None for m in range(months)]  # quarterly, from April
    grant = [None] * months
    grant[2] = 15000  # a one-off grant in June 2026
    staff = [4200] * months
    post = [None] * 9 + [1500.5] * (months - 9)  # a new post from January 2027
    rows = [header, ["Income"], ["Donations"] + donations, ["Lottery grant"] + grant,
            ["Expenditure"], ["Rent"] + rent, ["Staff"] + staff, ["Project worker"] + post]
    out = tmp_path / "s.json"
    assert main(["import", str(_xlsx(tmp_path / "varying.xlsx", rows)), "-o", str(out)]) == 0
    s = load_scenario(out)
    assert s.first_month == f"{first.year}-{first.month:02d}"
    horizon = months + 30
    results = simulate(replace(s, horizon_months=horizon), paths=2)

    def expected(*sheet_rows):
        amounts = [sum(r[m] or 0 for r in sheet_rows) for m in range(months)]
        return [sheet_month(amounts, m) for m in range(1, horizon + 1)]

    flows = results.mean_flows_by_month
    assert list(flows["income"]) == pytest.approx(expected(donations, grant), abs=0.005)
    assert list(flows["costs"]) == pytest.approx(expected(rent, staff, post), abs=0.005)
    # the one-off grant is in June 2026 only (it is not in the last 12 months of a longer sheet)
    assert flows["income"][2] == pytest.approx(donations[2] + 15000, abs=0.005)
    assert flows["income"][14] == pytest.approx(donations[2] + (15000 if months == 12 else 0), abs=0.005)


def test_a_row_the_same_every_year_is_one_line_of_its_year(tmp_path):
    header = [""] + [f"{MONTHS[m % 12]} {2026 + m // 12}" for m in range(30)]
    appeal = [5000 if m % 12 == 11 else 200 for m in range(30)]
    changed = appeal[:29] + [999]  # the last month differs: first months listed, then the last year
    rows = [header, ["Income"], ["Appeal"] + appeal, ["Other"] + changed]
    f = read_forecast(_xlsx(tmp_path / "years.xlsx", rows))
    (line,) = [line for line in f.lines if line["name"] == "Appeal"]
    assert line["monthly_amounts"] == appeal[:12] and line["start_month"] == 1 and "end_month" not in line
    assert kept(f, "Appeal", appeal) and kept(f, "Other", changed)
    assert [line.get("end_month") for line in f.lines if line["name"] == "Other"] == [18, None]
