"""Read a charity's month-by-month cash-flow forecast (.xlsx or .csv) into budget lines.

The layout is the one finance leads already keep (NCVO's "building a cash-flow forecast", a
bank's start-up template, a business plan's yearly sheets): one row per income or cost line,
one column per month, an income section and an expenditure section under headings (which may
stand in the month-heading row itself), and total, net, profit and balance rows, which are
recognised and never imported as lines (the opening balance, or a pre-start column, is offered
as the opening reserves).

Every row is kept exactly as the sheet has it (``ImportedRow.amounts``, one signed amount per
forecast month); the preview and the self-check against the sheet's own total rows use those.
The budget lines written into a scenario come from ONE function, ``line_from_row``: today
(scenario version 2) a steady row is one monthly line, a quarterly or yearly row one line with
``every_months`` 3 or 12, a row growing by a steady rate each year one line with growth, and
an irregular row one-off lines (or, when there would be many, one steady average line, which
the self-check then reports as differing from the sheet).

Reading is bounded (``MAX_ROWS``, ``MAX_COLUMNS``, ``MAX_CELLS``, ``MAX_FILE_CELLS``, ``MAX_TEXT``, the file's
size and its unpacked size) and streams workbooks in openpyxl's read-only mode.

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
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

MAX_FORECAST_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a workbook is a zip: what it holds, unpacked
MAX_LOADED_PART_BYTES = 10 * 1024 * 1024  # a part read whole (shared strings, styles), unpacked
MAX_ROWS = 2000  # rows read from a sheet
MAX_COLUMNS = 400  # columns read from a sheet (ten years of months with room to spare)
MAX_CELLS = 200_000  # non-empty cells read from one sheet (a forecast has a few thousand)
MAX_FILE_CELLS = 400_000  # ... and from the whole file (a ledger sheet beside it is passed over)
MAX_TEXT = 1000  # characters kept from one cell
MAX_SHEETS = 60
MAX_MONTHS = 120  # the scenario's longest horizon
MAX_NAME = 200  # the longest name a scenario holds (fields.MAX_TEXT)
MAX_AMOUNT = 1e10  # the model's limit on money (validation.MAX_MONEY)
HEADER_SEARCH_ROWS = 60
# More pieces than this from one irregular row become one steady average line instead.
MAX_ONE_OFFS = 6
HALF_PENNY = 0.005

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
# A word that stands where a month heading would, in a language or spelling not known here.
_MONTH_LIKE = re.compile(r"^[^\W\d_]{3,10}\.?(?:[\s\-/'’,]*(?:\d{4}|\d{2}))?$")

_INCOME_HEADINGS = ("income", "receipts", "revenue", "revenues", "cash in", "money in", "inflows",
                    "inflow", "incoming", "incoming resources", "cash receipts", "funds in")
_COST_HEADINGS = ("expenditure", "expenses", "costs", "payments", "cash out", "money out",
                  "outgoings", "outflows", "outflow", "spending", "outgoing", "cash payments",
                  "resources expended", "funds out", "disbursements")
_BALANCE_WORD = r"(balance|cash|bank|position|funds|reserves|total|figure)"
_OPENING = re.compile(rf"^opening$|opening {_BALANCE_WORD}|\bb/f\b|\bb\.f\.|\bb/fwd\b|brought forward|"
                      r"brought fwd|balance at (the )?start|start of (the )?month|cash at start|bank at start|"
                      r"cash at beginning|beginning of (the )?month|starting (cash|balance)")
_CLOSING = re.compile(rf"^closing$|closing {_BALANCE_WORD}|\bc/f\b|\bc/fwd\b|carried forward|carried fwd|"
                      r"cash at end|bank at end|end of (the )?month|balance at (the )?end|ending (cash|balance)|"
                      r"cash position|bank balance|cumulative")
# Rows that add up others or carry a balance: never lines.  (Bare words that also name real
# lines, "check" in "DBS checks", "opening" in "opening event", "non-profit", are not enough.)
_TOTAL = re.compile(r"\btotals?\b|sub-?totals?|\bnet\b(?!\s+(pay|wages?|salar))|\bbalances?\b|"
                    r"\bc/f\b|\bb/f\b|\bc/fwd\b|\bb/fwd\b|carried forward|brought forward|"
                    r"carried fwd|brought fwd|surplus|deficit|cumulative|^movement|movement in|"
                    r"(cash|net|fund|funds) movement|"
                    rf"^closing$|closing {_BALANCE_WORD}|^opening$|opening {_BALANCE_WORD}|"
                    r"(?<![-\w])profits?\b|\blosses\b|\b(gross|operating|net) loss\b|\bebitda?\b|"
                    r"cash at (start|end|beginning)|bank at (start|end)|cash position|start of (the )?month|"
                    r"end of (the )?month|^sum\b|^variance\b|^difference\b|^check\b|^running\b")
_NET = re.compile(r"^net( cash)?( flow| ?flow| movement| inflow| outflow| change| in/\(?out\)?)?"
                  r"( for the month| in month| this month)?$|^surplus|^deficit|^net cash|"
                  r"^cash ?flow for the month|^monthly net")
_PRESTART = re.compile(r"pre-?start|pre-?trading|opening|^start(ing)?$|^month 0$|^m0$|brought forward|"
                       r"\bb/f\b|^now$|^at start|^before")
_YEARLY_SHEET = re.compile(r"^(?:year|yr|y)\s*[-_ ]?\s*(\d{1,2})$|^(?:fy\s*)?(\d{4})(?:\s*[-/]\s*\d{2,4})?$")
_DASHES = {"-", "–", "—", "−", "--", "nil", "n/a", "na"}


class ImportCancelled(Exception):
    """The user pressed Cancel while the forecast was being read."""


@dataclass(eq=False)
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


class FileRefused(ForecastError):
    """The file is not something this import reads (an .xls or .ods renamed, UTF-16 text, a
    password-protected workbook): the message says what it is and what to do."""

    def __init__(self, name: str, reason: str):
        super().__init__(name, None, None, reason)

    @property
    def message(self) -> str:
        return self.reason  # about the file as a whole: whoever shows it names the file


@dataclass(frozen=True)
class LineSource:
    """Where a budget line came from and how the row was read, for the preview."""

    row: int
    label: str
    how: str  # "monthly" (one steady amount) or "month by month, as the sheet" (a list)
    sheet: str = ""


@dataclass
class ImportedRow:
    """One income or cost row exactly as the sheet has it."""

    sheet: str
    row: int  # the sheet's row number (in the first sheet that has it, for yearly sheets)
    label: str
    section: str  # "income" or "cost": the heading it stood under
    amounts: list[float]  # signed, one per forecast month, as typed (never rounded here)

    @property
    def parts(self) -> list[tuple[str, list[float], str]]:
        """(kind, non-negative amounts, name suffix): a row may hold income and refunds."""
        return _split_by_sign(self.amounts, self.section)

    def signed(self) -> list[float]:
        """Income positive, costs negative, month by month."""
        out = [0.0] * len(self.amounts)
        for kind, amounts, _ in self.parts:
            sign = 1 if kind == "income" else -1
            for m, a in enumerate(amounts):
                out[m] += sign * a
        return out


@dataclass
class TotalRow:
    """A total, subtotal or net row of the sheet: never a line, checked against the lines."""

    sheet: str
    row: int
    label: str
    kind: str | None  # "income", "cost", "net", or None (not checked: profit, balance...)
    amounts: list[float | None]  # None: a month whose value the sheet does not hold
    block: list[int] = field(default_factory=list)  # rows since the last heading or total
    section: list[int] = field(default_factory=list)  # rows of its whole section (by kind)


@dataclass(frozen=True)
class OpeningCandidate:
    cell: str  # "sheet 'Cash flow' B4"
    amount: float
    what: str  # "the opening balance row", "the pre-start column"


@dataclass(frozen=True)
class TotalCheck:
    """The imported lines against one of the sheet's total rows, month by month."""

    row: int
    label: str
    kind: str
    sheet_amounts: list[float | None]
    imported: list[float]
    differences: list[int]  # 0-based months that differ by half a penny or more
    sheet: str = ""


@dataclass(frozen=True)
class LineChoice:
    """What the user chose in the preview for one line: keep it or leave it out, its chance of
    happening, and how far its amounts could be off (low and high as shares of the sheet's
    amounts: 0.9 and 1.1 are 10% either way)."""

    include: bool = True
    probability: float = 1.0
    low: float = 1.0
    high: float = 1.0


