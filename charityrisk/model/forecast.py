"""Read a charity's month-by-month cash-flow forecast (.xlsx or .csv) into budget lines.

The layout is the one finance leads already keep (e.g. NCVO's "building a cash-flow forecast"):
one row per income or cost line, one column per month, an income section and an expenditure
section under headings, and totals / balance rows that are skipped (the opening balance is
offered as the opening reserves).  Each row becomes domain.md version 2 budget lines: a steady
row one monthly line, a quarterly or yearly row one line with ``every_months`` 3 or 12, and an
irregular row one-off lines (or, when there would be many, one steady average line).

No Qt here: the command line and the preview dialog both call ``read_forecast``.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import itertools
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

MAX_FORECAST_BYTES = 20 * 1024 * 1024
MAX_MONTHS = 120  # the scenario's longest horizon
MAX_AMOUNT = 1e10  # the model's limit on money (validation.MAX_MONEY)
HEADER_SEARCH_ROWS = 60
# More pieces than this from one irregular row become one steady average line instead.
MAX_ONE_OFFS = 6

MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FULL_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
_SHORT = {name: i + 1 for i, name in enumerate(MONTH_NAMES)}
_SHORT.update({name: i + 1 for i, name in enumerate(_FULL_NAMES)})
_SHORT["sept"] = 9

_MONTH_WORD = r"(?P<name>[a-z]+)\.?"
_YEAR = r"(?P<year>\d{4}|\d{2})"
_MONTH_PATTERNS = (
    re.compile(rf"^{_MONTH_WORD}$"),                       # Apr, April
    re.compile(rf"^{_MONTH_WORD}[\s\-/'’,]*{_YEAR}$"),     # Apr 2026, April-26, Apr '26
)
_NUMERIC_MONTH = (
    re.compile(r"^(?P<year>\d{4})[-/.](?P<month>\d{1,2})(?:[-/.]\d{1,2})?(?:[ t].*)?$"),  # 2026-04(-01)
    re.compile(r"^(?:\d{1,2}[-/.])?(?P<month>\d{1,2})[-/.](?P<year>\d{4})$"),             # (01/)04/2026
)
_MONTH_INDEX = re.compile(r"^(?:month|mth|m|period|p)\s*\.?\s*(?P<n>\d{1,3})$")

_INCOME_HEADINGS = ("income", "receipts", "revenue", "cash in", "money in", "inflows", "incoming")
_COST_HEADINGS = ("expenditure", "expenses", "costs", "payments", "cash out", "money out",
                  "outgoings", "outflows", "spending", "outgoing")
_OPENING = re.compile(r"opening|b/f|b\.f\.|brought forward|balance at start|start of month|"
                      r"cash at start|bank at start")
_TOTAL = re.compile(r"\btotals?\b|sub-?total|^net\b|\bnet cash|\bbalance\b|\bc/f\b|\bb/f\b|carried forward|"
                    r"brought forward|surplus|deficit|cumulative|movement|closing|opening|"
                    r"cash at (start|end)|bank at (start|end)")
_DASHES = {"-", "–", "—", "−", "--", "nil"}


@dataclass(frozen=True)
class ForecastError(Exception):
    """A forecast this module cannot read: where (sheet, row, column) and why."""

    sheet: str
    row: int | None
    column: str | None  # a spreadsheet column letter, as Excel shows it
    reason: str

    def __post_init__(self):
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = [f"sheet '{self.sheet}'"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.reason}"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class LineSource:
    """Where a budget line came from and how the row was read, for the preview."""

    row: int
    label: str
    how: str  # e.g. "monthly", "every 3 months", "one-off", "average of a varying row"


@dataclass
class ForecastImport:
    """What ``read_forecast`` found.  ``lines`` are domain.md budget-line dicts."""

    sheet: str
    lines: list[dict] = field(default_factory=list)
    sources: list[LineSource] = field(default_factory=list)  # one per line, same order
    month_labels: list[str] = field(default_factory=list)  # the forecast's month headings
    first_calendar_month: int | None = None  # 1 (January) to 12; None for "Month 1" headings
    first_year: int | None = None
    opening_balance: float | None = None  # None: the forecast has no opening balance row
    notes: list[str] = field(default_factory=list)

    @property
    def months(self) -> int:
        return len(self.month_labels)

    @property
    def horizon_months(self) -> int:
        """The forecast's length rounded up to whole years (12 to 120 months)."""
        return min(MAX_MONTHS, max(12, math.ceil(self.months / 12) * 12))

    def month_label(self, month: int) -> str:
        """The heading of scenario month ``month`` (1-based), or "month N" past the forecast."""
        if 1 <= month <= len(self.month_labels):
            return self.month_labels[month - 1]
        return f"month {month}"