@dataclass
class ForecastImport:
    """What ``read_forecast`` found.  ``lines`` are budget-line dicts as files hold them (docs/model.md, 4-5)."""

    sheet: str
    lines: list[dict] = field(default_factory=list)
    sources: list[LineSource] = field(default_factory=list)  # one per line, same order
    month_labels: list[str] = field(default_factory=list)  # the forecast's month headings
    first_calendar_month: int | None = None  # 1 (January) to 12; None for "Month 1" headings
    first_year: int | None = None
    opening_balance: float | None = None  # None: no opening balance, or two that disagree
    notes: list[str] = field(default_factory=list)
    rows: list[ImportedRow] = field(default_factory=list)  # every row read, exactly
    totals: list[TotalRow] = field(default_factory=list)
    checks: list[TotalCheck] = field(default_factory=list)
    opening_candidates: list[OpeningCandidate] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)  # more than one: yearly sheets read as one
    decimal: str = "."
    # Where each sheet starts among the months, and which row each sheet row was merged into.
    offsets: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    row_at: dict[tuple[str, int], ImportedRow] = field(default_factory=dict, repr=False, compare=False)

    @property
    def months(self) -> int:
        return len(self.month_labels)

    @property
    def horizon_months(self) -> int:
        """The forecast's length rounded up to whole years (12 to 120 months)."""
        return min(MAX_MONTHS, max(12, math.ceil(self.months / 12) * 12))

    @property
    def first_month(self) -> str | None:
        """The scenario's ``first_month`` (docs/model.md, 5) ("YYYY-MM") from the headings, when they say the year."""
        if self.first_calendar_month is None or self.first_year is None:
            return None
        return f"{self.first_year:04d}-{self.first_calendar_month:02d}"

    @property
    def opening_conflict(self) -> bool:
        """Two places in the sheet give different opening balances: the user must choose."""
        amounts = [c.amount for c in self.opening_candidates]
        return bool(amounts) and max(amounts) - min(amounts) >= HALF_PENNY

    @property
    def differences(self) -> list[TotalCheck]:
        return [c for c in self.checks if c.differences]

    def month_label(self, month: int) -> str:
        """The heading of scenario month ``month`` (1-based), or "month N" past the forecast."""
        if 1 <= month <= len(self.month_labels):
            return self.month_labels[month - 1]
        return f"month {month}"

    def sheet_totals(self, kind: str) -> list[float]:
        """The rows' own amounts of one kind, month by month (exact, as the sheet has them)."""
        out = [0.0] * self.months
        for row in self.rows:
            for k, amounts, _ in row.parts:
                if k == kind:
                    for m, a in enumerate(amounts):
                        out[m] += a
        return out

    def imported_totals(self, kind: str) -> list[float]:
        """The imported lines of one kind, month by month over the forecast (growth applied)."""
        return monthly_amounts(self, kind)

    def chosen(self, choices: dict[int, LineChoice]) -> ForecastImport:
        """A copy with the preview's choices (by line index) applied; lines left out are gone."""
        lines, sources, notes = [], [], list(self.notes)
        for i, (line, source) in enumerate(zip(self.lines, self.sources)):
            choice = choices.get(i, LineChoice())
            if not choice.include:
                notes.append(f"Row {source.row} '{source.label}': left out in the preview.")
                continue
            lines.append(with_choice(line, choice))
            sources.append(source)
        return replace(self, lines=lines, sources=sources, notes=notes)


def with_choice(line: dict, choice: LineChoice) -> dict:
    """A line with the chance it happens and how far it could be off.

    Version 2: the amount becomes low / likely / high.  (Version 3: ``scale`` low / 1 / high
    on a ``monthly_amounts`` line; an ``amount`` line may take either.)
    """
    if not 0 <= choice.probability <= 1:
        raise ValueError("the chance a line happens is between 0% and 100%")
    if not 0 <= choice.low <= 1 <= choice.high:
        raise ValueError("low is at most 100% of the amount and high at least 100%")
    out = dict(line)
    out["probability"] = choice.probability
    if (choice.low != 1 or choice.high != 1) and "monthly_amounts" in line:
        out["scale"] = {"low": choice.low, "likely": 1, "high": choice.high}
    elif choice.low != 1 or choice.high != 1:
        amount = line["amount"]
        likely = amount["likely"] if isinstance(amount, dict) else amount
        out["amount"] = {"low": _money(likely * choice.low), "likely": likely,
                         "high": _money(likely * choice.high)}
    return out


# --- reading cells -------------------------------------------------------------------------

def column_letter(index: int) -> str:
    """0-based column index -> "A", "B", ..., "AA"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """1-based row, 0-based column -> "B4"."""
    return f"{column_letter(col)}{row}"


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
    if not text or len(text) > 40:
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


_NOT_MONTHS = frozenset(("year", "years", "annual", "notes", "note", "ytd", "avg", "mean", "sum",
                         "item", "items", "line", "name", "code", "ref", "type", "tot", "all",
                         "cost", "costs", "total", "budget", "plan", "fy", "qtr", "week", "actual",
                         "actuals", "forecast", "variance", "outturn", "estimate", "target", "prior"))
# Month names and abbreviations in the languages a UK charity's sheet may come in (Welsh among
# them) that are not English ones: refused naming the cell, never skipped.
_FOREIGN_MONTH_WORDS = """
januar jän jänner februar märz mär mrz mai juni juli oktober okt dezember dez
janvier janv février févr fevrier fevr mars avril avr juin juillet juil août aout septembre
octobre novembre décembre déc
enero ene febrero marzo abril abr mayo junio julio agosto ago septiembre setiembre set octubre
noviembre diciembre dic
gennaio gen febbraio marzo aprile maggio mag giugno giu luglio lug settembre ottobre ott dicembre
januari februari maart mrt mei augustus
janeiro fevereiro fev março marco maio junho julho setembro outubro out novembro dezembro
styczeń sty luty lut marzec kwiecień kwi maj czerwiec cze lipiec lip sierpień sie wrzesień wrz
październik paź listopad lis grudzień gru
ionawr chwefror mawrth ebrill mehefin gorffennaf awst medi hydref tachwedd rhagfyr
"""
_FOREIGN_MONTHS = frozenset(_FOREIGN_MONTH_WORDS.split())


def _month_like(value: Any) -> bool:
    """A month heading in a language or spelling this import does not know ("Mär", "Okt 2026"):
    a month name of another language, or a word with a year that is not a usual heading word."""
    if not isinstance(value, str) or parse_month(value) is not None:
        return False
    text = " ".join(value.strip().lower().split())
    if not _MONTH_LIKE.match(text) or _TOTAL.search(text) or _section(text) is not None:
        return False
    word = re.match(r"[^\W\d_]+", text)
    if word is None or word.group(0) in _NOT_MONTHS:
        return False
    return word.group(0) in _FOREIGN_MONTHS or bool(re.search(r"\d", text))


def _next(month: tuple) -> tuple:
    if month[0] == "index":
        return ("index", None, month[2] + 1)
    year = month[1]
    if year is not None and month[2] == 12:
        year += 1
    return ("calendar", year, month[2] % 12 + 1)


def _follows(prev: tuple, cur: tuple) -> bool:
    return cur == _next(prev)


def _month_label(month: tuple, raw: Any = None) -> str:
    if month[0] == "index":
        return f"Month {month[2]}"
    name = _FULL_NAMES[month[2] - 1].capitalize()
    return f"{name} {month[1]}" if month[1] is not None else name


def _is_total_heading(value: Any) -> bool:
    text = _text(value).lower()
    return bool(text) and bool(re.search(r"\btotals?\b|\bytd\b|year to date|full year|\bannual\b|"
                                         r"\byear\b|\bsum\b", text))


@dataclass
class _Header:
    row: int  # 0-based
    columns: list[int]  # 0-based, one per forecast month
    months: list[tuple]
    notes: list[str]


def _header_in_row(sheet: str, r: int, row: Sequence[Any]) -> _Header | None:
    """The forecast's month columns in one row: consecutive month headings, a "Total" column
    between years skipped, a heading repeated by mistake read as the next month (with a note)."""
    best: _Header | None = None
    col = 0
    while col < len(row):
        first = parse_month(row[col])
        if first is None:
            col += 1
            continue
        columns, months, notes = [col], [first], []
        raw_prev = first
        c = col + 1
        while c < len(row):
            month = parse_month(row[c])
            expected = _next(months[-1])
            if month == expected:
                columns.append(c)
                months.append(month)
                raw_prev = month
                c += 1
                continue
            if month is not None and month == raw_prev and len(months) >= 2:
                # "Mar, Mar" typed for "Mar, Apr": read as the month it stands for, named.
                following = parse_month(row[c + 1]) if c + 1 < len(row) else None
                if following is None or following == _next(expected):
                    notes.append(f"Cell {cell_name(r + 1, c)} repeats the heading "
                                 f"'{_text(row[c])[:40]}' of the cell before it: read as "
                                 f"{_month_label(expected)}, the month between its neighbours.")
                    columns.append(c)
                    months.append(expected)
                    raw_prev = month
                    c += 1
                    continue
                raise ForecastError(sheet, r + 1, column_letter(c),
                                    f"the month heading '{_text(row[c])[:40]}' repeats the one before "
                                    "it and the next does not follow either: correct the headings")
            if month is None and _is_total_heading(row[c]) and c + 1 < len(row) \
                    and parse_month(row[c + 1]) == expected:
                c += 1  # a year's total column between two years of months
                continue
            if month is not None and len(months) >= 2 and months[0][0] == month[0] \
                    and not (month[0] == "index" and month[2] == 1):
                raise ForecastError(sheet, r + 1, column_letter(c),
                                    f"the month heading '{_text(row[c])[:40]}' does not follow "
                                    f"{_month_label(months[-1])} in the cell before it: correct the "
                                    "headings so that every month appears once, in order")
            if _month_like(row[c]) and len(months) >= 2:
                raise _unknown_month(sheet, r + 1, c, row[c])
            break
        if len(months) >= 2 and (best is None or len(months) > len(best.months)):
            before = row[col - 1] if col >= 1 else None
            if len(months) < 12 and _month_like(before) and first[0] == "calendar":
                raise _unknown_month(sheet, r + 1, col - 1, before)
            best = _Header(r, columns, months, notes)
        col = c if c > col else col + 1
    return best


def _unknown_month(sheet: str, row: int, col: int, value: Any) -> ForecastError:
    return ForecastError(sheet, row, column_letter(col),
                         f"'{_text(value)[:40]}' stands among the month headings but is not a month "
                         "this import knows: write the months in English (Apr 2026), as numbers "
                         "(04/2026) or as dates (2026-04)")


def _bare_number_run(r: int, row: Sequence[Any]) -> _Header | None:
    """A "Month | 1 | 2 | 3 ..." heading row: the numbers after a cell saying "month"."""
    for col, value in enumerate(row):
        if _text(value).lower() in ("month", "months", "month no", "month number", "period"):
            months: list[tuple] = []
            columns: list[int] = []
            for c in range(col + 1, len(row)):
                later = row[c]
                n = later if isinstance(later, int | float) and not isinstance(later, bool) else None
                if n is None and isinstance(later, str) and later.strip().isdigit():
                    n = int(later.strip())
                if n is None or n != len(months) + 1:
                    break
                months.append(("index", None, int(n)))
                columns.append(c)
            return _Header(r, columns, months, []) if len(months) >= 2 else None
    return None


def _find_header(grid: list[list[Any]], sheet: str = "") -> _Header | None:
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = _header_in_row(sheet, r, row) or _bare_number_run(r, row)
        if found is not None:
            return found
    # No known months: words in their place are a language or spelling not known here.
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        run = 0
        for c, value in enumerate(row):
            run = run + 1 if _month_like(value) else 0
            if run >= 3:
                raise _unknown_month(sheet, r + 1, c - 2, row[c - 2])
    return None


# --- amounts -------------------------------------------------------------------------------

_CURRENCY = "£$€¥"
_CURRENCY_WORDS = re.compile(r"^(gbp|eur|usd|chf)|(gbp|eur|usd|chf)$")


def _number_text(value: str) -> tuple[bool, str] | None:
    """(negative, the digits and separators) of a money text, or None when it is not money."""
    text = value.strip()
    for space in ("\u00a0", "\u202f", "\u2009", " ", "'"):
        text = text.replace(space, "")
    text = _CURRENCY_WORDS.sub("", text.lower())
    if not text or text in _DASHES:
        return (False, "0")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith((",-", ".-")):  # "1.000,-": whole money written the German way
        text = text[:-2]
    for _ in range(2):
        text = text.strip(_CURRENCY)
        for sign in ("-", "−", "–"):
            if text.startswith(sign) or text.endswith(sign):
                negative, text = not negative, text.strip(sign)
                break
    text = text.strip(_CURRENCY)
    if not text or not re.fullmatch(r"[\d.,]+", text) or not re.search(r"\d", text):
        return None
    return negative, text


def _evidence(text: str) -> str | None:
    """Which decimal mark a money text shows beyond doubt: ".", ",", or None."""
    if re.fullmatch(r"\d{1,3}(\.\d{3}){2,}(,\d+)?|\d{1,3}(\.\d{3})+,\d+|\d+,\d{1,2}", text):
        return ","
    if re.fullmatch(r"\d{1,3}(,\d{3}){2,}(\.\d+)?|\d{1,3}(,\d{3})+\.\d+|\d+\.\d{1,2}", text):
        return "."
    return None


def ambiguous_amount(value: Any, decimal: str = ".") -> bool:
    """A text such as "50.000" under decimal points or "1,000" under decimal commas: a thousands
    separator or three decimals of a penny?  Never guessed."""
    if not isinstance(value, str):
        return False
    parsed = _number_text(value)
    if parsed is None:
        return False
    return bool(re.fullmatch(rf"[1-9]\d{{0,2}}{re.escape(decimal)}\d{{3}}", parsed[1]))


def parse_amount(value: Any, decimal: str = ".") -> float | None:
    """A money cell -> pounds; blanks and dashes are 0; None when it is not an amount.

    ``decimal`` is the sheet's decimal mark ("." or ","); the other mark (and spaces) may group
    thousands.  A text that could be read either way (``ambiguous_amount``) is None.
    """
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    parsed = _number_text(value)
    if parsed is None or ambiguous_amount(value, decimal):
        return None
    negative, text = parsed
    group = "," if decimal == "." else "."
    d, g = re.escape(decimal), re.escape(group)
    if not re.fullmatch(rf"(\d{{1,3}}({g}\d{{3}})+|\d+)({d}\d+)?|{d}\d+", text):
        return None
    amount = float(text.replace(group, "").replace(decimal, "."))
    return -amount if negative else amount


# --- loading a file into grids of values ---------------------------------------------------

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]


@dataclass
class _Grid:
    name: str
    rows: list[list[Any]]
    too_big: str | None = None  # why the sheet was not read to its end
    delimiter: str | None = None  # a CSV's


def _refuse(name: str, reason: str) -> FileRefused:
    return FileRefused(name, reason)


_SAVE_AS = ("open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx) or as CSV "
            "(UTF-8), then import that")


def _sniff(path: Path, head: bytes) -> str:
    """What the file really is, whatever its name says: "xlsx", "text", or a refusal."""
    name = path.name
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # an OLE2 compound file
        with open(path, "rb") as f:
            raw = f.read(MAX_FORECAST_BYTES)
        if "EncryptedPackage".encode("utf-16-le") in raw or "EncryptionInfo".encode("utf-16-le") in raw:
            raise _refuse(name, "this workbook is protected by a password, so it cannot be read: "
                                "open it, remove the password (File > Info > Protect Workbook in Excel) "
                                "and save it as .xlsx, or save it as CSV, then import that")
        raise _refuse(name, f"this is an old Excel 97-2003 (.xls) workbook, whatever its name says: {_SAVE_AS}")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 4 and head.count(b"\x00") * 4 >= len(head)):
        raise _refuse(name, "this is UTF-16 text (Excel's \"Unicode Text\"), which is not read: "
                            "save it as CSV UTF-8 (Comma delimited) and import that")
    if head.lstrip().lower().startswith((b"<?xml", b"<html", b"<!doctype", b"<table")):
        raise _refuse(name, f"this is a web page or XML file, not a workbook: {_SAVE_AS}")
    return "text"


def _check_zip(path: Path) -> None:
    name = path.name
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if "mimetype" in names:
                kind = z.read("mimetype")[:100]
                if b"opendocument.spreadsheet" in kind:
                    raise _refuse(name, "this is an OpenDocument (.ods) spreadsheet, whatever its name "
                                        f"says: {_SAVE_AS}")
                raise _refuse(name, f"this is an OpenDocument file, not a spreadsheet: {_SAVE_AS}")
            if "xl/workbook.xml" not in names and not any(n.startswith("xl/") and n.endswith("workbook.xml")
                                                          for n in names):
                if "xl/workbook.bin" in names:
                    raise _refuse(name, f"this is an Excel binary (.xlsb) workbook: {_SAVE_AS}")
                raise _refuse(name, f"this is a zip file but not an Excel workbook: {_SAVE_AS}")
            for info in infos:  # openpyxl reads these whole, even in read-only mode
                if not info.filename.startswith("xl/worksheets/") and info.file_size > MAX_LOADED_PART_BYTES:
                    raise _refuse(name, f"this workbook's {info.filename} unpacks to "
                                        f"{info.file_size / 1e6:,.1f} MB, more than the "
                                        f"{MAX_LOADED_PART_BYTES / 1e6:,.1f} MB a forecast is expected to "
                                        "take: copy the forecast sheet into a new workbook and import that")
            unpacked = sum(i.file_size for i in infos)
            if unpacked > MAX_UNPACKED_BYTES:
                raise _refuse(name, f"this workbook unpacks to {unpacked / 1e6:,.0f} MB, more than the "
                                    f"{MAX_UNPACKED_BYTES // 1_000_000} MB a forecast is expected to "
                                    "take: copy the forecast sheet into a new workbook and import that")
    except zipfile.BadZipFile:
        raise _refuse(name, f"this workbook is damaged (it is not a complete .xlsx file): {_SAVE_AS}") from None


class _Budget:
    """Counts the cells read from the whole file, and reports progress and Cancel."""

    def __init__(self, name: str, progress: Progress | None, cancelled: Cancelled | None):
        self.name, self.progress, self.cancelled = name, progress, cancelled
        self.cells = 0

    def rows_read(self, values: Sequence[Any]) -> int:
        filled = sum(1 for v in values if v is not None)
        self.cells += filled
        if self.cells > MAX_FILE_CELLS:
            raise _refuse(self.name, f"the file holds more than {MAX_FILE_CELLS:,} filled cells, more than "
                                     "a cash-flow forecast: copy the forecast sheet into a new workbook "
                                     "and import that")
        return filled

    def tick(self, fraction: float) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelled()
        if self.progress is not None:
            self.progress(max(0.0, min(1.0, fraction)))


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT]
    return value


def _trim(row: Sequence[Any]) -> list[Any]:
    out = [_clip(v) for v in row]
    while out and out[-1] is None:
        out.pop()
    return out


def _load_xlsx(path: Path, budget: _Budget) -> list[_Grid]:
    try:
        import openpyxl
    except ImportError as error:  # pragma: no cover - a dependency of the package
        raise ForecastError(path.name, None, None, "reading .xlsx files needs openpyxl") from error
    _check_zip(path)
    try:
        values_book = openpyxl.load_workbook(path, data_only=True, read_only=True)
        formula_book = openpyxl.load_workbook(path, data_only=False, read_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise _refuse(path.name, f"this workbook cannot be read ({type(error).__name__}): {_SAVE_AS}") from None
    try:
        titles = [ws.title for ws in values_book.worksheets][:MAX_SHEETS]  # not chart sheets
        active = values_book.active.title if values_book.active is not None else None
        if active in titles:  # the sheet open when it was saved first, then the others in order
            titles = [active] + [t for t in titles if t != active]
        grids = []
        for i, title in enumerate(titles):
            budget.tick(i / max(1, len(titles)))
            grids.append(_read_sheet(title, values_book[title], formula_book[title], budget,
                                     i, len(titles)))
        return grids
    finally:
        values_book.close()
        formula_book.close()


def _read_sheet(title: str, values_ws: Any, formulas_ws: Any, budget: _Budget, i: int, n: int) -> _Grid:
    # Some programs save a wrong sheet size, which read-only mode would trust; rows and columns
    # are read only up to the limits, so a sheet claiming a million rows costs nothing.
    values_ws.reset_dimensions()
    formulas_ws.reset_dimensions()
    bounds = {"max_row": MAX_ROWS + 1, "max_col": MAX_COLUMNS + 1, "values_only": True}
    rows: list[list[Any]] = []
    too_big = None
    cells = 0
    for r, (values, formulas) in enumerate(zip(values_ws.iter_rows(**bounds), formulas_ws.iter_rows(**bounds))):
        if r % 200 == 0:
            budget.tick((i + r / (MAX_ROWS + 1)) / max(1, n))
        if r == MAX_ROWS:
            if any(v is not None for v in values) or any(v is not None for v in formulas):
                too_big = f"the sheet has more than {MAX_ROWS:,} rows"
            break
        if len(values) > MAX_COLUMNS and (values[MAX_COLUMNS] is not None or formulas[MAX_COLUMNS] is not None):
            too_big = f"the sheet has more than {MAX_COLUMNS} columns"
        row = list(values[:MAX_COLUMNS])
        for c, formula in enumerate(formulas[:MAX_COLUMNS]):
            if row[c] is None and isinstance(formula, str) and formula.startswith("="):
                row[c] = _Uncached(formula[:MAX_TEXT])
        row = _trim(row)
        cells += budget.rows_read(row)
        rows.append(row)
        if cells > MAX_CELLS:
            too_big = f"the sheet has more than {MAX_CELLS:,} filled cells"
            break
    while rows and not rows[-1]:
        rows.pop()
    return _Grid(title, rows, too_big)


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows


def _delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most columns the most consistently."""
    lines = [line for line in text[:64 * 1024].splitlines()[:60] if line.strip()]
    best, best_score = ",", (-1, -1)
    for d in (",", ";", "\t", "|"):
        try:
            widths = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=d)]
        except csv.Error:
            continue
        widths = [w for w in widths if w > 1]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common), common)
        if score > best_score:
            best, best_score = d, score
    return best