# --- reading cells -------------------------------------------------------------------------

def column_letter(index: int) -> str:
    """0-based column index -> "A", "B", ..., "AA"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class _Uncached:
    """A formula cell whose value the spreadsheet program never saved."""

    def __init__(self, formula: str):
        self.formula = formula

    def __repr__(self) -> str:
        return f"formula {self.formula}"


def _text(value: Any) -> str:
    if value is None or isinstance(value, _Uncached):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_month(value: Any) -> tuple[str, int | None, int] | None:
    """A month heading -> ("calendar", year or None, month 1-12) or ("index", None, n); else None."""
    if isinstance(value, _dt.datetime | _dt.date):
        return ("calendar", value.year, value.month)
    if not isinstance(value, str):
        return None
    text = " ".join(value.strip().lower().split())
    if not text:
        return None
    m = _MONTH_INDEX.match(text)
    if m:
        return ("index", None, int(m.group("n")))
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(text)
        if m and m.group("name") in _SHORT:
            year = m.groupdict().get("year")
            if year is not None:
                year = int(year) + (2000 if len(year) == 2 else 0)
            return ("calendar", year, _SHORT[m.group("name")])
    for pattern in _NUMERIC_MONTH:
        m = pattern.match(text)
        if m and 1 <= int(m.group("month")) <= 12:
            return ("calendar", int(m.group("year")), int(m.group("month")))
    return None


def _follows(prev: tuple, cur: tuple) -> bool:
    if prev[0] != cur[0]:
        return False
    if prev[0] == "index":
        return cur[2] == prev[2] + 1
    if (prev[1] is None) != (cur[1] is None):
        return False
    expected_month = prev[2] % 12 + 1
    if cur[2] != expected_month:
        return False
    return prev[1] is None or cur[1] == prev[1] + (1 if prev[2] == 12 else 0)


def _month_run(row: Sequence[Any]) -> tuple[int, list[tuple]]:
    """The longest run of consecutive month headings in a row: (first column, months)."""
    best: tuple[int, list[tuple]] = (0, [])
    start = 0
    run: list[tuple] = []
    for col, value in enumerate(row):
        month = parse_month(value)
        if month is not None and run and _follows(run[-1], month):
            run.append(month)
        elif month is not None:
            start, run = col, [month]
        else:
            run = []
        if len(run) > len(best[1]):
            best = (start, list(run))
    return best


def _bare_number_run(row: Sequence[Any]) -> tuple[int, list[tuple]]:
    """A "Month | 1 | 2 | 3 ..." heading row: the numbers after a cell saying "month"."""
    for col, value in enumerate(row):
        if _text(value).lower() in ("month", "months", "month no", "month number", "period"):
            run: list[tuple] = []
            for later in row[col + 1:]:
                n = later if isinstance(later, int | float) and not isinstance(later, bool) else None
                if n is None and isinstance(later, str) and later.strip().isdigit():
                    n = int(later.strip())
                if n is None or n != len(run) + 1:
                    break
                run.append(("index", None, int(n)))
            return (col + 1, run)
    return (0, [])


def _month_label(month: tuple, raw: Any) -> str:
    if month[0] == "index":
        return f"Month {month[2]}"
    name = _FULL_NAMES[month[2] - 1].capitalize()
    return f"{name} {month[1]}" if month[1] is not None else name


def parse_amount(value: Any) -> float | None:
    """A money cell -> pounds; blanks and dashes are 0; None when it is not an amount."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if not text or text.lower() in _DASHES:
        return 0.0
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    for sign in ("-", "−", "–"):
        if text.startswith(sign) or text.endswith(sign):
            negative, text = not negative, text.strip(sign)
            break
    text = text.lstrip("£$€").rstrip("£$€")
    if text.startswith(("-", "−")):  # £-1,234
        negative, text = not negative, text[1:]
    if not re.fullmatch(r"(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|\.\d+", text):
        return None
    amount = float(text.replace(",", ""))
    return -amount if negative else amount