def _load_csv(path: Path, budget: _Budget) -> list[_Grid]:
    text = _decode(path.read_bytes())
    delimiter = _delimiter(text)
    rows: list[list[Any]] = []
    too_big = None
    filled = 0
    try:
        for r, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            if r % 500 == 0:
                budget.tick(r / (MAX_ROWS + 1))
            if r == MAX_ROWS:
                too_big = f"the file has more than {MAX_ROWS:,} rows"
                break
            if len(row) > MAX_COLUMNS and any(v.strip() for v in row[MAX_COLUMNS:]):
                too_big = f"the file has more than {MAX_COLUMNS} columns"
            cells: list[Any] = [v if v.strip() else None for v in row[:MAX_COLUMNS]]
            cells = _trim(cells)
            filled += budget.rows_read(cells)
            rows.append(cells)
            if filled > MAX_CELLS:
                too_big = f"the file has more than {MAX_CELLS:,} filled cells"
                break
    except csv.Error as error:
        raise _refuse(path.name, f"this is not a CSV file that can be read ({error})") from None
    return [_Grid(path.name, rows, too_big, delimiter)]


# --- reading one sheet ---------------------------------------------------------------------

_ENUMERATOR = re.compile(r"^(?:[A-Za-z]|\d{1,2}(?:\.\d{1,2})*|[ivxIVX]{1,4})[.)]?$")
_CURRENCY_NOTE = re.compile(r"\((?:£|€|\$|gbp|eur|usd)\)|\bin (?:£|€|\$)|[£€]", re.IGNORECASE)


def _clean_label(text: str) -> str:
    """ "B  Money in (£)" -> "Money in": letter or number columns and currency notes dropped."""
    text = _CURRENCY_NOTE.sub("", text)
    text = re.sub(r"^(?:[A-Z]|\d{1,2})(?:[.)]\s*|\s{2,}|\t)(?=\S)", "", text.strip())
    return " ".join(text.split()).strip(" -–:")


def _label(row: Sequence[Any], label_end: int) -> str:
    parts = [_text(v) for v in row[:label_end] if not isinstance(v, int | float) or isinstance(v, bool)]
    # Not a year's total or a code typed as text before the months ("£12,000", "4010").
    parts = [p for p in parts if p and not (re.search(r"\d", p) and parse_amount(p) is not None)]
    if len(parts) > 1 and _ENUMERATOR.match(parts[0]):
        parts = parts[1:]
    return _clean_label(" ".join(parts))


def _section(label: str) -> str | None:
    text = _clean_label(label).lower().rstrip(":").strip()
    for words, kind in ((_INCOME_HEADINGS, "income"), (_COST_HEADINGS, "cost")):
        if any(text == w or text.startswith(w + " ") or text.endswith(" " + w) for w in words):
            return kind
    return None


def _section_word(label: str) -> str | None:
    """The kind of a label that is nothing but a section's name ("Spending", "Cash receipts")."""
    text = re.sub(r"\(.*?\)", "", _clean_label(label).lower()).rstrip(":").strip()
    text = re.sub(r"^(total|all|monthly)\s+", "", text)
    text = re.sub(r"^cash\s+", "", text)
    for words, kind in ((_INCOME_HEADINGS, "income"), (_COST_HEADINGS, "cost")):
        if text in words:
            return kind
    return None


def _total_kind(label: str) -> str | None:
    """What a total row adds up: "income", "cost", "net"; None when it is not checked."""
    text = label.lower()
    if _NET.search(text.strip()):
        return "net"
    if _CLOSING.search(text) or _OPENING.search(text) or re.search(r"\bprofit|\bloss|balance", text):
        return None
    words = re.sub(r"\b(total|totals|sub-?totals?|sum of)\b", "", text).strip(" :-")
    return _section(words) if words else None


def _money(x: float) -> float:
    return round(x + 0.0, 2)


def _decimal_mark(sheet: str, grid: list[list[Any]], header: _Header, default: str) -> str:
    """The sheet's decimal mark, from the money typed as text; two conventions are refused."""
    seen: dict[str, tuple[int, int]] = {}
    for r in range(header.row + 1, len(grid)):
        row = grid[r]
        for c in header.columns:
            value = row[c] if c < len(row) else None
            if isinstance(value, str):
                parsed = _number_text(value)
                mark = _evidence(parsed[1]) if parsed else None
                if mark is not None:
                    seen.setdefault(mark, (r, c))
    if len(seen) == 2:
        r, c = max(seen.values())
        other = min(seen.values())
        raise ForecastError(sheet, r + 1, column_letter(c),
                            f"'{_text(grid[r][c])[:40]}' writes its decimals differently from "
                            f"'{_text(grid[other[0]][other[1]])[:40]}' in {cell_name(other[0] + 1, other[1])}: "
                            "use one convention for the whole sheet")
    return next(iter(seen), default)


def _cell_amount(sheet: str, row_number: int, col: int, value: Any, decimal: str = ".") -> float:
    if isinstance(value, _Uncached):
        raise ForecastError(sheet, row_number, column_letter(col),
                            f"the cell holds a formula ({value.formula[:60]}) whose value was never "
                            "saved; open the file in Excel or LibreOffice, save it, and import again")
    if ambiguous_amount(value, decimal):
        text = _text(value)
        digits = (_number_text(text) or (False, "0"))[1]
        small, big = float(digits.replace(decimal, ".")), float(digits.replace(decimal, ""))
        raise ForecastError(sheet, row_number, column_letter(col),
                            f"'{text[:40]}' could be {small:,.3f} or {big:,.0f} (a decimal "
                            f"{'point' if decimal == '.' else 'comma'} or a thousands separator): "
                            "type it without a thousands separator, or with its pence, so it cannot be misread")
    amount = parse_amount(value, decimal)
    if amount is None:
        raise ForecastError(sheet, row_number, column_letter(col),
                            f"{_text(value)[:40]!r} is not an amount of money")
    if abs(amount) > MAX_AMOUNT:
        raise ForecastError(sheet, row_number, column_letter(col),
                            f"{_text(value)[:40]} is more than £{MAX_AMOUNT:,.0f}, the most the app takes")
    return amount


def _optional_amount(value: Any, decimal: str) -> float | None:
    if isinstance(value, _Uncached) or _text(value) == "" or ambiguous_amount(value, decimal):
        return None
    amount = parse_amount(value, decimal)
    return amount if amount is not None and abs(amount) <= MAX_AMOUNT else None