# --- loading a sheet into a grid of values -------------------------------------------------

def _load_xlsx(path: Path, sheet: str | None) -> list[tuple[str, list[list[Any]]]]:
    try:
        import openpyxl
    except ImportError as error:  # pragma: no cover - a dependency of the package
        raise ForecastError(path.name, None, None, "reading .xlsx files needs openpyxl") from error
    try:
        values_book = openpyxl.load_workbook(path, data_only=True, read_only=True)
        formula_book = openpyxl.load_workbook(path, data_only=False, read_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ForecastError(path.name, None, None,
                            f"this is not an Excel workbook that can be read ({error})") from None
    try:
        names = [ws.title for ws in values_book.worksheets]  # not chart sheets: they hold no cells
        if sheet is not None:
            if sheet not in names:
                raise ForecastError(sheet, None, None,
                                    f"the workbook has no such sheet (it has {', '.join(names)})")
            names = [sheet]
        else:  # the sheet open when it was saved first, then the others in order
            active = values_book.active.title if values_book.active is not None else names[0]
            names = [active] + [n for n in names if n != active]
        sheets = []
        for name in names:
            # Some programs save a wrong sheet size, which read-only mode would trust.
            values_book[name].reset_dimensions()
            formula_book[name].reset_dimensions()
            # Any: a cell whose formula was never calculated becomes an _Uncached below.
            values: list[list[Any]] = [list(r) for r in values_book[name].iter_rows(values_only=True)]
            formulas = [list(r) for r in formula_book[name].iter_rows(values_only=True)]
            for r, row in enumerate(values):
                for c, value in enumerate(row):
                    if value is None and r < len(formulas) and c < len(formulas[r]):
                        formula = formulas[r][c]
                        if isinstance(formula, str) and formula.startswith("="):
                            row[c] = _Uncached(formula)
            sheets.append((name, values))
        return sheets
    finally:
        values_book.close()
        formula_book.close()


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows


def _load_csv(path: Path) -> list[tuple[str, list[list[Any]]]]:
    text = _decode(path.read_bytes())
    sample = text[:64 * 1024]
    candidates = []
    try:
        candidates.append(csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter)
    except csv.Error:
        pass
    candidates += [d for d in (",", ";", "\t", "|") if d not in candidates]
    grids = []
    for delimiter in candidates:
        try:
            grid = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
        except csv.Error as error:
            raise ForecastError(path.name, None, None,
                                f"this is not a CSV file that can be read ({error})") from None
        grids.append((path.name, grid))
    return grids


# --- reading a forecast --------------------------------------------------------------------

def _find_header(grid: list[list[Any]]) -> tuple[int, int, list[tuple]] | None:
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        for finder in (_month_run, _bare_number_run):
            col, months = finder(row)
            if len(months) >= 2:
                return r, col, months
    return None


def _section(label: str) -> str | None:
    text = label.lower().rstrip(":").strip()
    for words, kind in ((_INCOME_HEADINGS, "income"), (_COST_HEADINGS, "cost")):
        if any(text == w or text.startswith(w + " ") or text.endswith(" " + w) for w in words):
            return kind
    return None


def _label(row: Sequence[Any], first_month_col: int) -> str:
    parts = [_text(v) for v in row[:first_month_col]]
    return " ".join(p for p in parts if p)


def _money(x: float) -> float:
    return round(x + 0.0, 2)


def _describe_months(result: ForecastImport, start: int, end: int | None) -> str:
    if end is None:
        return f"from {result.month_label(start)}"
    if start == end:
        return result.month_label(start)
    return f"{result.month_label(start)} to {result.month_label(end)}"


def _line(name: str, kind: str, piece: Piece) -> dict:
    line = {"name": name, "kind": kind, "amount": _money(piece.amount), "start_month": piece.start}
    if piece.end is not None:
        line["end_month"] = piece.end
    line.update(every_months=piece.every, growth_per_year=piece.growth, probability=1)
    return line


class Piece(NamedTuple):
    """One budget line read from a row: months count from 1; ``end`` None runs on."""

    amount: float
    start: int
    end: int | None
    every: int
    how: str
    growth: float = 0


# A forecast typed in whole pounds rounds each year's amount to the pound, so a rate fitted
# from them can miss an amount by up to about a pound.
GROWTH_TOLERANCE = 1 + 1e-9


def _yearly_growth(runs: list[tuple[float, int, int]]) -> float | None:
    """The yearly growth of back-to-back monthly runs that change every 12 months, else None."""
    if len(runs) < 2 or any(b[1] != a[2] + 1 for a, b in itertools.pairwise(runs)):
        return None
    if any(b - a + 1 != 12 for _, a, b in runs[:-1]):
        return None
    # From the first year to the last: rounding to the pound matters least over the longest span.
    growth = round((runs[-1][0] / runs[0][0]) ** (1 / (len(runs) - 1)) - 1, 4)
    if not -0.5 <= growth <= 1 or growth == 0:
        return None
    if all(abs(runs[0][0] * (1 + growth) ** k - amount) <= max(GROWTH_TOLERANCE, amount / 1000)
           for k, (amount, _, _) in enumerate(runs)):
        return growth
    return None


def _how_often(every: int) -> str:
    return {1: "monthly", 3: "quarterly", 12: "once a year"}.get(every, f"every {every} months")


def classify(values: Sequence[float], max_one_offs: int = MAX_ONE_OFFS) -> list[Piece]:
    """Non-negative monthly amounts -> Pieces (amount, start, end or None, every_months, how, growth).

    Months count from 1; ``end`` None means the piece runs to the end of the forecast and
    beyond.  A steady row is one monthly piece (with a yearly growth when it steps up or down
    by the same rate every 12 months); equal amounts at a fixed step of up to 12
    months (otherwise zero) one recurring piece; a single amount in a forecast of a year or
    less recurs yearly; anything else is split into runs of equal consecutive amounts, or,
    when that gives more than ``max_one_offs`` pieces, one steady average over its span.
    """
    n = len(values)
    amounts = [_money(v) for v in values]
    nonzero = [i for i, v in enumerate(amounts) if v != 0]
    if not nonzero:
        return []
    first, last = nonzero[0], nonzero[-1]

    def end_of(last_index: int, step: int) -> int | None:
        return None if last_index + step > n - 1 else last_index + 1

    same = len({amounts[i] for i in nonzero}) == 1
    if same and len(nonzero) == 1 and n <= 12:
        return [Piece(amounts[first], first + 1, None, 12, "once a year")]
    if same and len(nonzero) >= 2:
        steps = {b - a for a, b in itertools.pairwise(nonzero)}
        if len(steps) == 1 and (step := steps.pop()) <= 12:
            return [Piece(amounts[first], first + 1, end_of(last, step), step, _how_often(step))]
    runs: list[tuple[float, int, int]] = []  # amount, first index, last index
    for i in nonzero:
        if runs and runs[-1][2] == i - 1 and runs[-1][0] == amounts[i]:
            runs[-1] = (runs[-1][0], runs[-1][1], i)
        else:
            runs.append((amounts[i], i, i))
    growth = _yearly_growth(runs)
    if growth is not None:
        return [Piece(runs[0][0], first + 1, end_of(last, 1), 1, "monthly, growing yearly", growth)]
    if len(runs) <= max_one_offs:
        pieces = []
        for amount, a, b in runs:
            if a == b:
                pieces.append(Piece(amount, a + 1, a + 1, 1, "one-off"))
            else:
                pieces.append(Piece(amount, a + 1, end_of(b, 1), 1, "monthly"))
        return pieces
    span = amounts[first:last + 1]
    average = sum(span) / len(span)
    return [Piece(average, first + 1, end_of(last, 1), 1, "average of a varying row")]


def _split_by_sign(values: list[float], section: str) -> list[tuple[str, list[float], str]]:
    """(kind, non-negative amounts, name suffix) for a row in an income or cost section."""
    positives = [max(v, 0.0) for v in values]
    negatives = [max(-v, 0.0) for v in values]
    other = "cost" if section == "income" else "income"
    if not any(positives) and section == "cost":
        return [("cost", negatives, "")]  # costs written as negative numbers
    parts = [(section, positives, "")]
    if any(negatives):
        parts.append((other, negatives, " (refund)" if section == "cost" else " (negative)"))
    return parts


def _cell_amount(sheet: str, row_number: int, col: int, value: Any) -> float:
    if isinstance(value, _Uncached):
        raise ForecastError(sheet, row_number, column_letter(col),
                            f"the cell holds a formula ({value.formula}) whose value was never "
                            "saved; open the file in Excel or LibreOffice, save it, and import again")
    amount = parse_amount(value)
    if amount is None:
        raise ForecastError(sheet, row_number, column_letter(col),
                            f"{_text(value)[:40]!r} is not an amount of money")
    if abs(amount) > MAX_AMOUNT:
        raise ForecastError(sheet, row_number, column_letter(col),
                            f"{_text(value)[:40]} is more than £{MAX_AMOUNT:,.0f}, the most the app takes")
    return amount


def read_grid(sheet: str, grid: list[list[Any]], max_one_offs: int = MAX_ONE_OFFS) -> ForecastImport:
    """Read one sheet (rows of cell values) laid out as a cash-flow forecast."""
    found = _find_header(grid)
    if found is None:
        raise _no_header(sheet, grid)
    header_row, first_col, months = found
    result = ForecastImport(sheet=sheet)
    if len(months) > MAX_MONTHS:
        result.notes.append(f"The forecast has {len(months)} months; only the first {MAX_MONTHS} are read.")
        months = months[:MAX_MONTHS]
    result.month_labels = [_month_label(m, None) for m in months]
    if months[0][0] == "calendar":
        result.first_calendar_month, result.first_year = months[0][2], months[0][1]
    columns = range(first_col, first_col + len(months))
    section: str | None = None
    totals: list[tuple[int, str, str, list[float]]] = []
    for r in range(header_row + 1, len(grid)):
        row = grid[r]
        number = r + 1
        label = _label(row, first_col)
        cells = [row[c] if c < len(row) else None for c in columns]
        empty = all(_text(v) == "" and not isinstance(v, _Uncached) for v in cells)
        lowered = label.lower()
        if _TOTAL.search(lowered):
            if _OPENING.search(lowered) and result.opening_balance is None:
                _read_opening(result, sheet, number, label, row, first_col)
            else:
                result.notes.append(f"Row {number} '{label}' skipped as a total or balance.")
                _remember_total(totals, number, label, cells)
            continue
        if empty:
            heading = _section(label) if label else None
            if heading is not None:
                section = heading
            continue
        if not label:
            result.notes.append(f"Row {number} has figures but no name: skipped.")
            continue
        if section is None:
            result.notes.append(f"Row {number} '{label}' is not under an Income or Expenditure "
                                "heading: skipped.")
            continue
        values = [_cell_amount(sheet, number, c, v) for c, v in zip(columns, cells)]
        _add_row(result, number, label, section, values, max_one_offs)
    _check_totals(result, totals)
    if not result.lines:
        result.notes.append("No income or cost lines were found under the headings.")
    if len(months) < result.horizon_months:
        result.notes.append(f"The forecast covers {len(months)} months; the scenario looks "
                            f"{result.horizon_months} months ahead, and lines that run to the end "
                            "of the forecast carry on to the end.")
    return result


def _remember_total(totals: list, number: int, label: str, cells: list[Any]) -> None:
    """Keep a section total ("Total income") with saved values, to check the lines against."""
    words = re.sub(r"\b(total|totals|sub-?total)\b", "", label.lower()).strip(" :-")
    kind = _section(words) if words else None
    amounts = [None if isinstance(v, _Uncached) else parse_amount(v) for v in cells]
    if kind is not None and None not in amounts:
        totals.append((number, label, kind, amounts))


def monthly_amounts(forecast: ForecastImport, kind: str) -> list[float]:
    """The forecast months' total of the imported lines of one kind (growth is 0 on import)."""
    months = [0.0] * forecast.months
    for line in forecast.lines:
        if line["kind"] != kind:
            continue
        last = min(line.get("end_month") or forecast.months, forecast.months)
        for m in range(line["start_month"], last + 1, line["every_months"]):
            months[m - 1] += line["amount"]
    return months


def _check_totals(result: ForecastImport, totals: list) -> None:
    # A total that disagrees with the imported lines means a row was missed or misread; the
    # sign of a costs total varies between layouts, so either sign agrees.
    for number, label, kind, amounts in totals:
        imported = monthly_amounts(result, kind)
        for m, (want, got) in enumerate(zip(amounts, imported)):
            if abs(abs(want) - got) >= 0.005:
                result.notes.append(
                    f"Check: row {number} '{label}' says £{abs(want):,.2f} in {result.month_labels[m]}, "
                    f"but the imported {'income' if kind == 'income' else 'cost'} lines add up to "
                    f"£{got:,.2f} there.")
                break


def _read_opening(result: ForecastImport, sheet: str, number: int, label: str,
                  row: Sequence[Any], first_col: int) -> None:
    # The month-1 column holds the opening balance; some layouts put it in a column of its own
    # between the names and the months.
    for col in [first_col] + list(range(first_col - 1, -1, -1)):
        value = row[col] if col < len(row) else None
        if isinstance(value, _Uncached):
            result.notes.append(f"Row {number} '{label}': its value ({value.formula}) was never "
                                "saved by a spreadsheet program; opening reserves left at 0.")
            return
        amount = parse_amount(value)
        if _text(value) == "" or amount is None or abs(amount) > MAX_AMOUNT:
            continue
        result.opening_balance = _money(amount)
        result.notes.append(f"Row {number} '{label}': £{result.opening_balance:,.2f} offered as "
                            "the opening reserves.")
        return
    result.notes.append(f"Row {number} '{label}' has no amount in the first month: skipped.")


def _add_row(result: ForecastImport, number: int, label: str, section: str,
             values: list[float], max_one_offs: int) -> None:
    parts = _split_by_sign(values, section)
    if not any(any(v) for _, v, _ in parts):
        result.notes.append(f"Row {number} '{label}' is zero in every month: skipped.")
        return
    for kind, amounts, suffix in parts:
        if suffix:
            result.notes.append(f"Row {number} '{label}' has negative amounts under "
                                f"{(section == 'income' and 'income') or 'costs'}: read as "
                                f"{'income' if kind == 'income' else 'costs'}.")
        pieces = classify(amounts, max_one_offs)
        for piece in pieces:
            name = label + suffix
            if len(pieces) > 1:
                name += f" ({_describe_months(result, piece.start, piece.end)})"
            result.lines.append(_line(name, kind, piece))
            result.sources.append(LineSource(number, label, piece.how))
        hows = {piece.how for piece in pieces}
        if len(pieces) > 1:
            what = "one-off lines, one per month with an amount" if hows == {"one-off"} else "lines"
            result.notes.append(f"Row {number} '{label}' is irregular: imported as {len(pieces)} {what}.")
        elif hows == {"once a year"} and sum(1 for a in amounts if a) == 1:
            result.notes.append(f"Row {number} '{label}' has one amount in the year: imported as once a "
                                "year; make it a one-off in the table if it will not recur.")
        elif hows == {"monthly, growing yearly"}:
            result.notes.append(f"Row {number} '{label}' changes by {pieces[0].growth:+.1%} every 12 "
                                "months: imported as one line with that yearly growth.")
        elif hows == {"average of a varying row"}:
            span = [a for a in amounts if a]
            result.notes.append(f"Row {number} '{label}' varies from month to month (£{min(span):,.2f} "
                                f"to £{max(span):,.2f}): imported as a steady £{pieces[0].amount:,.2f} "
                                "a month with the same total; edit it if the timing matters.")


def read_forecast(path: str | os.PathLike, sheet: str | None = None,
                  max_one_offs: int = MAX_ONE_OFFS) -> ForecastImport:
    """Read a forecast file (.xlsx, .xlsm or .csv/.txt); the file is only read, never written.

    With ``sheet`` None, a workbook's active sheet is read, else the first sheet with month
    headings.  Raises ForecastError (sheet, row, column, reason) for a file or cell it cannot
    read, and OSError when the file cannot be opened.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FORECAST_BYTES:
        raise ForecastError(path.name, None, None,
                            f"the file is {size / 1e6:.0f} MB; a forecast is expected to be under "
                            f"{MAX_FORECAST_BYTES // 1_000_000} MB")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheets = _load_xlsx(path, sheet)
    elif suffix in (".csv", ".txt", ".tsv"):
        sheets = _load_csv(path)
    elif suffix == ".xls":
        raise ForecastError(path.name, None, None, "old .xls workbooks cannot be read: save it as "
                                                   ".xlsx (Excel Workbook) or .csv and import that")
    else:
        raise ForecastError(path.name, None, None, "choose an Excel workbook (.xlsx) or a CSV file")
    first_error: ForecastError | None = None
    for name, grid in sheets:
        if _find_header(grid) is None:
            continue
        try:
            return read_grid(name, grid, max_one_offs)
        except ForecastError as error:
            first_error = first_error or error
            if suffix in (".xlsx", ".xlsm"):
                raise
    if first_error is not None:
        raise first_error
    if not sheets:
        raise ForecastError(path.name, None, None, "the workbook has no sheets with cells")
    raise _no_header(*sheets[0])


def _no_header(sheet: str, grid: list[list[Any]]) -> ForecastError:
    reason = "no row of month headings found (such as Apr, May, Jun or Month 1, Month 2)"
    if any(isinstance(v, _Uncached) for row in grid[:HEADER_SEARCH_ROWS] for v in row):
        reason += ("; some cells hold formulas whose values were never saved: open the file in "
                   "Excel or LibreOffice, save it, and import again")
    return ForecastError(sheet, None, None, reason)


# --- into a scenario -----------------------------------------------------------------------

def budget_lines(forecast: ForecastImport):
    """The forecast's lines as model BudgetLine objects."""
    from .scenario import BudgetLine, Uncertain

    return tuple(BudgetLine(name=line["name"], kind=line["kind"], amount=Uncertain.fixed(line["amount"]),
                            start_month=line["start_month"], end_month=line.get("end_month"),
                            every_months=line["every_months"], growth_per_year=line["growth_per_year"],
                            probability=line["probability"])
                 for line in forecast.lines)


def apply_forecast(scenario, forecast: ForecastImport):
    """The scenario with its own budget replaced by the forecast's (contracts kept).

    The forecast is the charity's whole budget, so the flat other income and core costs become
    0 (else they would be counted twice); the opening balance, when the forecast has one,
    becomes the opening reserves; the horizon grows to cover the forecast if it is shorter.
    Month 1 becomes the forecast's first month.
    """
    from dataclasses import replace

    from .scenario import Uncertain

    org = scenario.organisation
    org = replace(org, budget=budget_lines(forecast), monthly_other_income=Uncertain.fixed(0.0),
                  monthly_core_costs=0.0,
                  opening_reserves=(org.opening_reserves if forecast.opening_balance is None
                                    else forecast.opening_balance))
    return replace(scenario, organisation=org,
                   horizon_months=max(scenario.horizon_months, forecast.horizon_months))