@dataclass
class _SheetRead:
    sheet: str
    months: list[tuple]
    rows: list[ImportedRow] = field(default_factory=list)
    totals: list[TotalRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    openings: list[OpeningCandidate] = field(default_factory=list)
    decimal: str = "."


@dataclass
class _Pending:
    """A row named only by a section word ("Spending") that has figures: a total or a line?"""

    number: int
    label: str
    kind: str
    amounts: list[float]
    index: int  # where it stood among the rows read


def _read_sheet_rows(sheet: str, grid: list[list[Any]], default_decimal: str = ".") -> _SheetRead:
    header = _find_header(grid, sheet)
    if header is None:
        raise _no_header(sheet, grid)
    months, columns = header.months, header.columns
    out = _SheetRead(sheet, months, notes=list(header.notes))
    if len(months) > MAX_MONTHS:
        out.notes.append(f"The forecast has {len(months)} months; only the first {MAX_MONTHS} are read.")
        months, columns = months[:MAX_MONTHS], columns[:MAX_MONTHS]
        out.months = months
    first_col = columns[0]
    head = grid[header.row]
    prestart: int | None = None
    if first_col >= 1 and _PRESTART.search(_text(head[first_col - 1]).lower()) \
            and parse_month(head[first_col - 1]) is None:
        prestart = first_col - 1
    label_end = prestart if prestart is not None else first_col
    decimal = out.decimal = _decimal_mark(sheet, grid, header, default_decimal)
    section = _section(_label(head, label_end)) if _label(head, label_end) else None
    block: list[int] = []  # row numbers of the lines since the last heading or total
    pending: list[_Pending] = []
    boundaries: list[int] = []  # row numbers of headings and totals, for pending rows

    orphans: list[ImportedRow] = []  # rows with figures under no heading, since the last boundary
    orphan_notes: list[str] = []

    def cells_of(row: list[Any]) -> list[Any]:
        return [row[c] if c < len(row) else None for c in columns]

    def drop_orphans() -> None:
        out.notes.extend(orphan_notes)
        orphans.clear()
        orphan_notes.clear()

    for r in range(header.row + 1, len(grid)):
        row = grid[r]
        number = r + 1
        label = _label(row, label_end)
        cells = cells_of(row)
        empty = all(_text(v) == "" and not isinstance(v, _Uncached) for v in cells)
        lowered = label.lower()
        pre_value = row[prestart] if prestart is not None and prestart < len(row) else None
        if sum(1 for v in cells if parse_month(v) is not None) >= max(2, len(cells) // 2):
            heading = _section(label) if label else None  # the month headings again, over a section
            if heading is not None:
                section = heading
            drop_orphans()
            boundaries.append(number)
            block = []
            continue
        if _TOTAL.search(lowered):
            if _OPENING.search(lowered) and not _CLOSING.search(lowered):
                _opening_row(out, sheet, number, label, cells, columns, pre_value, prestart, decimal)
            else:
                if _CLOSING.search(lowered) and prestart is not None:
                    amount = _optional_amount(pre_value, decimal)
                    if amount is not None and _text(pre_value):
                        out.openings.append(OpeningCandidate(
                            f"sheet '{sheet}' {cell_name(number, prestart)}", _money(amount),
                            f"the pre-start column of row {number} '{label}'"))
                out.notes.append(f"Row {number} '{label}' skipped as a total or balance.")
                if not empty:
                    amounts = [None if isinstance(v, _Uncached) else _optional_amount(v, decimal)
                               if _text(v) != "" else 0.0 for v in cells]
                    kind = _total_kind(label)
                    if kind in ("income", "cost") and orphans and _adds_up(amounts, orphans):
                        for orphan in orphans:  # lines with no heading, named by the total below them
                            orphan.section = kind
                            out.rows.append(orphan)
                            block.append(orphan.row)
                            out.notes.append(f"Row {orphan.row} '{orphan.label}' stands under no heading; "
                                             f"row {number} '{label}' adds it up, so it is read as "
                                             f"{'income' if kind == 'income' else 'a cost'}.")
                        orphans.clear()
                        orphan_notes.clear()
                    out.totals.append(TotalRow(sheet, number, label, kind, amounts, list(block)))
                    if kind in ("income", "cost") and _section_word(label) == kind:
                        section = None  # the whole section's total ends it
            drop_orphans()
            boundaries.append(number)
            block = []
            continue
        if empty:
            heading = _section(label) if label else None
            if heading is not None:
                section = heading
                drop_orphans()
                boundaries.append(number)
                block = []
            elif pre_value is not None and label:
                out.notes.append(f"Row {number} '{label}' has an amount only in the pre-start column: "
                                 "not a month, so not imported.")
            continue
        if not label:
            out.notes.append(f"Row {number} has figures but no name: skipped.")
            continue
        word = _section_word(label)
        if word is not None:
            values = [_cell_amount(sheet, number, c, v, decimal) for c, v in zip(columns, cells)]
            pending.append(_Pending(number, label, word, values, len(out.rows)))
            drop_orphans()
            boundaries.append(number)
            section = word
            block = []
            continue
        if section is None:
            note = f"Row {number} '{label}' is not under an Income or Expenditure heading: skipped."
            found = [_optional_amount(v, decimal) if _text(v) != "" else 0.0 for v in cells]
            if all(a is not None for a in found) and any(found):
                orphans.append(ImportedRow(sheet, number, label, "", [float(a or 0) for a in found]))
                orphan_notes.append(note)
            else:
                out.notes.append(note)
            continue
        values = [_cell_amount(sheet, number, c, v, decimal) for c, v in zip(columns, cells)]
        if prestart is not None and _optional_amount(pre_value, decimal):
            out.notes.append(f"Row {number} '{label}': the pre-start amount in {cell_name(number, prestart)} "
                             "is not a month; it counts only through the opening balance.")
        if not any(values):
            out.notes.append(f"Row {number} '{label}' is zero in every month: skipped.")
            continue
        block.append(number)
        out.rows.append(ImportedRow(sheet, number, label, section, values))
    drop_orphans()
    out.rows.sort(key=lambda r: r.row)
    _settle_pending(out, pending, boundaries)
    _sections_of_totals(out)
    return out


def _settle_pending(out: _SheetRead, pending: list[_Pending], boundaries: list[int]) -> None:
    """A section-word row that adds up the lines just above or just below it is a total;
    otherwise it is a line of its own."""
    for p in pending:
        before = max((b for b in boundaries if b < p.number), default=0)
        after = min((b for b in boundaries if b > p.number), default=10**9)
        above = [r.row for r in out.rows if before < r.row < p.number and r.section == p.kind]
        below = [r.row for r in out.rows if p.number < r.row < after and r.section == p.kind]
        for block, where in ((above, "above"), (below, "below")):
            if block and _adds_up(p.amounts, [r for r in out.rows if r.row in block]):
                out.notes.append(f"Row {p.number} '{p.label}' adds up the rows {where} it: read as a total.")
                out.totals.append(TotalRow(out.sheet, p.number, p.label, p.kind, list(p.amounts), block))
                break
        else:
            out.rows.append(ImportedRow(out.sheet, p.number, p.label, p.kind, p.amounts))
    out.rows.sort(key=lambda r: r.row)


def _adds_up(amounts: Sequence[float | None], rows: list[ImportedRow]) -> bool:
    if any(a is None for a in amounts):
        return False
    sums = [sum(r.amounts[m] for r in rows) for m in range(len(amounts))]
    return any(all(abs(sign * float(a) - s) < HALF_PENNY for a, s in zip(amounts, sums))  # type: ignore[arg-type]
               for sign in (1, -1))


def _sections_of_totals(out: _SheetRead) -> None:
    for total in out.totals:
        if total.kind in ("income", "cost"):
            total.section = [r.row for r in out.rows if r.section == total.kind]
        elif total.kind == "net":
            total.section = [r.row for r in out.rows]


def _opening_row(out: _SheetRead, sheet: str, number: int, label: str, cells: list[Any],
                 columns: list[int], pre_value: Any, prestart: int | None, decimal: str) -> None:
    if out.openings and any(c.what.startswith("the opening balance row") for c in out.openings):
        out.notes.append(f"Row {number} '{label}' skipped as a balance (an opening balance was read above).")
        return
    first = cells[0] if cells else None
    if isinstance(first, _Uncached):
        out.notes.append(f"Row {number} '{label}': its value ({first.formula[:40]}) was never "
                         "saved by a spreadsheet program; no opening reserves read from it.")
        return
    amount = _optional_amount(first, decimal)
    col = columns[0]
    if amount is None and prestart is not None:
        amount, col = _optional_amount(pre_value, decimal), prestart
    if amount is None:
        out.notes.append(f"Row {number} '{label}' has no amount in the first month: skipped.")
        return
    out.openings.append(OpeningCandidate(f"sheet '{sheet}' {cell_name(number, col)}", _money(amount),
                                         f"the opening balance row {number} '{label}'"))


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




# --- rows into budget lines ----------------------------------------------------------------

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


def _describe_months(labels: Sequence[str], start: int, end: int | None) -> str:
    def name(m: int) -> str:
        return labels[m - 1] if 1 <= m <= len(labels) else f"month {m}"

    if end is None:
        return f"from {name(start)}"
    if start == end:
        return name(start)
    return f"{name(start)} to {name(end)}"


def _line(name: str, kind: str, piece: Piece) -> dict:
    if len(name) > MAX_NAME:  # the loader's limit on a name
        name = name[:MAX_NAME - 1] + "…"
    line = {"name": name, "kind": kind, "amount": _money(piece.amount), "start_month": piece.start}
    if piece.end is not None:
        line["end_month"] = piece.end
    line.update(every_months=piece.every, growth_per_year=piece.growth, probability=1)
    return line


def sheet_month(amounts: Sequence[float], month: int) -> float:
    """What the import must give in ``month`` (1-based) for a row of the sheet: the sheet's own
    amount in its months; after its last month, its last 12 months again and again (a sheet of
    fewer than 12 months repeats as it is)."""
    n = len(amounts)
    if month <= n:
        return amounts[month - 1]
    if n >= 12:
        return amounts[n - 12 + (month - n - 1) % 12]
    return amounts[(month - 1) % n]


def _keeps_the_sheet(lines: list[dict], amounts: Sequence[float]) -> bool:
    """Whether the lines give the row's amounts in every month, the sheet's and two years of
    repeats after it, to the half penny (docs/model.md's penny rule)."""
    months = len(amounts) + 24
    got = [0.0] * months
    for line in lines:
        for m, a in enumerate(expand_line(line, months)):
            got[m] += a
    return all(abs(got[m] - sheet_month(amounts, m + 1)) < HALF_PENNY for m in range(months))


def _repeat_note(labels: Sequence[str], rows: list[str]) -> str | None:
    """How the rows kept month by month carry on after the sheet, when that is not simply
    "the same year again" (one note for the forecast, naming the rows)."""
    n = len(labels)
    if n % 12 == 0 or not rows:
        return None
    named = ", ".join(f"'{r}'" for r in rows[:4]) + (f" and {len(rows) - 4} more" if len(rows) > 4 else "")
    if n < 12:
        return (f"Rows kept month by month ({named}): the sheet has {n} months, so after "
                f"{labels[-1]} its {n} months repeat as they are ({labels[0]} to {labels[-1]} "
                "again), not as a calendar year.")
    return (f"Rows kept month by month ({named}): after {labels[-1]} each repeats the sheet's "
            f"last 12 months ({labels[n - 12]} to {labels[-1]}); {labels[0]} to {labels[n - 13]} "
            "are not repeated.")


def line_from_row(row: ImportedRow, month_labels: Sequence[str],
                  max_one_offs: int = MAX_ONE_OFFS) -> tuple[list[dict], list[str], list[str]]:
    """THE place where a sheet row becomes budget lines: (line dicts, how each was read, notes).

    Every month of the lines equals the sheet (to the half penny), and after the sheet's last
    month the row repeats its last 12 months (``sheet_month``).  A row that is the same every
    month from its first amount on, and so stays the same when repeated, is one steady
    ``amount`` line; any other row is kept exactly as version 3's ``monthly_amounts`` (no
    growth, ``monthly_amounts_lines``).  ``max_one_offs`` is kept for callers of the version 2
    reading (``classify``).
    """
    lines: list[dict] = []
    hows: list[str] = []
    notes: list[str] = []
    number, label = row.row, row.label
    for kind, amounts, suffix in row.parts:
        if suffix:
            notes.append(f"Row {number} '{label}' has negative amounts under "
                         f"{'income' if row.section == 'income' else 'costs'}: read as "
                         f"{'income' if kind == 'income' else 'costs'}.")
        if not any(amounts):
            continue
        pieces = classify(amounts, max_one_offs)
        if len(pieces) == 1 and pieces[0].how == "monthly" and pieces[0].growth == 0:
            steady = [_line(label + suffix, kind, pieces[0])]
            if _keeps_the_sheet(steady, amounts):
                lines += steady
                hows.append("monthly")
                continue
        exact = monthly_amounts_lines(row, only=(kind, amounts, suffix))
        lines += exact
        hows += ["month by month, as the sheet"] * len(exact)
    return lines, hows, notes


def expand_line(line: dict, months: int) -> list[float]:
    """A line's payments in months 1..months by the budget-line rules of docs/model.md (the likely amount, growth
    applied; a version 3 ``monthly_amounts`` list at its likely scale of 1)."""
    out = [0.0] * months
    start, every = line.get("start_month", 1), line.get("every_months", 1)
    last = min(line.get("end_month") or months, months)
    growth = line.get("growth_per_year", 0)
    listed = line.get("monthly_amounts")
    amount = line.get("amount", 0)
    amount = amount["likely"] if isinstance(amount, dict) else amount
    for m in range(start, last + 1, every):
        each = listed[(m - start) % len(listed)] if listed else amount
        out[m - 1] += each * (1 + growth) ** ((m - start) // 12)
    return out


def monthly_amounts_lines(row: ImportedRow, only: tuple | None = None) -> list[dict]:
    """The row (or ``only`` one of its parts) as version 3 lines (docs/model.md, 5), exact to the penny.

    One line per kind (a row may hold refunds).  The list repeats after its last entry, so for
    each row to repeat its last 12 months after the sheet's last month, a sheet of N > 12 months
    gives two lines: months 1..N-12 listed once (``end_month``), then the last 12 from month
    N-11 on, repeating (a whole number of years keeps the seasons in their months); a row whose
    every year is the same is one list of its first 12 months from month 1.  A sheet of
    12 months or fewer is one list from month 1 that repeats as it is (under 12 months the
    preview must say so).
    """
    lines = []
    n = len(row.amounts)
    for kind, amounts, suffix in (row.parts if only is None else [only]):
        if not any(amounts):
            continue
        name = (row.label + suffix)[:MAX_NAME]
        exact = [_money(a) for a in amounts]
        base = {"name": name, "kind": kind, "every_months": 1, "growth_per_year": 0, "probability": 1}
        if n > 12 and all(exact[m] == exact[m - 12] for m in range(12, n)):
            # every year of the sheet the same: its first year, repeating, is the whole row
            lines.append({**base, "monthly_amounts": exact[:12], "start_month": 1})
        elif n > 12:
            head, tail = exact[:n - 12], exact[n - 12:]
            if any(head):
                lines.append({**base, "monthly_amounts": head, "start_month": 1, "end_month": n - 12})
            if any(tail):  # a row that stops before the sheet's last year does not repeat
                lines.append({**base, "monthly_amounts": tail, "start_month": n - 11})
        else:
            lines.append({**base, "monthly_amounts": exact, "start_month": 1})
    return lines


def pattern_amount_text(listed: Sequence[float], pounds: Callable[[float], str]) -> str:
    """A ``monthly_amounts`` list in a few words: "£4,000", "£4,000 in 6 of 12 months",
    "£80 to £600 by month", "£100 to £300 in 3 of 12 months" (months with nothing left out)."""
    paid = [a for a in listed if a]
    if not paid:
        return pounds(0)
    low, high = min(paid), max(paid)
    text = pounds(low) if low == high else f"{pounds(low)} to {pounds(high)}"
    if len(paid) < len(listed):
        return f"{text} in {len(paid)} of {len(listed)} months"
    return text if low == high else f"{text} by month"


def monthly_amounts(forecast: ForecastImport, kind: str) -> list[float]:
    """The forecast months' total of the imported lines of one kind (growth applied)."""
    months = [0.0] * forecast.months
    for line in forecast.lines:
        if line["kind"] == kind:
            for m, a in enumerate(expand_line(line, forecast.months)):
                months[m] += a
    return months


# --- the self-check ------------------------------------------------------------------------

def _check_totals(result: ForecastImport) -> None:
    """Each total row the sheet holds against the rows read, month by month.  A total may add
    up its whole section or the rows since the previous heading or subtotal; the sign of a
    costs total varies between layouts, so either sign agrees."""
    by_row = result.row_at or {(r.sheet, r.row): r for r in result.rows}
    n = result.months
    offsets = result.offsets
    for total in result.totals:
        if total.kind is None:
            continue
        offset = offsets.get(total.sheet, 0)
        width = len(total.amounts)
        candidates = []
        for rows in (total.block, total.section):
            chosen = [by_row[(total.sheet, r)] for r in rows if (total.sheet, r) in by_row]
            if total.kind == "net":
                sums = [sum(r.signed()[offset + m] for r in chosen) for m in range(width)]
            else:  # as the sheet adds them: a refund typed under income lowers its total
                sums = [sum(r.amounts[offset + m] for r in chosen if r.section == total.kind)
                        for m in range(width)]
            candidates.append(sums)
        best, best_diff = candidates[-1], None
        for sums in candidates:
            diff = [m for m, (want, got) in enumerate(zip(total.amounts, sums))
                    if want is not None and abs(abs(want) - abs(got)) >= HALF_PENNY]
            if best_diff is None or len(diff) < len(best_diff):
                best, best_diff = sums, diff
        diff = best_diff or []
        if offset + width > n:
            continue
        result.checks.append(TotalCheck(total.row, total.label, total.kind, list(total.amounts),
                                        best, diff, total.sheet))
        if diff:
            m = diff[0]
            want = total.amounts[m]
            assert want is not None
            what = {"income": "income", "cost": "cost", "net": "income less cost"}[total.kind]
            more = f" (and {len(diff) - 1} other month{'s' * (len(diff) != 2)})" if len(diff) > 1 else ""
            where = f"sheet '{total.sheet}' " if len(result.sheets) > 1 else ""
            result.notes.append(
                f"Check: {where}row {total.row} '{total.label}' says £{abs(want):,.2f} in "
                f"{result.month_labels[offset + m]}, but the imported {what} lines add up to "
                f"£{abs(best[m]):,.2f} there{more}.")


# --- putting it together -------------------------------------------------------------------

def _finish(reads: list[_SheetRead], max_one_offs: int) -> ForecastImport:
    """One forecast from one sheet, or from yearly sheets of consecutive months."""
    first = reads[0]
    months = [m for read in reads for m in read.months]
    if len(months) > MAX_MONTHS:
        months = months[:MAX_MONTHS]
    names = [read.sheet for read in reads]
    result = ForecastImport(sheet=", ".join(names), sheets=names, decimal=first.decimal)
    result.month_labels = [_month_label(m) for m in months]
    if months[0][0] == "calendar":
        result.first_calendar_month, result.first_year = months[0][2], months[0][1]
    offsets: dict[str, int] = {}
    merged: dict[tuple[str, str], ImportedRow] = {}
    offset = 0
    for read in reads:
        offsets[read.sheet] = offset
        prefix = f"Sheet '{read.sheet}': " if len(reads) > 1 else ""
        result.notes += [prefix + note for note in read.notes]
        for row in read.rows:
            key = (row.section, row.label.lower())
            if key not in merged:
                merged[key] = ImportedRow(row.sheet, row.row, row.label, row.section, [0.0] * len(months))
            target = merged[key]
            result.row_at[(row.sheet, row.row)] = target
            for m, a in enumerate(row.amounts):
                if offset + m < len(months):
                    target.amounts[offset + m] += a
        result.totals += read.totals
        offset += len(read.months)
    result.offsets = offsets
    result.rows = list(merged.values())
    result.opening_candidates = list(first.openings)
    _settle_opening(result)
    for row in result.rows:
        lines, hows, notes = line_from_row(row, result.month_labels, max_one_offs)
        result.lines += lines
        result.sources += [LineSource(row.row, row.label, how, row.sheet) for how in hows]
        result.notes += notes
    _check_totals(result)
    kept = list(dict.fromkeys(line["name"] for line in result.lines if "monthly_amounts" in line))
    if note := _repeat_note(result.month_labels, kept):
        result.notes.append(note)
    if len(months) < result.horizon_months:
        result.notes.append(f"The forecast covers {len(months)} months; the scenario looks "
                            f"{result.horizon_months} months ahead, so the months after the forecast "
                            "repeat the sheet's rows.")
    return result


def _settle_opening(result: ForecastImport) -> None:
    candidates = result.opening_candidates
    if not candidates:
        return
    if result.opening_conflict:
        a, b = candidates[0], candidates[1]
        result.notes.append(f"Opening reserves: {a.cell} ({a.what}) says £{a.amount:,.2f} but {b.cell} "
                            f"({b.what}) says £{b.amount:,.2f}; choose which is your free cash at the start.")
        return
    c = candidates[0]
    result.opening_balance = c.amount
    result.notes.append(f"{c.cell} ({c.what}): £{c.amount:,.2f} offered as the opening reserves.")


def read_grid(sheet: str, grid: list[list[Any]], max_one_offs: int = MAX_ONE_OFFS,
              decimal: str = ".") -> ForecastImport:
    """Read one sheet (rows of cell values) laid out as a cash-flow forecast."""
    result = _finish([_read_sheet_rows(sheet, grid, decimal)], max_one_offs)
    if not result.lines:
        result.notes.append("No income or cost lines were found under the headings.")
    return result


def _yearly_number(name: str) -> int | None:
    m = _YEARLY_SHEET.match(name.strip().lower())
    if m is None:
        return None
    return int(m.group(1) or m.group(2))


def _continues(before: list[tuple], after: list[tuple]) -> bool:
    if before[-1][0] != after[0][0]:
        return False
    if after[0] == _next(before[-1]):
        return True
    return after[0][0] == "index" and after[0][2] == 1  # "Month 1..12" on every year's sheet


def _renumber(read: _SheetRead, start: int) -> None:
    if read.months[0][0] == "index":
        read.months = [("index", None, start + i) for i in range(len(read.months))]


_GOOD_NAME = re.compile(r"cash\s*-?\s*flow|forecast|budget|receipts", re.IGNORECASE)
_POOR_NAME = re.compile(r"instruction|read\s*me|example|sample|guide|help|notes|chart|graph|"
                        r"summary|assumption|lookup|list|data|actual", re.IGNORECASE)
_SCENARIO_POOR = re.compile(r"worst|best|pessimis|optimis|stress|low|high|downside|upside", re.IGNORECASE)


def _rank(name: str, position: int) -> tuple:
    return (-bool(_GOOD_NAME.search(name)), bool(_POOR_NAME.search(name)),
            bool(_SCENARIO_POOR.search(name)), position)


def read_forecast(path: str | os.PathLike, sheet: str | None = None,
                  max_one_offs: int = MAX_ONE_OFFS, *, progress: Progress | None = None,
                  cancelled: Cancelled | None = None) -> ForecastImport:
    """Read a forecast file (.xlsx, .xlsm or .csv/.txt); the file is only read, never written.

    With ``sheet`` None the cash-flow sheet is found by its name and content (yearly sheets
    "Year 1", "Year 2"... of consecutive months are read as one forecast).  Raises
    ForecastError (sheet, row, column, reason) for a file or cell it cannot read, or when no
    line is found; OSError when the file cannot be opened; ImportCancelled when ``cancelled``
    says so.  ``progress`` is told the share done, 0 to 1.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_FORECAST_BYTES:
        raise _refuse(path.name, f"the file is {size / 1e6:.0f} MB; a forecast is expected to be under "
                                 f"{MAX_FORECAST_BYTES // 1_000_000} MB")
    budget = _Budget(path.name, progress, cancelled)
    with open(path, "rb") as f:
        head = f.read(512)
    kind = _sniff(path, head)
    suffix = path.suffix.lower()
    if kind == "zip":
        try:
            grids = _load_xlsx(path, budget)
        except (ForecastError, ImportCancelled, MemoryError):
            raise
        except Exception as error:  # a damaged part of the workbook, found while reading it
            raise _refuse(path.name, f"this workbook cannot be read ({type(error).__name__}): "
                                     + _SAVE_AS) from None
    elif suffix in (".csv", ".txt", ".tsv"):
        grids = _load_csv(path, budget)
    elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise _refuse(path.name, "this is a text file, not a workbook, whatever its name says: "
                                 "rename it .csv if it is comma-separated, or " + _SAVE_AS)
    else:
        raise _refuse(path.name, "choose an Excel workbook (.xlsx) or a CSV file")
    default_decimal = "," if grids and grids[0].delimiter == ";" else "."
    budget.tick(0.9)
    result = _choose(path, grids, sheet, max_one_offs, default_decimal)
    budget.tick(1.0)
    if not result.lines:
        raise ForecastError(result.sheet, None, None,
                            "no income or cost lines were found: the rows with figures must stand "
                            "under headings such as Income and Expenditure (or Receipts and Payments)")
    return result


def _read(grid: _Grid, max_one_offs: int, decimal: str) -> _SheetRead:
    if grid.too_big:
        raise ForecastError(grid.name, None, None,
                            f"{grid.too_big}, more than a cash-flow forecast: delete the rows or "
                            "columns not used, or copy the forecast into a new sheet, and import again")
    return _read_sheet_rows(grid.name, grid.rows, decimal)


def _choose(path: Path, grids: list[_Grid], sheet: str | None, max_one_offs: int,
            decimal: str) -> ForecastImport:
    if sheet is not None:
        chosen = [g for g in grids if g.name == sheet]
        if not chosen:
            raise ForecastError(sheet, None, None,
                                f"the workbook has no such sheet (it has {', '.join(g.name for g in grids)})")
        return _finish([_read(chosen[0], max_one_offs, decimal)], max_one_offs)
    if not grids:
        raise ForecastError(path.name, None, None, "the workbook has no sheets with cells")
    with_months = []
    first_error: ForecastError | None = None
    for position, g in enumerate(grids):
        try:
            if _find_header(g.rows, g.name) is not None:
                with_months.append((position, g))
        except ForecastError as error:
            first_error = first_error or error
    if not with_months:
        if first_error is not None:
            raise first_error
        raise _no_header(grids[0].name, grids[0].rows)
    yearly = sorted(((_yearly_number(g.name), p, g) for p, g in with_months if _yearly_number(g.name) is not None),
                    key=lambda t: (t[0], t[1]))
    if len(yearly) >= 2:
        reads = [_read(g, max_one_offs, decimal) for _, _, g in yearly]
        combined = [reads[0]]
        for read in reads[1:]:
            if not _continues(combined[-1].months, read.months):
                break
            _renumber(read, combined[-1].months[-1][2] + 1)
            combined.append(read)
        if len(combined) >= 2:
            result = _finish(combined, max_one_offs)
            result.notes.insert(0, f"The sheets {', '.join(repr(r.sheet) for r in combined)} are read "
                                   f"as one forecast of {result.months} consecutive months.")
            return result
    # By name first (a "Cash flow" sheet over "Instructions" or "Worst case"), then by content
    # (income and costs both read, more rows), then the sheet open when it was saved.
    scored = []
    for position, g in with_months:
        attempt: _SheetRead | ForecastError
        try:
            attempt = _read(g, max_one_offs, decimal)
        except ForecastError as error:
            attempt = error
        kinds = set() if isinstance(attempt, ForecastError) else {r.section for r in attempt.rows}
        rows = 0 if isinstance(attempt, ForecastError) else len(attempt.rows)
        scored.append((_rank(g.name, position)[:3] + (-len(kinds), -rows, position), g, attempt))
    scored.sort(key=lambda t: t[0])
    _, g, best = scored[0]
    if isinstance(best, ForecastError):
        raise best
    result = _finish([best], max_one_offs)
    others = [o.name for _, o, _ in scored[1:]]
    if others:
        result.notes.insert(0, f"Sheet '{g.name}' was read; the sheets "
                               f"{', '.join(repr(o) for o in others)} also have month headings "
                               "(to read another, copy it into a file of its own, or on the command line "
                               "name it with --sheet).")
    for _, o, other in scored[1:]:
        if isinstance(other, ForecastError):
            result.notes.insert(1, f"Sheet '{o.name}' was not read: {other.message}.")
    return result


def _no_header(sheet: str, grid: list[list[Any]]) -> ForecastError:
    reason = "no row of month headings found (such as Apr, May, Jun or Month 1, Month 2)"
    if any(isinstance(v, _Uncached) for row in grid[:HEADER_SEARCH_ROWS] for v in row):
        reason += ("; some cells hold formulas whose values were never saved: open the file in "
                   "Excel or LibreOffice, save it, and import again")
    return ForecastError(sheet, None, None, reason)


# --- into a scenario -----------------------------------------------------------------------

def _uncertain(amount: Any):
    from .scenario import Uncertain

    if isinstance(amount, dict):
        return Uncertain(float(amount["low"]), float(amount["likely"]), float(amount["high"]))
    return Uncertain.fixed(float(amount))


def budget_lines(forecast: ForecastImport):
    """The forecast's lines as model BudgetLine objects."""
    from .scenario import BudgetLine, Uncertain

    def one(line: dict) -> BudgetLine:
        listed = line.get("monthly_amounts")
        return BudgetLine(
            name=line["name"], kind=line["kind"],
            amount=Uncertain.fixed(0.0) if listed is not None else _uncertain(line["amount"]),
            start_month=line["start_month"], end_month=line.get("end_month"),
            every_months=line["every_months"], growth_per_year=line["growth_per_year"],
            probability=line["probability"],
            monthly_amounts=None if listed is None else tuple(float(a) for a in listed),
            scale=_uncertain(line["scale"]) if "scale" in line else Uncertain(1.0, 1.0, 1.0))

    return tuple(one(line) for line in forecast.lines)


def apply_forecast(scenario, forecast: ForecastImport):
    """The scenario with its own budget replaced by the forecast's (contracts kept).

    The forecast is the charity's whole budget, so the flat other income and core costs become
    0 (else they would be counted twice); the opening balance, when the forecast has one,
    becomes the opening reserves; the horizon grows to cover the forecast if it is shorter.
    Month 1 becomes the forecast's first month.
    """
    from .scenario import Uncertain

    org = scenario.organisation
    org = replace(org, budget=budget_lines(forecast), monthly_other_income=Uncertain.fixed(0.0),
                  monthly_core_costs=0.0,
                  opening_reserves=(org.opening_reserves if forecast.opening_balance is None
                                    else forecast.opening_balance))
    return replace(scenario, organisation=org, first_month=forecast.first_month or scenario.first_month,
                   horizon_months=max(scenario.horizon_months, forecast.horizon_months))
